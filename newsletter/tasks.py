"""The newsletter's emails, each sent by a task (core.mail) after commit.

``send_confirmation`` is queued for every request the subscribe form takes,
known address or not: the request does the same work either way, and the
worker alone looks the address up (``SubscriberQuerySet.asked``). Mail goes
to the address as stored, in its normal form.
"""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from articles.models import Post
from core import mail

from . import links, sending
from .models import Subscriber

logger = logging.getLogger("newsletter")


@task()
def send_confirmation(email, topic_ids, attempt=1):
    """Mail the link that confirms a subscription of ``email`` (its normal
    form) to ``topic_ids`` (None: all posts), at most once an hour per address."""
    if attempt == 1:
        subscriber = Subscriber.objects.asked(email)
        if subscriber is None:
            logger.info("confirmation not sent: one was sent recently, or undeliverable")
            return "not sent"
    else:  # a retry: the confirmation was claimed by the first attempt
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None or subscriber.confirmation_sent_at is None:
            return "no longer asked"
    link = settings.SITE_URL + reverse(
        "newsletter:confirm", args=[links.confirmation_token(subscriber, topic_ids)]
    )
    message = mail.SiteEmail(
        subject=f"[{settings.BLOG_TITLE}] Confirm your subscription",
        body=render_to_string(
            "newsletter/email/confirm.txt",
            {
                "blog_title": settings.BLOG_TITLE,
                "link": link,
                "hours": settings.NEWSLETTER_CONFIRMATION_HOURS,
            },
        ),
        to=[subscriber.email],
    )
    return mail.send(message, retry=send_confirmation, args=[email, topic_ids], attempt=attempt)


@task()
def send_test(post_pk, email, attempt=1):
    """Mail the test of post ``post_pk``'s email to ``email``: the staff
    member who asked for it, at their own address (newsletter.admin)."""
    post = Post.objects.filter(pk=post_pk).first()
    if post is None:
        return "post deleted"
    return mail.send(
        sending.message_for_test(post, email),
        retry=send_test,
        args=[post_pk, email],
        attempt=attempt,
    )
