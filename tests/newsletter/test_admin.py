from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events import workflow
from newsletter import mailings, sending
from newsletter.models import Delivery, Mailing, Subscriber

from ..factories import IssueFactory, SubscriberFactory, publishable_issue

pytestmark = pytest.mark.django_db
D = Delivery.Status


def change_page(issue):
    return reverse("admin:events_issue_change", args=[issue.pk])


def published_with_deliveries(statuses):
    issue = IssueFactory(published=True, with_conclusions=3)
    mailing = mailings.digest_for(issue)
    for status in statuses:
        Delivery.objects.create(mailing=mailing, subscriber=SubscriberFactory(), status=status)
    return issue, mailing


def test_issue_page_shows_delivery_counts_by_status(editor_client):
    issue, _mailing = published_with_deliveries([D.SENT] * 3 + [D.FAILED, D.UNCERTAIN])

    page = editor_client.get(change_page(issue)).content.decode()

    assert "邮件发送" in page
    assert '<th scope="row">已发送</th><td>3</td>' in page
    assert '<th scope="row">失败</th><td>1</td>' in page
    assert '<th scope="row">不确定</th><td>1</td>' in page
    assert "重发失败的邮件" in page and "重发不确定的邮件" in page


def test_resend_failed_requeues_only_failed_deliveries_and_sends_them(
    editor_client, smtp_server, django_capture_on_commit_callbacks
):
    issue, mailing = published_with_deliveries([D.SENT, D.FAILED, D.UNCERTAIN])
    failed = Delivery.objects.get(status=D.FAILED)
    url = reverse("admin:events_issue_mailing_action", args=[issue.pk, mailing.pk, "resend_failed"])

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url)

    assert response.status_code == 302
    assert smtp_server.recipients == [failed.subscriber.email]
    assert Delivery.objects.counts_by_status() == {"sent": 2, "uncertain": 1}


