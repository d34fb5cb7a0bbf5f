"""The rules a comment meets before anyone reads it.

- ``comments_open(post)``: whether a post takes comments (published, not
  closed by its editor, not older than COMMENTS_CLOSE_AFTER_DAYS).
- ``rate_limited(address)``: more than COMMENTS_RATE_LIMIT_PER_MINUTE sent
  forms from one client address this minute, counted in the shared cache.
- ``screen(comment)``: the status and reason a new comment starts with, from
  the link count, the moderators' blocklist and duplicates.

The robot traps (honeypot, minimum time, signed form token) are checked by
the form (``CommentForm.trap()``); a comment caught by one is stored as spam.
"""

import datetime as dt
import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.client_ip import client_ip

logger = logging.getLogger("comments")


def comments_open(post):
    if not (post.is_public and post.comments_enabled):
        return False
    closes = closes_at(post)
    return closes is None or timezone.now() < closes


def closes_at(post):
    """When comments on ``post`` close by themselves (COMMENTS_CLOSE_AFTER_DAYS), or None."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return post.publish_at + dt.timedelta(days=days) if days else None


def client_address(request):
    """The client's address as the project takes it (see core.client_ip:
    REMOTE_ADDR, or what the TRUSTED_PROXY_COUNT proxies saw), or None."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def rate_limited(address):
    """Count one sent form for ``address``; True when over this minute's limit.

    A fixed one-minute window in the cache: ``add`` creates the bucket (atomic,
    first process wins) and ``incr`` counts (atomic in Redis and Memcached), so
    several server processes share one count. A cache outage lets comments
    through rather than refusing everyone.
    """
    limit = settings.COMMENTS_RATE_LIMIT_PER_MINUTE
    if not limit or not address:
        return False
    key = f"comments:rate:{address}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # the bucket expired between add and incr
            cache.add(key, 1, timeout=120)
            count = 1
    except Exception:
        logger.warning("comment rate limit unavailable (cache error)", exc_info=True)
        return False
    return count > limit


def screen(comment):
    """(status, reason) for a new reader's comment: spam, held or plain pending."""
    from .models import BlockedTerm, Comment, count_links

    links = count_links(comment.text)
    if links > settings.COMMENTS_MAX_LINKS:
        return Comment.Status.SPAM, (
            f"{links} links (more than {settings.COMMENTS_MAX_LINKS} go to spam)"
        )

    held = None
    for term in BlockedTerm.objects.all():
        if term.matches(comment):
            reason = f"contains the blocked term “{term.term}”"
            if term.action == BlockedTerm.Action.SPAM:
                return Comment.Status.SPAM, reason
            held = held or reason

    same_text = (
        Comment.objects.filter(fingerprint=comment.fingerprint_of_text(), is_staff_reply=False)
        .order_by("-created_at")
        .values_list("pk", "post_id")
    )
    duplicates = list(same_text[:20])
    on_this_post = [pk for pk, post_id in duplicates if post_id == comment.post_id]
    if on_this_post:
        return Comment.Status.SPAM, f"duplicate of comment #{on_this_post[0]} on this post"
    if duplicates:
        return Comment.Status.PENDING, (
            f"same text as comment #{duplicates[0][0]} on another post"
        )

    return Comment.Status.PENDING, held or ""
