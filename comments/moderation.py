"""The rules about when and how often readers may comment.

- ``comments_open(post)``: whether a post takes comments (published, not
  closed by its editor, not older than COMMENTS_CLOSE_AFTER_DAYS).
- ``rate_limited(address)``: more than COMMENTS_RATE_LIMIT_PER_MINUTE sent
  forms from one client address in the last sixty seconds, counted in the
  shared cache (core.ratelimit, which search uses too).

What a new comment's status is (links, the blocklist, duplicates) is
``Comment.screen()``; the robot traps (honeypot, signed form token) are the
form's (``CommentForm``).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from core import ratelimit


def comments_open(post):
    if not (post.is_public and post.comments_enabled):
        return False
    closes = closes_at(post)
    return closes is None or timezone.now() < closes


def closes_at(post):
    """When comments on ``post`` close by themselves (COMMENTS_CLOSE_AFTER_DAYS), or None."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return post.publish_at + dt.timedelta(days=days) if days else None


def rate_limited(address, now=None, scope="comments"):
    """Count one sent form for ``address``; True when it is over
    COMMENTS_RATE_LIMIT_PER_MINUTE in the last sixty seconds (core.ratelimit:
    a sliding window in the shared cache). ``scope`` keeps separate counts
    for separate forms (comments, deletion requests), each with the same limit.
    """
    return ratelimit.rate_limited(scope, address, settings.COMMENTS_RATE_LIMIT_PER_MINUTE, now=now)
