"""A cache that fails is skipped: what it would have given is built again,
never an error for the reader.

The caches we keep (whole pages, values every page shows, the sitemap) are
optimisations only: with Redis down a page is rendered as if nothing were
cached, and each failure is one warning in the log, naming what was not
read or not stored (``what``: "page cache", "sitemap cache"...).
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def read(key, what):
    """The value cached under ``key``; None when there is none or the cache fails."""
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 (a cache outage must not take the page down)
        logger.warning("%s unavailable, building it instead", what, exc_info=True)
        return None


def store(key, value, timeout, what):
    """Keep ``value`` under ``key`` for ``timeout`` seconds, if the cache answers."""
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("%s unavailable, not stored", what, exc_info=True)


def read_or_make(key, make, timeout, what):
    """The value cached under ``key``, or ``make()``'s, then stored."""
    value = read(key, what)
    if value is None:
        value = make()
        store(key, value, timeout, what)
    return value
