from django.urls import path

from . import views
from .feeds import LatestPostsFeed, LatestPostsRssFeed, TopicFeed, TopicRssFeed

app_name = "articles"

urlpatterns = [
    path("", views.PostListView.as_view(), name="index"),
    path("feed/", LatestPostsFeed(), name="feed"),
    path("feed/rss/", LatestPostsRssFeed(), name="feed_rss"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic"),
    path("topics/<slug:slug>/feed/", TopicFeed(), name="topic_feed"),
    path("topics/<slug:slug>/feed/rss/", TopicRssFeed(), name="topic_feed_rss"),
    path("<slug:slug>/", views.PostDetailView.as_view(), name="detail"),
    path(
        "<slug:slug>/references.ris",
        views.ReferencesExportView.as_view(format="ris"),
        name="references_ris",
    ),
    path(
        "<slug:slug>/references.bib",
        views.ReferencesExportView.as_view(format="bibtex"),
        name="references_bibtex",
    ),
]
