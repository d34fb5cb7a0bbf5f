"""What a browser has proved about a reader's address (COMMENTS_TRUST_RETURNING).

Typing an address proves nothing: anyone can type anyone's. Trust rests on
the link in the approval notice, which goes to the address as stored on an
approved comment. Opening it (``comments:confirmed``) sets a cookie in that
browser:

- signed (``set_signed_cookie``, its own salt) and good for
  COMMENTS_TRUST_DAYS;
- holding a keyed hash of the address (``address_key``), not the address;
- sent only to ``/comments/``, where comments are posted: the post pages,
  which every reader shares, never see it and stay the same bytes for all;
- HttpOnly, SameSite=Lax, Secure like the session cookie.

A comment sent from that browser with that address, when the address has
an approved comment, is approved at once (``Comment.trusted_because``). The
answer to a comment differs only for the browser that holds the proof, so it
tells nobody else whether an address is known.

The link itself (``confirmation_path``) names the comment and the address's
key, signed, and works for LINK_DAYS: it proves the address only while that
comment is still public and still sent from that address.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

COOKIE = "comments_trust"
COOKIE_PATH = "/comments/"
LINK_SALT = "comments.trust.link"
LINK_DAYS = 30


def address_key(email):
    """A keyed hash of a stored (normal) address: what the proof names."""
    return salted_hmac("comments.trust.address", email).hexdigest()


def proves(proof, email):
    """Whether ``proof`` (from ``proof_in``) is for ``email`` as stored."""
    return bool(proof) and bool(email) and constant_time_compare(proof, address_key(email))


def confirmation_path(comment):
    """The path of the link that proves ``comment``'s address (for the
    approval notice; SITE_URL goes in front)."""
    token = signing.dumps(
        {"comment": comment.pk, "address": address_key(comment.email)}, salt=LINK_SALT
    )
    return reverse("comments:confirmed", args=[token])


def read_link(token):
    """(comment id, address key) from a link's token, or None when it was not
    made by us or is older than LINK_DAYS."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=LINK_DAYS * 24 * 3600)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    comment, address = payload.get("comment"), payload.get("address")
    if not isinstance(comment, int) or not isinstance(address, str):
        return None
    return comment, address


def _max_age():
    return settings.COMMENTS_TRUST_DAYS * 24 * 3600


def remember(response, email):
    """Make the browser that gets ``response`` proof of ``email``."""
    response.set_signed_cookie(
        COOKIE,
        address_key(email),
        salt=COOKIE,
        max_age=_max_age(),
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def proof_in(request):
    """The address key this browser proved, or None (no cookie, altered, expired)."""
    return request.get_signed_cookie(COOKIE, default=None, salt=COOKIE, max_age=_max_age())
