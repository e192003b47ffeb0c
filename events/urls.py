from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import feeds, jsonfeed, views
from .sitemaps import SITEMAPS

app_name = "events"

urlpatterns = [
    path("", views.latest_issue, name="latest"),
    path("issues/", views.archive, name="archive"),
    path("issues/<str:date>/", views.issue_page, name="issue"),
    path("search/", views.search, name="search"),
    path("feed/", feeds.LatestIssuesAtom(), name="feed"),
    path("feed/rss/", feeds.LatestIssuesRss(), name="feed-rss"),
    path("feed/json/", jsonfeed.latest_issues, name="feed-json"),
    path("preview/<str:token>/", views.reviewer_preview, name="preview"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
