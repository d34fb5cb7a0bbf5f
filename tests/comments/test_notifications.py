"""New pending comments reach the moderators by email, after the comment is
safe in the database; a failing mail server loses nothing and breaks nothing."""

import datetime as dt
import logging

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import notifications
from comments.models import Comment
from core import mail
from tests.articles.factories import UserFactory

from .factories import CommentFactory, form_data
from .mail import FlakyBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderators(moderator):
    away = UserFactory(username="away", email="away@example.com", is_active=False)
    no_email = UserFactory(username="noemail", email="")
    for user in [away, no_email]:
        user.groups.add(Group.objects.get(name="Moderators"))
    UserFactory(username="editor-only", email="editor@example.com").groups.add(
        Group.objects.get(name="Editors")
    )
    return [moderator]


def test_a_new_comment_mails_the_moderators_after_commit(
    client, post, comment_url, moderators, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_NOTIFY_EMAILS = ["queue@example.com", moderators[0].email]

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(comment_url, form_data(post, name="Alex", text="Worth a look."))
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    comment = Comment.objects.get()
    [mail] = mailoutbox
    assert mail.to == ["queue@example.com", "morgan@example.com"]
    assert "Glutamine and Gut Health" in mail.subject
    assert "Alex" in mail.body and "Worth a look." in mail.body
    assert f"{settings.SITE_URL}/admin/comments/comment/{comment.pk}/change/" in mail.body


def test_a_held_comment_says_why_in_the_mail(
    client, post, comment_url, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    from .factories import BlockedTermFactory

    BlockedTermFactory(term="cure", action="hold")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url, form_data(post, text="A cure?"))

    assert "Held because: contains the blocked term “cure”" in mailoutbox[0].body


def test_spam_notifies_nobody(
    client, post, comment_url, moderator, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.COMMENTS_MAX_LINKS = 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url, form_data(post, text="https://spam.example"))

    assert Comment.objects.get().status == Comment.Status.SPAM
    assert mailoutbox == []


def test_nobody_to_tell_sends_nothing(
    client, post, comment_url, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url, form_data(post))

    assert mailoutbox == []
    assert Comment.objects.count() == 1


def test_a_failing_mail_server_keeps_the_comment_and_the_reader_is_answered(
    client,
    post,
    comment_url,
    moderator,
    settings,
    caplog,
    django_capture_on_commit_callbacks,
    enqueued,
):
    """Every attempt fails: the comment is stored and the reader answered; the
    mail task is tried MAIL_SEND_ATTEMPTS times, each failure logged, and the
    last one recorded as the task's failure."""
    settings.EMAIL_BACKEND = "tests.comments.mail.FailingBackend"
    settings.MAIL_SEND_ATTEMPTS = 3

    with caplog.at_level(logging.WARNING, logger="core.mail"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(comment_url, form_data(post, text="Kept despite the mail."))

    assert len(callbacks) == 1
    assert response.status_code == 302
    assert Comment.objects.get().text == "Kept despite the mail."
    tries = [r for r in enqueued if r.task.name == "notify_moderators"]
    assert [r.kwargs.get("attempt", 1) for r in tries] == [1, 2, 3]
    assert [r.status for r in tries] == ["SUCCESSFUL", "SUCCESSFUL", "FAILED"]
    assert tries[-1].errors[0].exception_class is ConnectionRefusedError
    logged = [r for r in caplog.records if r.name == "core.mail"]
    assert [r.levelname for r in logged] == ["WARNING", "WARNING", "ERROR"]
    assert "(attempt 1 of 3); trying again" in logged[0].getMessage()
    assert "not sent after 3 attempts" in logged[-1].getMessage()
    assert "mail server down" in logged[-1].exc_text


def test_a_mail_that_fails_once_is_retried_and_sent(
    client, post, comment_url, moderator, settings, mailoutbox, django_capture_on_commit_callbacks
):
    FlakyBackend.failures, FlakyBackend.attempts = 1, 0
    settings.EMAIL_BACKEND = "tests.comments.mail.FlakyBackend"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(comment_url, form_data(post, text="Second time lucky."))

    assert response.status_code == 302
    assert Comment.objects.get().text == "Second time lucky."
    assert FlakyBackend.attempts == 2
    [sent] = mailoutbox
    assert "Second time lucky." in sent.body


def test_a_comment_decided_before_the_retry_is_not_mailed_about(post, moderator, settings):
    """A retry reads the comment again: approved meanwhile, it no longer waits."""
    settings.EMAIL_BACKEND = "tests.comments.mail.FailingBackend"
    comment = CommentFactory(post=post)
    Comment.objects.filter(pk=comment.pk).approve(by=moderator)

    result = notifications.notify_moderators.enqueue(comment.pk, attempt=2)

    assert result.status == "SUCCESSFUL"
    assert result.return_value == "no longer waiting"


def test_the_retry_waits_longer_each_time_on_a_backend_that_can_defer(
    post, moderator, settings, django_capture_on_commit_callbacks
):
    """The database backend (production) gets the retry with a run_after:
    MAIL_RETRY_DELAY_SECONDS, then four times as long each time."""
    comment = CommentFactory(post=post)  # its own notice queued (and sent) before
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.comments.mail.FailingBackend"
    settings.MAIL_RETRY_DELAY_SECONDS = 60
    assert [mail.retry_delay(n) for n in (1, 2, 3, 4)] == [60, 240, 960, 3840]

    before = timezone.now()
    result = notifications.notify_moderators.call(comment.pk, attempt=2)

    assert result == "not sent; attempt 3 queued"
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "comments.notifications.notify_moderators"
    assert queued.args_kwargs == {"args": [comment.pk], "kwargs": {"attempt": 3}}
    assert before + dt.timedelta(seconds=240) <= queued.run_after
    assert queued.run_after <= timezone.now() + dt.timedelta(seconds=240)
