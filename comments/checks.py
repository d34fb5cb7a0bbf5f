"""System checks of the comments app's settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

from core.ratelimit import PER_PROCESS_CACHES


@checks.register(checks.Tags.security, deploy=True)
def rate_limit_cache(app_configs=None, **kwargs):
    """The comment rate limit counts in the default cache: a per-process cache
    gives every server process its own count (with 4 workers, 4 times the limit)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.COMMENTS_RATE_LIMIT_PER_MINUTE and backend in PER_PROCESS_CACHES:
        return [
            checks.Warning(
                f"The comment rate limit ({settings.COMMENTS_RATE_LIMIT_PER_MINUTE} per "
                f"minute) is counted in {backend.rsplit('.', 1)[-1]}, which each server "
                "process keeps for itself: with several processes a client gets the "
                "limit once per process.",
                hint="Set CACHE_URL to a shared cache (redis://...), or run one process.",
                id="comments.W001",
            )
        ]
    return []
