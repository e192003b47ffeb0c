from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from .health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # POST language=en|zh-hans switches the UI language (a cookie); content keeps its own.
    # CSRF-exempt on purpose: the switch sits in public pages that are cached for everyone, so
    # it cannot carry a per-visitor token, and the worst a forged request does is change the
    # interface language. set_language still refuses unknown languages and off-site redirects.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("sources.urls")),
    path("", include("newsletter.urls")),
    path("", include("editions.urls")),
    path("", include("events.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
