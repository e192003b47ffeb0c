"""Signed, expiring, revocable preview links that let an outside reviewer read an unpublished issue.

The token is signed with SECRET_KEY and names a PreviewLink row; the row carries the expiry and
the revocation, so a chief editor can end a link before it expires. The model lives here (not in
events/models/) and is registered when the events admin loads, before any request is served.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SALT = "events.preview-link"
DEFAULT_LIFETIME = timedelta(days=3)
MAX_LIFETIME = timedelta(days=14)


class PreviewLinkError(Exception):
    """The token is forged, expired, revoked or names a link that no longer exists."""


class PreviewLink(models.Model):
    """One reviewer link to one issue: who made it, until when it works, and whether revoked."""

    issue = models.ForeignKey(
        "events.Issue",
        on_delete=models.CASCADE,
        related_name="preview_links",
        verbose_name=_("日报"),
    )
    nonce = models.CharField(
        _("随机串"),
        max_length=32,
        editable=False,
        help_text=_("写进签名链接里的随机值，使每个链接都独一无二。"),
    )
    note = models.CharField(
        _("备注"), max_length=200, blank=True, help_text=_("发给谁、为什么，只有编辑部看得到。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"), help_text=_("过了这个时间链接自动失效。"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )

    class Meta:
        app_label = "events"
        verbose_name = _("审稿预览链接")
        verbose_name_plural = pgettext_lazy("plural", "审稿预览链接")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.issue} · {self.expires_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("events:preview", args=[self.token])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def token(self) -> str:
        return signing.dumps({"l": self.pk, "i": self.issue_id, "n": self.nonce}, salt=SALT)


def lifetime_in_days(value: str) -> timedelta | None:
    """The lifetime a "days" form value asks for, or None unless a whole 1..14 days."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 2:
        return None
    days = int(value)
    return timedelta(days=days) if 1 <= days <= MAX_LIFETIME.days else None


def create_link(*, issue, by, lifetime: timedelta = DEFAULT_LIFETIME, note: str = ""):
    """A new reviewer link to the issue, valid for `lifetime` (at most 14 days)."""
    lifetime = min(max(lifetime, timedelta(minutes=5)), MAX_LIFETIME)
    return PreviewLink.objects.create(
        issue=issue,
        nonce=secrets.token_urlsafe(12),
        note=note[:200],
        created_by=by,
        expires_at=timezone.now() + lifetime,
    )


def revoke_link(link: PreviewLink, *, by) -> bool:
    """Stop the link working now; False when it was already revoked."""
    revoked = PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    link.refresh_from_db()
    return bool(revoked)


def resolve(token: str) -> PreviewLink:
    """The active link a token names, or PreviewLinkError."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_LIFETIME)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise PreviewLinkError(str(exc)) from exc
    if not isinstance(payload, dict):
        raise PreviewLinkError("malformed token")
    link = (
        PreviewLink.objects.select_related("issue")
        .filter(pk=payload.get("l"), issue_id=payload.get("i"), nonce=payload.get("n"))
        .first()
    )
    if link is None or not link.is_active:
        raise PreviewLinkError("unknown, revoked or expired link")
    return link
