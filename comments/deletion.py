"""The signed link that confirms a reader's request to delete their comments.

The token (``django.core.signing``, with its own salt and the SECRET_KEY) holds
the state of the address's comments when the link was made: how many, and
the newest one's id (``CommentQuerySet.address_state``). The address itself
is read from that newest comment, so the link (which ends up in access logs
and browser histories) holds no personal data. It expires after
COMMENTS_DELETION_LINK_HOURS. It works once without anything stored about
the request: after the deletion the newest comment is gone, and whatever the
address sends later has a newer id, so the state never matches again. A new
comment sent between the email and the click also makes the link stale (the
reader asks again, and the new link covers the new comment too).
"""

from django.conf import settings
from django.core import signing

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
    "This link has been used already, or the comments it was made for have changed. "
    "If comments from your address remain, ask for a new link."
)


def make_token(state):
    """The token for an address whose comments are in ``state`` ([count, newest id])."""
    count, newest = state
    return signing.dumps({"count": count, "newest": newest}, salt=SALT)


def lifetime():
    return settings.COMMENTS_DELETION_LINK_HOURS * 3600


def read_token(token):
    """(email, state) from a link's token, checked: signed by us, not expired,
    and its address's comments still as they were. Raises LinkError."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=lifetime())
    except signing.SignatureExpired:
        raise LinkError(EXPIRED, status=410) from None
    except (signing.BadSignature, ValueError, TypeError):  # altered, truncated, garbage
        raise LinkError(ALTERED, status=400) from None
    if not isinstance(payload, dict):
        raise LinkError(ALTERED, status=400)
    count, newest = payload.get("count"), payload.get("newest")
    if not isinstance(count, int) or not isinstance(newest, int):
        raise LinkError(ALTERED, status=400)
    email = (
        Comment.objects.filter(pk=newest, is_staff_reply=False)
        .values_list("email", flat=True)
        .first()
    )
    state = [count, newest]
    if email is None or Comment.objects.by_address(email).address_state() != state:
        raise LinkError(USED, status=410)
    return email, state
