"""System checks of the articles app's settings (run by `manage.py check --deploy`)."""

from django.core import checks

from core.checks import per_process_rate_limits

# The limits this app counts in the default cache: (setting, what it limits,
# who is limited, check id).
RATE_LIMITS = [
    ("SEARCH_RATE_LIMIT_PER_MINUTE", "search rate limit", "a client", "articles.W001"),
    (
        "REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE",
        "reference import rate limit",
        "an editor",
        "articles.W002",
    ),
]


@checks.register(checks.Tags.security, deploy=True)
def search_rate_limit_cache(app_configs=None, **kwargs):
    """The search and reference import rate limits count in the default
    cache: a per-process cache gives every server process its own count."""
    return per_process_rate_limits(RATE_LIMITS)
