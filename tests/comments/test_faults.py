"""A reader comments while something is wrong: the database briefly locked by
another writer, or the cache (Redis) down. The reader's request succeeds, or
fails cleanly with nothing stored half-way; an accepted comment is kept, once.

(The mail server down is tested in test_notifications.py: the comment is
kept, the reader answered, the failure logged.)
"""

import logging
import re
import sqlite3
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client, override_settings
from django.urls import reverse

from articles.models import Post
from comments.models import Comment
from tests.articles.factories import PostFactory

from .factories import form_data

TEXT = "Posted while something was wrong.\nStill here?"


def sent(client, post, **fields):
    return client.post(reverse("comments:post", args=[post.pk]), form_data(post, **fields))


# --- the database briefly locked ---------------------------------------------

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's file lock (busy timeout); PostgreSQL locks rows, not the database",
)


@pytest.fixture
def file_database(tmp_path, transactional_db, django_db_blocker):
    """The site's own connection, on a file database (WAL, busy timeout,
    IMMEDIATE transactions as configured), holding a copy of the migrated test
    database. pytest-django's test database lives in memory (shared cache),
    where locking works differently."""
    path = tmp_path / "site.sqlite3"
    with django_db_blocker.unblock():
        original = connections["default"]
        assert original.is_in_memory_db(), "not the test database"
        original.ensure_connection()
        target = sqlite3.connect(path)
        original.connection.backup(target)
        target.close()

        def use(timeout=None):
            site = original.copy()
            site.settings_dict["NAME"] = str(path)
            if timeout is not None:  # seconds
                options = site.settings_dict["OPTIONS"]
                options["timeout"] = timeout
                options["init_command"] = re.sub(
                    r"busy_timeout=\d+",
                    f"busy_timeout={int(timeout * 1000)}",
                    options["init_command"],
                )
            connections["default"] = site
            return site

        try:
            yield path, use
        finally:
            connections["default"].close()
            connections["default"] = original


class Writer(threading.Thread):
    """Another process's writer: holds SQLite's write lock for ``seconds``."""

    def __init__(self, path, seconds):
        super().__init__(daemon=True)
        self.path, self.seconds = path, seconds
        self.holding = threading.Event()
        self.released_at = None

    def run(self):
        other = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        try:
            other.execute("BEGIN IMMEDIATE")
            self.holding.set()
            time.sleep(self.seconds)
            other.execute("COMMIT")
            self.released_at = time.monotonic()
        finally:
            other.close()

    def __enter__(self):
        self.start()
        assert self.holding.wait(5), "the other writer never got the lock"
        return self

    def __exit__(self, *exc):
        self.join(10)


@pytest.fixture
def locked_post(file_database, settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 0
    path, use = file_database
    return path, use


@sqlite_only
def test_a_comment_waits_for_a_brief_lock_and_is_stored_once(locked_post):
    path, use = locked_post
    use()  # the configured busy timeout (20 s)
    post = Post.objects.get(pk=PostFactory().pk)
    reader = Client()

    with Writer(path, seconds=2.0) as writer:
        page = reader.get(post.get_absolute_url())  # WAL: reading never waits
        read_done = time.monotonic()
        response = sent(reader, post, text=TEXT)
        answered = time.monotonic()

    # The page was read while the writer still held its lock (a fixed time
    # would make the test depend on the machine's load).
    assert page.status_code == 200 and read_done < writer.released_at
    assert response.status_code == 302, response.content[:500]
    assert answered >= writer.released_at, "the comment did not wait for the lock"
    [comment] = Comment.objects.all()
    assert comment.text == TEXT and comment.post_id == post.pk
    assert response["Location"].endswith(f"#comment-{comment.pk}")


@sqlite_only
def test_a_lock_longer_than_the_busy_timeout_is_a_clean_busy_page(locked_post, caplog):
    path, use = locked_post
    use(timeout=0.2)
    post = Post.objects.get(pk=PostFactory().pk)
    reader = Client(raise_request_exception=False)

    with caplog.at_level(logging.WARNING), Writer(path, seconds=2.0):
        response = sent(reader, post, text=TEXT)

    body = response.content.decode()
    assert response.status_code == 503, (response.status_code, body[:500])
    assert response["Retry-After"]
    assert "Traceback" not in body and "OperationalError" not in body and "locked" not in body
    assert "busy" in body.lower()
    # What the reader typed, handed back so nothing is lost.
    assert "Posted while something was wrong." in body
    assert Comment.objects.count() == 0  # nothing half-way
    assert any("database is locked" in r.getMessage() + (r.exc_text or "") for r in caplog.records)

    # Once the lock is gone, the same form goes through, once.
    response = sent(reader, post, text=TEXT)
    assert response.status_code == 302
    assert Comment.objects.get().text == TEXT


# --- the cache down ----------------------------------------------------------

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        "KEY_PREFIX": "glutablog-faults",
    }
}


@pytest.mark.django_db
def test_with_the_cache_down_a_reader_reads_and_comments(post, settings, caplog):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 1  # would refuse a second comment
    reader = Client()
    with override_settings(CACHES=DEAD_REDIS), caplog.at_level(logging.WARNING):
        page = reader.get(post.get_absolute_url())
        first = sent(reader, post, text=TEXT)
        second = sent(reader, post, text="And a second thought, within the minute.")
        after = reader.get(first["Location"])

    assert page.status_code == 200
    assert b'id="comment-form"' in page.content
    assert first.status_code == 302 and second.status_code == 302  # degrades open
    assert after.status_code == 200
    comments = Comment.objects.order_by("pk")
    assert [c.text for c in comments] == [TEXT, "And a second thought, within the minute."]
    assert all(c.status == Comment.Status.PENDING for c in comments)
    messages = [r.getMessage() for r in caplog.records]
    assert "comments rate limit unavailable (cache error)" in messages  # core.ratelimit
    assert any("page cache unavailable" in m for m in messages)
