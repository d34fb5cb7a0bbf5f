from django.urls import path

from . import views
from .feeds import LatestPostsFeed

app_name = "articles"

urlpatterns = [
    path("", views.PostListView.as_view(), name="index"),
    path("feed/", LatestPostsFeed(), name="feed"),
    path("search/", views.search_results, name="search"),
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
