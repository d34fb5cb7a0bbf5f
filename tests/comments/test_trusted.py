"""Trusted commenters (COMMENTS_TRUST_RETURNING): a new comment from an address
that already has an approved comment is approved at once, through the one
decision path, recorded as the site's decision and why; the spam rules and
the robot traps still win."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from comments.views import PUBLISHED_NOTICE

from .factories import BlockedTermFactory, CommentFactory, form_data

pytestmark = pytest.mark.django_db

WHY_ONE = "approved automatically: this address has 1 approved comment"


@pytest.fixture
def trusting(settings):
    settings.COMMENTS_TRUST_RETURNING = True
    return settings


@pytest.fixture
def returning(post):
    """A reader with one comment approved already."""
    return CommentFactory(post=post, email="robin@example.com", approved=True)


def sent(client, post, comment_url, **fields):
    return client.post(comment_url, form_data(post, email="Robin@Example.COM ", **fields))


def test_off_by_default_a_returning_reader_still_waits(client, post, comment_url, returning):
    sent(client, post, comment_url, text="Back again.")

    assert Comment.objects.get(text="Back again.").status == Comment.Status.PENDING


def test_a_returning_reader_is_approved_at_once_and_the_page_shows_it(
    trusting, post, comment_url, returning, moderator, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    other = Client()
    before = other.get(post.get_absolute_url())  # someone's cached page
    reader = Client()

    with django_capture_on_commit_callbacks(execute=True):
        response = sent(reader, post, comment_url, text="Back again, same address.")

    comment = Comment.objects.get(text="Back again, same address.")
    assert comment.status == Comment.Status.APPROVED
    assert comment.status_changed_by is None and comment.status_changed_at is not None
    assert comment.status_note == WHY_ONE
    assert not LogEntry.objects.filter(object_id=str(comment.pk)).exists()
    # The reader is told it is published, and every reader sees it at once.
    page = reader.get(response["Location"])
    assert PUBLISHED_NOTICE in page.text and "Awaiting moderation" not in page.text
    after = other.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "Back again, same address." in after.text
    # Nothing waits in the queue, so the moderators get no "awaits approval" mail.
    assert mailoutbox == []


def test_the_count_is_of_approved_comments_by_that_address_only(
    trusting, client, post, comment_url, returning
):
    CommentFactory(post=post, email="ROBIN@example.com", approved=True)
    for status in (Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM):
        CommentFactory(post=post, email="robin@example.com", status=status)
    CommentFactory(post=post, email="someone@example.com", approved=True)

    sent(client, post, comment_url, text="Third time here.")

    assert Comment.objects.get(text="Third time here.").status_note == (
        "approved automatically: this address has 2 approved comments"
    )


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM]
)
def test_an_address_without_an_approved_comment_is_not_trusted(
    trusting, client, post, comment_url, status
):
    CommentFactory(post=post, email="robin@example.com", status=status)

    sent(client, post, comment_url, text="Trust me.")

    assert Comment.objects.get(text="Trust me.").status == Comment.Status.PENDING


def test_a_staff_address_does_not_make_a_reader_trusted(
    trusting, client, post, comment_url, moderator
):
    parent = CommentFactory(post=post, approved=True)
    parent.reply("Staff answer.", by=moderator)

    client.post(comment_url, form_data(post, email=moderator.email, text="Posing as staff."))

    assert Comment.objects.get(text="Posing as staff.").status == Comment.Status.PENDING


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        (
            {"text": "https://a.example https://b.example https://c.example"},
            Comment.Status.SPAM,
            "3 links (more than 2 go to spam)",
        ),
        ({"text": "A casino tip."}, Comment.Status.SPAM, "contains the blocked term “casino”"),
        ({"text": "A miracle cure."}, Comment.Status.PENDING, "contains the blocked term “cure”"),
        ({"website": "http://spam.example"}, Comment.Status.SPAM, "honeypot field filled in"),
        ({"token": "forged"}, Comment.Status.SPAM, "form token missing or altered"),
    ],
)
def test_the_spam_rules_and_robot_traps_still_win(
    trusting, client, post, comment_url, returning, fields, status, reason
):
    BlockedTermFactory(term="casino", action="spam")
    BlockedTermFactory(term="cure", action="hold")

    sent(client, post, comment_url, **fields)

    comment = Comment.objects.exclude(pk=returning.pk).get()
    assert (comment.status, comment.held_reason, comment.status_note) == (status, reason, "")


def test_a_duplicate_of_the_trusted_readers_own_comment_is_still_spam(
    trusting, client, post, comment_url, returning
):
    sent(client, post, comment_url, text=returning.text)

    comment = Comment.objects.exclude(pk=returning.pk).get()
    assert comment.status == Comment.Status.SPAM


def test_the_moderator_sees_why_in_the_queue_and_on_the_comment(
    trusting, client, post, comment_url, returning, moderator_client
):
    sent(client, post, comment_url, text="Approved without waiting.")
    comment = Comment.objects.get(text="Approved without waiting.")

    queue = moderator_client.get(reverse("admin:comments_comment_changelist") + "?status=all")
    row = next(r for r in queue.text.split("<tr") if "Approved without waiting." in r)
    assert WHY_ONE in row
    page = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert WHY_ONE in page.text
    assert "the site, automatically" in page.text


def test_a_moderator_can_still_overrule_and_the_note_goes(
    trusting, client, post, comment_url, returning, moderator
):
    sent(client, post, comment_url, text="Approved, then withdrawn.")
    comment = Comment.objects.get(text="Approved, then withdrawn.")

    comment.set_status(Comment.Status.REJECTED, by=moderator)

    comment.refresh_from_db()
    assert (comment.status, comment.status_changed_by, comment.status_note) == (
        Comment.Status.REJECTED, moderator, "",
    )  # fmt: skip


def test_a_trusted_comment_costs_a_fixed_number_of_queries(
    trusting, client, post, comment_url, returning, django_assert_num_queries
):
    """13, however many comments the address has: the post, the blocklist, the
    duplicates, savepoint, insert, the count of the address's approved
    comments, set_status (savepoint, read, update, post page, release), the
    decision read back, release. (No session: nothing awaits moderation.)"""
    CommentFactory.create_batch(5, post=post, email="robin@example.com", approved=True)

    with django_assert_num_queries(13):
        sent(client, post, comment_url, text="Trusted, counted.")
    assert Comment.objects.get(text="Trusted, counted.").is_public
