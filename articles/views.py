import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, View

from core import page_cache, ratelimit
from core.methods import SAFE, allow
from core.paginators import InvalidCursor, KeysetPaginator
from core.ratelimit import rate_limited
from core.stamped import stamped
from core.versions import version

from . import bibliography, search
from .models import Author, Post, Reviewer, Topic
from .models.authors import AUTHOR_PAGE_POSTS


def public_archive_months(request):
    """The archive's months (``PostQuerySet.archive_months``), counted once per
    change of the set of public posts (its version is part of the key) and
    kept like the menus (core.stamped).

    Counting the posts of every month reads every public post's date
    (docs/performance.md): once per change of the posts, not once per list
    page rendered after it."""
    return stamped(
        request,
        "articles:archive-months",
        lambda: Post.objects.published().archive_months(),
        parts=(settings.TIME_ZONE, Post.objects.listing_version()),
    )


class PublicPostList(ListView):
    """A list of public posts, newest first, in keyset pages: ``?before=<cursor>``
    shows the posts older than the last one of the page before
    (core.paginators.KeysetPaginator), one short index range however deep.
    An unknown cursor, or a cursor page with nothing on it, is a 404.

    Every list shows the archive (the months that have posts, with counts)
    beside the posts. Cached for anonymous readers (ArticlesConfig.ready,
    ``listing_page_version``)."""

    template_name = "articles/post_list.html"
    context_object_name = "posts"
    cursor_param = "before"

    def get_paginate_by(self, queryset=None):
        return settings.BLOG_POSTS_PER_PAGE

    def get_queryset(self):
        # The cards show no body: leave the two largest columns in the database.
        return (
            Post.objects.published()
            .select_related("author__author_profile", "featured_image")
            .defer("body", "body_html")
        )

    def get(self, request, *args, **kwargs):
        self.archive_months = public_archive_months(request)
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        cursor = self.request.GET.get(self.cursor_param)
        try:
            page = KeysetPaginator(queryset, page_size).page(cursor)
        except InvalidCursor:
            raise Http404("No such page of posts.") from None
        if cursor is not None and not page.object_list:
            raise Http404("No posts older than that here.")
        return None, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(archive_months=self.archive_months, **kwargs)
        # A page of older posts is its own address (and not for search engines).
        cursor = self.request.GET.get(self.cursor_param)
        query = f"?{urlencode({self.cursor_param: cursor})}" if cursor else ""
        context["canonical_path"] = self.request.path + query
        return context


class PostListView(PublicPostList):
    """The blog index.

    ``?page=N``, the index's numbered pages before keyset pages, keeps working
    for the first OLD_PAGES pages: it redirects (302) to the keyset page that
    now starts where page N starts (found among at most OLD_PAGES pages of
    ids, read from the index). Deeper numbers are a 404: readers find old posts in
    the archive.
    """

    OLD_PAGES = 25

    def get(self, request, *args, **kwargs):
        if "page" in request.GET:
            return self.redirect_numbered_page(request.GET["page"])
        return super().get(request, *args, **kwargs)

    def redirect_numbered_page(self, value):
        number = int(value) if value.isascii() and value.isdigit() and len(value) < 6 else 0
        if not 1 <= number <= self.OLD_PAGES:
            raise Http404("No such page: the archive lists older posts by month.")
        index = reverse("articles:index")
        if number == 1:
            return redirect(index)
        per_page = self.get_paginate_by()
        last_before = (number - 1) * per_page - 1
        rows = list(
            Post.objects.published()
            .order_by("-publish_at", "-pk")
            .only("pk", "publish_at")[last_before : last_before + 1]
        )
        if not rows:
            raise Http404("No such page.")
        cursor = KeysetPaginator(Post.objects.none(), per_page).cursor_for(rows[0])
        return redirect(f"{index}?{urlencode({self.cursor_param: cursor})}")


class YearArchiveView(PublicPostList):
    """``/blog/2026/``: the months of 2026 that have posts, with their counts,
    and the year's posts in keyset pages. A year without posts is a 404."""

    template_name = "articles/archive_year.html"

    def get_queryset(self):
        return super().get_queryset().dated(self.kwargs["year"])

    def get_context_data(self, **kwargs):
        year = self.kwargs["year"]
        months = [month for month in self.archive_months if month.year == year]
        if not months:
            raise Http404("No posts in that year.")
        return super().get_context_data(
            year=year, months=months, total=sum(month.total for month in months), **kwargs
        )


class MonthArchiveView(PublicPostList):
    """``/blog/2026/03/``: the posts of March 2026 (site time zone) in keyset
    pages. A month without posts is a 404."""

    template_name = "articles/archive_month.html"

    def get_queryset(self):
        return super().get_queryset().dated(self.kwargs["year"], self.kwargs["month"])

    def get_context_data(self, **kwargs):
        wanted = dt.date(self.kwargs["year"], self.kwargs["month"], 1)
        month = next((month for month in self.archive_months if month.start == wanted), None)
        if month is None:
            raise Http404("No posts in that month.")
        return super().get_context_data(month=month, **kwargs)


def listing_page_version(request, **url_kwargs):
    """The page cache's question for the lists of posts (the index, the
    archives): the version of the set of public posts and of everything their
    cards show, which also moves when a scheduled post comes due."""
    return Post.objects.listing_version()


