"""When a reader's form is taken, and when it is refused before anything is stored.

- ``comments_open(post)``: whether a post takes comments (published, not
  closed by its editor, not older than COMMENTS_CLOSE_AFTER_DAYS);
  ``closes_at(post)``: when they close by themselves.
- ``comment_refusal(post, client, valid)``: why a comment from ``client``
  (``request.client``, core.client_ip) is refused, in this order: too many
  forms sent, comments closed, and (only for a valid form) too many comments
  stored. A form with mistakes is re-rendered by the view; one that passes
  goes to ``Comment.objects.receive``, which counts it once stored.
- ``deletion_refusal(client, valid)`` and ``deletion_asked(email, client)``:
  the same for a reader's request to delete their comments.

The counters are ``comments.limits``. What a new comment's status is (links,
the blocklist, duplicates) is ``Comment.screen()``; the robot traps (honeypot,
signed form token) are the form's (``CommentForm``).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from core import ratelimit
from core.mail import enqueue_with_data

from . import limits, notifications

RETRY_AFTER = ratelimit.WINDOW  # a refused reader may try again once the window has slid

CLOSED = "Comments are closed on this post."
TOO_MANY_COMMENTS = (
    "You have sent several comments in a short time. Please wait a minute and send your "
    "comment again."
)
TOO_MANY_FORMS = (
    "You have sent this form many times in a short time. Please wait a minute and send "
    "your comment again."
)


@dataclass(frozen=True)
class Refusal:
    """Why a form is refused: the reader's message, the HTTP status and, for a
    rate limit, how many seconds to wait (Retry-After)."""

    message: str
    status: int
    retry_after: int | None = None


def comments_open(post):
    if not (post.is_public and post.comments_enabled):
        return False
    closes = closes_at(post)
    return closes is None or timezone.now() < closes


def closes_at(post):
    """When comments on ``post`` close by themselves (COMMENTS_CLOSE_AFTER_DAYS), or None."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return post.publish_at + dt.timedelta(days=days) if days else None


def comment_refusal(post, client, valid):
    """Why a comment form sent by ``client`` on ``post`` is refused, or None.

    Every form sent counts toward a high cap (each costs a render), and only
    comments stored count toward the limit (``valid``: the form has no
    mistakes): a reader correcting a mistake is never told they sent
    several comments."""
    if limits.too_many_forms(client):
        return Refusal(TOO_MANY_FORMS, 429, RETRY_AFTER)
    if not comments_open(post):
        return Refusal(CLOSED, 403)
    if valid and limits.over_limit(client):
        return Refusal(TOO_MANY_COMMENTS, 429, RETRY_AFTER)
    return None


def deletion_refusal(client, valid):
    """Whether a deletion request sent by ``client`` is refused (429): like
    comments, every form sent counts toward a high cap, and only requests
    accepted (``valid``) count toward the limit (a typo is not refused)."""
    return limits.too_many_forms(client, scope=limits.DELETION) or (
        valid and limits.over_limit(client, scope=limits.DELETION)
    )


def deletion_asked(email, client):
    """Take a reader's request to delete the comments of ``email``: it counts
    toward ``client``'s limit, and a task is queued for every address (the
    worker alone looks the address up, and sends the confirmation link only
    where there is something to delete), so the request does the same work
    whether or not the address has comments."""
    limits.counted(client, scope=limits.DELETION)
    enqueue_with_data(notifications.send_deletion_link, email)
