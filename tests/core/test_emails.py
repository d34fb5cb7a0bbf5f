"""The one normal form of a reader's email address (core.emails), tested on
the addresses that broke it and, with Hypothesis, on Unicode at large: two
addresses share a normal form exactly when a mail system delivers them to the
same mailbox, and the normal form is plain ASCII, mailed as stored."""

import idna
import pytest
from django import forms
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.emails import INVALID, EmailAddressField, InvalidEmail, normalize_email

# Letters that case folding (Python's, PostgreSQL's, ICU's) or compatibility
# mapping turns into ASCII, or ASCII into them: the attacker's alphabet.
FOLDING = "İıſ\u212aÅßẞﬀﬁΣσςǅǄ\u0307\u00a0ｇｍａｉｌＡＺ"
ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ASCII_LOWER = str.maketrans(ASCII_LETTERS[26:], ASCII_LETTERS[:26])


def mailbox(address):
    """Where a mail system delivers ``address``, or None if nowhere: the local
    part with its ASCII letters in one case (what every provider readers use
    does; any other character exactly as written), at the DNS name of the
    domain (UTS #46, non-transitional: what resolvers and MTAs look up)."""
    local, at, domain = address.strip().rpartition("@")
    try:
        dns = idna.encode(domain, uts46=True, transitional=False, std3_rules=True)
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    if not at or not local:
        return None
    return local.translate(ASCII_LOWER), dns.decode().lower()


local_parts = st.text(
    alphabet=st.sampled_from(ASCII_LETTERS + "0123456789._+-" + FOLDING) | st.characters(),
    min_size=1,
    max_size=12,
)
labels = st.text(
    alphabet=st.sampled_from(ASCII_LETTERS + "0123456789-" + FOLDING) | st.characters(),
    min_size=1,
    max_size=10,
)
domains = st.builds(
    "{}.{}".format, labels, st.sampled_from(["com", "de", "Com", "ＣＯＭ", "xn--p1ai", "org"])
)
addresses = st.builds("{}@{}".format, local_parts, domains)


def variant(address, how):
    """The same address as someone else might type it."""
    return {
        "upper": address.upper,
        "lower": address.lower,
        "casefold": address.casefold,
        "title": address.title,
        "swap": address.swapcase,
        "dotted I": lambda: address.replace("i", "İ"),
        "dotless i": lambda: address.replace("i", "ı"),
        "long s": lambda: address.replace("s", "ſ"),
        "kelvin": lambda: address.replace("k", "\u212a"),
        "padded": lambda: f"  {address}\t",
    }[how]()


HOW = st.sampled_from(
    ["upper", "lower", "casefold", "title", "swap", "dotted I", "dotless i", "long s", "kelvin",
     "padded"]
)  # fmt: skip


def normal_or_none(address):
    try:
        return normalize_email(address)
    except InvalidEmail:
        return None


# --- the addresses that broke it --------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("alice@gmail.com", "alice@gmail.com"),
        ("  Alice@GMail.COM ", "alice@gmail.com"),
        ("alice@gmaİl.com", "alice@xn--gmail-bgd.com"),  # a domain anyone can register
        ("alice@GMAİL.com", "alice@xn--gmail-bgd.com"),
        ("alice@straße.de", "alice@xn--strae-oqa.de"),  # not strasse.de
        ("alice@ｇｍａｉｌ.com", "alice@gmail.com"),  # the same DNS name
        ("alice@XN--STRAE-OQA.DE", "alice@xn--strae-oqa.de"),
        ("first.last+blog@example.com", "first.last+blog@example.com"),  # not folded
        ('"A b"@Example.com', '"a b"@example.com'),  # a quoted local part
    ],
)
def test_the_normal_form(typed, normal):
    assert normalize_email(typed) == normal


@pytest.mark.parametrize(
    "typed",
    [
        "alİce@gmail.com",  # Django's pattern lets these four through
        "alıce@gmail.com",
        "ſam@example.com",
        "\u212aate@example.com",  # the Kelvin sign
        "a b@example.com",
        '"a\tb"@example.com',
        "a\nb@example.com",
        "robin@example.com\nBcc: x@example.com",
        "robin@exa mple.com",
        "robin@☃.com",
        "robin@xn--zz.com",  # not a valid A-label
        "robin@example",  # no dot
        "robin@example.com.",
        "robin@",
        "@example.com",
        "robin",
        "",
        "x" * 65 + "@example.com",
        "x@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 62 + ".com",
        "robin@[192.0.2.1]",
    ],
)
def test_addresses_without_a_normal_form_are_invalid(typed):
    with pytest.raises(InvalidEmail):
        normalize_email(typed)


def test_the_form_field_cleans_to_the_normal_form_and_refuses_what_has_none():
    class Form(forms.Form):
        email = EmailAddressField()

    accepted = Form({"email": " Robin@Example.COM "})
    assert accepted.is_valid()
    assert accepted.cleaned_data == {"email": "robin@example.com"}
    refused = Form({"email": "alİce@gmail.com"})
    assert not refused.is_valid()
    assert refused.errors["email"] == [INVALID]


# --- properties --------------------------------------------------------------------


@settings(max_examples=500)
@given(addresses)
@example("alice@gmaİl.com")
@example("ALİCE@GMAİL.COM")
def test_the_normal_form_is_ascii_one_line_and_a_fixed_point(address):
    normal = normal_or_none(address)
    if normal is None:
        return
    assert normal.isascii() and normal == normal.lower()
    assert normal.isprintable() and " " not in normal
    assert len(normal) <= 254
    assert normalize_email(normal) == normal


@settings(max_examples=1000)
@given(addresses, addresses)
@example("alice@gmail.com", "alice@gmaİl.com")
@example("alice@strasse.de", "alice@straße.de")
@example("alice@gmail.com", "ALICE@ｇｍａｉｌ.com")
def test_two_addresses_share_a_normal_form_only_when_delivered_to_one_mailbox(a, b):
    normal_a, normal_b = normal_or_none(a), normal_or_none(b)
    if normal_a is None or normal_b is None:
        return
    assert (normal_a == normal_b) == (mailbox(a) == mailbox(b)), (a, b, normal_a, normal_b)


@settings(max_examples=1000)
@given(addresses, HOW)
@example("alice@gmail.com", "dotted I")
@example("kiss@sky.com", "kelvin")
@example("sam@ss.com", "long s")
def test_no_case_folding_trick_reaches_another_mailbox(address, how):
    other = variant(address, how)
    normal, other_normal = normal_or_none(address), normal_or_none(other)
    if normal is None or other_normal is None:
        return
    if normal == other_normal:
        assert mailbox(address) == mailbox(other), (address, other)
