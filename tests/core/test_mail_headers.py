"""Every email the site sends says it was sent automatically (RFC 3834's
``Auto-Submitted``, so vacation replies stay quiet) and names the site's own
host in its Message-ID, from SITE_URL."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments import notifications
from comments.models import Comment
from core.mail import SiteEmail
from tests.articles.factories import PostFactory
from tests.comments.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(db):
    return PostFactory(title="Glutamine and Gut Health")


@pytest.fixture
def every_kind(post, moderator, mailoutbox, django_capture_on_commit_callbacks, settings):
    """One of each email the site sends: the moderators' notice, the approval
    notice, the deletion link."""
    comment = CommentFactory(post=post, email="robin@example.com", notify_on_approval=True)
    notifications.notify_moderators.enqueue(comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        comment.set_status(Comment.Status.APPROVED, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("comments:delete"), {"email": "robin@example.com"})
    assert len(mailoutbox) == 3, [m.subject for m in mailoutbox]
    return mailoutbox


def test_every_email_says_it_was_sent_automatically(every_kind):
    for sent in every_kind:
        assert sent.message()["Auto-Submitted"] == "auto-generated", sent.subject


def test_every_message_id_is_on_the_sites_host(every_kind, settings):
    assert settings.SITE_URL == "http://127.0.0.1:8000"
    ids = set()
    for sent in every_kind:
        message_id = sent.message()["Message-ID"]
        assert re.fullmatch(r"<[^<>@\s]+@127\.0\.0\.1>", message_id), message_id
        ids.add(message_id)
    assert len(ids) == len(every_kind)


def test_the_message_id_follows_site_url(settings):
    settings.SITE_URL = "https://blog.example.com:8443"

    message = SiteEmail("Hello", "Body.", to=["a@example.com"])

    assert message.message()["Message-ID"].endswith("@blog.example.com>")
