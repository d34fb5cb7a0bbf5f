"""The signed link that confirms a reader's request to delete what the site
keeps about their email address: their comments, and whatever other apps
register with core.personal_data (the newsletter: the subscription and its
send records).

The token (``django.core.signing``, with its own salt and the SECRET_KEY) holds
the state of what was kept when the link was made (``holdings``): the
comments' count and the newest one's id (``CommentQuerySet.address_state``),
and each other app's ids. The address itself is read from that newest
comment (or, with no comment, from what another app holds), so the link
(which ends up in access logs and browser histories) holds no personal data.
It expires after COMMENTS_DELETION_LINK_HOURS. It works once without anything
stored about the request: after the deletion the newest comment (or the
subscription) is gone, and whatever the address sends later has a newer id,
so the state never matches again. A new comment sent between the email and
the click also makes the link stale (the reader asks again, and the new link
covers the new comment too).
"""

from django.conf import settings
from django.core import signing
from django.db import transaction

from core import personal_data

from .models import Comment

SALT = "comments.deletion"


class LinkError(Exception):
    """The link cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message, self.status = message, status


ALTERED = (
    "This link is not valid. Please copy the whole link from the email, or ask for a new one."
)
EXPIRED = "This link has expired. Please ask for a new one."
USED = (
    "This link has been used already, or what it was made for has changed. "
    "If anything of your address remains here, ask for a new link."
)


def holdings(email):
    """What is kept about ``email`` now, as a link is made for it: its
    comments' state (how many, the newest id) and what each other app
    registered with core.personal_data holds (``held``, by name); None when
    nothing at all is kept."""
    count, newest = Comment.objects.by_address(email).address_state()
    held = {}
    for holder in personal_data.holders():
        state = holder.state(email)
        if state is not None:
            held[holder.name] = state
    if not count and not held:
        return None
    return {"count": count, "newest": newest, "held": held}


def stored_address(state):
    """The address as stored, read from the newest comment, or from what
    another app holds when there is no comment; None when it is gone."""
    if state["newest"] is not None:
        return (
            Comment.objects.filter(pk=state["newest"], is_staff_reply=False)
            .values_list("email", flat=True)
            .first()
        )
    holders = {holder.name: holder for holder in personal_data.holders()}
    for name, held in state["held"].items():
        email = holders[name].address(held)
        if email is not None:
            return email
    return None


def make_token(state):
    """The token for an address whose holdings are ``state`` (``holdings``)."""
    return signing.dumps(state, salt=SALT)


def lifetime():
    return settings.COMMENTS_DELETION_LINK_HOURS * 3600


def _checked(payload):
    """The state a token holds, each part of the right type, or None."""
    if not isinstance(payload, dict):
        return None
    count, newest = payload.get("count"), payload.get("newest")
    held = payload.get("held", {})
    names = {holder.name for holder in personal_data.holders()}
    if not isinstance(count, int) or not isinstance(held, dict) or not set(held) <= names:
        return None
    if not (isinstance(newest, int) or (newest is None and count == 0 and held)):
        return None
    return {"count": count, "newest": newest, "held": held}


def read_token(token):
    """(email, state) from a link's token, checked: signed by us, not expired,
    and what is kept about its address still as it was. Raises LinkError."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=lifetime())
    except signing.SignatureExpired:
        raise LinkError(EXPIRED, status=410) from None
    except (signing.BadSignature, ValueError, TypeError):  # altered, truncated, garbage
        raise LinkError(ALTERED, status=400) from None
    state = _checked(payload)
    if state is None:
        raise LinkError(ALTERED, status=400)
    email = stored_address(state)
    if email is None or holdings(email) != state:
        raise LinkError(USED, status=410)
    return email, state


def describe(state):
    """What the button deletes: ``(shorts, sentences)``, the other apps' part
    (the comments' own is on the page)."""
    holders = {holder.name: holder for holder in personal_data.holders()}
    parts = [holders[name].describe(held) for name, held in state["held"].items()]
    return [short for short, _ in parts], [sentence for _, sentence in parts]


def erase(email, state):
    """Delete everything ``state`` says is kept about ``email``, all or
    nothing (one transaction): (the comments' record or None, the other
    apps' sentences), or None when any of it changed since the link was made."""
    holders = {holder.name: holder for holder in personal_data.holders()}
    with transaction.atomic():
        record = None
        if state["count"]:
            record = Comment.objects.erase_address(
                email, expected_state=[state["count"], state["newest"]]
            )
            if record is None:
                return None
        done = []
        for name, held in state["held"].items():
            sentence = holders[name].erase(email, held)
            if sentence is None:
                transaction.set_rollback(True)
                return None
            done.append(sentence)
    return record, done
