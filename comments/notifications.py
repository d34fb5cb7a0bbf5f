"""Tell the moderators about new comments waiting in the queue.

The mail goes out after the comment is committed (``transaction.on_commit``,
wired in comments.signals), so a comment is never lost to a mail server, and
a mail server that fails is logged, never shown to the reader. Links point at
SITE_URL, never at whatever Host the commenter's request carried.
"""

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.text import Truncator

from core.roles import MODERATORS

from .models import Comment

logger = logging.getLogger("comments")


def recipients():
    moderators = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MODERATORS)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys([*settings.COMMENTS_NOTIFY_EMAILS, *moderators]))


def notify_on_commit(comment):
    transaction.on_commit(partial(notify_moderators, comment.pk))


def notify_moderators(comment_pk):
    """Mail the moderators about one pending comment; never raises."""
    try:
        comment = Comment.objects.select_related("post").get(pk=comment_pk)
        to = recipients()
        if not to:
            return
        admin_url = settings.SITE_URL + reverse("admin:comments_comment_change", args=[comment.pk])
        held = f"\nHeld because: {comment.held_reason}\n" if comment.held_reason else ""
        send_mail(
            subject=f"[{settings.BLOG_TITLE}] New comment on “{comment.post.title}” awaits approval",
            message=(
                f"{comment.name} commented on “{comment.post.title}”:\n\n"
                f"{Truncator(comment.text).chars(500)}\n{held}\n"
                f"Approve, reject or mark it as spam: {admin_url}\n"
            ),
            from_email=None,
            recipient_list=to,
        )
    except Exception:
        logger.exception("Could not notify the moderators of comment %s", comment_pk)
