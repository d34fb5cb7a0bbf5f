"""A reader leaves a comment: post/redirect/get, the notice, their own view,
an invalid form that keeps everything, and posts that take no comments."""

import datetime as dt
import time
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Post
from comments.forms import make_token
from comments.models import Comment
from comments.views import APPROVAL_NOTICE
from tests.articles.factories import PostFactory

from .factories import CommentFactory, form_data

pytestmark = pytest.mark.django_db


def test_a_new_comment_starts_pending_and_the_reader_is_redirected_with_the_notice(
    client, post, comment_url
):
    response = client.post(comment_url, form_data(post), follow=True)

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response.redirect_chain == [(f"{post.get_absolute_url()}#comment-{comment.pk}", 302)]
    assert [str(m) for m in response.context["messages"]] == [APPROVAL_NOTICE]
    assert APPROVAL_NOTICE in response.text
    assert comment.name == "Alex Reader"
    assert comment.ip_address == "127.0.0.1"


def test_the_message_is_the_exact_sentence_from_the_issue():
    assert APPROVAL_NOTICE == (
        "Please note, comments need to be approved before they are published."
    )


def test_the_sender_sees_their_pending_comment_marked_and_nobody_else_does(
    client, post, comment_url
):
    client.post(comment_url, form_data(post, text="My own words, waiting."))

    mine = client.get(post.get_absolute_url())
    theirs = Client().get(post.get_absolute_url())

    assert "My own words, waiting." in mine.text
    assert "Awaiting moderation" in mine.text
    assert "My own words, waiting." not in theirs.text
    assert "Awaiting moderation" not in theirs.text


def test_a_rejected_comment_disappears_from_its_senders_page(client, post, comment_url, moderator):
    client.post(comment_url, form_data(post, text="Soon to be rejected."))
    Comment.objects.all().reject(by=moderator)

    assert "Soon to be rejected." not in client.get(post.get_absolute_url()).text


def test_once_approved_the_sender_sees_it_as_everyone_does(client, post, comment_url, moderator):
    client.post(comment_url, form_data(post, text="Approved in the end."))
    Comment.objects.all().approve(by=moderator)

    page = client.get(post.get_absolute_url()).text
    assert "Approved in the end." in page
    assert "Awaiting moderation" not in page


def test_get_is_not_allowed(client, comment_url):
    assert client.get(comment_url).status_code == 405


def test_the_form_is_the_same_for_every_reader_and_carries_no_csrf_token(post):
    pages = [Client().get(post.get_absolute_url()).text for _ in range(2)]

    assert pages[0] == pages[1]
    assert "csrfmiddlewaretoken" not in pages[0]


def test_a_comment_from_our_own_page_is_accepted_with_csrf_checks_on(post, comment_url):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        comment_url,
        form_data(post),
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 302
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
    ],
    ids=["cross-site", "same-site", "cross-site despite Origin", "foreign Origin", "null Origin"],
)
def test_a_comment_sent_from_another_site_is_refused_and_the_text_kept(post, comment_url, headers):
    client = Client(enforce_csrf_checks=True)

    response = client.post(comment_url, form_data(post, text="Forged words."), **headers)

    assert response.status_code == 403
    assert "sent from a page on another site" in response.text
    assert "Forged words." in response.text
    assert not Comment.objects.exists()


# --- invalid forms keep everything --------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "   \n\t  "}, "Please write a comment (spaces alone do not count)."),
        ({"text": ""}, "Please write a comment (spaces alone do not count)."),
        ({"name": "  "}, "Please give a name (any name you like)."),
        ({"name": "N" * 81}, "Please keep the name to 80 characters (it has 81)."),
        ({"email": "not-an-address"}, "Enter a valid email address, such as you@example.com."),
        (
            {"email": "a" * 250 + "@example.com"},
            "An email address has at most 254 characters (this one has 262).",
        ),
        ({"text": "x" * 3001}, "Your comment has 3001 characters; the limit is 3000."),
        ({"consent": ""}, "Please tick the box: we cannot keep a comment without your consent."),
    ],
    ids=[
        "whitespace text",
        "empty text",
        "blank name",
        "long name",
        "bad email",
        "long email",
        "long text",
        "no consent",
    ],
)
def test_an_invalid_form_shows_the_error_and_keeps_what_was_typed(
    client, post, comment_url, overrides, message
):
    data = form_data(post, name="Kept Name", text="Kept words <b>bold</b>", **{})
    data.update(overrides)

    response = client.post(comment_url, data)

    assert response.status_code == 200
    assert not Comment.objects.exists()
    assert message in response.text
    form = response.context["comment_form"]
    for field in ["name", "email", "text"]:
        if field not in overrides:
            assert form[field].value() == data[field]
    if "text" not in overrides:
        assert "Kept words &lt;b&gt;bold&lt;/b&gt;" in response.text
    assert post.title in response.text  # the post page itself, re-rendered


