"""sitemap.xml: the latest page, the archive and every published issue."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Issue


class SiteUrlSitemap(Sitemap):
    """Locations under SITE_URL, like every page's canonical link, never the request's host."""

    def get_urls(self, page=1, site=None, protocol=None):
        parts = urlsplit(settings.SITE_URL)
        site = SimpleNamespace(domain=parts.netloc + parts.path)
        return super().get_urls(page=page, site=site, protocol=parts.scheme)


class IssueSitemap(SiteUrlSitemap):
    changefreq = "never"
    priority = 0.8
    limit = 5000

    def items(self):
        return Issue.objects.published().only("date", "published_at").order_by("-date")

    def lastmod(self, issue):
        return issue.published_at


class PagesSitemap(SiteUrlSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["events:latest", "events:archive"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"issues": IssueSitemap, "pages": PagesSitemap}
