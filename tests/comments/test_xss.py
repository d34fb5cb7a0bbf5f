"""The XSS corpus through every comment field, the way an attacker would send it.

Each vector is posted through the real view (the reader's form: name, text,
email where it passes validation; the moderator's staff reply through the
admin's change form), approved, and then read where it is shown: the public
post page (only its ``<section id="comments">``, so the site's own scripts do
not count) and the admin queue and change page as a moderator. Nothing
executable may come from the comment.

A test loops over the whole corpus (one page read shows every vector; each
comment carries a vector in every field, so one admin change page per vector
covers them all) and names the vector in any failure.
"""

import functools
import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from comments.awaiting import REMEMBERED
from comments.forms import CommentForm
from comments.models import Comment
from core.mail import one_line
from tests.security.html_parts import find_all, find_one
from tests.security.xss import XSS_VECTORS, assert_inert, executable_parts

from .factories import CommentFactory, form_data

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"
ADMIN_ROW_PK = re.compile(r"/admin/comments/comment/(\d+)/change/")


@pytest.fixture(autouse=True)
def every_comment_accepted(settings):
    # Hundreds of comments from one address in a minute, many with links: the
    # spam rules would keep some out of the queue, but every one must be
    # stored (and is then approved) for this test.
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 0
    settings.COMMENTS_MAX_LINKS = 1000


def email_for(vector):
    """The vector as an email address Django accepts: a quoted local part
    may hold ``<``, ``>`` and spaces (RFC 5321)."""
    quoted = vector.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"@example.com'


def send(client, post, **fields):
    return client.post(reverse("comments:post", args=[post.pk]), form_data(post, **fields))