def test_an_invalid_form_is_never_cached(client, post, comment_url):
    response = client.post(comment_url, form_data(post, text=""))

    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_invalid_form_gets_a_fresh_token_so_the_second_try_is_accepted(
    client, post, comment_url
):
    response = client.post(comment_url, form_data(post, text=""))
    form = response.context["comment_form"]
    again = dict(form.data.items(), text="Now with words.")

    with_token = client.post(comment_url, again)

    assert with_token.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING  # not taken for a robot


def test_a_form_opened_days_ago_asks_to_send_again_and_keeps_the_text(client, post, comment_url):
    data = form_data(post, text="Written slowly.")
    with mock.patch("time.time", return_value=time.time() - 4 * 24 * 3600):
        data["token"] = make_token(post)

    response = client.post(comment_url, data)

    assert response.status_code == 200
    assert "This form was opened too long ago" in response.text
    assert "Written slowly." in response.text
    assert not Comment.objects.exists()


# --- posts that take no comments ----------------------------------------------
def test_a_post_with_comments_closed_shows_its_comments_and_says_so(client):
    post = PostFactory(comments_enabled=False)
    CommentFactory(post=post, approved=True, text="An earlier thought.")

    page = client.get(post.get_absolute_url()).text

    assert "An earlier thought." in page
    assert "Comments are closed." in page
    assert 'id="comment-form"' not in page


def test_posting_to_a_closed_post_is_refused_and_the_text_offered_back(client):
    post = PostFactory(comments_enabled=False)

    response = client.post(
        reverse("comments:post", args=[post.pk]), form_data(post, text="My late words.")
    )

    assert response.status_code == 403
    assert "Comments are closed on this post." in response.text
    assert "My late words." in response.text
    assert not Comment.objects.exists()


def test_comments_close_by_themselves_after_the_configured_days(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = PostFactory(publish_at=timezone.now() - dt.timedelta(days=31))
    recent = PostFactory(publish_at=timezone.now() - dt.timedelta(days=29))

    assert "Comments are closed." in client.get(old.get_absolute_url()).text
    assert 'id="comment-form"' in client.get(recent.get_absolute_url()).text
    refused = client.post(reverse("comments:post", args=[old.pk]), form_data(old))
    accepted = client.post(reverse("comments:post", args=[recent.pk]), form_data(recent))

    assert (refused.status_code, accepted.status_code) == (403, 302)
    assert list(Comment.objects.values_list("post", flat=True)) == [recent.pk]


def test_zero_days_means_comments_never_close_by_themselves(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    old = PostFactory(publish_at=timezone.now() - dt.timedelta(days=3000))

    response = client.post(reverse("comments:post", args=[old.pk]), form_data(old))

    assert response.status_code == 302


@pytest.mark.parametrize(
    "make_post",
    [
        lambda: PostFactory(draft=True),
        lambda: PostFactory(scheduled=True),
    ],
    ids=["draft", "scheduled"],
)
def test_a_post_readers_cannot_see_takes_no_comment(client, make_post):
    post = make_post()

    response = client.post(reverse("comments:post", args=[post.pk]), form_data(post))

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_an_unknown_post_takes_no_comment(client, post):
    data = form_data(post)
    Post.objects.all().delete()

    response = client.post(reverse("comments:post", args=[post.pk]), data)

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_even_staff_who_may_preview_cannot_comment_on_a_draft(editor_client):
    post = PostFactory(draft=True)

    response = editor_client.post(reverse("comments:post", args=[post.pk]), form_data(post))

    assert response.status_code == 404
    assert not list(get_messages(response.wsgi_request))
