from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from articles import structured_data

        from . import checks, roles, signals  # noqa: F401 (registers checks and receivers)

        post_migrate.connect(roles.ensure_roles, sender=self)
        structured_data.register(comment_count)


def comment_count(post):
    """The post's JSON-LD gets the approved comment count, never any other."""
    from .models import Comment

    return {"commentCount": Comment.objects.public_count(post)}
