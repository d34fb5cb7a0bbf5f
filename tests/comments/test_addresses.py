"""A reader's address is stored, looked up, throttled and mailed in one normal
form (core.emails), the same on SQLite and PostgreSQL.

The attack of issue 16: Alice comments as alice@gmail.com; someone asks for
the deletion of alice@gmaİl.com (U+0130). PostgreSQL's lower() folded it to
Alice's address, and the link was mailed to the address as typed, which mail
turns into alice@xn--gmail-bgd.com, a domain anyone can register."""

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from comments.models import Comment
from core.emails import INVALID, InvalidEmail, normalize_email
from tests.core.test_emails import HOW, addresses, variant

from .factories import CommentFactory, form_data

pytestmark = pytest.mark.django_db

REQUEST = reverse("comments:delete")
ALICE = "alice@gmail.com"
LOOKALIKE = "alice@gmaİl.com"


def ask(email, capture):
    with capture(execute=True):
        return Client().post(REQUEST, {"email": email})


def link_path(mail):
    link = re.search(r"https?://\S+/comments/delete/confirm/\S+/", mail.body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def alice(post):
    return CommentFactory(
        post=post, name="Alice", email=ALICE, approved=True, text="Alice's words."
    )


def test_a_lookalike_address_finds_nothing_and_nothing_is_mailed(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    response = ask(LOOKALIKE, django_capture_on_commit_callbacks)

    assert response.status_code == 302  # the same answer as for any address
    assert mailoutbox == []
    assert not Comment.objects.by_address(LOOKALIKE).exists()
    assert list(Comment.objects.by_address("ALICE@GMAIL.COM")) == [alice]


def test_the_lookalikes_own_comments_are_mailed_to_their_own_domain_and_only_they_go(
    post, alice, mailoutbox, django_capture_on_commit_callbacks
):
    """Someone who comments as alice@gmaİl.com and asks for deletion gets the
    link at the address as stored, alice@xn--gmail-bgd.com, and it deletes
    their own comment, never Alice's."""
    client = Client()
    client.post(reverse("comments:post", args=[post.pk]),
                form_data(post, email=LOOKALIKE, text="Not Alice."))  # fmt: skip
    theirs = Comment.objects.get(text="Not Alice.")
    assert theirs.email == "alice@xn--gmail-bgd.com"

    ask(LOOKALIKE, django_capture_on_commit_callbacks)

    [mail] = mailoutbox
    assert mail.to == ["alice@xn--gmail-bgd.com"]
    assert "1 comment" in mail.body
    assert Client().post(link_path(mail)).status_code == 200
    assert list(Comment.objects.all()) == [alice]


def test_the_link_goes_to_the_address_as_stored_not_as_typed(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    ask("  ALICE@GMail.com ", django_capture_on_commit_callbacks)

    [mail] = mailoutbox
    assert mail.to == [ALICE]


def test_the_per_address_throttle_is_on_the_normal_form(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    ask(ALICE, django_capture_on_commit_callbacks)
    ask("Alice@Gmail.com", django_capture_on_commit_callbacks)
    ask("alice@ｇｍａｉｌ.com", django_capture_on_commit_callbacks)  # the same DNS name

    assert len(mailoutbox) == 1


def test_a_comment_stores_the_normal_form(client, post, comment_url):
    client.post(comment_url, form_data(post, email="  Robin@Example.COM "))

    assert Comment.objects.get().email == "robin@example.com"


@pytest.mark.parametrize("email", ["alİce@gmail.com", "robin@☃.com", "ſam@example.com"])
def test_an_address_mail_cannot_reach_is_refused_with_the_text_kept(
    client, post, comment_url, email
):
    response = client.post(comment_url, form_data(post, email=email, text="Kept words."))

    assert response.status_code == 200
    assert INVALID in response.text
    assert "Kept words." in response.text
    assert not Comment.objects.exists()


def test_a_moderator_who_edits_an_address_stores_its_normal_form(post, moderator_client):
    comment = CommentFactory(post=post, email="robin@example.com")
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    data = {"name": comment.name, "text": comment.text, "status": comment.status}

    refused = moderator_client.post(url, {**data, "email": "robİn@example.com"})
    saved = moderator_client.post(url, {**data, "email": "Robin@Exämple.com"})

    assert refused.status_code == 200 and INVALID in refused.text
    assert saved.status_code == 302
    comment.refresh_from_db()
    assert comment.email == "robin@xn--exmple-cua.com"


def test_lookups_compare_normal_forms_not_the_databases_lower(alice):
    """Whatever the database's lower() does with İ, the lookup never asks it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT LOWER(%s)", [LOOKALIKE])
        [(folded,)] = cursor.fetchall()
    # PostgreSQL folds İ to i here; SQLite leaves it. Either way:
    assert not Comment.objects.by_address(LOOKALIKE).exists(), folded
    assert not Comment.objects.by_address(folded).exclude(email=folded).exists()


# --- the database and the rule agree, on either database ---------------------------


def _store(typed):
    try:
        normalize_email(typed)
    except InvalidEmail:
        return None
    return CommentFactory.build(email=typed, text=f"From {typed!r}")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    stored=st.lists(addresses, min_size=1, max_size=6),
    asked=st.lists(st.tuples(st.integers(min_value=0, max_value=5), HOW), max_size=6),
)
@example(stored=[ALICE, LOOKALIKE, "ALİCE@gmail.com"], asked=[(0, "dotted I"), (0, "upper")])
@example(stored=["kiss@sky.com"], asked=[(0, "kelvin"), (0, "upper")])
@example(stored=["sam@strasse.de", "sam@straße.de"], asked=[(0, "casefold"), (1, "upper")])
def test_the_database_lookup_agrees_with_the_rule(post, stored, asked):
    """Addresses as readers type them are stored; every address asked about
    (each of them, and others typed differently) finds exactly the comments
    whose address has the same normal form in Python."""
    with transaction.atomic():
        comments = []
        for typed in stored:
            comment = _store(typed)
            if comment is not None:
                comment.post = post
                comment.save()
                comments.append((typed, comment))
        questions = [*stored, *(variant(stored[i % len(stored)], how) for i, how in asked)]
        for question in questions:
            try:
                wanted = normalize_email(question)
            except InvalidEmail:
                wanted = None
            expected = {c.pk for typed, c in comments if normalize_email(typed) == wanted}
            found = set(Comment.objects.by_address(question).values_list("pk", flat=True))
            assert found == expected, (question, wanted, [c.email for _, c in comments])
        transaction.set_rollback(True)
