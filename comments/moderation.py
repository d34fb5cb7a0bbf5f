"""The rules about when and how often readers may comment.

- ``comments_open(post)``: whether a post takes comments (published, not
  closed by its editor, not older than COMMENTS_CLOSE_AFTER_DAYS).
- ``rate_limited(address)``: more than COMMENTS_RATE_LIMIT_PER_MINUTE sent
  forms from one client address in the last sixty seconds, counted in the
  shared cache.

What a new comment's status is (links, the blocklist, duplicates) is
``Comment.screen()``; the robot traps (honeypot, signed form token) are the
form's (``CommentForm``).
"""

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger("comments")

WINDOW = 60  # seconds


def comments_open(post):
    if not (post.is_public and post.comments_enabled):
        return False
    closes = closes_at(post)
    return closes is None or timezone.now() < closes


def closes_at(post):
    """When comments on ``post`` close by themselves (COMMENTS_CLOSE_AFTER_DAYS), or None."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return post.publish_at + dt.timedelta(days=days) if days else None


def _count(key):
    """Add one to the counter ``key`` (atomic in Redis and Memcached) and return it."""
    cache.add(key, 0, timeout=WINDOW * 3)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.add(key, 1, timeout=WINDOW * 3)
        return 1


def rate_limited(address, now=None, scope="comments"):
    """Count one sent form for ``address``; True when it is over the limit.

    A sliding window of the last sixty seconds, estimated from two one-minute
    counters the way most rate limiters do: this minute's count plus the
    previous minute's, weighted by how much of it is still inside the window.
    Five forms at 12:00:59 and five more at 12:01:00 are ten in the window,
    not five in each of two minutes. The counters live in the cache, so
    several server processes share them when the cache is shared (Redis); a
    cache outage lets comments through rather than refusing everyone.
    ``scope`` keeps separate counts for separate forms (comments, deletion
    requests), each with the same limit.
    """
    limit = settings.COMMENTS_RATE_LIMIT_PER_MINUTE
    if not limit or not address:
        return False
    now = time.time() if now is None else now
    minute, into = divmod(now, WINDOW)
    try:
        current = _count(f"{scope}:rate:{address}:{int(minute)}")
        previous = cache.get(f"{scope}:rate:{address}:{int(minute) - 1}", 0)
    except Exception:  # noqa: BLE001
        logger.warning("comment rate limit unavailable (cache error)", exc_info=True)
        return False
    in_window = current + previous * (WINDOW - into) / WINDOW
    return in_window > limit
