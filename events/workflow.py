"""The issue workflow: draft → in_review → approved → (scheduled →) published → withdrawn.

Each step a person takes is an Action in ACTIONS (where it may start, where it goes, the
permission it needs); the rules particular to one step are in `_checked_changes`, and the step
the system takes by itself when approved content is edited is REOPEN. Every step is checked for
permission on the server, performed under a row lock in one transaction, and logged. Two
editors acting at once get one success and one InvalidTransition that says what happened.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from . import four_eyes, gate
from .fingerprint import content_fingerprint
from .models import Correction, Issue, TransitionLog
from .signals import issue_corrected, issue_published, issue_withdrawn

S = Issue.Status


class InvalidTransition(Exception):
    """The issue is not in a state that allows this step, or a rule forbids it."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple
    target: str
    permission: str
    needs_comment: bool = False
    comment_label: str = ""
    checks_gate: bool = False


ACTIONS = {
    action.name: action
    for action in [
        Action("submit", gettext_lazy("提交审核"), (S.DRAFT,), S.IN_REVIEW, "events.submit_issue"),
        Action(
            "request_changes",
            gettext_lazy("退回修改"),
            (S.IN_REVIEW,),
            S.DRAFT,
            "events.request_changes_issue",
            needs_comment=True,
            comment_label=gettext_lazy("需要修改什么"),
        ),
        Action(
            "approve",
            gettext_lazy("批准"),
            (S.IN_REVIEW,),
            S.APPROVED,
            "events.approve_issue",
            checks_gate=True,
        ),
        Action(
            "schedule",
            pgettext_lazy("button", "定时发布"),
            (S.APPROVED,),
            S.SCHEDULED,
            "events.publish_issue",
            checks_gate=True,
        ),
        Action(
            "unschedule",
            gettext_lazy("取消定时"),
            (S.SCHEDULED,),
            S.APPROVED,
            "events.publish_issue",
        ),
        Action(
            "publish",
            gettext_lazy("立即发布"),
            (S.APPROVED, S.SCHEDULED),
            S.PUBLISHED,
            "events.publish_issue",
            checks_gate=True,
        ),
        Action(
            "withdraw",
            gettext_lazy("撤回"),
            (S.PUBLISHED,),
            S.WITHDRAWN,
            "events.withdraw_issue",
            needs_comment=True,
            comment_label=gettext_lazy("公开的撤回原因"),
        ),
    ]
}

#: What the system does by itself when approved content is edited; no person's permission.
REOPEN = Action(
    "reopen", gettext_lazy("内容修改后退回审核"), (S.APPROVED, S.SCHEDULED), S.IN_REVIEW, ""
)


def available_actions(issue: Issue, user) -> list[Action]:
    """The steps this user may take on the issue now, in the order the buttons are shown."""
    return [
        action
        for action in ACTIONS.values()
        if issue.status in action.sources and user.has_perm(action.permission)
    ]


def perform(issue: Issue, action_name: str, *, by, comment: str = "", publish_at=None) -> Issue:
    """Take one workflow step. Raises PermissionDenied or InvalidTransition; returns the issue.

    `by` is None only for the system (the scheduled-publishing task).
    """
    action = ACTIONS.get(action_name)
    if action is None:
        raise InvalidTransition(_("没有“%(name)s”这个操作。") % {"name": action_name})
    if by is not None and not by.has_perm(action.permission):
        raise PermissionDenied(_("你没有权限执行“%(action)s”。") % {"action": action.label})
    comment = (comment or "").strip()
    if action.needs_comment and not comment:
        raise InvalidTransition(_("请填写%(what)s。") % {"what": action.comment_label})

    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.status not in action.sources:
            raise InvalidTransition(
                _("这一期现在是“%(status)s”，不能%(action)s。可能有人刚刚处理过，请刷新页面。")
                % {"status": locked.get_status_display(), "action": action.label}
            )
        changes = _checked_changes(locked, action, by=by, publish_at=publish_at)
        _move(locked, action, by=by, comment=comment, **changes)

    issue.refresh_from_db()
    return issue


def _checked_changes(issue: Issue, action: Action, *, by, publish_at) -> dict:
    """Check the rules of the step and return the extra fields it sets."""
    now = timezone.now()
    if action.name == "submit":
        count = issue.conclusions.count()
        if count != 3:
            raise InvalidTransition(
                _("提交审核需要正好三条结论，现在有 %(count)d 条。") % {"count": count}
            )
    if action.name == "approve" and settings.AIDAILY_FOUR_EYES and by is not None:
        written = four_eyes.written_by(issue, by)
        if written:
            raise InvalidTransition(
                _("四眼原则：你撰写或修改了这一期的这些内容，不能自己批准：%(parts)s。")
                % {"parts": "；".join(written)}
                + _("请另一位主编批准。")
            )
    if action.checks_gate:
        found = gate.problems(issue)
        if found:
            raise InvalidTransition(
                _("发布检查未通过，共 %(count)d 个问题：") % {"count": len(found)}
                + "；".join(str(problem) for problem in found),
                problems=found,
            )
    if action.name == "approve":
        return {"approved_fingerprint": content_fingerprint(issue)}
    if action.name in ("schedule", "publish"):
        _check_still_as_approved(issue)
    if action.name == "schedule":
        if publish_at is None or publish_at <= now:
            raise InvalidTransition(_("定时发布需要一个将来的时间。"))
        return {"publish_at": publish_at}
    if action.name == "unschedule":
        return {"publish_at": None}
    if action.name == "publish":
        return {"published_at": now}
    if action.name == "withdraw":
        return {"withdrawn_at": now}
    if action.name == "request_changes":
        return {"approved_fingerprint": ""}
    return {}


