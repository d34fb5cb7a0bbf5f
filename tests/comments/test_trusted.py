"""Trusted commenters (COMMENTS_TRUST_RETURNING): a new comment is approved at
once when the browser that sends it has proved the address it gives, and
that address already has an approved comment. The proof is the link in the
approval notice, mailed to the address as stored: opening it sets a signed
cookie naming the address (by a keyed hash). Typing a known address proves
nothing, and the answer to a comment never tells whether an address is
known. The decision goes through the one decision path, recorded as the
site's and why; the spam rules and the robot traps still win.

Issue 16: with the setting on, anyone who typed a known reader's address was
published at once, under any name, and the message after posting told
anyone whether an address had an approved comment."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core import signing
from django.db import connection
from django.test import Client
from django.urls import reverse

from comments import trust
from comments.models import Comment
from comments.views import APPROVAL_NOTICE, PUBLISHED_NOTICE

from .factories import BlockedTermFactory, CommentFactory, form_data

pytestmark = pytest.mark.django_db

ROBIN = "robin@example.com"
WHY_ONE = (
    "approved automatically: this browser confirmed the address from an emailed link, "
    "and the address has 1 approved comment"
)


@pytest.fixture
def trusting(settings):
    settings.COMMENTS_TRUST_RETURNING = True
    return settings


@pytest.fixture
def returning(post):
    """A reader with one comment approved already."""
    return CommentFactory(post=post, email=ROBIN, approved=True, notify_on_approval=True)


def confirm(client, comment):
    """The reader opens the link of the approval notice in this browser."""
    response = client.get(trust.confirmation_path(comment))
    assert response.status_code == 302, response.status_code
    return response


@pytest.fixture
def robin(client, trusting, returning):
    """Robin's own browser, which opened the link mailed to Robin."""
    confirm(client, returning)
    return client


def sent(client, post, comment_url, **fields):
    return client.post(comment_url, form_data(post, email="Robin@Example.COM ", **fields))


def answer(response):
    """What the sender can observe: status, where they are sent, what they are told."""
    location = re.sub(r"#comment-\d+$", "#comment-N", response["Location"])
    page = response.client.get(response["Location"])
    return response.status_code, location, [str(m) for m in page.context["messages"]]


def test_off_by_default_a_returning_reader_still_waits(client, post, comment_url, returning):
    confirm(client, returning)

    sent(client, post, comment_url, text="Back again.")

    assert Comment.objects.get(text="Back again.").status == Comment.Status.PENDING


def test_typing_a_known_address_proves_nothing_and_tells_nothing(
    trusting, post, comment_url, returning
):
    """The attack: someone types Robin's address, under another name. Their
    comment waits like anyone's, and the answer is the one an unknown address
    gets, word for word."""
    impostor = sent(Client(), post, comment_url, name="Not Robin", text="Posing as Robin.")
    stranger = Client().post(
        comment_url, form_data(post, email="nobody@example.com", text="A stranger.")
    )

    assert Comment.objects.get(text="Posing as Robin.").status == Comment.Status.PENDING
    assert answer(impostor) == answer(stranger) == (302, f"{post.get_absolute_url()}#comment-N",
                                                    [APPROVAL_NOTICE])  # fmt: skip
    assert impostor.cookies.keys() == stranger.cookies.keys()


def test_the_approval_notice_carries_the_link_that_proves_the_address(
    trusting, client, post, comment_url, moderator, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The reader's own story: a comment with the box ticked, approved; the
    link in the email opens the comment and makes this browser trusted for
    this address; the next comment is published at once."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url, form_data(post, email="Robin@Example.COM",
                                           text="First time here.", notify_on_approval="on"))  # fmt: skip
        Comment.objects.filter(text="First time here.").approve(by=moderator)
    first = Comment.objects.get(text="First time here.")
    [notice] = [m for m in mailoutbox if "is published" in m.subject]
    assert notice.to == [ROBIN]
    link = re.search(r"https?://\S+/comments/confirmed/\S+/", notice.body).group(0)
    assert "the browser you comment from" in notice.body  # what opening the link does

    opened = client.get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))

    assert opened.status_code == 302
    assert opened["Location"] == f"{post.get_absolute_url()}#comment-{first.pk}"
    cookie = opened.cookies[trust.COOKIE]
    assert cookie["path"] == "/comments/"  # never sent with a page: pages stay shared
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 3600
    assert ROBIN not in cookie.value and "robin" not in cookie.value.lower()
    assert "no-store" in opened["Cache-Control"] or "private" in opened["Cache-Control"]

    response = sent(client, post, comment_url, text="Back again, same address.")

    comment = Comment.objects.get(text="Back again, same address.")
    assert comment.status == Comment.Status.APPROVED
    assert comment.status_changed_by is None and comment.status_note == WHY_ONE
    assert answer(response)[2][-1] == PUBLISHED_NOTICE


