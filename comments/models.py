"""Comments and their approval queue.

``Comment.objects.approved()`` is the one definition of a public comment.
Every change of status goes through ``CommentQuerySet.set_status()`` (or the
``approve``/``reject``/``mark_spam`` shortcuts), which records who and when and
writes the admin's history log, in the same queries however many comments
change (tests/comments/test_moderation.py counts them); it queues the
approval notice a reader asked for, once.

Readers' rights: ``Comment.objects.by_address(email)`` is every comment a
reader sent from one address (core.emails: the address is stored in its
normal form and found by exact equality with the normal form of what was
typed, never by the database's ``lower()``), ``erase_address(email)``
deletes them at their request and leaves a ``CommentDeletion`` record without
personal data, and ``clear_network_data(before)`` forgets old network
addresses and browsers.
"""

import hashlib
import ipaddress
import re

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Count, F, Max, Q, Value, When
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import Truncator

from articles.models import Post
from core import locks
from core.emails import InvalidEmail, normalize_email, validate_email_address
from core.mail import breaks_the_line

from . import limits, trust

NAME_MAX_LENGTH = 80
EMAIL_MAX_LENGTH = 254


NOT_ONE_LINE = (
    "A name is one line of plain text: please take out the line breaks, tabs or "
    "other control characters (pasted text often brings them)."
)


def validate_one_line(value):
    """A name is one line of plain text (core.mail.breaks_the_line): it goes
    into mail and into the page's comment headings."""
    if any(breaks_the_line(c) for c in value):
        raise ValidationError(NOT_ONE_LINE, code="not_one_line")


def fingerprint(text):
    """The same words, whatever the case and spacing: used to spot duplicates."""
    normalised = " ".join(text.casefold().split())
    return hashlib.sha256(normalised.encode()).hexdigest()


# Sent inside ``CommentQuerySet.set_status``'s transaction with the comments
# approved for the first time whose readers asked to be told (``pks``): their
# notices are queued for after the commit (comments/signals.py; the notices'
# module reads these models).
approval_notices_due = Signal()


