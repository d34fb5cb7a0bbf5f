"""Sending a post to its subscribers: each email once, in batches, resumable.

``post_published`` (articles.publishing) queues ``start_mailing`` after the
commit, deferred to the post's publish time when it is scheduled (on the
database backend; the immediate backend cannot wait, so a scheduled post is
sent by its first publish only there). The task makes the post's ``Mailing``
once (a post published again is not sent again), a ``Delivery`` for each
follower, and queues ``send_batch``.

``send_batch`` claims up to NEWSLETTER_BATCH_SIZE queued deliveries in one
short transaction (``select_for_update(skip_locked=True)`` on PostgreSQL, so
two workers never take the same rows; SQLite has one writer) and commits the
claim; then it sends them over one SMTP connection, recording each one's
outcome as soon as it is known (its own UPDATE): sent; refused for good at
``RCPT`` with a 5xx, and the address marked undeliverable; a 4xx tried again
after a backoff (core.mail.retry_delay). Then it queues itself for the rest.
A worker killed mid-batch leaves its unsent rows claimed, under the id of
the task it was running. Started again under its id (`manage.py
task_worker`, as serve.py and the services run it), it queues that task
again, and the task's new run takes those rows back at once. A worker that
never comes back: after NEWSLETTER_CLAIM_MINUTES another batch (queued for
then, on the database backend) takes them again. Either way at most the one
email in flight when it died (accepted by the mail server, not yet recorded)
can go twice.
"""

import datetime as dt
import logging
import secrets
import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from articles.models import Post
from core import mail, markup

from . import links
from .models import Delivery, Mailing, Subscriber

logger = logging.getLogger("newsletter")


def published(sender, posts, **kwargs):
    """Receiver of articles.publishing.post_published: each post its editor
    left ticked (``Post.email_on_publish``) is sent once it is committed."""
    for post in posts:
        if post.email_on_publish:
            mail.enqueue_with_data(start_mailing, post.pk)


def queue_batches(sender, post_pks, **kwargs):
    """Receiver of models.batches_due: a batch of each post's mailing is
    queued, once committed."""
    for post_pk in post_pks:
        mail.enqueue_with_data(send_batch, post_pk)


def _later(task_, when, *args):
    """Queue ``task_`` to run at ``when`` where the backend can wait; True if queued."""
    if not task_.get_backend().supports_defer:
        return False
    task_.using(run_after=when).enqueue(*args)
    return True


@task()
def start_mailing(post_pk):
    post = Post.objects.filter(
        pk=post_pk, status=Post.Status.PUBLISHED, email_on_publish=True
    ).first()
    if post is None:
        return "not published"
    if post.publish_at > timezone.now():
        return "comes due later" if _later(start_mailing, post.publish_at, post_pk) else "not due"
    mailing, created = Mailing.objects.start(post)
    if not created:
        return "sent before"
    queued = mailing.queue()
    send_batch.enqueue(post_pk)
    return f"{queued} queued"


# --- the email ------------------------------------------------------------


def list_id():
    return f"{mail.one_line(settings.BLOG_TITLE)} <posts.{mail.site_host()}>"


def rendered(post):
    """(stand-in, text, html): ``post``'s email with a stand-in where each
    subscriber's own token goes, the same for every subscriber, so a batch
    renders it once. The stand-in is lowercase hex and hyphens, which neither
    a URL nor HTML escapes (nor do they escape a signed token: base64url and
    a colon), and new at each call: no text of a post can contain it, so an
    editor cannot make a post carry each reader's token elsewhere."""
    stand_in = f"subscriber-token-{secrets.token_hex(16)}"
    post_url = settings.SITE_URL + post.get_absolute_url()
    context = {
        "post": post,
        "blog_title": settings.BLOG_TITLE,
        "full_content": settings.NEWSLETTER_FULL_TEXT,
        "body_html": markup.with_absolute_urls(post.body_html, post_url)
        if settings.NEWSLETTER_FULL_TEXT
        else "",
        "post_url": post_url,
        "unsubscribe_url": settings.SITE_URL + reverse("newsletter:unsubscribe", args=[stand_in]),
        "preferences_url": settings.SITE_URL + reverse("newsletter:preferences", args=[stand_in]),
    }
    return (
        stand_in,
        render_to_string("newsletter/email/post.txt", context),
        render_to_string("newsletter/email/post.html", context),
    )


