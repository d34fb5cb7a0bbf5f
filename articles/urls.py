from django.urls import path

from . import views
from .feeds import LatestPostsFeed

app_name = "articles"

urlpatterns = [
    path("", views.PostListView.as_view(), name="index"),
    path("feed/", LatestPostsFeed(), name="feed"),
    path("<slug:slug>/", views.PostDetailView.as_view(), name="detail"),
]