class CommentQuerySet(models.QuerySet):
    # --- what is where --------------------------------------------------
    def approved(self):
        """The one definition of a public comment."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def rejected(self):
        return self.filter(status=Comment.Status.REJECTED)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def by_address(self, email):
        """The comments a reader sent from ``email`` (staff replies are not a
        reader's): those whose stored address is the normal form of ``email``
        (core.emails), compared exactly, through the index on the address.
        An address without a normal form has none."""
        try:
            normal = normalize_email(email)
        except InvalidEmail:
            return self.none()
        return self.filter(email=normal, is_staff_reply=False)

    def address_state(self):
        """(how many, the newest id) of these comments: it changes whenever one is
        added or deleted, since ids are never reused."""
        state = self.aggregate(count=Count("pk"), last=Max("pk"))
        return [state["count"], state["last"]]

    def post_total(self):
        """On how many posts these comments are."""
        return self.order_by().values("post_id").distinct().count()

    def confirmed_by_link(self, pk, key):
        """What the link in an approval notice (comments.trust) opens: the
        comment ``pk`` while it and its post are public (else None), and
        whether the link proves the comment's address now: with
        COMMENTS_TRUST_RETURNING, while ``key`` (the address the link was
        mailed to, ``trust.address_key``) is still the comment's."""
        comment = self.select_related("post").filter(pk=pk, is_staff_reply=False).first()
        if comment is None or not comment.is_public or not comment.post.is_public:
            return None, False
        return comment, settings.COMMENTS_TRUST_RETURNING and trust.proves(key, comment.email)

    def public_thread(self, post):
        """A post's public thread, read at once however long it grows: its
        approved comments oldest first, each with its approved staff replies in
        ``public_replies`` (a reply under a comment that is not public is not
        public either)."""
        approved = list(self.approved().filter(post=post).order_by("created_at", "pk"))
        thread = {c.pk: c for c in approved if c.parent_id is None}
        for comment in thread.values():
            comment.public_replies = []
        for reply in approved:
            if reply.parent_id in thread:
                thread[reply.parent_id].public_replies.append(reply)
        return list(thread.values())

    def public_count(self, post):
        """How many comments a post's page shows (its public thread with the
        staff replies under public comments), counted by the database."""
        return (
            self.approved()
            .filter(post=post)
            .filter(Q(parent__isnull=True) | Q(parent__status=Comment.Status.APPROVED))
            .count()
        )

    # --- moderation decisions -------------------------------------------
    def approve(self, by):
        return self.set_status(Comment.Status.APPROVED, by)

    def reject(self, by):
        return self.set_status(Comment.Status.REJECTED, by)

    def mark_spam(self, by):
        return self.set_status(Comment.Status.SPAM, by)

    def set_status(self, status, by, note=""):
        """Move every comment here to ``status``, recording ``by`` and the time.

        ``by`` is the moderator, or None for a decision the site made by itself
        (a trusted commenter's comment), which ``note`` explains to moderators;
        a moderator's decision clears an earlier note.

        Comments already in that status are left alone. The others are read
        (and, on PostgreSQL, locked), changed, logged in the admin's history
        (a moderator's decisions) and their post pages told, each step once
        for them all, however many they are. Comments approved for the
        first time whose readers asked for it get their approval notice, queued
        after the commit; the notice is marked in the same update, so it is sent
        once, however often the comment is approved again.
        Returns the number of comments changed.
        """
        now = timezone.now()
        with transaction.atomic():
            changing = list(
                self.exclude(status=status)
                .select_related(None)
                # Two moderators deciding at once: the second waits and re-reads,
                # so each change (and each notice) happens once. (SQLite's
                # IMMEDIATE transactions serialise writers anyway.)
                .select_for_update(of=("self",))
                .only(
                    "pk", "post_id", "status", "name", "text",
                    "notify_on_approval", "approval_notice_at",
                )
                .order_by()
            )  # fmt: skip
            if not changing:
                return 0
            tell = [
                c.pk
                for c in changing
                if status == Comment.Status.APPROVED
                and c.notify_on_approval
                and c.approval_notice_at is None
            ]
            changes = {
                "status": status,
                "status_changed_by": by,
                "status_changed_at": now,
                "status_note": note[:255],
            }
            if tell:
                changes["approval_notice_at"] = Case(
                    When(pk__in=tell, then=Value(now)), default=F("approval_notice_at")
                )
            Comment.objects.filter(pk__in=[c.pk for c in changing]).update(**changes)
            if by is not None:
                LogEntry.objects.log_actions(
                    by.pk, changing, CHANGE, f"Status changed to {Comment.Status(status).label}."
                )
            touched = {
                c.post_id
                for c in changing
                if Comment.Status.APPROVED in (c.status, status)  # public thread changes
            }
            if touched:
                Post.objects.filter(pk__in=touched).mark_pages_changed()
            if tell:
                approval_notices_due.send(sender=Comment, pks=tell)
        return len(changing)

    def clear_network_data(self, before, batch_size=1000):
        """Forget the network address and browser of comments posted before
        ``before``, ``batch_size`` rows per UPDATE (each its own transaction, so
        no lock is held for long). Returns how many comments had something
        cleared. Running it again, or twice at once, clears nothing twice: each
        UPDATE matches only rows that still hold something."""
        holding = self.filter(created_at__lt=before).filter(
            Q(ip_address__isnull=False) | ~Q(user_agent="")
        )
        cleared = 0
        while True:
            batch = holding.order_by().values("pk")[:batch_size]
            done = holding.filter(pk__in=batch).update(ip_address=None, user_agent="")
            cleared += done
            if done < batch_size:
                return cleared


class CommentManager(models.Manager.from_queryset(CommentQuerySet)):
    def receive(
        self,
        post,
        *,
        name,
        email,
        text,
        client,
        user_agent,
        trap="",
        notify_on_approval=False,
        proof=None,
    ):
        """Store a reader's comment, once ``comments.rules`` has let it through.

        ``client`` (core.client_ip.Client, worked out once at the door) sent
        it: its address is stored for moderators, and the stored comment
        counts toward its rate limit (comments.limits; a form refused or not
        stored counts only toward the cap on forms sent).

        ``trap`` is why the form looks like a robot's (the honeypot, a tampered
        token): such a comment is stored as spam, never public. Otherwise the
        comment starts as ``Comment.screen()`` says, and a plain pending one
        is approved at once when ``proof`` (comments.trust: what the sender's
        browser proved) makes it trusted (``trusted_because``). Moderators
        hear of new pending comments once they are committed (comments.signals).
        """
        comment = self.model(
            post=post,
            name=name,
            email=email,
            text=text,
            ip_address=client.address,
            user_agent=(user_agent or "")[:300],
            notify_on_approval=notify_on_approval,
        )
        with transaction.atomic():
            # The duplicate rule reads, then this writes: under a lock on the
            # text, the same words sent at the same moment are screened one
            # after the other, each seeing the one stored before it.
            locks.transaction_lock(f"comments.text:{comment.fingerprint_of_text()}")
            if trap:
                comment.status, comment.held_reason = Comment.Status.SPAM, trap
            else:
                comment.status, comment.held_reason = comment.screen()
            comment.held_reason = comment.held_reason[:255]
            comment.save()
            if comment.status == Comment.Status.PENDING and not comment.held_reason:
                trusted = comment.trusted_because(proof)
                if trusted:
                    comment.set_status(Comment.Status.APPROVED, by=None, note=trusted)
        limits.counted(client)
        return comment

    def erase_address(self, email, expected_state=None):
        """Delete every comment sent from ``email`` at its reader's request, with
        the staff replies under them, and record that it happened.

        Rows are deleted, not blanked: a reply may quote the comment it answers,
        so it goes too, and nothing is left to leak or to filter out everywhere.
        The admin history of these comments keeps who decided what and when,
        but its description (the name and the start of the text) is replaced.
        The record (``CommentDeletion``) says when, how many and on which posts;
        nothing in it leads back to the address.

        ``expected_state`` is ``by_address(email).address_state()`` as it was
        when the reader asked: if the comments changed since (deleted already,
        or a new one), nothing happens and None is returned. Each step is done
        once for all the comments, however many they are.
        """
        with transaction.atomic():
            own = list(
                self.by_address(email)
                .select_for_update(of=("self",))
                .order_by()
                .values_list("pk", "post_id", "status")
            )
            state = [len(own), max((pk for pk, _, _ in own), default=None)]
            if not own or (expected_state is not None and list(expected_state) != state):
                return None
            pks = [pk for pk, _, _ in own]
            replies = list(self.filter(parent_id__in=pks).values_list("pk", flat=True))
            public_posts = {
                post_id for _, post_id, status in own if status == Comment.Status.APPROVED
            }
            if public_posts:
                Post.objects.filter(pk__in=public_posts).mark_pages_changed()
            # Out of every public thread in one UPDATE (the pages were told just
            # now), so the deletion's signals have nothing to do per comment.
            everything = Comment.objects.filter(pk__in=pks + replies)
            everything.update(status=Comment.Status.REJECTED)
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Comment),
                object_id__in=[str(pk) for pk in pks + replies],
            ).update(object_repr="comment deleted at its author's request")
            everything.delete()
            record = CommentDeletion.objects.create(
                comment_count=len(pks),
                approved_count=sum(status == Comment.Status.APPROVED for _, _, status in own),
                reply_count=len(replies),
            )
            record.posts.add(*{post_id for _, post_id, _ in own})
        return record


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The comment this staff reply answers.",
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_one_line])
    email = models.EmailField(
        max_length=EMAIL_MAX_LENGTH,
        validators=[validate_email_address],
        help_text="Never shown publicly. Stored in its normal form (core.emails).",
    )
    text = models.TextField("comment")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    held_reason = models.CharField(
        "held because",
        max_length=255,
        blank=True,
        help_text="Why the spam rules held this comment or sent it to spam (moderators only).",
    )
    fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    ip_address = models.GenericIPAddressField("client address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField("posted", default=timezone.now, db_index=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="status changed by",
    )
    status_changed_at = models.DateTimeField("status changed", null=True, blank=True)
    status_note = models.CharField(
        "decided because",
        max_length=255,
        blank=True,
        help_text="Why the site made the last decision by itself (moderators only).",
    )
    notify_on_approval = models.BooleanField(
        "email on approval",
        default=False,
        help_text="The reader asked to be emailed when this comment is approved.",
    )
    approval_notice_at = models.DateTimeField(
        "approval notice queued",
        null=True,
        blank=True,
        editable=False,
        help_text="When the approval email was queued (it is sent once).",
    )
    is_staff_reply = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comment_replies",
        help_text="The staff member who wrote this reply.",
    )

    objects = CommentManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        indexes = [
            # A post's public thread: its approved comments, oldest first.
            models.Index(fields=["post", "status", "created_at"], name="comment_thread_idx"),
            # The moderation queue: one status, newest first (the admin's
            # ordering), read in order from the index whatever the table's size.
            models.Index(fields=["status", "-created_at", "-id"], name="comment_queue_idx"),
            # A reader's comments by address, in its normal form (trust, deletion).
            models.Index(fields=["email"], name="comment_email_idx"),
            # Comments still holding a network address or browser, by age: the
            # retention command reads only these, however large the table.
            models.Index(
                fields=["created_at"],
                condition=Q(ip_address__isnull=False) | ~Q(user_agent=""),
                name="comment_network_data_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(is_staff_reply=True),
                name="comment_only_staff_replies",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {Truncator(self.text).chars(60)}"

    def save(self, *args, **kwargs):
        """The address is stored in its normal form (core.emails); forms refuse
        one that has none. A staff reply keeps its author's address as it is
        when it has none (it is nobody's reader address)."""
        self.fingerprint = self.fingerprint_of_text()
        if self.email:
            try:
                self.email = normalize_email(self.email)
            except InvalidEmail:
                if not self.is_staff_reply:
                    raise
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def fingerprint_of_text(self):
        return fingerprint(self.text)

    def screen(self):
        """(status, reason) for a new reader's comment, from the link count, the
        moderators' blocklist and duplicates: spam, held or plain pending."""
        links = count_links(self.text)
        if links > settings.COMMENTS_MAX_LINKS:
            return self.Status.SPAM, (
                f"{links} links (more than {settings.COMMENTS_MAX_LINKS} go to spam)"
            )

        held = None
        for term in BlockedTerm.objects.all():
            if term.matches(self):
                reason = f"contains the blocked term “{term.term}”"
                if term.action == BlockedTerm.Action.SPAM:
                    return self.Status.SPAM, reason
                held = held or reason

        same_text = (
            Comment.objects.filter(fingerprint=self.fingerprint_of_text(), is_staff_reply=False)
            .order_by("-created_at")
            .values_list("pk", "post_id")
        )
        duplicates = list(same_text[:20])
        on_this_post = [pk for pk, post_id in duplicates if post_id == self.post_id]
        if on_this_post:
            return self.Status.SPAM, f"duplicate of comment #{on_this_post[0]} on this post"
        if duplicates:
            return self.Status.PENDING, (
                f"same text as comment #{duplicates[0][0]} on another post"
            )

        return self.Status.PENDING, held or ""

    def trusted_because(self, proof=None):
        """Why this new comment may be approved at once, or "" when it may not.

        COMMENTS_TRUST_RETURNING: the sender's browser proved this address
        (``proof``, comments.trust: it opened the link mailed to it) and the
        address already has an approved comment. Typing a known address is
        not enough."""
        if not settings.COMMENTS_TRUST_RETURNING or not trust.proves(proof, self.email):
            return ""
        approved = Comment.objects.approved().by_address(self.email).exclude(pk=self.pk).count()
        if not approved:
            return ""
        return (
            "approved automatically: this browser confirmed the address from an emailed "
            f"link, and the address has {approved} approved comment{'s' if approved != 1 else ''}"
        )

    @property
    def was_public(self):
        """Whether the comment was public when it was read from the database."""
        return getattr(self, "_loaded_status", None) == self.Status.APPROVED

    @property
    def is_public(self):
        return self.status == self.Status.APPROVED

    def set_status(self, status, by, note=""):
        """Move this comment to ``status`` through the one path every decision
        takes (``CommentQuerySet.set_status``: who, when, history, the post's page)."""
        Comment.objects.filter(pk=self.pk).set_status(status, by, note=note)
        self.refresh_from_db(
            fields=[
                "status", "status_changed_by", "status_changed_at", "status_note",
                "approval_notice_at",
            ]
        )  # fmt: skip
        self._loaded_status = self.status

    def reply_refusal(self, status=None):
        """Why a staff reply may not go under this comment (in ``status``, if the
        same save changes it), or "" when it may.

        A reply is published at once, and replying to a comment still in the
        queue approves it; a comment a moderator rejected or marked as spam
        stays out of sight, so it gets no reply.
        """
        status = status or self.status
        if self.parent_id is not None:
            return "Staff replies go under a reader's comment, not under another reply."
        if status in (self.Status.REJECTED, self.Status.SPAM):
            return (
                f"This comment is {self.Status(status).label.lower()}: a reply would "
                "publish it. Approve the comment first, or leave it without a reply."
            )
        return ""

    def reply(self, text, by):
        """A staff reply from ``by``, approved at once; answering a comment that
        still waits in the queue approves it too (both recorded)."""
        refusal = self.reply_refusal()
        if refusal:
            raise ValidationError(refusal, code="no_reply")
        now = timezone.now()
        with transaction.atomic():
            if self.status != self.Status.APPROVED:
                Comment.objects.filter(pk=self.pk).approve(by=by)
                self.refresh_from_db()
            return Comment.objects.create(
                post_id=self.post_id,
                parent=self,
                name=by.get_full_name() or by.get_username(),
                email=by.email,
                text=text,
                status=self.Status.APPROVED,
                status_changed_by=by,
                status_changed_at=now,
                is_staff_reply=True,
                user=by,
            )


class CommentDeletion(models.Model):
    """A reader had all their comments deleted: when, how many, on which posts.

    No personal data, and nothing derived from the address (not even a hash:
    an unsalted hash of an address is found again by hashing a known one).
    """

    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)
    comment_count = models.PositiveIntegerField("comments deleted")
    approved_count = models.PositiveIntegerField(
        "of them public", help_text="How many of them were approved (on the site)."
    )
    reply_count = models.PositiveIntegerField(
        "staff replies deleted", help_text="Staff replies under them, deleted with them."
    )
    posts = models.ManyToManyField(Post, related_name="+", blank=True)

    class Meta:
        ordering = ["-deleted_at", "-pk"]
        get_latest_by = "deleted_at"
        verbose_name = "deletion at a reader's request"
        verbose_name_plural = "deletions at readers' request"

    def __str__(self):
        when = timezone.localtime(self.deleted_at).strftime("%Y-%m-%d %H:%M")
        return (
            f"{self.comment_count} comment{'s' if self.comment_count != 1 else ''} deleted {when}"
        )


class BlockedTerm(models.Model):
    class Action(models.TextChoices):
        SPAM = "spam", "Send to spam"
        HOLD = "hold", "Hold for a moderator"

    term = models.CharField(
        max_length=200,
        unique=True,
        help_text=(
            "A word, a web or email address, or part of one (casino, example.net, "
            "@spam.example), matched anywhere in the name, email or comment, "
            "ignoring case. An IP address (203.0.113.7) matches the sender's address."
        ),
    )
    action = models.CharField(max_length=4, choices=Action.choices, default=Action.SPAM)
    note = models.CharField(max_length=200, blank=True, help_text="Why it is blocked.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = "blocked word or address"
        verbose_name_plural = "blocked words and addresses"

    def __str__(self):
        return self.term

    def save(self, *args, **kwargs):
        self.term = self.term.strip()
        super().save(*args, **kwargs)

    @property
    def ip_address(self):
        try:
            return str(ipaddress.ip_address(self.term))
        except ValueError:
            return None

    def matches(self, comment):
        address = self.ip_address
        if address is not None:
            return comment.ip_address is not None and str(comment.ip_address) == address
        needle = self.term.casefold()
        return any(needle in (value or "").casefold() for value in _searched(comment))


def _searched(comment):
    return [comment.name, comment.email, comment.text]


URL_PATTERN = re.compile(r"(?:https?://|ftp://|www\.)\S+|\[url=", re.IGNORECASE)


def count_links(text):
    return len(URL_PATTERN.findall(text))
