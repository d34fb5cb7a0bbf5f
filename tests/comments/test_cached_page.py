"""The comment form on a post page every anonymous reader shares (core.page_cache):
it works for everyone, its token is bounded by the page's version and age, and
what used to be forgeable in the page stays inert."""

import datetime as dt
import re
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Post
from comments.forms import PAGE_CHANGED, TOO_OLD
from comments.models import Comment
from tests.articles.factories import PostFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

FORMER_PLACEHOLDERS = [
    "__glutablog_csrf_token_placeholder__",
    "__glutablog_per_reader:comments.form-token__",
]


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def send(client, post, page, **fields):
    data = {
        "token": hidden(page, "token"),
        "name": "Casey",
        "email": "casey@example.com",
        "text": "Served from the cache, still works.",
        "consent": "on",
        "website": "",
        **fields,
    }
    return client.post(
        reverse("comments:post", args=[post.pk]), data, HTTP_SEC_FETCH_SITE="same-origin"
    )


def test_a_reader_comments_through_a_cached_page_with_csrf_checks_on(post):
    Client().get(post.get_absolute_url())  # someone else filled the cache
    reader = Client(enforce_csrf_checks=True)

    page = reader.get(post.get_absolute_url())
    assert page["ETag"]  # this answer came through the page cache
    response = send(reader, post, page.text)

    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_token_stays_good_for_a_reader_whose_page_changed_a_moment_ago(post, moderator):
    reader = Client()
    page = reader.get(post.get_absolute_url()).text
    CommentFactory(post=post)  # someone else's comment ...
    Comment.objects.all().approve(by=moderator)  # ... approved: the page has a new version

    response = send(reader, post, page, text="Written while the page changed.")

    assert response.status_code == 302
    assert Comment.objects.filter(text="Written while the page changed.").exists()


def test_a_scraped_form_stops_working_once_its_page_version_is_long_gone(post, settings):
    settings.COMMENTS_FORM_VERSION_GRACE_MINUTES = 60
    page = Client().get(post.get_absolute_url()).text
    Post.objects.filter(pk=post.pk).update(
        page_changed_at=timezone.now() - dt.timedelta(minutes=61)
    )

    response = send(Client(), post, page, text="Replayed for the third time.")

    assert response.status_code == 200
    assert PAGE_CHANGED in response.text
    assert "Replayed for the third time." in response.text  # kept for an honest reader
    assert not Comment.objects.exists()


def test_a_scraped_form_stops_working_after_its_maximum_age(post, settings):
    settings.COMMENTS_FORM_MAX_AGE_HOURS = 24
    page = Client().get(post.get_absolute_url()).text

    with mock.patch("time.time", return_value=time.time() + 25 * 3600):
        response = send(Client(), post, page)

    assert response.status_code == 200
    assert TOO_OLD in response.text
    assert not Comment.objects.exists()


def test_a_stored_page_is_rendered_again_before_its_token_is_half_way_old(post, settings):
    settings.COMMENTS_FORM_MAX_AGE_HOURS = 2
    first = Client().get(post.get_absolute_url())

    with mock.patch("time.time", return_value=time.time() + 3601):
        later = Client().get(post.get_absolute_url())

    assert hidden(later.text, "token") != hidden(first.text, "token")


def test_a_token_from_another_post_is_caught(post):
    other = PostFactory()
    page = Client().get(other.get_absolute_url()).text

    send(Client(), post, page)

    assert Comment.objects.get().status == Comment.Status.SPAM
    assert Comment.objects.get().held_reason == "form token made for another post"


def test_a_cached_page_stops_offering_the_form_when_comments_close(settings, time_machine):
    time_machine.move_to(timezone.now())  # the test's clock from here on
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    closes_in = dt.timedelta(minutes=5)
    post = PostFactory(publish_at=timezone.now() - dt.timedelta(days=30) + closes_in)
    post = Post.objects.get(pk=post.pk)

    reader = Client()
    first = reader.get(post.get_absolute_url())
    assert "Leave a comment" in first.text
    time_machine.shift(closes_in + dt.timedelta(seconds=1))
    later = reader.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert later.status_code == 200
    assert "Comments are closed." in later.text
    assert "Leave a comment" not in later.text


@pytest.mark.parametrize("text", FORMER_PLACEHOLDERS)
def test_a_comment_that_is_a_former_placeholder_shows_as_written_to_everyone(
    post, moderator, text
):
    CommentFactory(post=post, text=text, name="Mallory")
    Comment.objects.all().approve(by=moderator)

    pages = [Client().get(post.get_absolute_url()).text for _ in range(3)]

    assert len(set(pages)) == 1
    for page in pages:
        assert text in page
        assert "csrfmiddlewaretoken" not in page
