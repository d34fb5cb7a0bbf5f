"""A reader may ask to be emailed when their comment is approved: off by
default, the same box for every reader of the shared page, sent once after
the approval is committed, whichever way the approval came, never for a
comment rejected or marked as spam."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from comments.models import Comment

from .factories import CommentFactory, form_data

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")


def notices(outbox):
    return [m for m in outbox if "is published" in m.subject]


def approve_in_queue(moderator_client, *comments, capture):
    with capture(execute=True):
        return moderator_client.post(
            QUEUE, {"action": "approve", "_selected_action": [c.pk for c in comments]}
        )


def test_the_box_is_off_by_default_and_the_same_for_every_reader(post):
    first = Client().get(post.get_absolute_url())
    second = Client().get(post.get_absolute_url())

    assert first.content == second.content  # one page for every anonymous reader
    box = re.search(r'<input[^>]*name="notify_on_approval"[^>]*>', first.text).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert "Email me when my comment is approved" in first.text


def test_a_reader_who_ticks_the_box_is_told_once_when_a_moderator_approves(
    client, post, comment_url, moderator_client, settings, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            comment_url,
            form_data(post, email="alex@example.com", text="Tell me.", notify_on_approval="on"),
        )
    comment = Comment.objects.get()
    assert comment.notify_on_approval and comment.status == Comment.Status.PENDING
    mailoutbox.clear()  # the moderators' mail

    with django_capture_on_commit_callbacks() as callbacks:
        moderator_client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    assert notices(mailoutbox) == []  # nothing before the commit
    for callback in callbacks:
        callback()

    [notice] = notices(mailoutbox)
    assert notice.to == ["alex@example.com"]
    assert "Glutamine and Gut Health" in notice.subject
    assert f"{settings.SITE_URL}{post.get_absolute_url()}#comment-{comment.pk}" in notice.body
    assert f"{settings.SITE_URL}/comments/delete/" in notice.body
    comment.refresh_from_db()
    assert comment.approval_notice_at is not None

    # Rejected, then approved again: no second email.
    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(QUEUE, {"action": "reject", "_selected_action": [comment.pk]})
    approve_in_queue(moderator_client, comment, capture=django_capture_on_commit_callbacks)
    assert Comment.objects.get().status == Comment.Status.APPROVED
    assert len(notices(mailoutbox)) == 1


def test_a_reader_who_does_not_tick_the_box_gets_nothing(
    client, post, comment_url, moderator_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url, form_data(post, text="No mail, thanks."))
    comment = Comment.objects.get()
    assert not comment.notify_on_approval

    approve_in_queue(moderator_client, comment, capture=django_capture_on_commit_callbacks)

    assert notices(mailoutbox) == []


@pytest.mark.parametrize("action", ["reject", "mark_spam"])
def test_no_notice_for_a_comment_rejected_or_marked_as_spam(
    post, moderator_client, mailoutbox, django_capture_on_commit_callbacks, action
):
    comment = CommentFactory(post=post, notify_on_approval=True)

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(QUEUE, {"action": action, "_selected_action": [comment.pk]})

    assert mailoutbox == []
    assert Comment.objects.get().approval_notice_at is None


def test_a_robot_caught_by_a_trap_is_never_told_anything(
    client, post, comment_url, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            comment_url, form_data(post, website="http://spam.example", notify_on_approval="on")
        )

    assert Comment.objects.get().status == Comment.Status.SPAM
    assert mailoutbox == []


def test_approving_on_the_change_form_sends_the_notice(
    post, moderator_client, mailoutbox, django_capture_on_commit_callbacks
):
    comment = CommentFactory(post=post, notify_on_approval=True)
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            url,
            {"name": comment.name, "email": comment.email, "text": comment.text,
             "status": "approved"},
        )  # fmt: skip

    assert response.status_code == 302
    [notice] = notices(mailoutbox)
    assert notice.to == [comment.email]


def test_a_staff_reply_that_approves_the_comment_sends_the_notice(
    post, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    comment = CommentFactory(post=post, notify_on_approval=True)

    with django_capture_on_commit_callbacks(execute=True):
        comment.reply("Thanks, good question.", by=moderator)

    assert [m.to for m in notices(mailoutbox)] == [[comment.email]]


def test_a_bulk_approval_tells_each_reader_who_asked_once(
    post, moderator_client, mailoutbox, django_capture_on_commit_callbacks
):
    asked = CommentFactory.create_batch(3, post=post, notify_on_approval=True)
    quiet = CommentFactory.create_batch(2, post=post)

    approve_in_queue(moderator_client, *asked, *quiet, capture=django_capture_on_commit_callbacks)
    approve_in_queue(moderator_client, *asked, capture=django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in notices(mailoutbox)) == sorted(c.email for c in asked)


def test_approving_with_notices_costs_the_same_queries(post, moderator, django_assert_num_queries):
    """Savepoint, read (and lock), one update that also marks the notices,
    history log, post pages, release; the notices are queued after commit."""
    ContentType.objects.get_for_model(Comment)
    CommentFactory.create_batch(5, post=post, notify_on_approval=True)

    with django_assert_num_queries(6):
        assert Comment.objects.all().approve(by=moderator) == 5
    assert Comment.objects.filter(approval_notice_at__isnull=True).count() == 0


def test_a_notice_for_a_comment_deleted_before_the_worker_ran_is_not_sent(
    post, moderator, mailoutbox
):
    from comments.notifications import notify_approval

    comment = CommentFactory(post=post, notify_on_approval=True, approved=True)
    Comment.objects.filter(pk=comment.pk).delete()

    result = notify_approval.enqueue(comment.pk)

    assert result.return_value == "no longer public"
    assert mailoutbox == []
