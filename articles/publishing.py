"""Publishing and unpublishing posts: the one path every door takes.

The rules of publishing are written here once (docs/editors.md, Publishing,
Topics and Medical review):

* a published post is filed under one or more topics, once the site has any;
* with ``MEDICAL_REVIEW_REQUIRED``, a draft is published only with an
  approved medical review, and not with a body changed since the approval.

``refusals`` says why a post may not be published as it is about to be
saved: the post's change form asks it (``PostForm.clean``), and so does a
revert, which is a save of that form. ``publish`` and ``unpublish`` change
many posts at once (the admin's bulk actions, the demo loader, commands):
they apply the same rules, change the posts allowed at once, record a
revision of each (articles.revisions) and return an ``Outcome`` naming each
post changed and each refusal with its reason.

``post_published`` (articles.events) is sent inside the transaction that
publishes posts: by ``publish`` for the drafts it publishes in one UPDATE,
and by ``Post.save`` for a draft (or a new post) saved published, whatever
saved it (the change form, a revert, a command). The admin decides nothing
about it. A draft becoming published, now or at a future time, is announced
once; a post saved again while published is not.
"""

import dataclasses

from django.db import transaction
from django.utils import timezone

from core.models import SiteStamp

from . import revisions
from .events import announce, post_published
from .models import POSTS_STAMP, Post, ReviewState, Topic, review_required

__all__ = ["Outcome", "Refusal", "announce", "post_published", "publish", "refusals", "unpublish"]

NO_TOPIC = (
    "Choose one or more topics: a published post is listed under its "
    "topics. (Drafts may have none yet.)"
)


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A rule that holds ``post`` back: the form field it is about
    (``topics`` or ``status``), its code (``no_topic`` or ``review``) and the
    reason, as the editor reads it."""

    post: Post
    field: str
    code: str
    reason: str


@dataclasses.dataclass
class Outcome:
    """What ``publish`` or ``unpublish`` did: the posts changed and, for each
    post held back, its refusals (the first is the one to tell)."""

    changed: list = dataclasses.field(default_factory=list)
    refused: list = dataclasses.field(default_factory=list)

    def held_back(self, code):
        """The posts whose first refusal has ``code``, each once."""
        first = {}
        for refusal in self.refused:
            first.setdefault(refusal.post.pk, refusal)
        return [refusal.post for refusal in first.values() if refusal.code == code]


def _review_refusal(post, body):
    if not review_required():
        return ""
    if post.review_state != ReviewState.APPROVED:
        return (
            "This post needs an approved medical review before it can be published "
            f"(its review: {post.get_review_state_display().lower()}). Submit it for "
            "review (Medical review, top right), and publish it once a reviewer approves."
        )
    if post.body_changed_to(body):
        return (
            "The body changed since the medical review was approved. Save the post "
            "as a draft; it goes back to its reviewer, and you publish it once they "
            "approve it again."
        )
    return ""


def refusals(post, *, status=None, topics=None, body=None, site_has_topics=None):
    """Why ``post`` may not be saved with ``status`` (default: its own), under
    ``topics`` (None: not known, that rule is not asked) and with ``body``
    (default: its own): a list of ``Refusal``, empty when it may.

    The topic rule holds for every save of a published post; the review rule
    for a post becoming published (it was a draft when read, or is new).
    ``site_has_topics`` saves its query when the caller asks for many posts.
    """
    status = post.status if status is None else status
    body = post.body if body is None else body
    found = []
    if status != Post.Status.PUBLISHED:
        return found
    if topics is not None and not topics:
        if site_has_topics is None:
            site_has_topics = Topic.objects.exists()
        if site_has_topics:
            found.append(Refusal(post, "topics", "no_topic", NO_TOPIC))
    if post.loaded_status != Post.Status.PUBLISHED:
        reason = _review_refusal(post, body)
        if reason:
            found.append(Refusal(post, "status", "review", reason))
    return found


def publish(posts, by=None, comment="Published."):
    """Publish the drafts among ``posts`` (a queryset) that the rules allow,
    dated as every save dates them (``Post.date_if_published``), in one
    UPDATE. Each post published gets a revision saved by ``by`` (None: the
    site) with ``comment``."""
    outcome = Outcome()
    with transaction.atomic():
        # Read again under a row lock, plainly (the admin's queryset carries
        # annotations): a save at the same moment waits, or is seen.
        drafts = list(
            Post.objects.filter(pk__in=posts.filter(status=Post.Status.DRAFT).values("pk"))
            .select_for_update()
            .prefetch_related("topics")
        )
        if not drafts:
            return outcome
        site_has_topics = Topic.objects.exists()
        for post in drafts:
            found = refusals(
                post,
                status=Post.Status.PUBLISHED,
                topics=list(post.topics.all()),
                site_has_topics=site_has_topics,
            )
            if found:
                outcome.refused.extend(found)
            else:
                outcome.changed.append(post)
        if outcome.changed:
            now = timezone.now()
            for post in outcome.changed:
                post.status = Post.Status.PUBLISHED
                post.date_if_published(now)
                post.updated_at = post.page_changed_at = now
            Post.objects.bulk_update(
                outcome.changed, ["status", "publish_at", "updated_at", "page_changed_at"]
            )
            SiteStamp.touch(POSTS_STAMP)
            revisions.record(outcome.changed, by, comment)
            announce(outcome.changed)
    return outcome


def unpublish(posts, by=None, comment="Unpublished (back to draft)."):
    """Move the published and scheduled ``posts`` (a queryset) back to draft.
    The publish time is kept: published again, the post keeps its date
    (clear the time in the post's form to date it anew). Nothing refuses it."""
    outcome = Outcome(changed=list(posts.exclude(status=Post.Status.DRAFT)))
    if outcome.changed:
        now = timezone.now()
        with transaction.atomic():
            Post.objects.filter(pk__in=[post.pk for post in outcome.changed]).update(
                status=Post.Status.DRAFT, updated_at=now, page_changed_at=now
            )
            SiteStamp.touch(POSTS_STAMP)
            revisions.record(outcome.changed, by, comment)
    return outcome
