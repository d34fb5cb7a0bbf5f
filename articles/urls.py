from django.urls import path, register_converter

from core.methods import SAFE, allow

from . import views
from .feeds import LatestPostsFeed, LatestPostsRssFeed, TopicFeed, TopicRssFeed

app_name = "articles"


class YearConverter:
    """Four digits, 1000 to 2999: /blog/2026/. Anything else is no archive
    (/blog/0/, /blog/99999999999/ fall through to the post pattern: 404)."""

    regex = "[12][0-9]{3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class MonthConverter(YearConverter):
    """Two digits, 01 to 12: /blog/2026/03/ (/blog/2026/3/ and /13/ are 404)."""

    regex = "0[1-9]|1[0-2]"

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")

urlpatterns = [
    path("", views.PostListView.as_view(), name="index"),
    path("feed/", allow(*SAFE)(LatestPostsFeed()), name="feed"),
    path("search/", views.search_results, name="search"),
    path("feed/rss/", allow(*SAFE)(LatestPostsRssFeed()), name="feed_rss"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic"),
    path("topics/<slug:slug>/feed/", allow(*SAFE)(TopicFeed()), name="topic_feed"),
    path("topics/<slug:slug>/feed/rss/", allow(*SAFE)(TopicRssFeed()), name="topic_feed_rss"),
    # Date archives before the posts: a slug of digits only is refused
    # (Post.clean), so no post is shadowed by a year.
    path("<year:year>/", views.YearArchiveView.as_view(), name="archive_year"),
    path("<year:year>/<month:month>/", views.MonthArchiveView.as_view(), name="archive_month"),
    path("reviewers/<slug:slug>/", views.ReviewerDetailView.as_view(), name="reviewer"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author"),
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
