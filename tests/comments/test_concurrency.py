"""Readers who send at the same moment, each on their own database connection.

Issue 16: 20 identical comments sent at once from 20 addresses stored 2 as
pending instead of 1: the duplicate rule read, then wrote, and two requests
read before either wrote. The rule now runs under a lock on the text
(core.locks): PostgreSQL's advisory transaction lock, SQLite's write lock
(IMMEDIATE transactions)."""

import re
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from articles.models import Post
from comments.models import Comment
from tests.articles.factories import PostFactory

from .factories import form_data
from .test_faults import file_database  # noqa: F401 (a fixture)

TEXT = "Same words, sent by twenty people at the same moment."
SENDERS = 20


def send_at_once(senders, post_for, database_path=None):
    """Each sender posts the same text at the same moment, from its own
    address, on its own connection; returns their status codes."""
    barrier = threading.Barrier(len(senders))
    answers, errors = [], []
    settings_dict = connection.settings_dict

    def send(n, post):
        try:
            if database_path is not None:  # SQLite: the same file, a connection of its own
                own = connections["default"].copy()
                own.settings_dict.update(settings_dict, NAME=str(database_path))
                connections["default"] = own
            client = Client(REMOTE_ADDR=f"198.51.100.{n}")
            data = form_data(post, email=f"reader{n}@example.com", text=TEXT)
            barrier.wait(timeout=30)
            answers.append(client.post(reverse("comments:post", args=[post.pk]), data).status_code)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n, post_for(n))) for n in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return answers


def check_one_pending(post, answers):
    assert answers == [302] * SENDERS
    stored = Comment.objects.filter(text=TEXT)
    assert Counter(stored.values_list("status", flat=True)) == {
        Comment.Status.PENDING: 1,
        Comment.Status.SPAM: SENDERS - 1,
    }
    first = stored.get(status=Comment.Status.PENDING)
    assert first.held_reason == ""
    for duplicate in stored.filter(status=Comment.Status.SPAM):
        # Each names one stored before it (screened after it, under the lock).
        earlier = re.fullmatch(r"duplicate of comment #(\d+) on this post", duplicate.held_reason)
        assert earlier and first.pk <= int(earlier[1]) < duplicate.pk, duplicate.held_reason


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own connections")
@pytest.mark.django_db(transaction=True)
def test_twenty_identical_comments_at_once_store_one_pending_on_postgresql(settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 0
    post = Post.objects.get(pk=PostFactory().pk)

    answers = send_at_once(range(SENDERS), lambda n: post)

    check_one_pending(post, answers)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own connections")
@pytest.mark.django_db(transaction=True)
def test_the_same_text_on_many_posts_at_once_holds_all_but_one(settings):
    """Across posts the rule holds too: one comment is plain pending, every
    other is held for a moderator as the same text as another post's."""
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 0
    posts = [Post.objects.get(pk=PostFactory().pk) for _ in range(8)]

    answers = send_at_once(range(8), lambda n: posts[n])

    assert answers == [302] * 8
    reasons = Counter(
        reason.split(" #")[0] for reason in Comment.objects.values_list("held_reason", flat=True)
    )
    assert reasons == {"": 1, "same text as comment": 7}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's file lock")
def test_twenty_identical_comments_at_once_store_one_pending_on_sqlite(
    file_database,  # noqa: F811
    settings,
):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 0
    path, use = file_database
    use()
    post = Post.objects.get(pk=PostFactory().pk)

    answers = send_at_once(range(SENDERS), lambda n: post, database_path=path)

    check_one_pending(post, answers)
