"""Admin logins are throttled: wrong passwords lock an account out until a chief editor lifts it."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from ..factories import AnalystFactory, ChiefEditorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password
LOGIN = reverse("admin:login")


def log_in(client, username, password, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def lock_out(client, username, failures=5):
    """Wrong passwords; the one that reaches the limit already gets the lockout page."""
    return [log_in(client, username, "wrong password").status_code for _ in range(failures)]


def test_five_wrong_passwords_then_the_right_one_is_refused(client):
    AnalystFactory(username="writer")
    assert lock_out(client, "writer") == [200, 200, 200, 200, 429]

    response = log_in(client, "writer", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多，此账户已暂时锁定" in page
    assert "15 分钟" in page
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_the_lockout_page_reads_in_english_on_request(client):
    AnalystFactory(username="writer")
    lock_out(client, "writer")

    response = log_in(client, "writer", PASSWORD, headers={"accept-language": "en"})

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_fewer_wrong_passwords_than_the_limit_still_let_the_user_in(client):
    AnalystFactory(username="writer")
    lock_out(client, "writer", failures=4)

    response = log_in(client, "writer", PASSWORD)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_lockout_keeps_out_that_address_only(client):
    AnalystFactory(username="writer")
    lock_out(client, "writer")

    elsewhere = log_in(client, "writer", PASSWORD, REMOTE_ADDR="203.0.113.9")

    assert elsewhere.status_code == 302


def test_the_chief_editor_lifts_a_lockout_in_the_admin_and_the_user_logs_in(client):
    AnalystFactory(username="writer")
    chief = ChiefEditorFactory(username="chief")
    lock_out(client, "writer")
    attempt = AccessAttempt.objects.get(username="writer")

    client.force_login(chief)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert changelist in client.get("/admin/").content.decode()  # listed on the admin home
    listing = client.get(changelist)
    assert listing.status_code == 200
    assert "writer" in listing.content.decode()
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    client.logout()

    assert not AccessAttempt.objects.filter(username="writer").exists()
    assert log_in(client, "writer", PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_analyst_cannot_lift_a_lockout(client):
    AnalystFactory(username="writer")
    lock_out(client, "writer")
    attempt = AccessAttempt.objects.get(username="writer")

    client.force_login(AnalystFactory(username="colleague"))
    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])

    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 403
    assert changelist not in client.get("/admin/").content.decode()
    assert AccessAttempt.objects.filter(username="writer").exists()


def test_a_forged_delete_of_a_lockout_without_csrf_is_refused(client):
    AnalystFactory(username="writer")
    lock_out(client, "writer")
    attempt = AccessAttempt.objects.get(username="writer")
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(ChiefEditorFactory(username="chief"))

    delete = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert forged.post(delete, {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(username="writer").exists()


def test_the_chief_editor_role_holds_the_lockout_permissions_after_migrate():
    """On a fresh database the group comes from migrations, not from the factories."""
    from django.contrib.auth.models import Group

    from events.roles import CHIEF_EDITOR

    granted = set(
        Group.objects.get(name=CHIEF_EDITOR).permissions.values_list("codename", flat=True)
    )
    assert {"view_accessattempt", "delete_accessattempt"} <= granted


def test_an_oversized_or_odd_username_is_refused_without_an_error(client):
    for username in ["x" * 5000, "<script>alert(1)</script>", "名字\u0000"]:
        response = log_in(client, username, "wrong password")
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
    recorded = AccessAttempt.objects.get(username__startswith="xxx").username
    assert recorded == "x" * 255  # the column's length; longer broke the INSERT on PostgreSQL


def test_an_oversized_username_is_locked_out_like_any_other(client):
    assert lock_out(client, "y" * 5000) == [200, 200, 200, 200, 429]


def test_behind_a_trusted_proxy_a_lockout_covers_the_visitor_not_everyone(client, settings):
    # Every request reaches the site from the proxy's address; keyed on it, one visitor's wrong
    # passwords would lock the account for every other reader of the same name.
    settings.AIDAILY_TRUSTED_PROXY_COUNT = 1
    AnalystFactory(username="writer")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        log_in(client, "writer", "wrong password", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)

    elsewhere = log_in(Client(), "writer", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy)
    same_visitor = log_in(Client(), "writer", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)

    assert elsewhere.status_code == 302
    assert same_visitor.status_code == 429
