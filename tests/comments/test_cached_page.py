"""The comment form on a post page served from the page cache (articles.page_cache)
keeps every protection: a CSRF token the reader's cookie accepts, a form
timestamp made when the page is served, and closing on time."""

import datetime as dt
import re
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Post
from comments.models import Comment
from tests.articles.factories import PostFactory

pytestmark = pytest.mark.django_db


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def send(client, post, page, **fields):
    data = {
        "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        "token": hidden(page, "token"),
        "name": "Casey",
        "email": "casey@example.com",
        "text": "Served from the cache, still works.",
        "consent": "on",
        "website": "",
        **fields,
    }
    return client.post(reverse("comments:post", args=[post.pk]), data)


def test_a_reader_comments_through_a_cached_page_with_csrf_enforced(post, settings):
    settings.COMMENTS_MIN_SECONDS = 0
    Client().get(post.get_absolute_url())  # someone else filled the cache
    reader = Client(enforce_csrf_checks=True)

    page = reader.get(post.get_absolute_url())
    assert page["ETag"]  # this answer came through the page cache
    response = send(reader, post, page.text)

    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_token_from_another_readers_cached_page_is_refused(post, settings):
    settings.COMMENTS_MIN_SECONDS = 0
    other = Client(enforce_csrf_checks=True)
    stolen = other.get(post.get_absolute_url()).text
    attacker = Client(enforce_csrf_checks=True)
    attacker.get(post.get_absolute_url())  # has a CSRF cookie of its own

    response = send(attacker, post, stolen)

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_each_served_page_gets_a_fresh_form_timestamp(post, settings):
    settings.COMMENTS_MIN_SECONDS = 5
    an_hour_ago = time.time() - 3600
    with mock.patch("comments.forms.time.time", return_value=an_hour_ago):
        Client().get(post.get_absolute_url())  # the page was cached an hour ago

    robot = Client()
    page = robot.get(post.get_absolute_url())
    send(robot, post, page.text)  # at once, like a robot

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert "after the form was shown" in comment.held_reason


def test_a_cached_page_stops_offering_the_form_when_comments_close(settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    closes_in = dt.timedelta(seconds=1)
    post = PostFactory(publish_at=timezone.now() - dt.timedelta(days=30) + closes_in)
    post = Post.objects.get(pk=post.pk)

    reader = Client()
    first = reader.get(post.get_absolute_url())
    assert "Leave a comment" in first.text
    time.sleep(closes_in.total_seconds() + 0.2)
    later = reader.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert later.status_code == 200
    assert "Comments are closed." in later.text
    assert "Leave a comment" not in later.text
