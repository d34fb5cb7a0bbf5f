from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, View

from core.client_ip import client_address
from core.ratelimit import rate_limited

from . import bibliography, search
from .models import Post


class PostListView(ListView):
    """The blog index: newest published posts first, paginated."""

    template_name = "articles/post_list.html"
    context_object_name = "posts"
    paginate_by = settings.BLOG_POSTS_PER_PAGE

    def get_queryset(self):
        # The cards show no body: leave the two largest columns in the database.
        return (
            Post.objects.published()
            .select_related("author", "featured_image")
            .defer("body", "body_html")
        )


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

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object.is_public:
            # A preview must never be stored by a cache.
            add_never_cache_headers(response)
        return response


def post_page_version(request, slug):
    """The page cache's question: which version of this public post's page is current?"""
    return Post.objects.published().filter(slug=slug).page_version()


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


@never_cache
@require_safe
def search_results(request):
    """Search results: published posts matching ``q``, best first, paginated,
    the matched words marked. Never cached (the reader's own words); a client
    searching more than SEARCH_RATE_LIMIT_PER_MINUTE times a minute is asked
    to wait (429)."""
    query = search.clean_query(request.GET.get("q", ""))
    context = {"query": query, "max_length": search.MAX_QUERY_LENGTH}
    if query.text and rate_limited(
        "search", client_address(request), settings.SEARCH_RATE_LIMIT_PER_MINUTE
    ):
        context["refused"] = True
        response = render(request, "articles/search.html", context, status=429)
        response["Retry-After"] = "60"
        return response
    if query.searchable:
        context["page_obj"] = search.results_page(
            Post.objects.only("pk", "title", "slug", "summary", "publish_at"),
            query,
            request.GET.get("page"),
            settings.SEARCH_RESULTS_PER_PAGE,
        )
    return render(request, "articles/search.html", context)
