"""New pending comments reach the moderators by email, after the comment is
safe in the database; a failing mail server loses nothing and breaks nothing."""

import logging

import pytest
from django.contrib.auth.models import Group

from comments.models import Comment
from tests.articles.factories import UserFactory

from .factories import form_data

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
    client, post, comment_url, moderator, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.comments.mail.FailingBackend"

    with caplog.at_level(logging.ERROR, logger="comments"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(comment_url, form_data(post, text="Kept despite the mail."))

    assert len(callbacks) == 1
    assert response.status_code == 302
    assert Comment.objects.get().text == "Kept despite the mail."
    [record] = [r for r in caplog.records if r.name == "comments"]
    assert "Could not notify the moderators" in record.getMessage()
    assert "mail server down" in record.exc_text
