from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("snapshots/<int:pk>/", views.snapshot_view, name="snapshot"),
    path("snapshots/<int:pk>/page/", views.snapshot_page_view, name="snapshot-page"),
    path("snapshots/<int:pk>/warc/", views.snapshot_warc_view, name="snapshot-warc"),
]
