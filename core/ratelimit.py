"""How often one client may do something: a sliding window counted in the cache.

``rate_limited(scope, client, limit)`` counts one more action of ``client``
(its address, core.client_ip) in ``scope`` ("comments", "search"...) and says
whether the client is now over ``limit`` actions in the last sixty seconds.
Where only some actions should count (comments that were stored, not forms
sent back with a mistake), ``over_limit`` asks first without counting and
``count`` counts the action once it happened.

A client is its address, except that IPv6 clients are counted per /64
(``client_key``): a host or home network with IPv6 is given at least a /64,
2^64 addresses it can pick from freely, so per address it had an endless
supply of fresh counters. An IPv4 address written as IPv6 (``::ffff:a.b.c.d``)
is that IPv4 address.

A sliding window of the last sixty seconds, estimated from two one-minute
counters the way most rate limiters do: this minute's count plus the previous
minute's, weighted by how much of it is still inside the window. Five actions
at 12:00:59 and five more at 12:01:00 are ten in the window, not five in each
of two minutes. The counters live in the cache, so several server processes
share them when the cache is shared (Redis); a cache outage lets actions
through rather than refusing everyone.
"""

import ipaddress
import logging
import time

from django.core.cache import cache

logger = logging.getLogger("core.ratelimit")

WINDOW = 60  # seconds
IPV6_PREFIX = 64
# Caches each server process keeps for itself: a limit counted there is
# counted once per process (the deploy checks of comments and articles warn).
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def client_key(client):
    """What one client is counted as: an IPv4 address, or an IPv6 /64."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return str(client)
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def _key(scope, client, minute):
    return f"{scope}:rate:{client_key(client)}:{minute}"


def _count(key):
    """Add one to the counter ``key`` (atomic in Redis and Memcached) and return it."""
    cache.add(key, 0, timeout=WINDOW * 3)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.add(key, 1, timeout=WINDOW * 3)
        return 1


def _in_window(scope, client, now, add):
    """Actions in the last minute (this one included when ``add``), or None
    when the cache fails."""
    minute, into = divmod(time.time() if now is None else now, WINDOW)
    try:
        current_key = _key(scope, client, int(minute))
        current = _count(current_key) if add else cache.get(current_key, 0)
        previous = cache.get(_key(scope, client, int(minute) - 1), 0)
    except Exception:  # noqa: BLE001
        logger.warning("%s rate limit unavailable (cache error)", scope, exc_info=True)
        return None
    return current + previous * (WINDOW - into) / WINDOW


def rate_limited(scope, client, limit, now=None):
    """Count one action of ``client`` in ``scope``; True when it is over
    ``limit`` in the last minute. No limit (0) or no client: never limited."""
    if not limit or not client:
        return False
    in_window = _in_window(scope, client, now, add=True)
    return in_window is not None and in_window > limit


def over_limit(scope, client, limit, now=None):
    """Whether one more action of ``client`` in ``scope`` would be over
    ``limit``; counts nothing (``count`` does, once the action happened)."""
    if not limit or not client:
        return False
    in_window = _in_window(scope, client, now, add=False)
    return in_window is not None and in_window + 1 > limit


def count(scope, client, now=None):
    """Count one action of ``client`` in ``scope`` (see ``over_limit``)."""
    if client:
        _in_window(scope, client, now, add=True)
