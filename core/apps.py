from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Machinery several apps share and no app owns: the Markdown pipeline, the
    page cache, paginators, the client address, roles, the operations commands
    and system checks. It imports no other app of this project."""

    name = "core"
    verbose_name = "glutablog core"

    def ready(self):
        from . import services  # noqa: F401 (registers the service check)
