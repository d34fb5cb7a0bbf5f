from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff accounts: the second factor at sign-in (docs/security.md#two-factor-sign-in)."""

    name = "accounts"
    verbose_name = "Staff sign-in"

    def ready(self):
        from accounts import checks, signals  # noqa: F401 (registers checks and receivers)