def test_a_trusted_comment_is_public_at_once_for_everyone(
    robin, post, comment_url, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    other = Client()
    before = other.get(post.get_absolute_url())  # someone's cached page

    with django_capture_on_commit_callbacks(execute=True):
        response = sent(robin, post, comment_url, text="Back again, same address.")

    comment = Comment.objects.get(text="Back again, same address.")
    assert comment.status == Comment.Status.APPROVED
    assert not LogEntry.objects.filter(object_id=str(comment.pk)).exists()
    page = robin.get(response["Location"])
    assert PUBLISHED_NOTICE in page.text and "Awaiting moderation" not in page.text
    after = other.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "Back again, same address." in after.text
    # Nothing waits in the queue, so the moderators get no "awaits approval" mail.
    assert mailoutbox == []


def test_the_proof_is_for_one_address_only(robin, post, comment_url):
    CommentFactory(post=post, email="sam@example.com", approved=True)

    robin.post(comment_url, form_data(post, email="sam@example.com", text="Robin as Sam."))

    assert Comment.objects.get(text="Robin as Sam.").status == Comment.Status.PENDING


@pytest.mark.parametrize(
    "cookie",
    [
        "forged",
        signing.get_cookie_signer(salt="another").sign("x"),
        "0" * 64,
    ],
    ids=["garbage", "wrong salt", "unsigned hash"],
)
def test_a_forged_cookie_proves_nothing(trusting, client, post, comment_url, returning, cookie):
    client.cookies[trust.COOKIE] = cookie

    sent(client, post, comment_url, text="Trust my cookie.")

    assert Comment.objects.get(text="Trust my cookie.").status == Comment.Status.PENDING


def test_a_cookie_made_for_robin_cannot_be_copied_from_a_hash(trusting, client, post, comment_url,
                                                             returning):  # fmt: skip
    """The cookie holds a keyed hash of the address, signed: knowing the
    address is not enough to make one."""
    client.cookies[trust.COOKIE] = signing.get_cookie_signer(salt=trust.COOKIE).sign(
        __import__("hashlib").sha256(ROBIN.encode()).hexdigest()
    )

    sent(client, post, comment_url, text="Hashed it myself.")

    assert Comment.objects.get(text="Hashed it myself.").status == Comment.Status.PENDING


def test_the_proof_expires(robin, post, comment_url, settings, monkeypatch):
    settings.COMMENTS_TRUST_DAYS = 365
    later = __import__("time").time() + 366 * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)

    post.refresh_from_db()  # the form shown now, on the page as it is now
    sent(robin, post, comment_url, text="A year and a day later.")

    assert Comment.objects.get(text="A year and a day later.").status == Comment.Status.PENDING


@pytest.mark.parametrize(
    "change",
    [
        lambda c, moderator: c.set_status(Comment.Status.REJECTED, by=moderator),
        lambda c, moderator: Comment.objects.filter(pk=c.pk).delete(),
        lambda c, moderator: Comment.objects.filter(pk=c.pk).update(email="sam@example.com"),
    ],
    ids=["rejected since", "deleted since", "address changed since"],
)
def test_the_link_of_a_comment_no_longer_public_confirms_nothing(
    trusting, client, post, comment_url, returning, moderator, change
):
    CommentFactory(post=post, email=ROBIN, approved=True)  # Robin is still known
    path = trust.confirmation_path(returning)
    change(returning, moderator)

    opened = client.get(path)

    assert opened.status_code in (302, 404)
    assert trust.COOKIE not in opened.cookies
    sent(client, post, comment_url, text="After the change.")
    assert Comment.objects.get(text="After the change.").status == Comment.Status.PENDING


@pytest.mark.parametrize("token", ["x", "a" * 500, "e30:1:2", "..:.."])
def test_an_altered_link_is_not_found(client, trusting, token):
    assert client.get(reverse("comments:confirmed", args=[token])).status_code == 404


def test_the_post_page_stays_the_same_for_a_trusted_reader(robin, post):
    """The proof is read only where comments are sent: the shared page
    knows nothing of it."""
    assert (
        robin.get(post.get_absolute_url()).content == Client().get(post.get_absolute_url()).content
    )