def message_for(post, subscriber, connection=None, parts=None):
    """The email of ``post`` for ``subscriber``: HTML and plain text, the
    post's summary or (NEWSLETTER_FULL_TEXT) its body with absolute
    addresses, its references and always its disclaimers, and the
    subscriber's own links (RFC 8058 one-click unsubscribe, preferences).
    ``parts``: ``rendered(post)``, when a batch rendered it already."""
    token = links.subscriber_token(subscriber)
    stand_in, *texts = parts or rendered(post)
    text, html = (part.replace(stand_in, token) for part in texts)
    targets = [f"<{settings.SITE_URL}{reverse('newsletter:unsubscribe', args=[token])}>"]
    if settings.NEWSLETTER_UNSUBSCRIBE_EMAIL:
        targets.append(
            f"<mailto:{settings.NEWSLETTER_UNSUBSCRIBE_EMAIL}?subject=unsubscribe%20{token}>"
        )
    message = EmailMultiAlternatives(
        subject=mail.one_line(post.title, mail.SUBJECT_MAX_LENGTH),
        body=text,
        to=[subscriber.email],
        connection=connection,
        headers={
            "Auto-Submitted": "auto-generated",
            "Message-ID": make_msgid(domain=mail.site_host()),
            "List-Id": list_id(),
            "List-Unsubscribe": ", ".join(targets),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


TEST_PREFIX = "[Test] "


def sample_message(post, email=""):
    """The email of ``post`` as a subscriber would get it, for the editor's
    preview and test (``email``: where the test goes). Made by
    ``message_for`` for a subscriber that is not stored: its links to
    unsubscribe and to preferences have the subscriber's form, and lead
    nowhere."""
    return message_for(post, Subscriber(email=email))


def message_for_test(post, email):
    """The test an editor sends to ``email``: the email, its subject marked."""
    message = sample_message(post, email)
    message.subject = mail.one_line(TEST_PREFIX + post.title, mail.SUBJECT_MAX_LENGTH)
    return message


# --- sending ----------------------------------------------------------------


def _due(now, by):
    """Queued deliveries a worker may take now: not waiting for a retry, and
    not held by another worker's batch (unless its claim is stale: killed),
    or held by this same task ``by`` (its earlier run, killed)."""
    stale = now - dt.timedelta(minutes=settings.NEWSLETTER_CLAIM_MINUTES)
    mine = Q(claimed_by=by) if by else Q(pk__in=[])
    return (
        Q(state=Delivery.State.QUEUED)
        & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale) | mine)
    )


def claim(post_pk, now, by=""):
    """Take up to NEWSLETTER_BATCH_SIZE deliveries of ``post_pk`` for the
    task ``by`` (its result id), in one short transaction: rows locked by
    another worker at the same moment are skipped (PostgreSQL), and the claim
    is committed before anything is sent. The rows an earlier run of the same
    task claimed come first."""
    with transaction.atomic():
        rows = Delivery.objects.filter(_due(now, by), post_id=post_pk).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        pks = list(rows.values_list("pk", flat=True)[: settings.NEWSLETTER_BATCH_SIZE])
        Delivery.objects.filter(pk__in=pks).update(claimed_at=now, claimed_by=by)
    return list(Delivery.objects.filter(pk__in=pks).select_related("subscriber").order_by("pk"))


def _record(delivery, **fields):
    """Record one delivery's outcome at once (its own UPDATE, committed): a
    worker killed after it never sends it again."""
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=None, claimed_by="", **fields)


