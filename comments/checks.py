"""System checks of the comments app's settings (run by `manage.py check --deploy`)."""

from django.core import checks

from core.checks import per_process_rate_limits


@checks.register(checks.Tags.security, deploy=True)
def rate_limit_cache(app_configs=None, **kwargs):
    """The comment rate limit counts in the default cache: a per-process cache
    gives every server process its own count."""
    return per_process_rate_limits(
        [("COMMENTS_RATE_LIMIT_PER_MINUTE", "comment rate limit", "a client", "comments.W001")]
    )
