from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Blog"

    def ready(self):
        from core import page_cache

        from . import checks, roles, search, signals  # noqa: F401 (registers checks and receivers)
        from .views import (
            author_page_version,
            listing_page_version,
            post_page_version,
            reviewer_page_version,
            topic_page_version,
        )

        post_migrate.connect(roles.ensure_roles, sender=self)
        post_migrate.connect(search.forget_orphans, sender=self)
        page_cache.register("articles:detail", post_page_version)
        # The references files change exactly when the post's page does.
        page_cache.register("articles:references_ris", post_page_version)
        page_cache.register("articles:references_bibtex", post_page_version)
        # The lists of posts: one version for all, the set of public posts.
        # The index reads ?page= too (old numbered links: it redirects).
        page_cache.register("articles:index", listing_page_version, params=("before", "page"))
        for name in ("articles:archive_year", "articles:archive_month"):
            page_cache.register(name, listing_page_version, params=("before",))
        page_cache.register("articles:reviewer", reviewer_page_version)
        page_cache.register("articles:author", author_page_version)
        page_cache.register("articles:topic", topic_page_version, params=("before",))
        for feed in ("feed", "feed_rss"):
            page_cache.register(f"articles:{feed}", listing_page_version)
        for feed in ("topic_feed", "topic_feed_rss"):
            page_cache.register(f"articles:{feed}", topic_page_version)
