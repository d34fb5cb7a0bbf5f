from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Blog"

    def ready(self):
        from core import page_cache

        from . import roles, signals  # noqa: F401 (connects the receivers)
        from .views import (
            post_page_version,
            site_listing_version,
            topic_page_version,
        )

        post_migrate.connect(roles.ensure_roles, sender=self)
        page_cache.register("articles:detail", post_page_version)
        # The references files change exactly when the post's page does.
        page_cache.register("articles:references_ris", post_page_version)
        page_cache.register("articles:references_bibtex", post_page_version)
        page_cache.register("articles:topic", topic_page_version, params=("page",))
        for feed in ("feed", "feed_rss"):
            page_cache.register(f"articles:{feed}", site_listing_version)
        for feed in ("topic_feed", "topic_feed_rss"):
            page_cache.register(f"articles:{feed}", topic_page_version)
