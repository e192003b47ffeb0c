from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # POST language=en|zh-hans switches the UI language (a cookie); content keeps its own.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("sources.urls")),
    path("", include("newsletter.urls")),
    path("", include("events.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
