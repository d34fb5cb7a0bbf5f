from django.apps import AppConfig


class GlutablogConfig(AppConfig):
    """The project itself as an app: its operations commands and system checks."""

    name = "glutablog"
    verbose_name = "glutablog operations"

    def ready(self):
        from . import services  # noqa: F401 (registers the service check)
