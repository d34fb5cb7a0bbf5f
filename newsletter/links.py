"""The signed links the newsletter mails (django.core.signing, salts of their own).

A link holds the subscriber's id, never its address: links end up in access
logs and browser histories.

- The confirmation link also holds the topics asked for (None: all posts)
  and when the confirmation was mailed. It expires after
  NEWSLETTER_CONFIRMATION_HOURS, and works only while it is the latest one
  mailed and has not been used (``Subscriber.confirm``): so an old link
  cannot subscribe again an address that has since unsubscribed.
- The subscriber's own link (``subscriber_token``), in every email: it opens
  the unsubscribe page and the preferences page, and takes the one-click
  unsubscribe POST (RFC 8058). It does not expire (an email read months
  later still unsubscribes); it is the only key to the subscription, and a
  deleted subscription makes it lead nowhere.
"""

import datetime as dt

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
SUBSCRIBER_SALT = "newsletter.subscriber"

ALTERED = "This link is not valid. Please copy the whole link from the email."
EXPIRED = "This link has expired. Please subscribe again to get a new one."
USED = (
    "This link has been used already, or a newer one was mailed since. Use the "
    "newest email, or subscribe again."
)


class LinkError(Exception):
    """The link cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message, self.status = message, status


def confirmation_token(subscriber, topic_ids):
    return signing.dumps(
        {
            "s": subscriber.pk,
            "t": sorted(topic_ids) if topic_ids is not None else None,
            "at": subscriber.confirmation_sent_at.isoformat(),
        },
        salt=CONFIRM_SALT,
    )


def read_confirmation(token):
    """(subscriber id, topic ids or None, mailed at) from a token. Raises LinkError."""
    try:
        payload = signing.loads(
            token, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRMATION_HOURS * 3600
        )
    except signing.SignatureExpired:
        raise LinkError(EXPIRED, status=410) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkError(ALTERED, status=400) from None
    try:
        pk, topics = payload["s"], payload["t"]
        sent_at = dt.datetime.fromisoformat(payload["at"])
        if not isinstance(pk, int) or not (
            topics is None or all(isinstance(t, int) for t in topics)
        ):
            raise TypeError
    except (KeyError, TypeError, ValueError):
        raise LinkError(ALTERED, status=400) from None
    return pk, topics, sent_at


def subscriber_token(subscriber):
    return signing.Signer(salt=SUBSCRIBER_SALT).sign(str(subscriber.pk))


def read_subscriber(token):
    """The subscriber id a subscriber's link names, or None (not ours)."""
    try:
        value = signing.Signer(salt=SUBSCRIBER_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
