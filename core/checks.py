"""System checks core offers the apps, each app registering its own with its
own ids (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

from .ratelimit import PER_PROCESS_CACHES


def per_process_rate_limits(limits):
    """Warnings for the rate limits (core.ratelimit) counted in a cache each
    server process keeps for itself: with several processes a client gets
    each limit once per process. ``limits`` are (setting, what it limits,
    who is limited, check id), such as ("COMMENTS_RATE_LIMIT_PER_MINUTE",
    "comment rate limit", "a client", "comments.W001"); a limit set to 0
    (off) is not warned about."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    warnings = []
    for setting, name, who, check_id in limits:
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