class TopicView(PublicPostList):
    """A topic's page: its description, then its published posts as the
    index lists them (newest first, in keyset pages). 404 for an unknown topic."""

    template_name = "articles/topic_detail.html"

    def get_queryset(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return super().get_queryset().filter(topics=self.topic)

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


def topic_page_version(request, slug):
    """The page cache's question for a topic page and its feeds."""
    return Topic.objects.filter(slug=slug).page_version()


def site_listing_version(request):
    """The page cache's question for the site-wide feeds."""
    return Post.objects.listing_version()


class PostDetailView(DetailView):
    """A post. Staff who may see posts also get drafts and scheduled posts (preview).

    Anonymous readers of a public post get it from the page cache
    (core.page_cache, registered in ArticlesConfig.ready with
    ``post_page_version``); this view renders it when the cache has no copy.
    """

    template_name = "articles/post_detail.html"
    context_object_name = "post"

    def get_queryset(self):
        return Post.objects.visible_to(self.request.user).for_page()

    def get_context_data(self, **kwargs):
        related = Post.objects.related_to(self.object)
        return super().get_context_data(related_posts=related, **kwargs)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object.is_public:
            # A preview must never be stored by a cache.
            add_never_cache_headers(response)
        else:
            # The related posts may change when the next scheduled post comes due.
            page_cache.valid_until(request, Post.objects.next_due())
        return response


def post_page_version(request, slug):
    """The page cache's question: which version of this public post's page is current?

    Its related posts change with other posts: those changes touch the "posts"
    stamp, part of every version (``Post.save``), and a scheduled post coming
    due ends the rendering's validity (``PostDetailView.get``)."""
    return Post.objects.public_page_version(slug)


class ReferencesExportView(View):
    """A public post's references as a file for reference managers: BibTeX or
    RIS. Drafts and scheduled posts have none (404), for staff too. Cached
    for anonymous readers with the post page's own version (ArticlesConfig)."""

    FORMATS = {
        "bibtex": (bibliography.to_bibtex, "application/x-bibtex", "bib"),
        "ris": (bibliography.to_ris, "application/x-research-info-systems", "ris"),
    }
    format = "ris"

    def get(self, request, slug):
        post = get_object_or_404(
            Post.objects.published().only("pk", "slug").prefetch_related("references"),
            slug=slug,
        )
        write, content_type, extension = self.FORMATS[self.format]
        response = HttpResponse(
            write(post.references.all()), content_type=f"{content_type}; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{post.slug}-references.{extension}"
        )
        return response


class ReviewerDetailView(DetailView):
    """A medical reviewer's bio and the public posts they reviewed. Cached for
    anonymous readers (``reviewer_page_version``)."""

    template_name = "articles/reviewer_detail.html"
    context_object_name = "reviewer"
    queryset = Reviewer.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["posts"] = list(self.object.reviewed_posts())
        return context


class AuthorDetailView(DetailView):
    """An author's page: their name, credentials, biography and profile link,
    and their newest public posts. Cached for anonymous readers
    (``author_page_version``)."""

    template_name = "articles/author_detail.html"
    context_object_name = "author"
    queryset = Author.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        posts = list(self.object.public_posts()[: AUTHOR_PAGE_POSTS + 1])
        context["posts"] = posts[:AUTHOR_PAGE_POSTS]
        context["more_posts"] = len(posts) > AUTHOR_PAGE_POSTS
        return context


def author_page_version(request, slug):
    """The author page's version: the profile's last change and the version of
    the set of public posts (a post of theirs published, edited or
    unpublished moves it). None for an unknown slug."""
    changed = Author.objects.filter(slug=slug).values_list("pk", "updated_at").first()
    if changed is None:
        return None
    return version(*changed, Post.objects.listing_version())


def reviewer_page_version(request, slug):
    """The bio page's version: the reviewer's last change and the version of
    the set of public posts (a post reviewed, renamed, unpublished, given
    another reviewer or coming due moves it). None for an unknown slug."""
    changed = Reviewer.objects.filter(slug=slug).values_list("pk", "updated_at").first()
    if changed is None:
        return None
    return version(*changed, Post.objects.listing_version())


@never_cache
@allow(*SAFE)
def search_results(request):
    """Search results: published posts matching ``q``, best first, paginated,
    the matched words marked. Never cached (the reader's own words); a client
    searching more than SEARCH_RATE_LIMIT_PER_MINUTE times a minute is asked
    to wait (429)."""
    query = search.clean_query(request.GET.get("q", ""))
    context = {"query": query, "max_length": search.MAX_QUERY_LENGTH}
    if query.text and rate_limited(
        "search", request.client, settings.SEARCH_RATE_LIMIT_PER_MINUTE
    ):
        context["refused"] = True
        response = render(request, "articles/search.html", context, status=429)
        response["Retry-After"] = str(ratelimit.WINDOW)
        return response
    if query.searchable:
        context["page_obj"] = search.results_page(
            Post.objects.only("pk", "title", "slug", "summary", "publish_at"),
            query,
            request.GET.get("page"),
            settings.SEARCH_RESULTS_PER_PAGE,
        )
    return render(request, "articles/search.html", context)
