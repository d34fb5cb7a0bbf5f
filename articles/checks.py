"""System checks of the articles app's settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

from core.ratelimit import PER_PROCESS_CACHES


@checks.register(checks.Tags.security, deploy=True)
def search_rate_limit_cache(app_configs=None, **kwargs):
    """The search rate limit counts in the default cache: a per-process cache
    gives every server process its own count."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.SEARCH_RATE_LIMIT_PER_MINUTE and backend in PER_PROCESS_CACHES:
        return [
            checks.Warning(
                f"The search rate limit ({settings.SEARCH_RATE_LIMIT_PER_MINUTE} per "
                f"minute) is counted in {backend.rsplit('.', 1)[-1]}, which each server "
                "process keeps for itself: with several processes a client gets the "
                "limit once per process.",
                hint="Set CACHE_URL to a shared cache (redis://...), or run one process.",
                id="articles.W001",
            )
        ]
    return []
