"""The rules about when and how often readers may comment.

- ``comments_open(post)``: whether a post takes comments (published, not
  closed by its editor, not older than COMMENTS_CLOSE_AFTER_DAYS).
- How often, per client address (core.ratelimit: a sliding minute in the
  shared cache, IPv6 clients per /64), for each form (``scope``: comments,
  deletion requests):
  - ``too_many_forms(address)``: counts every form sent, valid or not, and
    says when one client sent more than FORMS_PER_COMMENT times
    COMMENTS_RATE_LIMIT_PER_MINUTE in the last minute: a robot hammering
    the form costs a render each time;
  - ``over_limit(address)`` / ``counted(address)``: only what was done
    counts (a comment stored, a deletion request accepted), at most
    COMMENTS_RATE_LIMIT_PER_MINUTE in the last minute. A reader correcting
    their form is never refused for it.

What a new comment's status is (links, the blocklist, duplicates) is
``Comment.screen()``; the robot traps (honeypot, signed form token) are the
form's (``CommentForm``).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from core import ratelimit

# Forms sent (any, with mistakes too) per action allowed, in one minute.
FORMS_PER_COMMENT = 6


def comments_open(post):
    if not (post.is_public and post.comments_enabled):
        return False
    closes = closes_at(post)
    return closes is None or timezone.now() < closes


def closes_at(post):
    """When comments on ``post`` close by themselves (COMMENTS_CLOSE_AFTER_DAYS), or None."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return post.publish_at + dt.timedelta(days=days) if days else None


def too_many_forms(address, scope="comments", now=None):
    """Count one sent form of ``scope`` from ``address``; True when that is
    more than FORMS_PER_COMMENT x COMMENTS_RATE_LIMIT_PER_MINUTE in the last minute."""
    limit = FORMS_PER_COMMENT * settings.COMMENTS_RATE_LIMIT_PER_MINUTE
    return ratelimit.rate_limited(f"{scope}-forms", address, limit, now=now)


def over_limit(address, scope="comments", now=None):
    """Whether one more comment (or request) from ``address`` would be more
    than COMMENTS_RATE_LIMIT_PER_MINUTE in the last minute. Counts nothing."""
    return ratelimit.over_limit(scope, address, settings.COMMENTS_RATE_LIMIT_PER_MINUTE, now=now)


def counted(address, scope="comments", now=None):
    """Count a comment stored (or a request accepted) from ``address``."""
    ratelimit.count(scope, address, now=now)
