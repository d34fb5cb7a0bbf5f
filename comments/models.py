"""Comments and their approval queue.

``Comment.objects.approved()`` is the one definition of a public comment.
Every change of status goes through ``CommentQuerySet.set_status()`` (or the
``approve``/``reject``/``mark_spam`` shortcuts), which records who and when and
writes the admin's history log, in a fixed number of queries.
"""

import hashlib
import ipaddress
import re

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from articles.models import Post

NAME_MAX_LENGTH = 80
EMAIL_MAX_LENGTH = 254


def fingerprint(text):
    """The same words, whatever the case and spacing: used to spot duplicates."""
    normalised = " ".join(text.casefold().split())
    return hashlib.sha256(normalised.encode()).hexdigest()


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

    def public_thread(self, post):
        """A post's public thread, in one query however long it grows: its
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

    # --- moderation decisions -------------------------------------------
    def approve(self, by):
        return self.set_status(Comment.Status.APPROVED, by)

    def reject(self, by):
        return self.set_status(Comment.Status.REJECTED, by)

    def mark_spam(self, by):
        return self.set_status(Comment.Status.SPAM, by)

    def set_status(self, status, by):
        """Move every comment here to ``status``, recording ``by`` and the time.

        Comments already in that status are left alone. Whatever the number of
        comments: one query to read them, one update, one insert into the admin
        log, and one to tell the post pages whose public thread changed.
        Returns the number of comments changed.
        """
        now = timezone.now()
        with transaction.atomic():
            changing = list(
                self.exclude(status=status)
                .select_related(None)
                .only("pk", "post_id", "status", "name", "text")
                .order_by()
            )
            if not changing:
                return 0
            Comment.objects.filter(pk__in=[c.pk for c in changing]).update(
                status=status, status_changed_by=by, status_changed_at=now
            )
            LogEntry.objects.log_actions(
                by.pk, changing, CHANGE, f"Status changed to {Comment.Status(status).label}."
            )
            touched = {
                c.post_id
                for c in changing
                if Comment.Status.APPROVED in (c.status, status)  # public thread changes
            }
            if touched:
                Post.objects.filter(pk__in=touched).page_changed()
        return len(changing)


class CommentManager(models.Manager.from_queryset(CommentQuerySet)):
    def receive(self, post, *, name, email, text, ip_address, user_agent, trap=""):
        """Store a reader's comment, after the moderation rules have had their say.

        ``trap`` is why the form looks like a robot's (the honeypot, a tampered
        token): such a comment is stored as spam, never public. Otherwise the
        comment starts as ``Comment.screen()`` says. Moderators hear of new
        pending comments once they are committed (comments.signals).
        """
        comment = self.model(
            post=post,
            name=name,
            email=email,
            text=text,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:300],
        )
        if trap:
            comment.status, comment.held_reason = Comment.Status.SPAM, trap
        else:
            comment.status, comment.held_reason = comment.screen()
        comment.held_reason = comment.held_reason[:255]
        comment.save()
        return comment


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
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH, help_text="Never shown publicly.")
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
        self.fingerprint = self.fingerprint_of_text()
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

    @property
    def was_public(self):
        """Whether the comment was public when it was read from the database."""
        return getattr(self, "_loaded_status", None) == self.Status.APPROVED

    @property
    def is_public(self):
        return self.status == self.Status.APPROVED

    def set_status(self, status, by):
        """Move this comment to ``status`` through the one path every decision
        takes (``CommentQuerySet.set_status``: who, when, history, the post's page)."""
        Comment.objects.filter(pk=self.pk).set_status(status, by)
        self.refresh_from_db(fields=["status", "status_changed_by", "status_changed_at"])
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
