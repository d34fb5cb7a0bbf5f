from django.contrib.sitemaps import Sitemap

from .models import Post


class PostSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Post.objects.published().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at
