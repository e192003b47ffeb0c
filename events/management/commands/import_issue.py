"""`import_issue PATH [--replace] [--user USERNAME]`: a draft issue from a daily-format file."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from events.dailyformat import DailyFormatError
from events.dailyformat.importer import import_bytes


class Command(BaseCommand):
    help = _("把日报格式的文本文件导入为一期草稿。出错时打印“文件:行号: 原因”，不创建任何内容。")

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("日报格式的文本文件（UTF-8）。"))
        parser.add_argument(
            "--replace", action="store_true", help=_("这一天已有草稿时，用文件内容替换它。")
        )
        parser.add_argument("--user", help=_("记为创建人的用户名。"))

    def handle(self, *args, path, replace, user, **options):
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(_("没有用户“%(user)s”。") % {"user": user})
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            result = import_bytes(data, user=author, replace=replace)
        except DailyFormatError as failure:
            self._warnings(path, failure.warnings)
            for error in failure.errors:
                self.stderr.write(f"{path}:{error.line}: {error.message}")
            raise CommandError(
                _("%(count)d 个错误，没有导入任何内容。") % {"count": len(failure.errors)}
            ) from None
        self._warnings(path, result.warnings)
        url = settings.SITE_URL + reverse("admin:events_issue_change", args=[result.issue.pk])
        verb = _("已替换草稿") if result.replaced else _("已创建草稿")
        self.stdout.write(f"{result.issue.date.isoformat()} {verb}：{url}")

    def _warnings(self, path, warnings):
        for warning in warnings:
            self.stderr.write(f"{path}:{warning.line}: warning: {warning.message}")
