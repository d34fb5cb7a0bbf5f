from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.generic import DetailView, ListView, View

from core import page_cache

from . import bibliography
from .models import Post, Topic


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


class TopicView(PostListView):
    """A topic's page: its description, then its published posts as the
    index lists them (newest first, paginated). 404 for an unknown topic."""

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