def test_the_count_is_of_approved_comments_by_that_address_only(robin, post, comment_url):
    CommentFactory(post=post, email="ROBIN@example.com", approved=True)
    for status in (Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM):
        CommentFactory(post=post, email="robin@example.com", status=status)
    CommentFactory(post=post, email="someone@example.com", approved=True)

    sent(robin, post, comment_url, text="Third time here.")

    assert Comment.objects.get(text="Third time here.").status_note == (
        "approved automatically: this browser confirmed the address from an emailed link, "
        "and the address has 2 approved comments"
    )


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM]
)
def test_an_address_without_an_approved_comment_is_not_trusted(
    robin, post, comment_url, moderator, status
):
    Comment.objects.filter(email=ROBIN).update(status=status)

    sent(robin, post, comment_url, text="Trust me.")

    assert Comment.objects.get(text="Trust me.").status == Comment.Status.PENDING


def test_a_staff_address_does_not_make_a_reader_trusted(
    trusting, client, post, comment_url, moderator
):
    parent = CommentFactory(post=post, approved=True)
    reply = parent.reply("Staff answer.", by=moderator)
    client.get(trust.confirmation_path(reply))  # a staff reply's link proves nothing

    client.post(comment_url, form_data(post, email=moderator.email, text="Posing as staff."))

    assert Comment.objects.get(text="Posing as staff.").status == Comment.Status.PENDING


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        (
            {"text": "https://a.example https://b.example https://c.example"},
            Comment.Status.SPAM,
            "3 links (more than 2 go to spam)",
        ),
        ({"text": "A casino tip."}, Comment.Status.SPAM, "contains the blocked term “casino”"),
        ({"text": "A miracle cure."}, Comment.Status.PENDING, "contains the blocked term “cure”"),
        ({"website": "http://spam.example"}, Comment.Status.SPAM, "honeypot field filled in"),
        ({"token": "forged"}, Comment.Status.SPAM, "form token missing or altered"),
    ],
)
def test_the_spam_rules_and_robot_traps_still_win(
    robin, post, comment_url, returning, fields, status, reason
):
    BlockedTermFactory(term="casino", action="spam")
    BlockedTermFactory(term="cure", action="hold")

    sent(robin, post, comment_url, **fields)

    comment = Comment.objects.exclude(pk=returning.pk).get()
    assert (comment.status, comment.held_reason, comment.status_note) == (status, reason, "")


def test_a_duplicate_of_the_trusted_readers_own_comment_is_still_spam(
    robin, post, comment_url, returning
):
    sent(robin, post, comment_url, text=returning.text)

    comment = Comment.objects.exclude(pk=returning.pk).get()
    assert comment.status == Comment.Status.SPAM


def test_the_moderator_sees_why_in_the_queue_and_on_the_comment(
    robin, post, comment_url, moderator
):
    sent(robin, post, comment_url, text="Approved without waiting.")
    moderator_client = Client()
    moderator_client.force_login(moderator)
    comment = Comment.objects.get(text="Approved without waiting.")

    queue = moderator_client.get(reverse("admin:comments_comment_changelist") + "?status=all")
    row = next(r for r in queue.text.split("<tr") if "Approved without waiting." in r)
    assert WHY_ONE in row
    page = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert WHY_ONE in page.text
    assert "the site, automatically" in page.text


def test_a_moderator_can_still_overrule_and_the_note_goes(robin, post, comment_url, moderator):
    sent(robin, post, comment_url, text="Approved, then withdrawn.")
    comment = Comment.objects.get(text="Approved, then withdrawn.")

    comment.set_status(Comment.Status.REJECTED, by=moderator)

    comment.refresh_from_db()
    assert (comment.status, comment.status_changed_by, comment.status_note) == (
        Comment.Status.REJECTED, moderator, "",
    )  # fmt: skip


def test_a_trusted_comment_costs_a_fixed_number_of_queries(
    robin, post, comment_url, django_assert_num_queries
):
    """13, however many comments the address has: the post, savepoint, the
    blocklist, the duplicates, insert, the count of the address's approved
    comments, set_status (savepoint, read, update, post page, release), the
    decision read back, release; on PostgreSQL also the lock on the text
    (core.locks: SQLite's transaction holds its lock already). No session:
    nothing awaits moderation."""
    CommentFactory.create_batch(5, post=post, email="robin@example.com", approved=True)

    with django_assert_num_queries(13 + (connection.vendor == "postgresql")):
        sent(robin, post, comment_url, text="Trusted, counted.")
    assert Comment.objects.get(text="Trusted, counted.").is_public
