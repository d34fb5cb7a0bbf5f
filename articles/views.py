from django.conf import settings
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView

from .models import Post


class PostListView(ListView):
    """The blog index: newest published posts first, paginated."""

    template_name = "articles/post_list.html"
    context_object_name = "posts"
    paginate_by = settings.BLOG_POSTS_PER_PAGE

    def get_queryset(self):
        return Post.objects.published().select_related("author")


class PostDetailView(DetailView):
    """A post. Staff who may see posts also get drafts and scheduled posts (preview)."""

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
