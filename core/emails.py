"""Readers' email addresses: one normal form, used to store, look up, throttle and mail them.

``normalize_email(address)`` is the one rule. An address is stored in its
normal form, looked up by exact equality with the normal form of what a
visitor typed (never with the database's ``lower()``), throttled under it,
and mail goes to it as stored. Databases and Python fold case differently:
PostgreSQL's ``lower()`` turns the Turkish dotted capital ``İ`` into ``i``,
SQLite's ``LOWER`` folds ASCII only, Python's ``str.lower()`` makes ``i̇`` (an
``i`` and a combining dot). Comparing exact normal forms gives the same
answer everywhere.

The normal form:

- the local part (before the last ``@``) is ASCII, its letters lowercased.
  Mail systems deliver ``Robin@`` and ``robin@`` to the same mailbox (RFC
  5321 lets a server tell them apart; none that readers use does). Anything
  else is refused: Django's own email check lets ``İ``, ``ı``, ``ſ`` and the
  Kelvin sign ``K`` through (its pattern matches letters ignoring case), and
  our mail could not deliver them anyway;
- the domain is its IDNA A-label (UTS #46 mapping, non-transitional, STD3
  rules: what browsers and current mail systems resolve), lowercase ASCII.
  ``gmaİl.com`` becomes ``xn--gmail-bgd.com``, a domain of its own, never
  ``gmail.com``; ``straße.de`` stays apart from ``strasse.de`` (IDNA 2003,
  Python's ``idna`` codec, would merge them); full-width ``ｇｍａｉｌ.com`` is the
  DNS name ``gmail.com``, so it is the same address.

Nothing else is folded: not dots or ``+tags`` (one provider's habit is not
another's), not Unicode case in the local part. Two addresses with the same
normal form are delivered to the same mailbox; an address that has no
normal form (control characters, a domain IDNA refuses, too long) is
invalid. The normal form is ASCII, so it is mailed exactly as stored.
"""

import idna
from django import forms
from django.core.exceptions import ValidationError

MAX_LENGTH = 254  # RFC 5321's limit on a path, less the angle brackets
MAX_LOCAL_LENGTH = 64

INVALID = "Enter a valid email address, such as you@example.com."


class InvalidEmail(ValueError):
    """The address has no normal form: it cannot be stored or mailed."""


def normalize_email(address):
    """The normal form of ``address`` (see the module). Raises InvalidEmail."""
    if not isinstance(address, str):
        raise InvalidEmail("not text")
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail("no local part or no domain")
    # Printable ASCII; a space only inside a quoted local part ("a b"@...).
    quoted = len(local) > 1 and local[0] == local[-1] == '"'
    if not all("!" <= c <= "~" or (quoted and c == " ") for c in local):
        raise InvalidEmail("the local part is not plain ASCII")
    if len(local) > MAX_LOCAL_LENGTH:
        raise InvalidEmail("the local part is too long")
    try:
        domain = idna.encode(domain, uts46=True, transitional=False, std3_rules=True)
    except (idna.IDNAError, UnicodeError, ValueError) as error:
        raise InvalidEmail(f"the domain is not a host name: {error}") from None
    domain = domain.decode("ascii").lower()
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        raise InvalidEmail("the domain is not a host name with a dot")
    normal = f"{local.lower()}@{domain}"
    if len(normal) > MAX_LENGTH:
        raise InvalidEmail("the address is too long")
    return normal


def validate_email_address(value):
    """A model or form validator: the address has a normal form."""
    try:
        normalize_email(value)
    except InvalidEmail:
        raise ValidationError(INVALID, code="invalid") from None


class EmailAddressField(forms.EmailField):
    """A form's email field whose cleaned value is the address's normal form;
    an address without one is refused with the field's ``invalid`` message
    (what the reader typed stays in the field)."""

    default_error_messages = {"invalid": INVALID}

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        try:
            return normalize_email(value)
        except InvalidEmail:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