def accepted_pk(response, vector):
    assert response.status_code == 302, (
        f"not accepted ({response.status_code}) with {vector!r}: {response.content[:300]!r}"
    )
    match = re.search(r"#comment-(\d+)$", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


@functools.cache
def _problems(html):
    return Counter(executable_parts(html))


def extra_problems(fragment, baseline):
    """What is executable in ``fragment`` beyond what the same page shows for
    a harmless comment (the site's own form, stylesheet, admin widgets)."""
    return sorted((_problems(fragment) - _problems(baseline)).elements())


def comments_section(post, client=None):
    response = (client or Client()).get(post.get_absolute_url())
    assert response.status_code == 200
    return find_one(response.content.decode(), "section", id="comments")


def check_public_page(post, vectors_by_pk, baseline_section):
    """Every comment on the public page is inert, and the comment section
    holds nothing executable beyond the site's own form."""
    section = comments_section(post)
    items = {
        int(item.split('"', 2)[1].removeprefix("comment-")): item
        for item in find_all(section, "li", id_prefix="comment-")
    }
    missing = sorted(set(vectors_by_pk) - set(items))
    assert not missing, f"approved comments not on the page: {missing}"
    for pk, vector in vectors_by_pk.items():
        assert_inert(items[pk], vector)
    extra = extra_problems(section, baseline_section)
    assert not extra, f"the comment section gained {extra}"


def admin_rows(moderator_client, post):
    """Every row of the admin queue (status: all) for ``post``, by comment pk,
    action checkbox cell removed (the admin's own input)."""
    rows, page = {}, 1
    while True:
        response = moderator_client.get(
            reverse(CHANGELIST), {"status": "all", "post__id__exact": post.pk, "p": page}
        )
        assert response.status_code == 200
        table = find_one(response.content.decode(), "table", id="result_list")
        for row in find_all(table, "tr"):
            match = ADMIN_ROW_PK.search(row)
            if match is None:
                continue  # the header
            for cell in find_all(row, "td", css_class="action-checkbox"):
                row = row.replace(cell, "")
            rows[int(match.group(1))] = row
        if f"p={page + 1}" not in response.content.decode():
            return rows
        page += 1


def change_form(moderator_client, pk):
    response = moderator_client.get(reverse("admin:comments_comment_change", args=[pk]))
    assert response.status_code == 200
    return find_one(response.content.decode(), "div", id="content-main")


def check_admin(moderator_client, post, vectors_by_pk, baseline_pk):
    rows = admin_rows(moderator_client, post)
    for pk, vector in vectors_by_pk.items():
        assert pk in rows, f"comment {pk} ({vector!r}) missing from the admin queue"
        assert_inert(rows[pk], vector)
    baseline = change_form(moderator_client, baseline_pk)
    for pk, vector in vectors_by_pk.items():
        extra = extra_problems(change_form(moderator_client, pk), baseline)
        assert not extra, f"the admin change page of {vector!r} gained {extra}"


def check_own_pending(post, reader, vectors_by_pk):
    """The reader's own comments waiting for approval (the last REMEMBERED they
    sent), shown to them alone, are as harmless."""
    section = comments_section(post, reader)
    for pk in list(vectors_by_pk)[-REMEMBERED:]:
        for item in find_all(section, "li", id=f"comment-{pk}"):  # spam is not shown
            assert_inert(item, vectors_by_pk[pk])


def approve_everything(post, moderator):
    Comment.objects.filter(post=post).approve(by=moderator)
    assert not Comment.objects.filter(post=post).exclude(status=Comment.Status.APPROVED).exists()


@pytest.fixture
def baseline(post, moderator):
    """A harmless approved comment, and the comment section that shows it."""
    comment = CommentFactory(post=post, name="Plain Reader", text="A harmless comment.")
    Comment.objects.filter(pk=comment.pk).approve(by=moderator)
    return comment, comments_section(post)


def test_every_reader_field(post, moderator, moderator_client, baseline):
    """Each vector as the name, the email address and the text of one comment."""
    baseline_comment, baseline_section = baseline
    reader = Client()
    name_length = Comment._meta.get_field("name").max_length
    vectors_by_pk, emails = {}, 0
    for vector in XSS_VECTORS:
        # The raw vector in every field: refused (no such email address, or too
        # long a name), the form comes back with what was typed, harmless.
        response = send(reader, post, name=vector, email=vector, text=vector)
        assert response.status_code == 200, f"{vector!r} accepted as an email address"
        section = find_one(response.content.decode(), "section", id="comments")
        extra = extra_problems(section, baseline_section)
        assert not extra, f"the re-rendered form gained {extra} from {vector!r}"

        # What the form accepts: the name on one line (tabs and line breaks
        # are refused in a name) cut to its length, the vector inside a quoted
        # address where that is a valid one.
        email = email_for(vector)
        if not CommentForm(post, data={"email": email}).has_error("email"):
            emails += 1
        else:
            email = "alex@example.com"
        name = one_line(vector)[:name_length] or "Plain"
        response = send(reader, post, name=name, email=email, text=vector)
        vectors_by_pk[accepted_pk(response, vector)] = vector
        if len(vectors_by_pk) % REMEMBERED == 0 or vector == XSS_VECTORS[-1]:
            check_own_pending(post, reader, vectors_by_pk)
    assert emails >= 30, f"only {emails} vectors pass as an email address"
    assert Comment.objects.filter(post=post).count() == len(XSS_VECTORS) + 1
    approve_everything(post, moderator)

    page = Client().get(post.get_absolute_url()).content.decode()
    for comment in Comment.objects.filter(pk__in=vectors_by_pk):
        if comment.email != "alex@example.com":
            assert comment.email not in page, "an email address is shown publicly"
    check_public_page(post, vectors_by_pk, baseline_section)
    check_admin(moderator_client, post, vectors_by_pk, baseline_comment.pk)


def test_staff_reply(post, moderator, moderator_client, baseline):
    baseline_comment, baseline_section = baseline
    parent = CommentFactory(post=post, text="A question for the staff.", approved=True)
    url = reverse("admin:comments_comment_change", args=[parent.pk])
    data = {
        "name": parent.name,
        "email": parent.email,
        "text": parent.text,
        "status": Comment.Status.APPROVED,
        "_continue": "1",
    }
    for vector in XSS_VECTORS:
        response = moderator_client.post(url, {**data, "reply": vector})
        assert response.status_code == 302, f"reply {vector!r} refused: {response.content[:300]!r}"
    replies = {reply.pk: reply.text for reply in parent.replies.all()}
    # The admin form strips surrounding spaces; every vector is there.
    assert sorted(replies.values()) == sorted(v.strip() for v in XSS_VECTORS)

    # On the public page the replies are nested in their comment's <li>.
    section = comments_section(post)
    [item] = find_all(section, "li", id=f"comment-{parent.pk}")
    for pk, vector in replies.items():
        [reply] = find_all(item, "li", id=f"comment-{pk}")
        assert_inert(reply, vector)
    extra = extra_problems(section, baseline_section)
    assert not extra, f"the comment section gained {extra}"

    rows = admin_rows(moderator_client, post)
    for pk, vector in replies.items():
        assert_inert(rows[pk], vector)
    # The parent's change page lists every reply.
    plain_parent = CommentFactory(post=post, text="Another question.", approved=True)
    plain_parent.reply("A plain answer.", by=moderator)
    extra = extra_problems(
        change_form(moderator_client, parent.pk), change_form(moderator_client, plain_parent.pk)
    )
    assert not extra, f"the parent's change page gained {extra}"
    # A reply's own change page is the comment form test_every_reader_field
    # checks with every vector; here, one.
    plain_reply = plain_parent.replies.get()
    [(pk, vector)] = [(pk, v) for pk, v in replies.items() if v == "<script>alert(1)</script>"]
    extra = extra_problems(
        change_form(moderator_client, pk), change_form(moderator_client, plain_reply.pk)
    )
    assert not extra, f"the change page of the reply {vector!r} gained {extra}"


def test_refused_comment_gives_the_text_back_harmless(client, post):
    """Comments closed: the refusal page hands the text back in a read-only box."""
    post.comments_enabled = False
    post.save()
    baseline = client.post(
        reverse("comments:post", args=[post.pk]), form_data(post, text="A harmless comment.")
    )
    assert baseline.status_code == 403
    for vector in XSS_VECTORS:
        response = send(client, post, text=vector)
        assert response.status_code == 403
        extra = extra_problems(response.content.decode(), baseline.content.decode())
        assert not extra, f"the refusal page gained {extra} from {vector!r}"
    assert not Comment.objects.exists()
