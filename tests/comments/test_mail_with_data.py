"""Mail is stored with the data that caused it (core.mail.enqueue_with_data):
with the database backend (production) the task's row is written in the
transaction that writes the comment or the decision, so the two are
committed together or not at all. The production tier kills a process right
after the commit (tests/production/test_cluster.py); here the row is seen
inside the transaction, before any commit, and gone with a rollback."""

import pytest
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from core.client_ip import Client

from .factories import CommentFactory

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE


def receive(post, text):
    return Comment.objects.receive(
        post,
        name="Reader",
        email="reader@example.org",
        text=text,
        client=Client.at("127.0.0.5"),
        user_agent="test",
    )


def queued(path):
    return list(DBTaskResult.objects.filter(task_path=path).values_list("args_kwargs", flat=True))


def test_a_comments_notice_is_queued_inside_its_transaction(
    post, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        comment = receive(post, "Queued with me.")
        # Before the commit, in the same transaction: both rows are there.
        assert queued("comments.notifications.notify_moderators") == [
            {"args": [comment.pk], "kwargs": {}}
        ]
    assert callbacks == []  # nothing left for after the commit, which a crash would skip


def test_a_comment_rolled_back_queues_no_mail(post, database_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(post, "Never stored.")
        raise RuntimeError("the request failed after the comment")

    assert not Comment.objects.filter(text="Never stored.").exists()
    assert queued("comments.notifications.notify_moderators") == []


def test_an_approval_notice_is_queued_with_the_approval(post, moderator, database_tasks):
    comment = CommentFactory(post=post, notify_on_approval=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).approve(by=moderator)
        assert queued("comments.notifications.notify_approval") == [
            {"args": [comment.pk], "kwargs": {}}
        ]
        raise RuntimeError("rolled back")

    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert queued("comments.notifications.notify_approval") == []


@pytest.mark.django_db
def test_a_deletion_request_queues_its_mail_in_the_request(
    client, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("comments:delete"), {"email": "reader@example.org"})

    assert response.status_code == 302
    assert queued("comments.notifications.send_deletion_link") == [
        {"args": ["reader@example.org"], "kwargs": {}}
    ]
    assert callbacks == []


def test_with_the_immediate_backend_mail_waits_for_the_commit(
    post, django_capture_on_commit_callbacks, mailoutbox
):
    """Development and the tests send at once: only after the commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            receive(post, "Sent after commit.")
            assert mailoutbox == []
    assert len(callbacks) == 1
    assert DBTaskResult.objects.count() == 0
