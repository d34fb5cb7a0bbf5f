"""How often one client may do something: a sliding window counted in the cache.

``rate_limited(scope, client, limit)`` counts one more action of ``client``
in ``scope`` ("comments", "search"...) and says whether the client is now
over ``limit`` actions in the last minute. Where only some actions should
count (comments that were stored, not forms sent back with a mistake),
``over_limit`` asks first without counting and ``count`` counts the action
once it happened.

``client`` is a ``core.client_ip.Client`` (``request.client``), counted under
the key it was given at the door: an IPv4 address or an IPv6 /64. Any other
string is keyed the same way (``client_key``): an address is counted per
/64, a name such as ``user:7`` as itself.

A sliding window of the last minute, estimated from two one-minute counters
the way most rate limiters do: this minute's count plus the previous
minute's, weighted by how much of it is still inside the window. Five
actions at 12:00:59 and five more at 12:01:00 are ten in the window, not
five in each of two minutes. The counters live in the cache, so several
server processes share them when the cache is shared (Redis); a cache outage
lets actions through rather than refusing everyone.
"""

import logging
import time

from django.core.cache import cache

from core.client_ip import Client, client_key

logger = logging.getLogger("core.ratelimit")

WINDOW = 60  # seconds
# Caches each server process keeps for itself: a limit counted there is
# counted once per process (the deploy checks of comments and articles warn).
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def _counted_as(client):
    """The key ``client`` is counted under (see the module's docstring), or None."""
    if isinstance(client, Client):
        return client.key
    return client_key(client) if client else None


def _key(scope, key, minute):
    return f"{scope}:rate:{key}:{minute}"


def _count(key):
    """Add one to the counter ``key`` (atomic in Redis and Memcached) and return it."""
    cache.add(key, 0, timeout=WINDOW * 3)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.add(key, 1, timeout=WINDOW * 3)
        return 1


def _in_window(scope, key, now, add):
    """Actions counted under ``key`` in the last minute (this one included
    when ``add``), or None when the cache fails."""
    minute, into = divmod(time.time() if now is None else now, WINDOW)
    try:
        current_key = _key(scope, key, int(minute))
        current = _count(current_key) if add else cache.get(current_key, 0)
        previous = cache.get(_key(scope, key, int(minute) - 1), 0)
    except Exception:  # noqa: BLE001
        logger.warning("%s rate limit unavailable (cache error)", scope, exc_info=True)
        return None
    return current + previous * (WINDOW - into) / WINDOW


def rate_limited(scope, client, limit, now=None):
    """Count one action of ``client`` in ``scope``; True when it is over
    ``limit`` in the last minute. No limit (0) or no client: never limited."""
    key = _counted_as(client)
    if not limit or not key:
        return False
    in_window = _in_window(scope, key, now, add=True)
    return in_window is not None and in_window > limit


def over_limit(scope, client, limit, now=None):
    """Whether one more action of ``client`` in ``scope`` would be over
    ``limit``; counts nothing (``count`` does, once the action happened)."""
    key = _counted_as(client)
    if not limit or not key:
        return False
    in_window = _in_window(scope, key, now, add=False)
    return in_window is not None and in_window + 1 > limit


def count(scope, client, now=None):
    """Count one action of ``client`` in ``scope`` (see ``over_limit``)."""
    key = _counted_as(client)
    if key:
        _in_window(scope, key, now, add=True)
