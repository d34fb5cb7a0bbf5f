"""A reader asks, by email address, for what the site keeps about them to be
deleted (the comments' deletion request, docs/readers.md): their newsletter
subscription and its send records go too, the confirmation page says so, and
the request gets the same answer whether the address is known or not."""

import dataclasses
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import deletion
from comments.models import Comment
from core import personal_data
from newsletter import links, rights
from newsletter.models import Delivery, Mailing, Subscriber
from tests.articles.factories import PostFactory
from tests.comments.factories import CommentFactory

pytestmark = pytest.mark.django_db

REQUEST = reverse("comments:delete")
SENT = reverse("comments:delete_sent")
ADDRESS = "robin@example.com"


def subscribe(email, status=Subscriber.Status.ACTIVE, topics=()):
    subscriber = Subscriber.objects.create(email=email, status=status, all_posts=not topics)
    subscriber.topics.set(topics)
    return subscriber


def sent_to(subscriber, count):
    """``count`` posts were mailed to ``subscriber``."""
    for post in PostFactory.create_batch(count):
        Mailing.objects.create(post=post)
        Delivery.objects.create(post=post, subscriber=subscriber, state=Delivery.State.SENT,
                                sent_at=timezone.now())  # fmt: skip


@pytest.fixture
def robin(gut):
    robin = subscribe(ADDRESS, topics=[gut])
    sent_to(robin, 3)
    return robin


@pytest.fixture
def sam():
    sam = subscribe("sam@example.com")
    sent_to(sam, 2)
    return sam


def ask(email, capture):
    with capture(execute=True):
        return Client().post(REQUEST, {"email": email})


def link_in(mail):
    found = re.search(r"https?://\S+(/comments/delete/confirm/\S+/)", mail.body)
    return found.group(1)


