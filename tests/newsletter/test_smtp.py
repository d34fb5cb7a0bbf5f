"""Sending through a real SMTP server (aiosmtpd): one connection per batch,
a permanent refusal at RCPT (5xx) marks the address undeliverable and it is
not mailed again, a temporary one (4xx) is tried again after a backoff."""

import pytest
from django.utils import timezone

from articles.models import Post
from newsletter import sending
from newsletter.models import Delivery, Mailing, Subscriber
from tests.articles.factories import PostFactory
from tests.production.stack import Sink

pytestmark = pytest.mark.django_db


class RefusingSink(Sink):
    """A sink that refuses some recipients at RCPT, and counts connections."""

    def __init__(self, refuse):
        super().__init__()
        self.refuse = refuse  # address -> SMTP reply
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def sink(settings):
    server = RefusingSink(
        {
            "gone@example.com": "550 5.1.1 No such user",
            "busy@example.com": "451 4.2.0 Try again later",
        }
    ).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def queued(gut):
    post = PostFactory(publish_at=timezone.now())
    for address in ("a@example.com", "gone@example.com", "busy@example.com", "b@example.com"):
        Subscriber.objects.create(email=address, status=Subscriber.Status.ACTIVE)
    mailing, _ = Mailing.objects.start(post)
    mailing.queue()
    return post


def states():
    return dict(Delivery.objects.values_list("subscriber__email", "state"))


def test_refusals_at_rcpt(sink, queued):
    sending.send_next(queued.pk)
    assert sorted(to for recipients, _ in sink.messages for to in recipients) == [
        "a@example.com",
        "b@example.com",
    ]
    assert sink.connections == 1  # one connection for the batch
    assert states() == {
        "a@example.com": "sent",
        "b@example.com": "sent",
        "gone@example.com": "refused",
        "busy@example.com": "queued",
    }
    gone = Subscriber.objects.get(email="gone@example.com")
    assert gone.status == Subscriber.Status.UNDELIVERABLE
    busy = Delivery.objects.get(subscriber__email="busy@example.com")
    assert busy.attempts == 1 and busy.retry_at > timezone.now()


def test_a_temporary_refusal_is_tried_again_after_its_backoff(sink, queued, settings):
    sending.send_next(queued.pk)
    sending.send_next(queued.pk)  # too early: nothing is due
    busy = Delivery.objects.get(subscriber__email="busy@example.com")
    assert busy.attempts == 1
    sink.refuse.pop("busy@example.com")
    Delivery.objects.filter(pk=busy.pk).update(retry_at=timezone.now())
    sending.send_next(queued.pk)
    busy.refresh_from_db()
    assert busy.state == Delivery.State.SENT and busy.attempts == 2
    # Nobody got anything twice; the undeliverable address was not tried again.
    sent = [to for recipients, _ in sink.messages for to in recipients]
    assert sorted(sent) == ["a@example.com", "b@example.com", "busy@example.com"]


def test_a_new_post_skips_an_undeliverable_address(sink, queued, gut):
    sending.send_next(queued.pk)
    post = PostFactory(publish_at=timezone.now())
    mailing, _ = Mailing.objects.start(Post.objects.get(pk=post.pk))
    mailing.queue()
    assert not Delivery.objects.filter(post=post, subscriber__email="gone@example.com").exists()


def test_the_one_click_headers_reach_the_server(sink, queued):
    sending.send_next(queued.pk)
    _, message = sink.messages[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(message["List-Unsubscribe"]).strip().startswith("<http")  # folded: a space
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None


def test_a_batch_reads_the_post_once_whatever_its_size(sink, settings):  # noqa: F811
    """What every email shows (the post, its references, its disclaimers) is
    read once per batch: each email more costs only its own outcome's UPDATE."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.articles.factories import DisclaimerFactory, ReferenceFactory

    settings.NEWSLETTER_BATCH_SIZE = 100
    costs = {}
    for readers in (2, 12):
        post = PostFactory(publish_at=timezone.now())
        ReferenceFactory.create_batch(3, post=post)
        post.disclaimers.add(DisclaimerFactory(marker=f"*{readers}", text="Not evaluated."))
        Subscriber.objects.all().delete()
        Subscriber.objects.bulk_create(
            Subscriber(email=f"r{n}@example.com", status=Subscriber.Status.ACTIVE)
            for n in range(readers)
        )
        mailing, _ = Mailing.objects.start(post)
        mailing.queue()
        with CaptureQueriesContext(connection) as queries:
            sending.send_next(post.pk)
        costs[readers] = len(queries)
    assert costs[12] - costs[2] == 10, costs


def test_on_postgresql_outcomes_are_not_waited_onto_disk_for_the_batch_only(
    sink,
    settings,
    monkeypatch,  # noqa: F811
):
    """Two milliseconds an email (docs/operations.md): each outcome's commit
    is asynchronous while the batch sends, and the connection is as before
    afterwards (the worker's next task, or a pooled connection's next user)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    seen = []
    record = sending._record
    monkeypatch.setattr(
        sending, "_record", lambda *a, **k: (seen.append(setting()), record(*a, **k))
    )
    post = PostFactory(publish_at=timezone.now())
    Subscriber.objects.create(email="r@example.com", status=Subscriber.Status.ACTIVE)
    mailing, _ = Mailing.objects.start(post)
    mailing.queue()

    sending.send_next(post.pk)

    assert seen == ["off"]
    assert setting() == "on"
