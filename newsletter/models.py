"""Readers who follow the blog by email, and what was sent to whom.

A ``Subscriber`` is one address, stored in its normal form (core.emails:
the one rule the comments use too), found by exact equality with the normal
form of what was typed. It follows all posts or chosen topics, and is in one
of five states: pending (asked, not confirmed), active, paused,
undeliverable (the mail server refused it for good) or unsubscribed.

Double opt-in (docs/readers.md, Following by email): nothing but the
confirmation link is mailed to an address until its owner confirms.
``SubscriberQuerySet.asked`` records a request and says whether a
confirmation may be mailed (at most one per address per
NEWSLETTER_CONFIRMATION_MINUTES, decided by one conditional UPDATE, so two
requests at once never both send); ``Subscriber.confirm`` takes the topics
the link carries and makes the subscription active.

A ``Delivery`` is one post for one subscriber, unique together: the record
that makes each email go once.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from articles.models import Post, Topic
from core.emails import MAX_LENGTH, normalize_email, validate_email_address

# Sent when the mailings of ``post_pks`` have deliveries to send: a batch is
# queued for each once the transaction commits (newsletter.sending, connected
# in NewsletterConfig.ready; the sending module reads these models).
batches_due = Signal()


class SubscriberQuerySet(models.QuerySet):
    def by_address(self, email):
        """The subscription of ``email`` (typed in any form), as a queryset
        of at most one; none for an address without a normal form."""
        try:
            return self.filter(email=normalize_email(email))
        except ValueError:
            return self.none()

    def active(self):
        return self.filter(status=Subscriber.Status.ACTIVE)

    def with_delivery_total(self):
        """Each with ``delivery_total``: the send records kept for it."""
        return self.annotate(delivery_total=models.Count("deliveries"))

    def erase(self):
        """Delete these subscriptions with their topics and send records, at
        their readers' request (the link in any email, or the deletion asked
        for by address). Returns how many send records went with them."""
        _, per_model = self.delete()
        return per_model.get(Delivery._meta.label, 0)

    def asked(self, email, now=None):
        """Someone asked to subscribe ``email`` (its normal form): the
        subscription is made pending when there is none, and returned when a
        confirmation may be mailed to it now, else None (one went there less
        than NEWSLETTER_CONFIRMATION_MINUTES ago, or the address is
        undeliverable). Nothing else about an existing subscription changes
        until its owner confirms."""
        now = now or timezone.now()
        subscriber, _ = self.get_or_create(email=email)
        if subscriber.status == Subscriber.Status.UNDELIVERABLE:
            return None
        since = now - timezone.timedelta(minutes=settings.NEWSLETTER_CONFIRMATION_MINUTES)
        claimed = (
            self.filter(pk=subscriber.pk)
            .filter(Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=since))
            .update(confirmation_sent_at=now)
        )
        if not claimed:
            return None
        subscriber.confirmation_sent_at = now
        return subscriber

    def expired_pending(self, now=None):
        """Pending subscriptions asked for more than NEWSLETTER_PENDING_DAYS ago."""
        now = now or timezone.now()
        before = now - timezone.timedelta(days=settings.NEWSLETTER_PENDING_DAYS)
        return self.filter(status=Subscriber.Status.PENDING, created_at__lt=before)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        ACTIVE = "active", "active"
        PAUSED = "paused", "paused"
        UNDELIVERABLE = "undeliverable", "undeliverable"
        UNSUBSCRIBED = "unsubscribed", "unsubscribed"

    email = models.EmailField(
        max_length=MAX_LENGTH, unique=True, validators=[validate_email_address]
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    all_posts = models.BooleanField(
        default=True, help_text="Follows every post; otherwise only posts on its topics."
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"subscriber {self.pk} ({self.status})"

    def confirm(self, topic_ids, sent_at, now=None):
        """Confirm the subscription with the topics the link carries (None:
        all posts), if the link (mailed at ``sent_at``) is the latest one and
        has not been used. Returns whether it was confirmed."""
        now = now or timezone.now()
        updated = (
            Subscriber.objects.filter(pk=self.pk, confirmation_sent_at=sent_at)
            .filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=sent_at))
            .update(
                status=Subscriber.Status.ACTIVE,
                confirmed_at=now,
                status_changed_at=now,
                all_posts=topic_ids is None,
            )
        )
        if not updated:
            return False
        self.topics.set(Topic.objects.filter(pk__in=topic_ids or []))
        self.refresh_from_db()
        return True

    # --- the subscriber's own choices (the links in every email) ----------
    def unsubscribe(self, now=None):
        """Stop all mail to this address (kept, unsubscribed, until deleted)."""
        return self._move({self.Status.ACTIVE, self.Status.PAUSED}, self.Status.UNSUBSCRIBED, now)

    def resubscribe(self, now=None):
        """Back in, from the unsubscribe page (the address was confirmed once)."""
        return self._move({self.Status.UNSUBSCRIBED}, self.Status.ACTIVE, now)

    def set_preferences(self, topic_ids, paused, now=None):
        """Follow every post (``topic_ids`` None) or these topics; pause or go on."""
        target = self.Status.PAUSED if paused else self.Status.ACTIVE
        if self.status in (self.Status.ACTIVE, self.Status.PAUSED) and self.status != target:
            self._move({self.status}, target, now)
        Subscriber.objects.filter(pk=self.pk).update(all_posts=topic_ids is None)
        self.all_posts = topic_ids is None
        self.topics.set(Topic.objects.filter(pk__in=topic_ids or []))

    def _move(self, from_states, to_state, now=None):
        """Change the status from one of ``from_states`` (one UPDATE, so a
        concurrent change wins or loses whole). Returns whether it moved."""
        now = now or timezone.now()
        moved = Subscriber.objects.filter(pk=self.pk, status__in=from_states).update(
            status=to_state, status_changed_at=now
        )
        if moved:
            self.status, self.status_changed_at = to_state, now
        return bool(moved)


class MailingQuerySet(models.QuerySet):
    def with_progress(self):
        """Each mailing with its deliveries counted by state (``*_total``),
        in the same query however many mailings."""
        counts = {
            f"{state}_total": models.Count(
                "post__newsletter_deliveries", filter=Q(post__newsletter_deliveries__state=state)
            )
            for state in Delivery.State.values
        }
        return self.annotate(delivery_total=models.Count("post__newsletter_deliveries"), **counts)

    def pause(self):
        """Stop sending these mailings (the batch under way finishes)."""
        return self.filter(paused=False).update(paused=True)

    def resume(self):
        """Go on sending these mailings where they stopped."""
        posts = list(self.filter(paused=True).values_list("post_id", flat=True))
        self.filter(post_id__in=posts).update(paused=False)
        batches_due.send(sender=Mailing, post_pks=posts)
        return len(posts)

    def last(self):
        return self.select_related("post").order_by("-created_at", "-pk").first()

    def start(self, post):
        """The post's mailing, made the first time the post is published:
        (mailing, created). A post published again finds its mailing and is
        not sent again."""
        return self.get_or_create(post=post)


class Mailing(models.Model):
    """A post sent to its subscribers: made once per post, so a post
    unpublished and published again is not sent twice."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    paused = models.BooleanField(default=False)

    objects = MailingQuerySet.as_manager()

    def __str__(self):
        return f"mailing of post {self.post_id}"

    def followers(self):
        """The active subscribers who follow the post now: all posts, or one
        of its topics."""
        topics = Post.topics.through.objects.filter(post_id=self.post_id).values("topic_id")
        on_topic = Subscriber.topics.through.objects.filter(topic_id__in=topics)
        return Subscriber.objects.active().filter(
            Q(all_posts=True) | Q(pk__in=on_topic.values("subscriber_id"))
        )

    def queue(self):
        """A Delivery, queued, for every active subscriber who follows the
        post (all posts, or one of its topics) and has none for it yet.
        Returns how many were queued."""
        followers = self.followers().exclude(
            pk__in=Delivery.objects.filter(post_id=self.post_id).values("subscriber_id")
        )
        rows = [
            Delivery(post_id=self.post_id, subscriber_id=pk)
            for pk in followers.values_list("pk", flat=True)
        ]
        Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        return len(rows)

    def not_received(self):
        """The followers now who have not received the post: subscribed
        since it was sent, or their email failed (a refused address is no
        longer active). Those it is on its way to are not among them."""
        have_it = Delivery.objects.filter(post_id=self.post_id).exclude(
            state=Delivery.State.FAILED
        )
        return self.followers().exclude(pk__in=have_it.values("subscriber_id"))

    @property
    def may_send_again(self):
        """Only a post still public is sent again."""
        return Post.objects.published().filter(pk=self.post_id).exists()

    def send_again(self):
        """Send the post, at an editor's explicit request, to ``not_received()``:
        the failed deliveries queued again, one queued for each new follower;
        a paused mailing goes on. Nobody gets it twice. Returns how many were
        queued (0, and nothing done, when the post is no longer public)."""
        if not self.may_send_again:
            return 0
        with transaction.atomic():
            failed = Delivery.objects.filter(
                post_id=self.post_id,
                state=Delivery.State.FAILED,
                subscriber__in=self.not_received(),
            )
            count = failed.update(
                state=Delivery.State.QUEUED, attempts=0, retry_at=None, claimed_at=None
            )
            count += self.queue()
            Mailing.objects.filter(pk=self.pk).update(paused=False)
            self.paused = False
            batches_due.send(sender=Mailing, post_pks=[self.post_id])
        return count


class Delivery(models.Model):
    """One post for one subscriber: created once, so sent once."""

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        REFUSED = "refused", "refused"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="newsletter_deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # A temporary refusal (4xx): not tried again before this.
    retry_at = models.DateTimeField(null=True, blank=True)
    # Taken by a worker's batch at this time; another worker takes it again
    # only once NEWSLETTER_CLAIM_MINUTES have passed (the first one was killed).
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The id of the task (send_batch's run) that claimed it: the same task,
    # queued again when its killed worker starts again, takes it back at once.
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["post", "subscriber"], name="one_delivery_per_pair")
        ]

    def __str__(self):
        return f"post {self.post_id} to subscriber {self.subscriber_id}: {self.state}"
