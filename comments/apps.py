from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from . import checks, roles, signals  # noqa: F401 (registers checks and receivers)

        post_migrate.connect(roles.ensure_roles, sender=self)
