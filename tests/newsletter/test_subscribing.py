"""A reader subscribes: the form on the shared page, double opt-in, one
answer for every address, one confirmation an hour, the signed link."""

import datetime as dt
import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletter import links
from newsletter.models import Subscriber

from .conftest import SUBSCRIBE, link_in

pytestmark = pytest.mark.django_db

SENT = reverse("newsletter:sent")


def an_hour_ago():
    """The last confirmation was mailed a little more than an hour ago."""
    Subscriber.objects.update(
        confirmation_sent_at=F("confirmation_sent_at") - dt.timedelta(minutes=61)
    )


def path_of(url):
    return urlsplit(url).path


def test_the_form_is_at_the_end_of_a_post_and_in_the_footer(client, post):
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'id="subscribe-page-form"' in page and 'id="subscribe-footer-form"' in page
    assert 'name="csrfmiddlewaretoken"' not in page.split('id="subscribe-page-form"')[1][:3000]
    # The post's topics are offered at the end of the post; the ids differ.
    assert 'id="id_page_topics_0"' in page and "Gut health" in page
    assert 'id="id_footer_email"' in page and 'id="id_page_email"' in page


def test_the_form_is_the_same_for_every_reader(post):
    first = Client().get(post.get_absolute_url()).content
    second = Client().get(post.get_absolute_url()).content
    assert first == second


def test_the_consent_line_links_the_privacy_policy(client, post):
    from tests.pages.factories import PageFactory

    PageFactory(title="Privacy policy", slug="privacy", is_privacy_policy=True)
    page = client.get(post.get_absolute_url()).content.decode()
    form = page.split('id="subscribe-page-form"')[1]
    assert "/pages/privacy/" in form.split("</form>")[0]


def test_nothing_is_sent_but_the_confirmation(subscribe, mailoutbox):
    response = subscribe("Robin@Example.com")
    assert response.status_code == 302 and response["Location"] == SENT
    [message] = mailoutbox
    assert message.to == ["robin@example.com"]  # the normal form, as stored
    assert "Confirm your subscription" in message.subject
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "robin@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    assert "robin" not in link_in(message)  # the link holds no address


def test_the_same_answer_for_new_pending_and_subscribed_addresses(client, subscribe, mailoutbox):
    Subscriber.objects.create(email="active@example.com", status=Subscriber.Status.ACTIVE)
    subscribe("pending@example.com")
    answers = [
        subscribe(address)
        for address in ("new@example.com", "pending@example.com", "active@example.com")
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, SENT)}
    pages = {client.get(SENT).content for _ in answers}
    assert len(pages) == 1


def test_an_active_subscription_is_unchanged_until_its_owner_confirms(subscribe, mailoutbox, gut):
    Subscriber.objects.create(email="active@example.com", status=Subscriber.Status.ACTIVE)
    subscribe("active@example.com", topics=[gut])
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE and subscriber.all_posts
    assert list(subscriber.topics.all()) == []
    assert len(mailoutbox) == 1  # the owner may confirm the new topics


def test_at_most_one_confirmation_per_address_per_hour(subscribe, mailoutbox):
    subscribe("robin@example.com")
    subscribe("ROBIN@example.com")
    assert len(mailoutbox) == 1
    an_hour_ago()
    subscribe("robin@example.com")
    assert len(mailoutbox) == 2
    assert Subscriber.objects.count() == 1


def test_an_undeliverable_address_is_not_mailed(subscribe, mailoutbox):
    Subscriber.objects.create(email="gone@example.com", status=Subscriber.Status.UNDELIVERABLE)
    assert subscribe("gone@example.com")["Location"] == SENT
    assert mailoutbox == []


def test_a_look_alike_address_is_its_own_subscription(subscribe, mailoutbox):
    Subscriber.objects.create(email="robin@gmail.com", status=Subscriber.Status.ACTIVE)
    subscribe("robin@gmaİl.com")
    assert [m.to for m in mailoutbox] == [["robin@xn--gmail-bgd.com"]]
    assert Subscriber.objects.get(email="robin@gmail.com").confirmation_sent_at is None


def test_mistakes_are_shown_and_nothing_is_sent(subscribe, mailoutbox):
    response = subscribe("not an address", consent=False)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address" in page and "Please tick the box" in page
    assert 'value="not an address"' in page
    assert mailoutbox == [] and not Subscriber.objects.exists()


def test_a_cross_site_form_is_refused(subscribe, mailoutbox):
    response = subscribe("robin@example.com", **{"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert mailoutbox == [] and not Subscriber.objects.exists()


def test_a_foreign_origin_is_refused_without_fetch_metadata(client, mailoutbox):
    response = client.post(
        SUBSCRIBE,
        {"email": "robin@example.com", "consent": "on"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and mailoutbox == []


def test_the_form_is_rate_limited_per_client(subscribe, settings, mailoutbox):
    settings.NEWSLETTER_RATE_LIMIT_PER_MINUTE = 2
    answers = [subscribe(f"reader{n}@example.com").status_code for n in range(3)]
    assert answers == [302, 302, 429]
    assert len(mailoutbox) == 2


def test_confirming_takes_a_button_not_a_visit(client, subscribe, mailoutbox, gut):
    subscribe("robin@example.com", topics=[gut])
    url = path_of(link_in(mailoutbox[0]))
    page = client.get(url)
    assert page.status_code == 200 and b"Confirm my subscription" in page.content
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    done = client.post(url)
    assert done.status_code == 200 and b"You are subscribed" in done.content
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert not subscriber.all_posts and list(subscriber.topics.all()) == [gut]
    assert client.post(url).status_code == 410  # used


def test_the_button_needs_the_csrf_token(subscribe, mailoutbox):
    subscribe("robin@example.com")
    url = path_of(link_in(mailoutbox[0]))
    assert Client(enforce_csrf_checks=True).post(url).status_code == 403
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_an_old_link_expires(client, subscribe, mailoutbox, settings):
    subscribe("robin@example.com")
    url = path_of(link_in(mailoutbox[0]))
    later = time.time() + settings.NEWSLETTER_CONFIRMATION_HOURS * 3600 + 1
    with mock.patch("time.time", return_value=later):
        assert client.post(url).status_code == 410
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_an_altered_link_is_refused(client, subscribe, mailoutbox):
    subscribe("robin@example.com")
    url = path_of(link_in(mailoutbox[0]))
    assert client.get(url[:-3] + "xx/").status_code == 400
    forged = signing.dumps({"s": 1, "t": None, "at": "x"}, salt="another")
    assert client.get(reverse("newsletter:confirm", args=[forged])).status_code == 400


def test_only_the_latest_link_confirms(client, subscribe, mailoutbox):
    subscribe("robin@example.com")
    first = path_of(link_in(mailoutbox[0]))
    an_hour_ago()
    subscribe("robin@example.com")
    second = path_of(link_in(mailoutbox[1]))
    assert client.post(first).status_code == 410
    assert client.post(second).status_code == 200


def test_the_link_names_no_address():
    subscriber = Subscriber(pk=7, email="robin@example.com", confirmation_sent_at=timezone.now())
    token = links.confirmation_token(subscriber, None)
    assert "robin" not in signing.b64_decode(token.split(":")[0].encode()).decode()
