from django.conf import settings
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView

from core import page_cache

from .models import Post


class PostListView(ListView):
    """The blog index: newest published posts first, paginated."""

    template_name = "articles/post_list.html"
    context_object_name = "posts"
    paginate_by = settings.BLOG_POSTS_PER_PAGE

    def get_queryset(self):
        # The cards show no body: leave the two largest columns in the database.
        return Post.objects.published().select_related("author").defer("body", "body_html")


class PostDetailView(DetailView):
    """A post. Staff who may see posts also get drafts and scheduled posts (preview).

    Anonymous readers are answered from the page cache (see page_cache).
    """

    template_name = "articles/post_detail.html"
    context_object_name = "post"

    def get_queryset(self):
        return Post.objects.visible_to(self.request.user).for_page()

    def get(self, request, *args, **kwargs):
        if page_cache.is_cacheable(request):
            if hasattr(request, "page_version"):  # the cache middleware looked it up
                current = request.page_version
            else:
                current = page_cache.page_version(kwargs["slug"])
            if current is not None:
                return page_cache.serve(request, *current, render=self.render_for_cache)
        response = super().get(request, *args, **kwargs)
        if not self.object.is_public:
            # A preview must never be stored by a cache.
            add_never_cache_headers(response)
        return response

    def render_for_cache(self, hints):
        """The page as every anonymous reader sees it, per-reader parts left blank."""
        self.object = self.get_object()
        context = self.get_context_data(
            object=self.object, csrf_token=page_cache.CSRF_PLACEHOLDER, page_cache=hints
        )
        return self.render_to_response(context).render().content.decode()
