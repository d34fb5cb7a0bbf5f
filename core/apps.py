from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Machinery several apps share and no app owns: the Markdown pipeline, the
    page cache, paginators, the client address, roles, the operations commands
    and system checks. It imports no other app of this project."""

    name = "core"
    verbose_name = "glutablog core"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_save, pre_save

        from . import roles, services, text  # noqa: F401 (services: the service check)

        # Staff status follows the project's groups (core.roles).
        users = get_user_model()
        m2m_changed.connect(roles.groups_changed, sender=users.groups.through)
        post_save.connect(roles.user_saved, sender=users)
        # Names on one line, without control characters (core.text).
        pre_save.connect(text.clean_user_names, sender=users)