@pytest.fixture
def link(robin, sam, mailoutbox, django_capture_on_commit_callbacks):
    ask("Robin@EXAMPLE.com", django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    return link_in(mail)


# --- asking ----------------------------------------------------------------------------


def test_a_subscriber_without_comments_is_mailed_the_link_at_the_address_as_stored(
    robin, mailoutbox, django_capture_on_commit_callbacks
):
    response = ask("  ROBIN@Example.COM ", django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == SENT
    [mail] = mailoutbox
    assert mail.to == [ADDRESS]
    assert "Your newsletter subscription (active)" in mail.body
    assert "records of the 3 emails sent to it" in mail.body
    assert "comment" not in mail.body.split("keeps about")[1].split("To confirm")[0]


def test_the_request_and_sent_pages_name_the_subscription_for_every_address(client):
    asking = client.get(REQUEST)
    sent = client.get(SENT)

    assert "a newsletter subscription" in asking.text
    assert "a newsletter subscription" in sent.text


def test_the_answer_is_the_same_for_a_subscriber_a_commenter_and_a_stranger(
    robin, post, mailoutbox, django_capture_on_commit_callbacks, settings
):
    """Same status, redirect, page and statements in the request with the
    production backend (one task row): only the worker looks the address up."""
    CommentFactory(post=post, email="commenter@example.com", text="A comment.")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    answers = set()
    for email in (ADDRESS, "commenter@example.com", "nobody@example.com"):
        client = Client()
        with CaptureQueriesContext(connection) as queries:
            response = ask(email, django_capture_on_commit_callbacks)
        statements = tuple(q["sql"].split(" ")[0] for q in queries)
        page = client.get(response["Location"])
        answers.add((response.status_code, response["Location"], page.content, statements))

    assert len(answers) == 1
    assert next(iter(answers))[3] == ("INSERT",)
    assert mailoutbox == []


def test_no_mail_goes_to_an_address_with_neither_comments_nor_subscription(
    robin, mailoutbox, django_capture_on_commit_callbacks
):
    ask("nobody@example.com", django_capture_on_commit_callbacks)

    assert mailoutbox == []


# --- the confirmation page -------------------------------------------------------------


def test_the_page_says_what_will_be_deleted_and_deletes_nothing(client, link, robin):
    page = client.get(link)

    assert page.status_code == 200
    what = page.text.split('id="deletion-what"')[1].split("</ul>")[0]
    assert "Your newsletter subscription (active)" in what
    assert "the topics it follows" in what
    assert "records of the 3 emails sent to it" in what
    assert "comment" not in what
    assert "Delete my newsletter subscription" in page.text
    assert Subscriber.objects.filter(pk=robin.pk).exists()
    assert Delivery.objects.filter(subscriber=robin).count() == 3


def test_the_button_deletes_the_subscription_and_its_send_records_and_no_one_elses(
    client, link, robin, sam
):
    response = client.post(link)

    assert response.status_code == 200
    assert "Your newsletter subscription is deleted" in response.text
    assert "records of the 3 emails sent to it" in response.text
    assert not Subscriber.objects.by_address(ADDRESS).exists()
    assert not Delivery.objects.filter(subscriber_id=robin.pk).exists()
    assert list(Subscriber.objects.all()) == [sam]
    assert Delivery.objects.filter(subscriber=sam).count() == 2


def test_comments_and_subscription_go_together_on_one_button(
    post, robin, mailoutbox, django_capture_on_commit_callbacks
):
    CommentFactory.create_batch(2, post=post, email=ADDRESS, approved=True)
    ask(ADDRESS, django_capture_on_commit_callbacks)
    link = link_in(mailoutbox[0])
    assert "(2 comments)" in mailoutbox[0].body and "newsletter subscription" in mailoutbox[0].body
    client = Client()

    page = client.get(link)
    assert "Delete my 2 comments and my newsletter subscription" in page.text
    done = client.post(link)

    assert "2 comments deleted" in done.text
    assert "Your newsletter subscription is deleted" in done.text
    assert not Comment.objects.by_address(ADDRESS).exists()
    assert not Subscriber.objects.by_address(ADDRESS).exists()


def test_a_subscription_changed_meanwhile_spoils_the_link_and_nothing_goes(
    client, link, robin, post
):
    """Deleted and subscribed again between the email and the click: the new
    subscription is not the one the reader was told about."""
    Subscriber.objects.filter(pk=robin.pk).erase()
    again = subscribe(ADDRESS)
    CommentFactory(post=post, email="x@example.com")

    response = client.post(link)

    assert response.status_code == 410
    assert deletion.USED in response.text
    assert Subscriber.objects.filter(pk=again.pk).exists()


@pytest.fixture
def failing_newsletter():
    """The newsletter's part cannot be deleted (as if it changed under the button)."""
    personal_data.register(dataclasses.replace(rights.HOLDER, erase=lambda email, state: None))
    yield
    personal_data.register(rights.HOLDER)


def test_a_failure_in_one_part_deletes_nothing(client, post, robin, failing_newsletter):
    """All or nothing: the subscription cannot go, so the comments stay too."""
    CommentFactory(post=post, email=ADDRESS, approved=True)
    state = deletion.holdings(ADDRESS)

    assert deletion.erase(ADDRESS, state) is None
    assert Comment.objects.by_address(ADDRESS).count() == 1
    assert Subscriber.objects.filter(pk=robin.pk).exists()


def test_the_link_works_once(client, link, robin):
    assert client.post(link).status_code == 200

    assert client.post(link).status_code == 410
    assert client.get(link).status_code == 410


def test_a_token_naming_another_app_or_an_odd_subscription_is_refused(client, robin):
    """Signed by us, yet not a state a link is made for: altered (400), or
    naming no subscription that exists (410, as a used link)."""
    for odd, status in (
        ({"count": 0, "newest": None, "held": {"elsewhere": [robin.pk]}}, 400),
        ({"count": 0, "newest": None, "held": {}}, 400),
        ({"count": 0, "newest": None, "held": []}, 400),
        ({"count": 0, "newest": None, "held": {"newsletter": "x"}}, 410),
        ({"count": 0, "newest": None, "held": {"newsletter": [robin.pk + 1000]}}, 410),
    ):
        response = client.post(reverse("comments:delete_confirm", args=[deletion.make_token(odd)]))
        assert response.status_code == status, odd
    assert Subscriber.objects.filter(pk=robin.pk).exists()


def test_the_unsubscribe_pages_delete_button_takes_the_send_records_too(client, robin):
    token = links.subscriber_token(robin)
    response = client.post(reverse("newsletter:forget", args=[token]))

    assert response.status_code == 200
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


def test_a_subscription_nothing_was_sent_to_says_so_plainly(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    subscribe("new@example.com", status=Subscriber.Status.PENDING)
    ask("new@example.com", django_capture_on_commit_callbacks)

    page = client.get(link_in(mailoutbox[0]))

    assert "(asked for, not confirmed)" in page.text
    assert "no record of an email sent to it (none was sent)" in page.text
    assert "0 email" not in page.text
