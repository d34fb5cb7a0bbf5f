"""System checks of the articles app's settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

from core.ratelimit import PER_PROCESS_CACHES

# The limits this app counts in the default cache: (setting, what it limits, check id).
RATE_LIMITS = [
    ("SEARCH_RATE_LIMIT_PER_MINUTE", "search rate limit", "articles.W001", "a client"),
    (
        "REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE",
        "reference import rate limit",
        "articles.W002",
        "an editor",
    ),
]


@checks.register(checks.Tags.security, deploy=True)
def search_rate_limit_cache(app_configs=None, **kwargs):
    """The search and reference import rate limits count in the default
    cache: a per-process cache gives every server process its own count."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    warnings = []
    for setting, name, check_id, who in RATE_LIMITS:
        limit = getattr(settings, setting)
        if limit:
            warnings.append(
                checks.Warning(
                    f"The {name} ({limit} per minute) is counted in "
                    f"{backend.rsplit('.', 1)[-1]}, which each server process keeps for "
                    f"itself: with several processes {who} gets the limit once per process.",
                    hint="Set CACHE_URL to a shared cache (redis://...), or run one process.",
                    id=check_id,
                )
            )
    return warnings
