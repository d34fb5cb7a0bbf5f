"""A reader's deletion request by email address (core.personal_data) reaches
their subscription: it is described on the confirmation page and deleted,
with its topics and its send records, by the same button as their comments.

The state put in the signed link is the subscription's id alone: an email
sent between the request and the click does not spoil the link, and a
subscription deleted and asked for again has a new id, so an old link never
deletes the new one.
"""

from core.personal_data import Holder

from .models import Subscriber

WHAT = {
    Subscriber.Status.PENDING: "asked for, not confirmed",
    Subscriber.Status.ACTIVE: "active",
    Subscriber.Status.PAUSED: "paused",
    Subscriber.Status.UNDELIVERABLE: "undeliverable",
    Subscriber.Status.UNSUBSCRIBED: "unsubscribed",
}


def _records(count):
    """The send records, said plainly (none is said too)."""
    if not count:
        return "no record of an email sent to it (none was sent)"
    return f"the records of the {count} email{'' if count == 1 else 's'} sent to it"


def state(email):
    pk = Subscriber.objects.by_address(email).values_list("pk", flat=True).first()
    return None if pk is None else [pk]


def _valid(state):
    return isinstance(state, list) and len(state) == 1 and isinstance(state[0], int)


def address(state):
    if not _valid(state):
        return None
    return Subscriber.objects.filter(pk=state[0]).values_list("email", flat=True).first()


def describe(state):
    subscriber = Subscriber.objects.with_delivery_total().filter(pk=state[0]).first()
    if subscriber is None:
        return "my newsletter subscription", "Your newsletter subscription."
    return "my newsletter subscription", (
        f"Your newsletter subscription ({WHAT[subscriber.status]}), with the topics it "
        f"follows, and {_records(subscriber.delivery_total)}."
    )


def erase(email, state):
    if not _valid(state):
        return None
    own = Subscriber.objects.by_address(email).filter(pk=state[0])
    if not own.select_for_update().exists():
        return None
    deliveries = own.erase()
    return (
        f"Your newsletter subscription is deleted, with {_records(deliveries)}. "
        "Nothing more will be sent to you."
    )


HOLDER = Holder(
    name="newsletter",
    noun="a newsletter subscription",
    state=state,
    address=address,
    describe=describe,
    erase=erase,
)
