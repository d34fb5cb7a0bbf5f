from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ImagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "images"
    verbose_name = "Images"

    def ready(self):
        from core import markup, sharing

        from . import roles, signals  # noqa: F401 (connects the receivers)
        from .markup import LibraryImages
        from .sharing import default_share_image

        post_migrate.connect(roles.ensure_roles, sender=self)
        # ![alt](image:42) in post bodies resolves to the library's images.
        markup.register_image_resolver(LibraryImages())
        # Pages without an image of their own show the default in link previews.
        sharing.provide(default_share_image)
