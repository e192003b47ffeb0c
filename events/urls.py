from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.latest_issue, name="latest"),
    path("issues/<str:date>/", views.issue_page, name="issue"),
]
