"""The one path of publishing (articles.publishing): every rule asked once,
each refusal with its reason, a revision per post changed, the publish time
filled once and kept."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import publishing, revisions
from articles.models import Post, ReviewState
from tests.articles.factories import PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_draft_is_published_dated_now_and_given_a_revision_by_whoever_did_it():
    editor = UserFactory(username="ed")
    draft = PostFactory(draft=True, publish_at=None)
    before = timezone.now()

    outcome = publishing.publish(Post.objects.filter(pk=draft.pk), by=editor)

    assert outcome.changed == [draft] and outcome.refused == []
    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED
    assert draft.publish_at >= before
    (version,) = revisions.versions_of(draft)
    assert version.revision.user == editor
    assert version.revision.get_comment() == "Published."
    assert version.field_dict["status"] == Post.Status.PUBLISHED


def test_the_publish_time_is_filled_once_and_kept_when_published_again():
    draft = PostFactory(draft=True, publish_at=None)
    publishing.publish(Post.objects.filter(pk=draft.pk))
    draft.refresh_from_db()
    first = draft.publish_at
    assert first is not None

    publishing.unpublish(Post.objects.filter(pk=draft.pk))
    publishing.publish(Post.objects.filter(pk=draft.pk))

    draft.refresh_from_db()
    assert draft.status == Post.Status.PUBLISHED
    assert draft.publish_at == first


def test_a_time_the_editor_chose_is_kept_and_a_future_one_schedules():
    chosen = timezone.now() + dt.timedelta(days=3)
    draft = PostFactory(draft=True, publish_at=chosen)

    publishing.publish(Post.objects.filter(pk=draft.pk))

    assert Post.objects.get(pk=draft.pk).publish_at == chosen
    assert list(Post.objects.scheduled()) == [draft]


def test_a_post_without_a_topic_is_refused_once_the_site_has_topics():
    draft = PostFactory(draft=True)
    assert publishing.refusals(draft, status=Post.Status.PUBLISHED, topics=[]) == []

    TopicFactory()
    outcome = publishing.publish(Post.objects.filter(pk=draft.pk))

    assert outcome.changed == []
    (refusal,) = outcome.refused
    assert (refusal.post, refusal.field, refusal.code) == (draft, "topics", "no_topic")
    assert refusal.reason.startswith("Choose one or more topics")
    assert outcome.held_back("no_topic") == [draft]
    assert Post.objects.get(pk=draft.pk).status == Post.Status.DRAFT
    assert not revisions.versions_of(draft).exists()


def test_without_an_approved_review_a_draft_is_refused_when_review_is_required(settings):
    settings.MEDICAL_REVIEW_REQUIRED = True
    waiting = PostFactory(draft=True)
    approved = PostFactory(draft=True, review_state=ReviewState.APPROVED)

    outcome = publishing.publish(Post.objects.filter(pk__in=[waiting.pk, approved.pk]))

    assert outcome.changed == [approved]
    (refusal,) = outcome.refused
    assert (refusal.post, refusal.field, refusal.code) == (waiting, "status", "review")
    assert "needs an approved medical review before it can be published" in refusal.reason
    assert "(its review: not submitted)" in refusal.reason


def test_a_post_with_both_problems_gets_both_reasons_the_topic_first(settings):
    settings.MEDICAL_REVIEW_REQUIRED = True
    TopicFactory()
    draft = PostFactory(draft=True)

    found = publishing.refusals(draft, status=Post.Status.PUBLISHED, topics=[])

    assert [refusal.code for refusal in found] == ["no_topic", "review"]
    outcome = publishing.publish(Post.objects.filter(pk=draft.pk))
    assert outcome.held_back("no_topic") == [draft] and outcome.held_back("review") == []


def test_an_approved_body_changed_in_the_same_save_is_refused(settings):
    settings.MEDICAL_REVIEW_REQUIRED = True
    draft = PostFactory(draft=True, review_state=ReviewState.APPROVED)
    draft = Post.objects.get(pk=draft.pk)  # as read: its body remembered

    assert publishing.refusals(draft, status=Post.Status.PUBLISHED, body=draft.body) == []
    (refusal,) = publishing.refusals(draft, status=Post.Status.PUBLISHED, body="Other text.")
    assert refusal.reason.startswith("The body changed since the medical review was approved")


def test_the_review_rule_asks_only_of_a_post_becoming_published(settings):
    settings.MEDICAL_REVIEW_REQUIRED = True
    published = Post.objects.get(pk=PostFactory().pk)
    draft = Post.objects.get(pk=PostFactory(draft=True).pk)

    assert publishing.refusals(published) == []  # saved again as it is
    assert publishing.refusals(draft) == []  # stays a draft
    assert [r.code for r in publishing.refusals(draft, status=Post.Status.PUBLISHED)] == ["review"]


def test_unpublishing_keeps_the_date_and_records_a_revision_per_post():
    posts = [PostFactory(), PostFactory(), PostFactory(draft=True)]
    dates = {post.pk: post.publish_at for post in posts}

    outcome = publishing.unpublish(Post.objects.all(), by=None)

    assert {post.pk for post in outcome.changed} == {posts[0].pk, posts[1].pk}
    for post in Post.objects.all():
        assert post.status == Post.Status.DRAFT
        assert post.publish_at == dates[post.pk]
    for post in posts[:2]:
        (version,) = revisions.versions_of(post)
        assert version.revision.get_comment() == "Unpublished (back to draft)."
    assert not revisions.versions_of(posts[2]).exists()


def test_the_demo_is_published_by_the_same_rules(settings):
    """Loaded under MEDICAL_REVIEW_REQUIRED, the demo posts without an
    approved review stay drafts, and the command says why."""
    settings.MEDICAL_REVIEW_REQUIRED = True
    out = StringIO()
    call_command("load_demo", stdout=out)

    published = Post.objects.filter(status=Post.Status.PUBLISHED)
    assert list(published.values_list("slug", flat=True)) == ["glutamine-and-gut-health"]
    assert "stays a draft: This post needs an approved medical review" in out.getvalue()
    assert revisions.versions_of(published.get()).count() == 1
