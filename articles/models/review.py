"""Medical review: who checked a post, when, and the review step of publishing.

* ``Reviewer``: a person readers can look up (name, credentials, short bio,
  profile link), with a public bio page, optionally linked to a user account
  (a member of the Reviewers group) for the workflow.
* ``ReviewFields``: the review fields of a post (``Post`` inherits them) and
  every change of its review state, as model methods: the admin's buttons,
  its bulk actions and any command call these, and nothing else sets them.
* ``ReviewEvent``: the audit record of each step (who, when, what, a note),
  shown on the post's change form; each step also writes the admin history
  (``LogEntry``) when a person took it.

``MEDICAL_REVIEW_REQUIRED`` (off by default) makes review a step of
publishing: an editor submits a post, a reviewer approves it or sends it back
with a note, only an approved post can be published, and a change to an
approved post's body or references sends it back for review. With the
setting off, "Mark as reviewed" records a review and nothing else changes.
"""

import calendar
import datetime as dt

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from core.text import OneLineField, OneLineURLField, PlainTextField

from .profiles import PublicProfile

REVIEW_PERMISSION = "articles.review_post"


def review_required():
    """Is review a step of publishing (``MEDICAL_REVIEW_REQUIRED``)?"""
    return bool(getattr(settings, "MEDICAL_REVIEW_REQUIRED", False))


def review_months():
    return int(getattr(settings, "MEDICAL_REVIEW_MONTHS", 12))


