"""How often one client may do something: a sliding window counted in the cache.

``rate_limited(scope, client, limit)`` counts one more action of ``client``
(its address, core.client_ip) in ``scope`` ("comments", "search"...) and says
whether the client is now over ``limit`` actions in the last sixty seconds.

A sliding window of the last sixty seconds, estimated from two one-minute
counters the way most rate limiters do: this minute's count plus the previous
minute's, weighted by how much of it is still inside the window. Five actions
at 12:00:59 and five more at 12:01:00 are ten in the window, not five in each
of two minutes. The counters live in the cache, so several server processes
share them when the cache is shared (Redis); a cache outage lets actions
through rather than refusing everyone.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger("core.ratelimit")

WINDOW = 60  # seconds
# Caches each server process keeps for itself: a limit counted there is
# counted once per process (the deploy checks of comments and articles warn).
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def _count(key):
    """Add one to the counter ``key`` (atomic in Redis and Memcached) and return it."""
    cache.add(key, 0, timeout=WINDOW * 3)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.add(key, 1, timeout=WINDOW * 3)
        return 1


def rate_limited(scope, client, limit, now=None):
    """Count one action of ``client`` in ``scope``; True when it is over
    ``limit`` in the last minute. No limit (0) or no client: never limited."""
    if not limit or not client:
        return False
    now = time.time() if now is None else now
    minute, into = divmod(now, WINDOW)
    try:
        current = _count(f"{scope}:rate:{client}:{int(minute)}")
        previous = cache.get(f"{scope}:rate:{client}:{int(minute) - 1}", 0)
    except Exception:  # noqa: BLE001
        logger.warning("%s rate limit unavailable (cache error)", scope, exc_info=True)
        return False
    in_window = current + previous * (WINDOW - into) / WINDOW
    return in_window > limit