def test_resend_uncertain_requeues_only_uncertain_deliveries(
    editor_client, smtp_server, django_capture_on_commit_callbacks
):
    issue, mailing = published_with_deliveries([D.SENT, D.FAILED, D.UNCERTAIN])
    uncertain = Delivery.objects.get(status=D.UNCERTAIN)
    url = reverse(
        "admin:events_issue_mailing_action", args=[issue.pk, mailing.pk, "resend_uncertain"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        page = editor_client.post(url, follow=True).content.decode()

    assert smtp_server.recipients == [uncertain.subscriber.email]
    assert Delivery.objects.counts_by_status() == {"sent": 2, "failed": 1}
    assert "已重新排队 1 封邮件。" in page


@pytest.mark.parametrize("action", ["delete", "resend_sent", "<script>x"])
def test_an_unknown_mailing_action_changes_nothing(editor_client, action):
    issue, mailing = published_with_deliveries([D.FAILED])
    url = reverse("admin:events_issue_mailing_action", args=[issue.pk, mailing.pk, action])

    page = editor_client.post(url, follow=True).content.decode()

    assert "未知的操作。" in page
    assert Delivery.objects.get().status == D.FAILED
    assert not Mailing.objects.get().paused


def test_analyst_cannot_resend_or_send_a_test(analyst_client):
    issue, mailing = published_with_deliveries([D.FAILED])
    resend = reverse(
        "admin:events_issue_mailing_action", args=[issue.pk, mailing.pk, "resend_failed"]
    )
    test = reverse("admin:events_issue_email_test", args=[issue.pk])

    assert analyst_client.post(resend).status_code == 403
    assert analyst_client.post(test).status_code == 403
    assert Delivery.objects.get().status == D.FAILED


def test_preview_shows_the_email_html_and_text_of_an_unpublished_issue(editor_client):
    issue = publishable_issue()

    html = editor_client.get(reverse("admin:events_issue_email_preview", args=[issue.pk, "html"]))
    text = editor_client.get(reverse("admin:events_issue_email_preview", args=[issue.pk, "text"]))

    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert "今日三条结论" in html.content.decode()
    assert text["Content-Type"].startswith("text/plain") and "今日三条结论" in text.content.decode()
    assert Mailing.objects.count() == 0  # previewing sends and stores nothing


def test_send_test_to_me_reaches_only_the_editor(editor, editor_client, smtp_server):
    SubscriberFactory.create_batch(2)
    issue = publishable_issue()

    response = editor_client.post(reverse("admin:events_issue_email_test", args=[issue.pk]))

    assert response.status_code == 302
    assert smtp_server.recipients == [editor.email]
    (message,) = smtp_server.parsed()
    assert message["Subject"].startswith("[测试] AI前沿发展日报")
    assert Delivery.objects.count() == 0


def test_pause_and_resume_from_the_issue_page(editor_client):
    issue, mailing = published_with_deliveries([D.PENDING])
    pause = reverse("admin:events_issue_mailing_action", args=[issue.pk, mailing.pk, "pause"])

    editor_client.post(pause)

    mailing.refresh_from_db()
    assert mailing.paused
    assert "恢复发送" in editor_client.get(change_page(issue)).content.decode()


def test_correction_notice_reaches_exactly_the_readers_who_received_the_issue_once(
    analyst, editor, editor_client, smtp_server, django_capture_on_commit_callbacks
):
    readers = SubscriberFactory.create_batch(3)
    issue = publishable_issue()
    workflow.perform(issue, "submit", by=analyst)
    workflow.perform(issue, "approve", by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(issue, "publish", by=editor)
    late = SubscriberFactory()  # subscribed after the issue went out: gets no correction
    readers[0].move_to(Subscriber.Status.UNSUBSCRIBED)  # left since: gets nothing more
    correction = workflow.add_correction(
        issue, by=editor, text="第 1 条的金额应为 **1220 亿美元**。"
    )
    url = reverse("admin:events_issue_correction_notice", args=[issue.pk, correction.pk])
    smtp_server.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url)
        editor_client.post(url)  # a double click sends nothing twice

    assert Counter(smtp_server.recipients) == Counter({readers[1].email: 1, readers[2].email: 1})
    assert late.email not in smtp_server.recipients
    message = smtp_server.parsed()[0]
    assert message["Subject"].startswith("更正：AI前沿发展日报")
    assert "1220 亿美元" in message.get_body(("html",)).get_content()


def test_subscriber_csv_import_validates_everything_and_reports_duplicates(editor_client):
    SubscriberFactory(email="known@example.com")
    upload = SimpleUploadedFile(
        "list.csv", b"email\nnew@example.com\nKNOWN@example.com\nnew@example.com\n"
    )

    response = editor_client.post(reverse("admin:newsletter_subscriber_import"), {"file": upload})

    page = response.content.decode()
    assert response.status_code == 200
    assert Subscriber.objects.with_email("new@example.com").get().status == "active"
    assert Subscriber.objects.count() == 2
    assert "KNOWN@example.com" in page and "已导入 1 位" in page


def test_an_oversized_csv_is_refused_unread(editor_client):
    body = b"email\nbig@example.com\n" + b"x" * (10 * 1024 * 1024)
    upload = SimpleUploadedFile("list.csv", body)

    page = editor_client.post(
        reverse("admin:newsletter_subscriber_import"), {"file": upload}
    ).content.decode()

    assert "文件太大（最多 10 MB）。" in page
    assert Subscriber.objects.count() == 0


def test_csv_import_with_a_bad_row_imports_nothing(editor_client):
    upload = SimpleUploadedFile("list.csv", b"email\nok@example.com\n<script>alert(1)</script>\n")

    page = editor_client.post(
        reverse("admin:newsletter_subscriber_import"), {"file": upload}
    ).content.decode()

    assert Subscriber.objects.count() == 0
    assert "第 3 行" in page and "<script>alert(1)</script>" not in page


def test_csv_export_neutralises_spreadsheet_formulas(editor_client):
    SubscriberFactory(email="plain@example.com")
    Subscriber.objects.create(email="x@example.com", source='=HYPERLINK("http://evil")')

    response = editor_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(Subscriber.objects.values_list("pk", flat=True)),
        },
    )

    body = response.content.decode()
    assert response["Content-Type"] == "text/csv"
    assert "plain@example.com" in body
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_subscriber_admin_searches_and_filters(editor_client):
    SubscriberFactory(email="alice@example.com")
    SubscriberFactory(email="bob@example.com", unsubscribed=True)
    url = reverse("admin:newsletter_subscriber_changelist")

    found = editor_client.get(url, {"q": "alice"}).content.decode()
    left = editor_client.get(url, {"status__exact": "unsubscribed"}).content.decode()

    assert "alice@example.com" in found and "bob@example.com" not in found
    assert "bob@example.com" in left and "alice@example.com" not in left


def test_sweeper_turns_an_expired_sending_lease_into_uncertain(db, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    published_with_deliveries([D.SENDING, D.CLAIMED])
    Delivery.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1), claim="dead")

    assert sending.sweep() == {"released": 1, "uncertain": 1}
    assert Delivery.objects.counts_by_status() == {"pending": 1, "uncertain": 1}


def test_mailing_and_delivery_pages_open_read_only(admin_client):
    _issue, mailing = published_with_deliveries([D.SENT])
    delivery = Delivery.objects.get()

    mailing_page = admin_client.get(reverse("admin:newsletter_mailing_change", args=[mailing.pk]))
    delivery_list = admin_client.get(reverse("admin:newsletter_delivery_changelist"))

    assert mailing_page.status_code == 200 and mailing.subject in mailing_page.content.decode()
    assert delivery_list.status_code == 200
    assert delivery.subscriber.email in delivery_list.content.decode()


def test_delivery_errors_read_in_the_editors_language_and_server_replies_as_sent(
    admin_client, time_machine
):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    published_with_deliveries([D.SENDING, D.FAILED])
    lost, refused = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=lost.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1), claim="dead"
    )
    sending.sweep()
    Delivery.objects.filter(pk=refused.pk).update(
        last_error="550 5.1.1 <x@example.com>: no such user"
    )
    url = reverse("admin:newsletter_delivery_changelist")

    chinese = admin_client.get(url).content.decode()
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = admin_client.get(url).content.decode()
    detail = admin_client.get(reverse("admin:newsletter_delivery_change", args=[lost.pk]))

    assert "租约到期时仍在发送" in chinese
    assert "The lease ran out while sending" in english and "租约到期" not in english
    assert "550 5.1.1 &lt;x@example.com&gt;: no such user" in english
    assert "The lease ran out while sending" in detail.content.decode()
