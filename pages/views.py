from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView

from .models import Page


class PageDetailView(DetailView):
    """A site page. Staff who may see pages also get drafts (preview).

    Anonymous readers of a published page get it from the page cache
    (core.page_cache, registered in PagesConfig.ready with ``page_version``);
    this view renders it when the cache has no copy.
    """

    template_name = "pages/page_detail.html"
    context_object_name = "page"

    def get_queryset(self):
        return Page.objects.visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object.is_public:
            # A preview must never be stored by a cache.
            add_never_cache_headers(response)
        return response


def page_version(request, slug):
    """The page cache's question: which version of this published page is current?"""
    return Page.objects.published().filter(slug=slug).page_version()
