"""Two workers sending one post at once never send the same email twice
(PostgreSQL: claims skip the rows another worker has locked; SQLite has one
writer, and production runs PostgreSQL)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone

from newsletter import sending
from newsletter.models import Delivery, Mailing, Subscriber
from tests.articles.factories import PostFactory

from .test_smtp import sink  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not connection.features.has_select_for_update_skip_locked,
        reason="PostgreSQL's SKIP LOCKED",
    ),
]


def queued_post(readers):
    """A published post queued for ``readers`` active subscribers."""
    post = PostFactory(publish_at=timezone.now())
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com", status=Subscriber.Status.ACTIVE)
        for n in range(readers)
    )
    mailing, _ = Mailing.objects.start(post)
    mailing.queue()
    return post


def at_once(work, workers):
    """Run ``work`` in ``workers`` threads started together, each with its own
    database connection; the exceptions they raised."""
    start = threading.Barrier(workers)
    errors = []

    def worker():
        try:
            start.wait()
            work()
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_two_workers_send_each_email_once(sink, settings):  # noqa: F811
    settings.NEWSLETTER_BATCH_SIZE = 5
    post = queued_post(60)
    errors = at_once(lambda: sending.send_next(post.pk), 2)
    assert errors == []
    sent = Counter(to for recipients, _ in sink.messages for to in recipients)
    assert len(sent) == 60 and set(sent.values()) == {1}
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 60


def test_claims_at_the_same_moment_are_disjoint(settings):
    settings.NEWSLETTER_BATCH_SIZE = 10
    post = queued_post(30)
    now = timezone.now()
    taken = []
    assert at_once(lambda: taken.append({row.pk for row in sending.claim(post.pk, now)}), 3) == []
    assert len(taken) == 3
    assert sum(len(t) for t in taken) == len(set().union(*taken)) == 30


def test_two_editors_sending_again_at_once_reach_each_follower_once(sink, settings):  # noqa: F811
    """Two editors press "Send again" on one post at the same moment: the
    failed deliveries and the new followers each get the post once, and
    nobody who had it gets it again."""
    settings.NEWSLETTER_BATCH_SIZE = 4
    post = queued_post(12)
    sending.send_next(post.pk)  # the first sending, in batches, to all twelve
    had_it = {to for recipients, _ in sink.messages for to in recipients}
    assert len(had_it) == 12
    failed = Delivery.objects.filter(post=post).order_by("pk")[:3]
    Delivery.objects.filter(pk__in=[d.pk for d in failed]).update(state=Delivery.State.FAILED)
    Subscriber.objects.bulk_create(
        Subscriber(email=f"newcomer{n}@example.com", status=Subscriber.Status.ACTIVE)
        for n in range(5)
    )
    sink.messages.clear()

    errors = at_once(lambda: Mailing.objects.get(post=post).send_again(), 2)

    assert errors == []
    sent = Counter(to for recipients, _ in sink.messages for to in recipients)
    newcomers = {f"newcomer{n}@example.com" for n in range(5)}
    again = {d.subscriber.email for d in Delivery.objects.filter(pk__in=[d.pk for d in failed])}
    assert set(sent) == newcomers | again
    assert set(sent.values()) == {1}
    assert Delivery.objects.filter(post=post, state=Delivery.State.SENT).count() == 17
