from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Blog"

    def ready(self):
        from core import page_cache

        from . import checks, roles, signals  # noqa: F401 (registers checks and receivers)
        from .views import post_page_version

        post_migrate.connect(roles.ensure_roles, sender=self)
        page_cache.register("articles:detail", post_page_version)
        # The references files change exactly when the post's page does.
        page_cache.register("articles:references_ris", post_page_version)
        page_cache.register("articles:references_bibtex", post_page_version)
