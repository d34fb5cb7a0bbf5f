"""The comments app's emails, each sent by a task (core.mail) after commit.

- ``notify_moderators``: a new comment waits in the queue (wired in
  comments.signals for every new pending comment);
- ``notify_approval``: a reader who asked for it is told their comment is
  published (queued by ``CommentQuerySet.set_status``, once per comment);
- ``send_deletion_link``: the link that confirms a reader's request to delete
  their comments and what other apps keep about their address (queued by the
  deletion request page for every address, known or not; the task alone
  finds out whether there is anything to delete).

Each task reads the database when it runs, so a retry or a late worker never
sends what stopped being true (a comment decided or deleted in the meantime).
A mail server that fails is logged and the task is queued again (core.mail);
the comment was stored before any of this. Links point at SITE_URL, never at
whatever Host a request carried.

Mail goes to addresses as stored (a reader's in its normal form, core.emails),
never to what a visitor typed, and each kind at most once per address in
MAIL_PER_ADDRESS_MINUTES (core.mail.first_mail_to), whoever asks. What a
visitor wrote never reads as the site's words: the reader's own notices quote
nothing of theirs, and the moderators' notice shows the name and the text
quoted, under a line that says whose they are.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator
from django_tasks import task

from core import mail
from core.roles import MODERATORS

from . import deletion, trust
from .models import NAME_MAX_LENGTH, Comment

logger = logging.getLogger("comments")

EXCERPT_LENGTH = 500


def recipients():
    moderators = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MODERATORS)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys([*settings.COMMENTS_NOTIFY_EMAILS, *moderators]))


def notify_on_commit(comment):
    mail.enqueue_with_data(notify_moderators, comment.pk)


def _message(subject, template, context, to):
    return mail.SiteEmail(
        subject=f"[{settings.BLOG_TITLE}] {subject}",
        body=render_to_string(template, {**context, "blog_title": settings.BLOG_TITLE}),
        to=to,
    )


def quoted(text):
    """A visitor's text as a quotation: every line starts with "> "."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


@task()
def notify_moderators(comment_pk, attempt=1):
    """Mail the moderators about one comment waiting in the queue."""
    comment = Comment.objects.select_related("post").filter(pk=comment_pk).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return "no longer waiting"  # deleted, or decided (approved as trusted) meanwhile
    everyone = recipients()
    if not everyone:
        return "nobody to tell"
    # A moderator told of another comment minutes ago is not mailed again: the
    # mail says how many wait, and the admin's front page shows the queue.
    to = [
        address for address in everyone if mail.first_mail_to(address, "comments:new", comment.pk)
    ]
    if not to:
        return "moderators told minutes ago"
    message = _message(
        f"New comment on “{comment.post.title}” awaits approval",
        "comments/email/moderators.txt",
        {
            "post_title": mail.one_line(comment.post.title),
            "name": mail.one_line(comment.name, NAME_MAX_LENGTH),
            "excerpt": quoted(Truncator(comment.text).chars(EXCERPT_LENGTH)),
            "held_reason": mail.one_line(comment.held_reason),
            "waiting": Comment.objects.pending().count(),
            "admin_url": settings.SITE_URL
            + reverse("admin:comments_comment_change", args=[comment.pk]),
            "queue_url": settings.SITE_URL + reverse("admin:comments_comment_changelist"),
        },
        to,
    )
    return mail.send(message, retry=notify_moderators, args=[comment_pk], attempt=attempt)


@task()
def notify_approval(comment_pk, attempt=1):
    """Tell a reader who asked for it that their comment is published."""
    comment = Comment.objects.select_related("post").filter(pk=comment_pk).first()
    if comment is None or not comment.is_public or not comment.notify_on_approval:
        return "no longer public"
    if not mail.first_mail_to(comment.email, "comments:approved", comment.pk):
        logger.info("approval notice not sent: one went to the same address minutes ago")
        return "one sent to this address recently"
    message = _message(
        f"Your comment on “{comment.post.title}” is published",
        "comments/email/approved.txt",
        {
            "post_title": mail.one_line(comment.post.title),
            # With trusted commenters, the link that proves the address.
            "trusting": settings.COMMENTS_TRUST_RETURNING,
            "link_days": trust.LINK_DAYS,
            "comment_url": settings.SITE_URL
            + (
                trust.confirmation_path(comment)
                if settings.COMMENTS_TRUST_RETURNING
                else comment.get_absolute_url()
            ),
            "deletion_url": settings.SITE_URL + reverse("comments:delete"),
        },
        [comment.email],
    )
    return mail.send(message, retry=notify_approval, args=[comment_pk], attempt=attempt)


@task()
def send_deletion_link(email, attempt=1):
    """Mail the link that confirms the deletion of what is kept about
    ``email`` (its comments, and what other apps register with
    core.personal_data), if there is anything (nothing is sent to an address
    the site keeps nothing about: the request page answered the same either
    way), to the address as it is stored, never as it was typed."""
    state = deletion.holdings(email)
    stored = None if state is None else deletion.stored_address(state)
    if stored is None:  # nothing kept, or deleted a moment ago
        return "nothing kept"
    if attempt == 1 and not mail.first_mail_to(stored, "comments:deletion-link"):
        logger.info("deletion link not sent again: one was sent in the last minutes")
        return "sent recently"
    link = settings.SITE_URL + reverse(
        "comments:delete_confirm", args=[deletion.make_token(state)]
    )
    _, kept = deletion.describe(state)
    message = _message(
        "Confirm the deletion of your comments"
        if not kept
        else "Confirm the deletion of your data",
        "comments/email/deletion_link.txt",
        {
            "count": state["count"],
            "kept": kept,
            "link": link,
            "hours": settings.COMMENTS_DELETION_LINK_HOURS,
            "request_url": settings.SITE_URL + reverse("comments:delete"),
        },
        [stored],
    )
    return mail.send(message, retry=send_deletion_link, args=[email], attempt=attempt)
