"""The deploy check (`manage.py check --deploy`) warns when staff may sign in
with a password alone (docs/settings.md, STAFF_TWO_FACTOR)."""

from django.conf import settings
from django.core import checks

from accounts import factors


@checks.register(checks.Tags.security, deploy=True)
def staff_two_factor_required(app_configs, **kwargs):
    if settings.STAFF_TWO_FACTOR == factors.REQUIRED:
        return []
    return [
        checks.Warning(
            f"STAFF_TWO_FACTOR is {settings.STAFF_TWO_FACTOR!r}: staff can sign in to the "
            "admin with a password alone.",
            hint="Leave STAFF_TWO_FACTOR unset (required with DEBUG off) or set it to "
            "'required' in production (docs/security.md#two-factor-sign-in).",
            id="accounts.W001",
        )
    ]


@checks.register(checks.Tags.security)
def staff_two_factor_known(app_configs, **kwargs):
    if settings.STAFF_TWO_FACTOR in factors.POLICIES:
        return []
    return [
        checks.Error(
            f"STAFF_TWO_FACTOR={settings.STAFF_TWO_FACTOR!r} is not a policy: use "
            f"{' or '.join(factors.POLICIES)}.",
            id="accounts.E001",
        )
    ]