def deliver(post, rows, now):
    """Send ``rows`` over one SMTP connection, recording each as it goes.
    Returns False when the server failed as a whole (the rest are released,
    still queued)."""
    smtp = get_connection()
    parts = rendered(post)
    quick = connection.vendor == "postgresql"
    try:
        if quick:
            # Each outcome's commit is not waited onto disk (PostgreSQL's
            # synchronous_commit, for this batch only): visible to every
            # worker at once, so a killed worker loses nothing, and two
            # milliseconds less per email. Only a crash of the database
            # itself may forget the last fraction of a second of outcomes,
            # whose emails would then go again.
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        smtp.open()
        for delivery in rows:
            if delivery.subscriber.status != Subscriber.Status.ACTIVE:
                _record(delivery, state=Delivery.State.FAILED)  # paused or left meanwhile
                continue
            attempts = delivery.attempts + 1
            try:
                smtp.send_messages([message_for(post, delivery.subscriber, smtp, parts)])
            except smtplib.SMTPRecipientsRefused as error:
                code = min(code for code, _ in error.recipients.values())
                if code >= 500:
                    _record(delivery, state=Delivery.State.REFUSED, attempts=attempts)
                    Subscriber.objects.filter(pk=delivery.subscriber_id).update(
                        status=Subscriber.Status.UNDELIVERABLE, status_changed_at=now
                    )
                elif attempts >= settings.MAIL_SEND_ATTEMPTS:
                    _record(delivery, state=Delivery.State.FAILED, attempts=attempts)
                else:
                    delay = dt.timedelta(seconds=mail.retry_delay(attempts))
                    _record(delivery, attempts=attempts, retry_at=now + delay)
            else:
                _record(
                    delivery, state=Delivery.State.SENT, attempts=attempts, sent_at=timezone.now()
                )
    except (smtplib.SMTPException, OSError):
        logger.warning("newsletter batch stopped: mail server failed", exc_info=True)
        Delivery.objects.filter(
            pk__in=[row.pk for row in rows], state=Delivery.State.QUEUED
        ).update(claimed_at=None, claimed_by="")
        return False
    finally:
        smtp.close()
        if quick:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    return True


@task(takes_context=True)
def send_batch(context, post_pk, attempt=1):
    """Send the next batch of ``post_pk``'s queued deliveries; queue the next.
    The rows are claimed under this task's id: should the worker be killed
    and started again, this same task (queued again by core's task_worker)
    takes them back at once."""
    return send_next(post_pk, attempt, by=str(context.task_result.id))


def send_next(post_pk, attempt=1, by=""):
    """The work of ``send_batch``, for the task ``by``."""
    mailing = (
        Mailing.objects.filter(post_id=post_pk)
        .select_related("post")
        # What every email of the batch shows, read once for the batch.
        .prefetch_related("post__references", "post__post_disclaimers__disclaimer")
        .first()
    )
    if mailing is None or mailing.paused:
        return "paused"
    now = timezone.now()
    rows = claim(post_pk, now, by=by)
    if not rows:
        _retry_later(post_pk)
        return "nothing due"
    # Should this worker be killed and never come back, a later run takes
    # its batch again.
    _later(
        send_batch,
        now + dt.timedelta(minutes=settings.NEWSLETTER_CLAIM_MINUTES, seconds=1),
        post_pk,
    )
    if not deliver(mailing.post, rows, now):
        if attempt >= settings.MAIL_SEND_ATTEMPTS:
            raise RuntimeError(f"mail server failed {attempt} times; post {post_pk} left queued")
        delay = dt.timedelta(seconds=mail.retry_delay(attempt))
        if not _later(send_batch, now + delay, post_pk, attempt + 1):
            send_batch.enqueue(post_pk, attempt=attempt + 1)
        return "mail server failed; batch queued again"
    send_batch.enqueue(post_pk)
    return f"{len(rows)} handled"


def _retry_later(post_pk):
    """Nothing due now: wake up for the first temporary refusal's retry."""
    retry_at = Delivery.objects.filter(
        post_id=post_pk, state=Delivery.State.QUEUED, retry_at__isnull=False
    ).aggregate(first=Min("retry_at"))["first"]
    if retry_at is not None:
        _later(send_batch, retry_at, post_pk)
