import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sources', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='snapshot',
            name='duplicate_of',
            field=models.ForeignKey(blank=True, help_text='内容与这次抓取逐字节相同的早先快照；本次只记录检查，文件沿用那次的。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='duplicates', to='sources.snapshot', verbose_name='与之相同的快照'),
        ),
        migrations.AddField(
            model_name='snapshot',
            name='retry_at',
            field=models.DateTimeField(blank=True, help_text='暂时性失败（超时、5xx、429）后安排的下一次尝试。', null=True, verbose_name='下次重试时间'),
        ),
    ]
