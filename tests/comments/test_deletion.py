"""A reader has all their comments deleted, by email address.

The request page answers the same for every address; the emailed link is
signed, expires and works once; opening it deletes nothing, its button does;
the comments, the staff replies under them and their personal data go; the
moderators get a record with no personal data."""

import re
import time
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from comments import deletion
from comments.models import Comment, CommentDeletion
from tests.articles.factories import PostFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

REQUEST = reverse("comments:delete")
SENT = reverse("comments:delete_sent")
ADDRESS = "robin@example.com"


@pytest.fixture
def robins(post, moderator):
    """Robin's comments: two approved (one with a staff reply), one pending,
    one on another post, one sent with the address in capitals."""
    other = PostFactory(title="Another post")
    answered = CommentFactory(post=post, name="Robin", email=ADDRESS,
                              text="Robin's first words.", ip_address="198.51.100.7")  # fmt: skip
    answered.set_status(Comment.Status.APPROVED, by=moderator)  # in the admin history
    answered.reply("Thanks Robin, replying to your first words.", by=moderator)
    return [
        answered,
        CommentFactory(post=post, name="Robin", email=ADDRESS, approved=True, text="Robin again."),
        CommentFactory(post=post, name="Robin", email=ADDRESS, text="Robin, pending."),
        CommentFactory(post=other, name="R.", email=ADDRESS.upper(), text="Robin elsewhere."),
    ]


@pytest.fixture
def someone_else(post):
    return CommentFactory(post=post, name="Sam", email="sam@example.com", approved=True,
                          text="Sam stays.")  # fmt: skip


def ask(client, email, capture):
    with capture(execute=True):
        return client.post(REQUEST, {"email": email})


def link_from(mail):
    return re.search(r"https?://\S+/comments/delete/confirm/\S+/", mail.body).group(0)


