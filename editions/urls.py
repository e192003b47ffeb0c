from django.urls import path

from . import views

app_name = "editions"

urlpatterns = [
    path("issues/<str:date>/<str:name>", views.edition_file, name="file"),
]