def months_before(day, months):
    """The same day ``months`` months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due_cutoff(today=None):
    """A review on or after this day is still current; older ones are due."""
    return months_before(today or timezone.localdate(), review_months())


def _lines(text):
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


class Reviewer(PublicProfile):
    name = OneLineField(max_length=120, help_text="As readers see it: Jane Doe.")
    credentials = OneLineField(
        max_length=80,
        blank=True,
        help_text="Degrees and licences after the name, comma separated: RD, PhD.",
    )
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The end of the bio page's address: /blog/reviewers/your-slug/.",
    )
    bio = PlainTextField(
        max_length=1500,
        help_text="A short biography for readers: training, experience, what they review. "
        "Plain text; a blank line starts a new paragraph.",
    )
    profile_url = OneLineURLField(
        "profile link",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Optional: a professional profile or registry entry (https://…).",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewer_profile",
        help_text="The reviewer's own admin account (in the Reviewers group), if they "
        "approve posts themselves: their approvals name this profile.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(PublicProfile.Meta):
        pass

    def get_absolute_url(self):
        return reverse("articles:reviewer", kwargs={"slug": self.slug})

    def shown_on(self):
        return self.posts.all()

    def reviewed_posts(self):
        """The public posts this person reviewed, newest review first."""
        return (
            self.posts.published()
            .filter(reviewed_at__isnull=False)
            .defer("body", "body_html")
            .order_by("-reviewed_at", "-publish_at", "-pk")
        )


class ReviewState(models.TextChoices):
    NONE = "none", "Not submitted"
    SUBMITTED = "submitted", "Awaiting review"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Sent back"


class ReviewEvent(models.Model):
    """One step of a post's medical review: who, when, what, and a note."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        REVIEWED = "reviewed", "Marked as reviewed (approved)"
        RETURNED = "returned", "Sent back to the editor"
        REOPENED = "reopened", "Changed after approval: needs review again"
        CLEARED = "cleared", "Review cleared: another reviewer chosen"

    post = models.ForeignKey(
        "articles.Post", on_delete=models.CASCADE, related_name="review_events"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    reviewer = models.ForeignKey(
        Reviewer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The reviewer the step named (the one who reviewed, for a review).",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["post", "-at"], name="review_event_post_idx")]

    def __str__(self):
        return f"{self.get_action_display()} ({self.post_id}, {self.at:%Y-%m-%d %H:%M})"

    @property
    def by_name(self):
        if self.by is None:
            return "the site"
        return self.by.get_full_name() or self.by.get_username()


class ReviewRefused(ValidationError):
    """A review step that may not be taken now, with the reason for the user."""


class ReviewFields(models.Model):
    """The medical review fields and steps of a post (``Post`` inherits them)."""

    # Moved by the review steps only: not part of a post's revisions, and kept
    # as they are when a post is reverted (articles.admin_history).
    REVIEW_FIELDS = ("reviewer", "reviewed_at", "review_state")

    # PROTECT: deleting a reviewer whose name stands on posts is refused with
    # the list of posts, rather than pages silently losing "Medically reviewed
    # by": a trust claim is removed on purpose, post by post.
    reviewer = models.ForeignKey(
        Reviewer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name="medical reviewer",
        help_text="Who reviews this post. Readers see their name once a review is "
        "recorded (Mark as reviewed).",
    )
    # Set only by mark_reviewed(): never in the post's form.
    reviewed_at = models.DateField("last reviewed", null=True, blank=True, editable=False)
    review_state = models.CharField(
        "review",
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.NONE,
        editable=False,
    )

    # Who is saving the post (the admin sets it): named in the review record
    # when the save sends an approved post back for review.
    edited_by = None

    class Meta:
        abstract = True

    # What the post was when read from the database: a change of the body
    # after approval sends it back; a reviewer changed clears the review.
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_loaded()
        return instance

    def _remember_loaded(self):
        self._loaded = {
            name: self.__dict__.get(name) for name in ("body", "status", "reviewer_id")
        }

    def changed_from(self, before):
        """Judge the change being made from ``before`` (this post as it was
        stored), not from what was read: a revert puts an old version in the
        row before its form reads it, and is a change from the post as it
        was, under the same rules (publishing, review) as any other save."""
        self._loaded = dict(before._loaded)

    def keep_review_of(self, before):
        """Put back the review ``before`` (this post as it was stored) had, in
        the row and here: a revert puts an old version in the row, and no
        version holds a review (``REVIEW_FIELDS``), so it would come back
        empty. Nothing is written when the review is unchanged."""
        kept = {}
        for name in self.REVIEW_FIELDS:
            attname = self._meta.get_field(name).attname
            kept[attname] = getattr(before, attname)
        if any(getattr(self, attname) != value for attname, value in kept.items()):
            type(self).objects.filter(pk=self.pk).update(**kept)
            for attname, value in kept.items():
                setattr(self, attname, value)

    def _loaded_value(self, name):
        return getattr(self, "_loaded", {}).get(name)

    @property
    def body_changed(self):
        return self.body_changed_to(self.body)

    def body_changed_to(self, body):
        """Is ``body`` a change from the body read from the database?"""
        loaded = self._loaded_value("body")  # None: new, or read without its body
        if self.pk is None or loaded is None:
            return False
        # Browsers send a textarea's lines ended by CRLF, and the form strips
        # the ends: neither is a change.
        return _lines(loaded) != _lines(body)

    # --- reading ------------------------------------------------------------
    @property
    def has_review(self):
        return self.reviewer_id is not None and self.reviewed_at is not None

    @property
    def is_review_due(self):
        return self.reviewed_at is None or self.reviewed_at < review_due_cutoff()

    @property
    def loaded_status(self):
        """The status the post had when read (None: new, or read without it)."""
        return self._loaded_value("status")

    # --- the steps ------------------------------------------------------------
    def _record(self, action, by, note="", reviewer=None, **changes):
        """Apply ``changes`` to the post, add the ReviewEvent and the admin log
        entry, and mark the page changed."""
        now = timezone.now()
        changes = {**changes, "updated_at": now, "page_changed_at": now}
        with transaction.atomic():
            type(self).objects.filter(pk=self.pk).update(**changes)
            for name, value in changes.items():
                setattr(self, name, value)
            if "reviewer_id" in changes and hasattr(self, "_loaded"):
                self._loaded["reviewer_id"] = changes["reviewer_id"]
            event = ReviewEvent.objects.create(
                post=self, action=action, by=by, at=now, note=note, reviewer=reviewer
            )
            if by is not None:
                message = ReviewEvent.Action(action).label
                if reviewer is not None:
                    message += f": {reviewer.display_name}"
                if note:
                    message += f". Note: {note}"
                LogEntry.objects.log_actions(by.pk, [self], CHANGE, message[:2000])
        return event

    @staticmethod
    def _require(by, permission, refusal):
        if by is None or not by.is_active or not by.has_perm(permission):
            raise ReviewRefused(refusal, code="permission")

    def mark_reviewed(self, by, note=""):
        """Record a medical review today: the reviewer is ``by``'s own reviewer
        profile if they have one, else the post's chosen reviewer. Sets the
        review date (nothing else does) and approves the post for publishing."""
        self._require(
            by,
            REVIEW_PERMISSION,
            "You may not record medical reviews (only reviewers may).",
        )
        reviewer = Reviewer.objects.filter(user=by).first() or self.reviewer
        if reviewer is None:
            raise ReviewRefused(
                f"“{self}” has no medical reviewer: choose one on the post first.",
                code="no_reviewer",
            )
        return self._record(
            ReviewEvent.Action.REVIEWED,
            by,
            note,
            reviewer=reviewer,
            reviewer_id=reviewer.pk,
            reviewed_at=timezone.localdate(),
            review_state=ReviewState.APPROVED,
        )

    def submit_for_review(self, by, note=""):
        """An editor asks for the review (``MEDICAL_REVIEW_REQUIRED``)."""
        self._require(by, "articles.change_post", "You may not submit posts for review.")
        if self.review_state == ReviewState.SUBMITTED:
            raise ReviewRefused(f"“{self}” is already awaiting review.", code="state")
        if self.review_state == ReviewState.APPROVED:
            raise ReviewRefused(f"“{self}” is already approved.", code="state")
        return self._record(
            ReviewEvent.Action.SUBMITTED,
            by,
            note,
            reviewer=self.reviewer,
            review_state=ReviewState.SUBMITTED,
        )

    def send_back(self, by, note):
        """A reviewer returns the post to its editor with a note saying why."""
        self._require(by, REVIEW_PERMISSION, "You may not send posts back (only reviewers may).")
        note = (note or "").strip()
        if not note:
            raise ReviewRefused(
                "Write a note for the editor: what to change before you can approve it.",
                code="note",
            )
        if self.review_state not in (ReviewState.SUBMITTED, ReviewState.APPROVED):
            raise ReviewRefused(f"“{self}” is not awaiting review.", code="state")
        return self._record(
            ReviewEvent.Action.RETURNED,
            by,
            note,
            reviewer=Reviewer.objects.filter(user=by).first() or self.reviewer,
            review_state=ReviewState.RETURNED,
        )

    def reopen_review(self, what, by=None):
        """The body or the references changed: an approved post goes back to
        review (``MEDICAL_REVIEW_REQUIRED``). Its last review date stays: it
        was reviewed then. Nothing happens with the setting off."""
        if not review_required() or self.review_state != ReviewState.APPROVED:
            return None
        return self._record(
            ReviewEvent.Action.REOPENED,
            by,
            f"The {what} changed after approval.",
            reviewer=self.reviewer,
            review_state=ReviewState.SUBMITTED,
        )

    def clear_or_reopen_review(self, by=None):
        """Called after each save of the post: a new reviewer clears the old
        reviewer's review (the page must not name someone who has not
        reviewed it); a changed body sends an approved post back."""
        loaded = getattr(self, "_loaded", None)
        if loaded is not None:
            if self.reviewed_at is not None and loaded["reviewer_id"] != self.reviewer_id:
                self._record(
                    ReviewEvent.Action.CLEARED,
                    by,
                    reviewer=self.reviewer,
                    reviewed_at=None,
                    review_state=ReviewState.NONE,
                )
            elif self.body_changed:
                self.reopen_review("body", by)
        self._remember_loaded()
