from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from core import page_cache

        from . import roles, signals  # noqa: F401 (connects the receivers)
        from .forms import fresh_token
        from .templatetags.comments import TOKEN_PER_READER

        post_migrate.connect(roles.ensure_roles, sender=self)
        # The comment form on a cached post page gets its timestamp per request.
        page_cache.register_per_reader(TOKEN_PER_READER, fresh_token)
