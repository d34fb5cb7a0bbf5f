"""A subscriber leaves, pauses or changes topics from the links in any email.

RFC 8058's one-click POST unsubscribes with no session and no CSRF token; a
GET of the link changes nothing; the page has one button and a way back in."""

import pytest
from django.test import Client
from django.urls import reverse

from newsletter import links
from newsletter.models import Delivery, Subscriber

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def robin(db):
    return Subscriber.objects.create(email="robin@example.com", status=Subscriber.Status.ACTIVE)


def url(name, subscriber):
    return reverse(f"newsletter:{name}", args=[links.subscriber_token(subscriber)])


def status_of(subscriber):
    subscriber.refresh_from_db()
    return subscriber.status


def test_a_mail_clients_one_click_post_unsubscribes(robin):
    # A mail client: no cookie, no session, no CSRF token, the RFC's body.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url("unsubscribe", robin), ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert status_of(robin) == Subscriber.Status.UNSUBSCRIBED
    assert not response.cookies.get("sessionid")


def test_opening_the_link_changes_nothing(robin):
    page = Client().get(url("unsubscribe", robin))
    assert page.status_code == 200
    main = page.content.decode().split("<main")[1].split("</main>")[0]
    assert main.count('type="submit"') == 1 and "Unsubscribe" in main
    assert status_of(robin) == Subscriber.Status.ACTIVE


def test_the_button_unsubscribes_and_offers_a_way_back(robin):
    client = Client(enforce_csrf_checks=True)
    done = client.post(url("unsubscribe", robin)).content.decode()
    assert "You are unsubscribed" in done and "Subscribe again" in done
    assert status_of(robin) == Subscriber.Status.UNSUBSCRIBED
    back = Client()
    back.get(url("unsubscribe", robin))
    response = back.post(url("resubscribe", robin))
    assert response.status_code == 302
    assert status_of(robin) == Subscriber.Status.ACTIVE


def test_the_way_back_needs_the_csrf_token(robin):
    robin.unsubscribe()
    assert Client(enforce_csrf_checks=True).post(url("resubscribe", robin)).status_code == 403
    assert status_of(robin) == Subscriber.Status.UNSUBSCRIBED


def test_the_way_back_does_not_revive_an_undeliverable_address(robin):
    Subscriber.objects.filter(pk=robin.pk).update(status=Subscriber.Status.UNDELIVERABLE)
    Client().post(url("resubscribe", robin))
    assert status_of(robin) == Subscriber.Status.UNDELIVERABLE


def test_a_link_we_did_not_make_is_not_found(robin):
    forged = reverse("newsletter:unsubscribe", args=[f"{robin.pk}:forged"])
    assert Client().post(forged, ONE_CLICK, content_type="text/plain").status_code == 404
    assert Client().get(reverse("newsletter:preferences", args=[str(robin.pk)])).status_code == 404
    assert status_of(robin) == Subscriber.Status.ACTIVE


def test_a_deleted_subscription_leads_nowhere(robin):
    link = url("unsubscribe", robin)
    robin.delete()
    assert Client().post(link).status_code == 404


def test_the_preferences_page_changes_topics(robin, gut, sleep):
    client = Client()
    page = client.get(url("preferences", robin))
    assert page.status_code == 200 and b"Gut health" in page.content and b"Sleep" in page.content
    client.post(url("preferences", robin), {"topics": [sleep.pk]})
    robin.refresh_from_db()
    assert not robin.all_posts and list(robin.topics.all()) == [sleep]
    assert robin.status == Subscriber.Status.ACTIVE
    client.post(url("preferences", robin), {})
    robin.refresh_from_db()
    assert robin.all_posts and list(robin.topics.all()) == []


def test_the_preferences_page_pauses_and_resumes(robin):
    client = Client()
    client.post(url("preferences", robin), {"paused": "on"})
    assert status_of(robin) == Subscriber.Status.PAUSED
    client.post(url("preferences", robin), {})
    assert status_of(robin) == Subscriber.Status.ACTIVE


def test_preferences_need_the_csrf_token(robin):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url("preferences", robin), {"paused": "on"}).status_code == 403
    assert status_of(robin) == Subscriber.Status.ACTIVE


def test_a_paused_subscriber_can_unsubscribe(robin):
    robin.set_preferences(None, paused=True)
    Client().post(url("unsubscribe", robin), ONE_CLICK, content_type="text/plain")
    assert status_of(robin) == Subscriber.Status.UNSUBSCRIBED


def test_an_unsubscribed_reader_can_delete_the_address(robin, post):
    Delivery.objects.create(post=post, subscriber=robin, state=Delivery.State.SENT)
    client = Client()
    client.post(url("unsubscribe", robin))
    page = client.get(url("unsubscribe", robin)).content.decode()
    assert "Delete my address" in page
    response = client.post(url("forget", robin))
    assert response.status_code == 200 and b"Your address is deleted" in response.content
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


def test_deleting_the_address_needs_the_csrf_token(robin):
    assert Client(enforce_csrf_checks=True).post(url("forget", robin)).status_code == 403
    assert Subscriber.objects.exists()


# --- by email: the mailto: in List-Unsubscribe (NEWSLETTER_UNSUBSCRIBE_EMAIL) -----------


def test_an_unsubscribe_email_is_acted_on_by_pasting_its_subject(db):
    """Whoever reads the NEWSLETTER_UNSUBSCRIBE_EMAIL mailbox pastes each
    request's subject into one command; a subject we did not sign changes nothing."""
    from io import StringIO
    from urllib.parse import unquote

    from django.core.management import call_command

    from newsletter import links
    from newsletter.models import Subscriber

    robin = Subscriber.objects.create(email="robin@example.com", status=Subscriber.Status.ACTIVE)
    sam = Subscriber.objects.create(email="sam@example.com", status=Subscriber.Status.ACTIVE)
    subject = unquote(f"unsubscribe%20{links.subscriber_token(robin)}")
    forged = f"unsubscribe {sam.pk}:not-our-signature"
    out = StringIO()

    call_command("unsubscribe_by_email", subject, forged, "hello", stdout=out)

    robin.refresh_from_db()
    sam.refresh_from_db()
    assert robin.status == Subscriber.Status.UNSUBSCRIBED
    assert sam.status == Subscriber.Status.ACTIVE
    assert out.getvalue().splitlines() == [
        f"subscriber {robin.pk}: unsubscribed",
        f"not a subject we signed: 'unsubscribe {sam.pk}:not-our-signature'",
        "not a subject we signed: 'hello'",
    ]
