"""Admin of the intake desk: feeds, rules, stories with merge and split, and the inbox."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import opml, stories
from .models import Entry, Feed, Rule, Story
from .views import InboxView


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "enabled",
        "last_polled_at",
        "next_poll_at",
        "consecutive_errors",
        "last_error",
    )
    list_filter = ("kind", "enabled")
    search_fields = ("name", "url", "publisher")
    readonly_fields = (
        "recent_polls",
        "last_polled_at",
        "consecutive_errors",
        "last_error",
        "etag",
        "last_modified",
    )
    actions = ["export_opml", "poll_now"]
    change_list_template = "admin/intake/feed/change_list.html"

    def get_urls(self):
        extra = [
            path(
                "import-opml/",
                self.admin_site.admin_view(self.import_opml),
                name="intake_feed_import_opml",
            )
        ]
        return extra + super().get_urls()

    @admin.display(description=_("最近的抓取"))
    def recent_polls(self, feed):
        polls = feed.polls.order_by("-started_at")[:20] if feed.pk else []
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} · {} · {} · {} {}",
                (
                    (
                        timezone.localtime(p.started_at).strftime("%m-%d %H:%M"),
                        p.get_outcome_display(),
                        p.new_entries,
                        p.error,
                        "; ".join(p.skipped[:5]),
                    )
                    for p in polls
                ),
            )
            or "-"
        )

    @admin.action(description=_("导出为 OPML"))
    def export_opml(self, request, queryset):
        response = HttpResponse(opml.export(queryset), content_type="text/x-opml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="aidaily-feeds.opml"'
        return response

    @admin.action(description=_("立即抓取"))
    def poll_now(self, request, queryset):
        from .tasks import poll_feed

        for feed in queryset[:50]:
            poll_feed.delay(feed.pk)
        messages.success(request, _("已安排抓取。"))

    def import_opml(self, request):
        from .views import import_opml_view

        return import_opml_view(self, request)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("pattern", "action", "field", "is_regex", "feed", "enabled")
    list_filter = ("action", "enabled")
    actions = ["reapply"]

    @admin.action(description=_("对已存条目重新应用全部规则"))
    def reapply(self, request, queryset):
        changed = stories.reapply_rules()
        messages.success(request, _("%(n)d 个条目的结果发生了变化。") % {"n": changed})


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    fields = ("title", "feed", "url", "published_at", "blocked_reason", "manually_placed")
    readonly_fields = fields


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("title", "first_seen", "outlet_count", "best_tier", "state", "used_label")
    list_filter = ("state",)
    search_fields = ("title",)
    readonly_fields = (
        "first_seen",
        "entry_count",
        "outlet_count",
        "best_tier",
        "boost",
        "used_label",
        "used_url",
    )
    inlines = [EntryInline]
    actions = ["merge_stories"]

    def get_urls(self):
        inbox = path(
            "inbox/",
            self.admin_site.admin_view(InboxView.as_view(admin_site=self.admin_site)),
            name="intake_inbox",
        )
        return [inbox, *super().get_urls()]

    @admin.action(description=_("合并为一个选题"), permissions=["change"])
    def merge_stories(self, request, queryset):
        if queryset.count() < 2:
            messages.error(request, _("请至少选择两个选题。"))
            return
        target = stories.merge(stories=list(queryset))
        messages.success(request, _("已合并到“%(t)s”。") % {"t": target.title})


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("title", "feed", "story", "published_at", "blocked_reason")
    list_filter = ("feed",)
    search_fields = ("title", "url")
    readonly_fields = (
        "feed",
        "story",
        "url",
        "guid",
        "title",
        "summary",
        "published_at",
        "fetched_at",
        "blocked_reason",
        "boost",
        "manually_placed",
    )
    actions = ["split_off"]

    @admin.action(description=_("拆分为一个新选题"), permissions=["change"])
    def split_off(self, request, queryset):
        story = stories.split(entries=list(queryset))
        messages.success(request, _("已拆分为新选题“%(t)s”。") % {"t": story.title})

    def has_add_permission(self, request):
        return False
