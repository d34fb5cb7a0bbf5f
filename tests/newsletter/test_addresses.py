"""One address, one way of writing it, for the newsletter too (core.emails):
the subscribe form, the subscription it reaches and the deletion a reader
asks for by address all go through the single normal form, so a look-alike
address (a dotted İ, a Kelvin sign, full-width letters that are not the same
DNS name) never reaches someone else's subscription, on either database.
Hypothesis types the addresses; the examples are the attacks we know."""

import pytest
from django.core import mail as django_mail
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from comments import deletion
from newsletter.forms import SubscribeForm
from newsletter.models import Subscriber
from newsletter.tasks import send_confirmation
from tests.core.test_emails import HOW, addresses, mailbox, normal_or_none, variant

pytestmark = pytest.mark.django_db

ALICE = "alice@gmail.com"
LOOKALIKE = "alice@gmaİl.com"

PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def typed_in_the_form(typed):
    """The subscribe form's cleaned address, or None where it shows an error."""
    form = SubscribeForm(data={"email": typed, "consent": "on"})
    return form.cleaned_data["email"] if form.is_valid() else None


def questions(stored, asked):
    return [*stored, *(variant(stored[i % len(stored)], how) for i, how in asked)]


stored_addresses = st.lists(addresses, min_size=1, max_size=5)
asked_variants = st.lists(st.tuples(st.integers(min_value=0, max_value=4), HOW), max_size=6)


@PROPERTY
@given(stored=stored_addresses, asked=asked_variants)
@example(stored=[ALICE], asked=[(0, "dotted I"), (0, "upper")])
@example(stored=[ALICE, LOOKALIKE], asked=[(1, "upper"), (0, "title")])
@example(stored=["kiss@sky.com"], asked=[(0, "kelvin"), (0, "swap")])
@example(stored=["sam@strasse.de", "sam@straße.de"], asked=[(0, "casefold"), (1, "upper")])
@example(stored=["alice@ｇｍａｉｌ.com", ALICE], asked=[(0, "padded")])
def test_the_subscribe_form_reaches_one_subscription_per_mailbox(stored, asked):
    """Everyone subscribes as they type it: one subscription per normal form,
    each confirmation mailed to the normal form, and any way of typing an
    address reaches the subscription of that mailbox and no other."""
    with transaction.atomic():
        django_mail.outbox = []
        normals = set()
        for typed in stored:
            cleaned = typed_in_the_form(typed)
            if cleaned is not None:  # (Django's own check refuses a few more)
                assert cleaned == normal_or_none(typed)
                send_confirmation.call(cleaned, None)
                normals.add(cleaned)
        assert set(Subscriber.objects.values_list("email", flat=True)) == normals
        assert {m.to[0] for m in django_mail.outbox} == normals
        for question in questions(stored, asked):
            found = list(Subscriber.objects.by_address(question))
            normal = normal_or_none(question)
            assert [s.email for s in found] == ([normal] if normal in normals else [])
            assert typed_in_the_form(question) in (normal, None)
            for subscriber in found:
                assert mailbox(question) == mailbox(subscriber.email)
        transaction.set_rollback(True)


@PROPERTY
@given(stored=stored_addresses, asked=asked_variants)
@example(stored=[ALICE], asked=[(0, "dotted I"), (0, "upper")])
@example(stored=[ALICE, LOOKALIKE], asked=[(1, "swap"), (0, "padded")])
@example(stored=["kiss@sky.com"], asked=[(0, "kelvin")])
@example(stored=["sam@strasse.de", "sam@straße.de"], asked=[(1, "casefold")])
def test_a_deletion_asked_by_address_reaches_that_mailboxs_subscription_only(stored, asked):
    """Whatever address is typed in the deletion request, the link is made
    for (and mailed to, and deletes) the subscription of the same mailbox,
    or nothing; every other subscription stays."""
    for question in questions(stored, asked):
        with transaction.atomic():
            subscribers = {}
            for typed in stored:
                normal = normal_or_none(typed)
                if normal is not None and normal not in subscribers:
                    subscribers[normal] = Subscriber.objects.create(
                        email=normal, status=Subscriber.Status.ACTIVE
                    )
            state = deletion.holdings(question)
            target = subscribers.get(normal_or_none(question))
            if target is None:
                assert state is None, (question, list(subscribers))
            else:
                assert state["held"] == {"newsletter": [target.pk]}
                email = deletion.stored_address(state)
                assert email == target.email and mailbox(email) == mailbox(question)
                assert deletion.erase(email, state) is not None
            left = set(Subscriber.objects.values_list("pk", flat=True))
            others = {s.pk for s in subscribers.values() if s is not target}
            assert left == others
            transaction.set_rollback(True)


def test_a_lookalike_asking_for_deletion_gets_no_link_and_alice_stays(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    alice = Subscriber.objects.create(email=ALICE, status=Subscriber.Status.ACTIVE)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comments/delete/", {"email": LOOKALIKE})

    assert response.status_code == 302
    assert mailoutbox == []
    assert Subscriber.objects.filter(pk=alice.pk).exists()
