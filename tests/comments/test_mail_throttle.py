"""Mail per recipient (core.mail.first_mail_to, MAIL_PER_ADDRESS_MINUTES).

Issue 16, "A hung mail relay": it holds the single worker 10 s per email, and
one client could queue about 100 s of such work a minute (its 5 comments,
each mailed to the moderators, and its 5 deletion requests, each mailed).
Now each kind of email goes to one address at most once in
MAIL_PER_ADDRESS_MINUTES, whichever clients ask: the moderators hear of new
comments once in that time (the mail says how many wait), an address gets
one deletion link and one approval notice."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from comments import notifications
from comments.models import Comment

from .factories import CommentFactory, form_data
from .mail import FlakyBackend

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")


@pytest.fixture(autouse=True)
def ten_minutes(settings):
    settings.MAIL_PER_ADDRESS_MINUTES = 10
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 5


def from_clients(post, comment_url, count, capture, **fields):
    for n in range(count):
        with capture(execute=True):
            response = Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
                comment_url, form_data(post, email=f"reader{n}@example.com",
                                       text=f"Comment {n}, {fields}"),
            )  # fmt: skip
        assert response.status_code == 302


def test_one_client_at_its_limit_now_costs_the_worker_two_emails_a_minute(
    post, comment_url, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    """The attack as measured: one client, one address, at the per-client
    limits (5 comments, 5 deletion requests in a minute)."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(comment_url, form_data(post, email="mallory@example.com",
                                               text=f"Noise {n}."))  # fmt: skip
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("comments:delete"), {"email": "mallory@example.com"})

    assert Comment.objects.count() == 5
    assert sorted(m.subject.split(" ")[1] for m in mailoutbox) == ["Confirm", "New"]


def test_the_moderators_hear_of_new_comments_once_in_the_interval_and_how_many_wait(
    post, comment_url, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    from_clients(post, comment_url, 4, django_capture_on_commit_callbacks)

    [first] = mailoutbox
    assert first.to == [moderator.email]
    assert "Comment 0" in first.body

    cache.clear()  # the interval has passed (the throttle's keys expired; Redis too)
    notifications.notify_moderators.enqueue(Comment.objects.latest().pk)

    [_, second] = mailoutbox
    assert "Comment 3" in second.body
    assert "4 comments await approval in all" in second.body


def test_each_moderator_address_is_counted_on_its_own(
    post, comment_url, moderator, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from_clients(post, comment_url, 1, django_capture_on_commit_callbacks)
    settings.COMMENTS_NOTIFY_EMAILS = ["queue@example.com"]  # added since

    from_clients(post, comment_url, 1, django_capture_on_commit_callbacks, second=True)

    assert [m.to for m in mailoutbox] == [[moderator.email], ["queue@example.com"]]


def test_a_retry_of_the_same_notice_is_not_held_back(
    post, comment_url, moderator, settings, mailoutbox, django_capture_on_commit_callbacks
):
    FlakyBackend.failures, FlakyBackend.attempts = 1, 0
    settings.EMAIL_BACKEND = "tests.comments.mail.FlakyBackend"

    from_clients(post, comment_url, 1, django_capture_on_commit_callbacks)

    assert FlakyBackend.attempts == 2
    assert len(mailoutbox) == 1


def test_one_approval_notice_per_address_in_the_interval(
    post, moderator_client, mailoutbox, django_capture_on_commit_callbacks
):
    robin = CommentFactory.create_batch(3, post=post, email="robin@example.com",
                                        notify_on_approval=True)  # fmt: skip
    sam = CommentFactory(post=post, email="sam@example.com", notify_on_approval=True)

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(
            QUEUE, {"action": "approve", "_selected_action": [c.pk for c in [*robin, sam]]}
        )

    assert sorted(m.to[0] for m in mailoutbox) == ["robin@example.com", "sam@example.com"]


def test_deletion_links_from_many_clients_reach_an_address_once(
    post, mailoutbox, django_capture_on_commit_callbacks
):
    CommentFactory(post=post, email="robin@example.com")

    for n in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            Client(REMOTE_ADDR=f"2001:db8:{n}::1").post(
                reverse("comments:delete"), {"email": "Robin@example.com"}
            )

    assert len(mailoutbox) == 1


def test_zero_minutes_turns_the_throttle_off(
    post, moderator, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAIL_PER_ADDRESS_MINUTES = 0
    CommentFactory(post=post, email="robin@example.com")

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            Client().post(reverse("comments:delete"), {"email": "robin@example.com"})

    assert len(mailoutbox) == 3
