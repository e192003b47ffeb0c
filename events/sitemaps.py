"""sitemap.xml: the latest page, the archive and every published issue."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Issue


class IssueSitemap(Sitemap):
    changefreq = "never"
    priority = 0.8
    limit = 5000

    def items(self):
        return Issue.objects.published().only("date", "published_at").order_by("-date")

    def lastmod(self, issue):
        return issue.published_at


class PagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["events:latest", "events:archive"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"issues": IssueSitemap, "pages": PagesSitemap}