def path_of(link):
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def link(client, robins, mailoutbox, django_capture_on_commit_callbacks):
    ask(client, ADDRESS, django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    return path_of(link_from(mail))


# --- asking --------------------------------------------------------------------------


def test_the_comment_section_links_to_the_request_page(client, post):
    page = client.get(post.get_absolute_url())

    assert f'href="{REQUEST}"' in page.text


def test_the_request_page_is_a_form_protected_like_any_and_never_cached(client):
    page = client.get(REQUEST)

    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert 'name="email"' in page.text
    assert "no-store" in page["Cache-Control"]
    refused = Client(enforce_csrf_checks=True).post(REQUEST, {"email": ADDRESS})
    assert refused.status_code == 403


def test_asking_sends_a_signed_link_to_that_address_after_the_commit(
    client, robins, settings, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(REQUEST, {"email": "  Robin@Example.com "})
    assert mailoutbox == []  # queued, not sent in the request's transaction
    for callback in callbacks:
        callback()

    assert response.status_code == 302 and response["Location"] == SENT
    [mail] = mailoutbox
    assert mail.to == [ADDRESS]  # the address as stored, not as typed
    assert "4 comments" in mail.body
    link = link_from(mail)
    assert link.startswith(f"{settings.SITE_URL}/comments/delete/confirm/")
    token = path_of(link).split("/")[-2]
    email, state = deletion.read_token(token)
    assert email.lower() == ADDRESS and state["count"] == 4
    # The link names no one: it would sit in access logs and browser histories.
    assert "robin" not in signing.b64_decode(token.split(":")[0].encode()).decode().lower()


def test_the_answer_is_the_same_for_an_address_with_and_without_comments(
    robins, mailoutbox, django_capture_on_commit_callbacks, settings
):
    """Same status, same redirect, same page, and the same work in the request
    with the production backend: one task queued either way; only the worker
    looks the address up."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    answers = {}
    for email in (ADDRESS, "nobody@example.com"):
        client = Client()
        with CaptureQueriesContext(connection) as queries:
            response = ask(client, email, django_capture_on_commit_callbacks)
        statements = [q["sql"].split(" ")[0] for q in queries]  # before the next request
        page = client.get(response["Location"])
        answers[email] = (response.status_code, response["Location"], page.content, statements)

    assert answers[ADDRESS] == answers["nobody@example.com"]
    assert answers[ADDRESS][3] == ["INSERT"]  # the task row, nothing else
    queued = DBTaskResult.objects.order_by("enqueued_at")
    assert [t.args_kwargs["args"] for t in queued] == [[ADDRESS], ["nobody@example.com"]]
    assert mailoutbox == []  # the worker sends


def test_no_mail_goes_to_an_address_without_comments(
    client, robins, mailoutbox, django_capture_on_commit_callbacks
):
    response = ask(client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == SENT
    assert mailoutbox == []


def test_asking_twice_sends_one_link_in_ten_minutes(
    robins, mailoutbox, django_capture_on_commit_callbacks
):
    ask(Client(), ADDRESS, django_capture_on_commit_callbacks)
    ask(Client(), ADDRESS.upper(), django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1


def test_requests_are_rate_limited_per_client_like_comments(
    client, robins, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 2
    answers = [
        ask(client, f"reader{n}@example.com", django_capture_on_commit_callbacks).status_code
        for n in range(3)
    ]
    refused = ask(client, ADDRESS, django_capture_on_commit_callbacks)

    assert answers == [302, 302, 429]
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert ADDRESS in refused.text  # what was typed is kept
    assert mailoutbox == []


def test_mistyped_addresses_do_not_count_toward_the_limit(
    client, robins, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 2
    for typo in ("robin@", "robin at example.com", "robİn@example.com", ""):
        assert ask(client, typo, django_capture_on_commit_callbacks).status_code == 200

    assert ask(client, ADDRESS, django_capture_on_commit_callbacks).status_code == 302
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "email", ["", "not an address", "a@b", "x" * 300 + "@example.com", "😀@example.com"]
)
def test_a_bad_address_is_shown_as_an_error(client, email, mailoutbox):
    response = client.post(REQUEST, {"email": email})

    assert response.status_code == 200
    assert "invalid-feedback" in response.text or "is-invalid" in response.text
    assert mailoutbox == []


# --- the link --------------------------------------------------------------------------


def test_opening_the_link_shows_what_will_go_and_deletes_nothing(client, link, robins):
    page = client.get(link)

    assert page.status_code == 200
    assert "Delete my 4 comments" in page.text
    assert "on 2 posts" in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert "no-store" in page["Cache-Control"]
    assert Comment.objects.by_address(ADDRESS).count() == 4


def test_the_button_deletes_every_comment_of_the_address_and_its_personal_data(
    client, link, robins, someone_else, post, moderator
):
    reader = Client()
    before = reader.get(post.get_absolute_url())
    assert "Robin&#x27;s first words." in before.text

    response = client.post(link)

    assert response.status_code == 200
    assert "4 comments deleted" in response.text
    assert list(Comment.objects.all()) == [someone_else]  # and the staff reply went too
    after = reader.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    for gone in ("Robin", "first words", "replying to your first words", ADDRESS):
        assert gone not in after.text
    assert "Sam stays." in after.text


def test_the_history_keeps_who_decided_but_not_what_the_comment_said(client, link, robins):
    kept = LogEntry.objects.filter(object_id=str(robins[0].pk))
    assert kept.exists()

    client.post(link)

    for entry in LogEntry.objects.all():
        assert "Robin" not in entry.object_repr and "words" not in entry.object_repr
    assert {e.object_repr for e in kept} == {"comment deleted at its author's request"}


def test_the_moderators_record_says_when_how_many_and_where_and_nothing_personal(
    client, link, robins, post
):
    client.post(link)

    record = CommentDeletion.objects.get()
    assert (record.comment_count, record.approved_count, record.reply_count) == (4, 2, 1)
    assert sorted(p.title for p in record.posts.all()) == ["Another post", post.title]
    stored = " ".join(
        str(value) for value in CommentDeletion.objects.values().get().values()
    ).lower()
    for personal in ("robin", "example.com", "198.51.100.7", "words"):
        assert personal not in stored


def test_the_link_works_once(client, link, robins):
    assert client.post(link).status_code == 200

    again = client.post(link)
    opened = client.get(link)

    assert again.status_code == 410 and opened.status_code == 410
    assert deletion.USED in again.text
    assert CommentDeletion.objects.count() == 1


def test_the_link_stops_working_when_the_reader_comments_again_meanwhile(
    client, link, robins, post
):
    CommentFactory(post=post, email=ADDRESS, text="One more thing.")

    response = client.post(link)

    assert response.status_code == 410
    assert Comment.objects.by_address(ADDRESS).count() == 5


def test_an_old_link_does_not_come_back_to_life_when_the_address_comments_again(
    client, link, robins, post
):
    client.post(link)
    CommentFactory(post=post, email=ADDRESS, text="Back after deleting.")

    assert client.post(link).status_code == 410
    assert Comment.objects.by_address(ADDRESS).count() == 1


def test_the_link_expires(client, link, robins, settings):
    settings.COMMENTS_DELETION_LINK_HOURS = 24

    with mock.patch("time.time", return_value=time.time() + 24 * 3600 + 1):
        opened = client.get(link)
        pressed = client.post(link)

    assert opened.status_code == 410 and pressed.status_code == 410
    assert deletion.EXPIRED in pressed.text
    assert Comment.objects.by_address(ADDRESS).count() == 4


def test_an_altered_link_deletes_nothing(client, link, robins):
    token = link.split("/")[-2]
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    someone = signing.dumps({"count": 1, "newest": robins[0].pk}, salt="other")

    odd = [signing.dumps(p, salt=deletion.SALT) for p in ([1], {"count": "1"}, {}, None)]
    for bad in (altered, someone, "x", "a" * 5000, "%F0%9F%98%80", "..:..", "e30:1:2", *odd):
        response = client.post(reverse("comments:delete_confirm", args=[bad]))
        assert response.status_code == 400, bad
        assert deletion.ALTERED in response.text
    assert Comment.objects.by_address(ADDRESS).count() == 4


def test_a_token_signed_without_the_secret_key_deletes_nothing(client, robins, settings):
    state = Comment.objects.by_address(ADDRESS).address_state()
    forged = signing.dumps(
        {"count": state[0], "newest": state[1]}, key="not-the-secret", salt=deletion.SALT
    )

    assert client.post(reverse("comments:delete_confirm", args=[forged])).status_code == 400
    assert Comment.objects.by_address(ADDRESS).count() == 4


def test_the_button_is_protected_by_the_csrf_token(link, robins):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    assert browser.post(link).status_code == 403  # a forged cross-site post
    assert Comment.objects.by_address(ADDRESS).count() == 4
    assert browser.post(link, {"csrfmiddlewaretoken": token}).status_code == 200
    assert Comment.objects.by_address(ADDRESS).count() == 0


def test_the_pages_cost_a_fixed_number_of_queries(
    client, link, robins, post, django_assert_num_queries
):
    ContentType.objects.get_for_model(Comment)  # warm the content type cache
    CommentFactory.create_batch(10, post=post, email=ADDRESS, approved=True)
    # Robin now has 14 comments: a fresh link for that state.
    fresh = reverse(
        "comments:delete_confirm", args=[deletion.make_token(deletion.holdings(ADDRESS))]
    )

    client.get(REQUEST)  # the site's menus are read once, then kept in the cache
    with django_assert_num_queries(1):  # the site-wide stamp that keys the cached menus
        client.get(REQUEST)
    # The stamp, the address, the state, the subscription (none), the posts.
    with django_assert_num_queries(5):
        client.get(fresh)
    # The address, the state, the subscription (none); a savepoint for all the parts
    # and one for the comments, read (and lock) them, their replies, post pages, out
    # of public view, history descriptions, collect (comments, the replies under
    # them), one DELETE, the record and its posts, release both.
    with django_assert_num_queries(18):  # ... and the site-wide stamp for the menus
        assert client.post(fresh).status_code == 200
    assert not Comment.objects.by_address(ADDRESS).exists()


# --- what moderators see ---------------------------------------------------------------

RECORDS = reverse("admin:comments_commentdeletion_changelist")


def test_moderators_read_the_deletions_and_cannot_change_them(
    client, link, robins, moderator_client, post
):
    client.post(link)
    record = CommentDeletion.objects.get()

    page = moderator_client.get(RECORDS)

    assert page.status_code == 200
    row = page.text.split('id="result_list"')[1]
    assert "Another post" in row and post.title in row
    assert ">4<" in row and ">2<" in row and ">1<" in row
    assert "Robin" not in row and ADDRESS not in row
    change = reverse("admin:comments_commentdeletion_change", args=[record.pk])
    assert moderator_client.get(change).status_code == 200  # a read-only view
    assert moderator_client.post(change, {}).status_code == 403
    delete = reverse("admin:comments_commentdeletion_delete", args=[record.pk])
    assert moderator_client.post(delete, {"post": "yes"}).status_code == 403
    assert moderator_client.get(reverse("admin:comments_commentdeletion_add")).status_code == 403


def test_editors_do_not_see_the_deletions(editor_client):
    assert editor_client.get(RECORDS).status_code == 403


def test_the_deletions_list_costs_the_same_queries_for_1_and_30_records(
    moderator_client, post, django_assert_num_queries
):
    posts = [post, *PostFactory.create_batch(2)]

    def records(n):
        for _ in range(n):
            record = CommentDeletion.objects.create(
                comment_count=2, approved_count=1, reply_count=0
            )
            record.posts.add(*posts)

    records(1)
    moderator_client.get(RECORDS)  # warm the session and the content types
    with CaptureQueriesContext(connection) as one:
        moderator_client.get(RECORDS)
    count = len(one)
    records(29)
    with django_assert_num_queries(count):
        page = moderator_client.get(RECORDS)
    assert page.text.count(post.title) >= 30


def test_the_address_lookups_read_an_index(robins):
    """Trust and deletion find an address's comments through the index on the
    stored (normal) address, not by reading the whole table."""
    plan = Comment.objects.by_address("Robin@Example.com").explain()

    assert "comment_email_idx" in plan
