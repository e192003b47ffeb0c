"""The inbox page and the OPML upload, both inside the admin site."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from . import hooks, inbox, opml
from .models import Feed, Story

STATE_ACTIONS = {
    "star": Story.State.STARRED,
    "unstar": Story.State.NEW,
    "dismiss": Story.State.DISMISSED,
}


class InboxView(View):
    """GET lists the stories; POST stars, dismisses or adds one to today's issue."""

    admin_site = None

    def get(self, request):
        if not request.user.has_perm("intake.view_story"):
            raise PermissionDenied
        filters = inbox.InboxFilters.from_query(request.GET)
        page = Paginator(inbox.stories(filters=filters), inbox.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        desk = hooks.desk()
        covered = desk.covered_before(page.object_list)
        rows = [(story, covered.get(story.pk, [])) for story in page.object_list]
        context = {
            **self.admin_site.each_context(request),
            "title": _("选题收件箱"),
            "rows": rows,
            "page": page,
            "filters": filters,
            "feeds": Feed.objects.order_by("name").values_list("pk", "name"),
            "kinds": Feed.Kind.choices,
            "states": Story.State.choices,
            "sections": desk.sections,
            "query": request.GET.urlencode(),
        }
        return render(request, "admin/intake/inbox.html", context)

    def post(self, request):
        if not request.user.has_perm("intake.change_story"):
            raise PermissionDenied
        action, _sep, one = request.POST.get("action", "").partition(":")
        # A story's own button names it; the bulk buttons act on the ticked boxes.
        picked = [one] if one else request.POST.getlist("story")
        ids = [int(i) for i in picked if i.isdigit()][: inbox.PAGE_SIZE]
        back = reverse("admin:intake_inbox") + "?" + request.POST.get("query", "")[:1000]
        if action in STATE_ACTIONS:
            count = inbox.set_state(story_ids=ids, state=STATE_ACTIONS[action])
            messages.success(request, _("已更新 %(n)d 个选题。") % {"n": count})
        elif action.startswith("add-") and len(ids) == 1:
            self._add(request, ids[0], action.removeprefix("add-"))
        else:
            messages.error(request, _("无法执行这个操作。"))
        return redirect(back)

    def _add(self, request, story_id: int, section: str) -> None:
        story = Story.objects.filter(pk=story_id).first()
        if story is None:
            messages.error(request, _("选题不存在。"))
            return
        try:
            label, _url = hooks.desk().add_to_issue(story=story, section=section, user=request.user)
        except hooks.Refused as exc:
            messages.error(request, str(exc))
            return
        messages.success(request, _("已加入今天的日报：%(label)s。") % {"label": label})


def import_opml_view(model_admin, request):
    """Upload an OPML file of subscriptions; each new feed URL becomes a watched feed."""
    if not request.user.has_perm("intake.add_feed"):
        raise PermissionDenied
    if request.method == "POST" and request.FILES.get("opml"):
        upload = request.FILES["opml"]
        try:
            added, refused = opml.import_feeds(upload.read(opml.MAX_OPML_BYTES + 1))
        except opml.OPMLError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已添加 %(n)d 个订阅源。") % {"n": added})
            for reason in refused[:20]:
                messages.warning(request, reason)
        return redirect("admin:intake_feed_changelist")
    context = {**model_admin.admin_site.each_context(request), "title": _("导入 OPML")}
    return render(request, "admin/intake/feed/import_opml.html", context)
