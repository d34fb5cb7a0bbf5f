"""The newsletter in the admin: administrators see and export addresses,
editors see counts and each mailing's progress, and pause and resume it."""

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Delivery, Mailing, Subscriber
from tests.articles.factories import PostFactory

pytestmark = pytest.mark.django_db

SUBSCRIBERS = reverse("admin:newsletter_subscriber_changelist")
MAILINGS = reverse("admin:newsletter_mailing_changelist")


@pytest.fixture
def mailing(gut):
    post = PostFactory(title="Zinc and Colds", publish_at=timezone.now())
    for n, state in enumerate(["sent", "sent", "refused", "failed", "queued"]):
        subscriber = Subscriber.objects.create(
            email=f"reader{n}@example.com", status=Subscriber.Status.ACTIVE
        )
        Delivery.objects.create(post=post, subscriber=subscriber, state=state)
    return Mailing.objects.create(post=post)


def test_administrators_see_addresses_and_export_them(admin_client, mailing, gut):
    Subscriber.objects.filter(email="reader1@example.com").first().topics.set([gut])
    page = admin_client.get(SUBSCRIBERS, {"q": "reader1"}).content.decode()
    assert "reader1@example.com" in page and "reader2@example.com" not in page
    response = admin_client.post(
        SUBSCRIBERS,
        {
            "action": "export_csv",
            "_selected_action": list(Subscriber.objects.values_list("pk", flat=True)),
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body.splitlines()[0] == "email,status,follows,subscribed,confirmed"
    assert "reader0@example.com,active,every post" in body


def test_editors_see_counts_not_addresses(editor_client, mailing):
    assert editor_client.get(SUBSCRIBERS).status_code == 403
    front = editor_client.get(reverse("admin:index")).content.decode()
    assert "5 active email subscribers." in front and "Zinc and Colds" in front
    assert "@example.com" not in front
    progress = editor_client.get(MAILINGS).content.decode()
    assert "2 sent, 1 failed, 1 refused, 1 waiting, of 5" in progress
    assert "@example.com" not in progress


def test_moderators_see_nothing_of_it(moderator_client, mailing):
    assert moderator_client.get(MAILINGS).status_code == 403
    assert moderator_client.get(SUBSCRIBERS).status_code == 403
    assert "subscriber" not in moderator_client.get(reverse("admin:index")).content.decode()


def test_editors_pause_and_resume_a_mailing(
    editor_client, mailing, django_capture_on_commit_callbacks
):
    action = {"_selected_action": [mailing.pk]}
    editor_client.post(MAILINGS, {**action, "action": "pause"})
    mailing.refresh_from_db()
    assert mailing.paused
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(MAILINGS, {**action, "action": "resume"})
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert not mailing.paused
    # Resumed: the one still waiting is sent.
    assert [m.to for m in django_mail.outbox] == [["reader4@example.com"]]
    assert not Delivery.objects.filter(state="queued").exists()


def test_a_paused_mailing_sends_nothing(mailing):
    from newsletter import sending

    Mailing.objects.filter(pk=mailing.pk).pause()
    assert sending.send_next(mailing.post_id) == "paused"
    assert django_mail.outbox == []
