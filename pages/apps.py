from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PagesConfig(AppConfig):
    """Site pages editors manage (about us, the privacy policy), and the
    navigation and footer made from them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "pages"
    verbose_name = "Site pages"

    def ready(self):
        from core import page_cache, site_links

        from . import roles, signals  # noqa: F401 (connects the receivers)
        from .menus import privacy_policy
        from .views import page_version

        post_migrate.connect(roles.ensure_roles, sender=self)
        page_cache.register("pages:detail", page_version)
        site_links.provide(site_links.PRIVACY_POLICY, privacy_policy)
