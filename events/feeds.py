"""Atom and RSS feeds of the latest published issues, each entry the full issue."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from . import pagecache
from .models import Issue
from .rendering.markdown import render_markdown
from .rendering.web import issue_body_html, labels_for

FEED_SIZE = 20


class AtomWithContent(Atom1Feed):
    """Atom with the whole issue in <content type="html">, the overview in <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})

    def item_attributes(self, item):
        # The feed says zh-hans; an English issue's entry must not inherit that.
        return {**super().item_attributes(item), "xml:lang": item["language"]}


class RssWithContent(Rss201rev2Feed):
    """RSS 2.0 whose <description> is the whole issue."""

    def add_item_elements(self, handler, item):
        item = {**item, "description": item["content_html"]}
        super().add_item_elements(handler, item)


class LatestIssuesRss(Feed):
    """The latest published issues, newest first."""

    feed_type = RssWithContent
    title = _("AI前沿发展日报")
    description = _("每日 AI 前沿情报：经过核实、带来源和存档的每日简报。")
    language = "zh-hans"

    def __call__(self, request, *args, **kwargs):
        """Rendered once per archive version and language, then answered from cache (304s too)."""
        version = Issue.objects.archive_version()
        key = pagecache.feed_key(type(self).__name__, version, request.get_host())
        page = pagecache.get_page(key)
        if page is None:
            response = super().__call__(request, *args, **kwargs)
            new = pagecache.new_page(key, response.content, response["Content-Type"])
            page = pagecache.set_page(key, new)
        return pagecache.respond(request, page)

    def link(self):
        return reverse("events:latest")

    def items(self):
        return list(Issue.objects.published().for_issue_page().order_by("-date")[:FEED_SIZE])

    def item_title(self, item):
        return item.display_title

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = True

    def item_description(self, item):
        # Atom sends this as <summary type="html">: readers render it, so it is the same
        # sanitised HTML as the page, never the analyst's Markdown source.
        return render_markdown(item.overview)

    def author_name(self):
        return labels_for(self.language)["brand"]

    def item_author_name(self, item):
        # The publication writes the issue: RFC 4287 wants an author on every entry.
        return labels_for(item.language)["brand"]

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        corrections = list(item.corrections.all())
        return corrections[-1].created_at if corrections else item.published_at

    def item_extra_kwargs(self, item):
        return {
            "content_html": issue_body_html(item, base_url=settings.SITE_URL),
            "language": item.language,
        }


class LatestIssuesAtom(LatestIssuesRss):
    feed_type = AtomWithContent
    subtitle = LatestIssuesRss.description

    def feed_url(self):
        return reverse("events:feed")
