from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("snapshots/<int:pk>/", views.snapshot_view, name="snapshot"),
]