def _check_still_as_approved(issue: Issue) -> None:
    """What goes out is what was approved: an edit that escaped the reopen path (a bulk
    update, a script) is caught here, at the last step, by the content's fingerprint."""
    if issue.approved_fingerprint and issue.approved_fingerprint != content_fingerprint(issue):
        raise InvalidTransition(
            _("这一期的内容在批准后被修改过，与批准的版本不一致，不能发布。请退回审核后重新批准。")
        )


def _move(issue: Issue, action: Action, *, by, comment: str, **changes) -> None:
    """Compare-and-set the status, log it, and announce publication after commit."""
    if action.name == "withdraw":
        changes["withdrawal_reason"] = comment
    updated = Issue.objects.filter(pk=issue.pk, status=issue.status).update(
        status=action.target, **changes
    )
    if updated != 1:
        raise InvalidTransition(_("这一期刚被别人修改，请刷新后再试。"))
    TransitionLog.objects.create(
        issue=issue,
        action=action.name,
        from_status=issue.status,
        to_status=action.target,
        actor=by,
        comment=comment,
    )
    issue_id = issue.pk
    if action.target == S.PUBLISHED:
        transaction.on_commit(
            lambda: issue_published.send(sender=Issue, issue=Issue.objects.get(pk=issue_id))
        )
    if action.target == S.WITHDRAWN:
        transaction.on_commit(
            lambda: issue_withdrawn.send(sender=Issue, issue=Issue.objects.get(pk=issue_id))
        )


def return_to_review(issue_id: int, *, reason: str) -> bool:
    """Send an approved or scheduled issue back to in_review, logged as a system step.

    Used when approval no longer stands even though readers' text may be unchanged, e.g. an
    item's verification was reopened because a cited source changed.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or issue.status not in REOPEN.sources:
            return False
        _move(issue, REOPEN, by=None, comment=reason, publish_at=None, approved_fingerprint="")
    return True


def return_to_review_if_changed(issue_id: int, *, reason: str = "") -> bool:
    """Send an approved or scheduled issue back to review when its content no longer matches."""
    issue = Issue.objects.filter(pk=issue_id, status__in=REOPEN.sources).first()
    if issue is None or issue.approved_fingerprint == content_fingerprint(issue):
        return False
    return return_to_review(issue_id, reason=reason or _("批准后内容有修改，需要重新审核。"))


def add_correction(issue: Issue, *, by, text: str) -> Correction:
    """Attach a dated public correction to a published issue, and log it."""
    if not by.has_perm("events.correct_issue"):
        raise PermissionDenied(_("你没有权限添加更正。"))
    text = (text or "").strip()
    if not text:
        raise InvalidTransition(_("请填写更正内容。"))
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.status != S.PUBLISHED:
            raise InvalidTransition(_("只有已发布的日报可以更正。"))
        correction = Correction.objects.create(issue=locked, text=text, created_by=by)
        _log_in_place(locked, "correct", text, actor=by)
        transaction.on_commit(
            lambda: issue_corrected.send(sender=Issue, issue=locked, correction=correction)
        )
    return correction


def publish_due_issues(*, now=None) -> list[int]:
    """Publish every scheduled issue whose time has come; returns the ids published.

    A refusal by the gate is logged once (not every minute) so the chief editor sees why the
    issue did not go out; an issue another run already published is skipped quietly.
    """
    now = now or timezone.now()
    published = []
    for issue in Issue.objects.due_for_publication(now).order_by("publish_at"):
        try:
            perform(issue, "publish", by=None, comment=pgettext("log", "定时发布"))
        except InvalidTransition as refusal:
            if refusal.problems:
                _log_scheduled_refusal(issue, str(refusal))
            continue
        published.append(issue.pk)
    return published


def _log_scheduled_refusal(issue: Issue, message: str) -> None:
    # Runs of the task overlap (beat every minute, a redelivered task): under the issue's row
    # lock the "not the same refusal twice in a row" check and the insert are one step.
    with transaction.atomic():
        Issue.objects.select_for_update().get(pk=issue.pk)
        last = _last_transition(issue)
        if last is not None and last.action == "publish_failed" and last.comment == message:
            return
        _log_in_place(issue, "publish_failed", message)


def _last_transition(issue: Issue):
    return issue.transitions.order_by("-created_at", "-pk").first()


def _log_in_place(issue: Issue, action: str, comment: str, *, actor=None) -> TransitionLog:
    """A log entry for a step that leaves the status where it is (a correction, a refusal)."""
    return TransitionLog.objects.create(
        issue=issue,
        action=action,
        from_status=issue.status,
        to_status=issue.status,
        actor=actor,
        comment=comment,
    )
