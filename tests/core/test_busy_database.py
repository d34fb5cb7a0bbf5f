"""The database busy: a lock held longer than the site waits. Every request
gets a clear 503 "the site is busy, try again" with Retry-After, never a
bare 500 or a worker killed by gunicorn; the comment form hands the reader's
text back, a staff form's text stays in the browser (the page says to go
back). On SQLite (another writer holding the file's lock past the busy
timeout) and on PostgreSQL (another connection holding a table lock past
``lock_timeout``, or a statement past ``statement_timeout``).
"""

import logging
import time

import psycopg
import pytest
from django.db import connection
from django.test import Client

from articles.models import Post
from comments.models import Comment
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory, UserFactory
from tests.comments.factories import form_data
from tests.comments.test_faults import Writer, file_database, sqlite_only  # noqa: F401

TEXT = "Sent while the database was locked.\nStill here?"

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's lock_timeout and statement_timeout"
)


def assert_busy_page(response, sent_form=True):
    body = response.content.decode()
    assert response.status_code == 503, (response.status_code, body[:300])
    assert response["Retry-After"] == "5"
    assert "The site is busy right now" in body and "nothing was saved" in body
    assert "Skip to content" in body  # the site's look
    assert "Traceback" not in body and "OperationalError" not in body
    assert response["X-Frame-Options"] == "DENY"
    if sent_form:
        assert "back button: what you typed is still in the form" in body


# --- SQLite: the admin's login and save ----------------------------------------


def make_staff():
    return UserFactory(username="sam", is_staff=True, is_superuser=True)


@sqlite_only
def test_an_admin_login_during_a_long_lock_is_a_503_not_a_500(file_database, caplog):  # noqa: F811
    path, use = file_database
    use(timeout=0.2)
    make_staff()
    browser = Client(raise_request_exception=False)
    browser.get("/admin/login/")

    with caplog.at_level(logging.WARNING), Writer(path, seconds=2.0):
        response = browser.post(
            "/admin/login/",
            {"username": "sam", "password": "correct horse battery staple", "next": "/admin/"},
        )

    assert_busy_page(response)
    assert any("database busy" in r.getMessage() for r in caplog.records)
    # Once the lock is gone, the same login goes through.
    response = browser.post(
        "/admin/login/",
        {"username": "sam", "password": "correct horse battery staple", "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


@sqlite_only
def test_an_admin_save_during_a_long_lock_is_a_503_and_saves_nothing(file_database):  # noqa: F811
    path, use = file_database
    use(timeout=0.2)
    staff = make_staff()
    post = Post.objects.get(pk=PostFactory(title="Before the lock").pk)
    browser = Client(raise_request_exception=False)
    browser.force_login(staff)
    url = f"/admin/articles/post/{post.pk}/change/"
    data = submitted(browser.get(url).content.decode(), form_id="post_form")
    data["title"] = ["Typed during the lock"]
    data["_save"] = ["Save"]

    with Writer(path, seconds=2.0):
        response = browser.post(url, data)

    assert_busy_page(response)
    post.refresh_from_db()
    assert post.title == "Before the lock"
    # The same form sent again once the lock is gone is saved.
    assert browser.post(url, data).status_code == 302
    post.refresh_from_db()
    assert post.title == "Typed during the lock"


# --- PostgreSQL: lock_timeout and statement_timeout ------------------------------


@postgres_only
def test_postgres_connections_wait_less_than_a_gunicorn_worker_lives(db, settings):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings "
            "WHERE name IN ('lock_timeout', 'statement_timeout') ORDER BY name"
        )
        found = dict(cursor.fetchall())
    assert found == {
        "lock_timeout": str(int(settings.DATABASE_LOCK_TIMEOUT * 1000)),
        "statement_timeout": str(int(settings.DATABASE_STATEMENT_TIMEOUT * 1000)),
    }
    assert 0 < settings.DATABASE_LOCK_TIMEOUT < 30 and 0 < settings.DATABASE_STATEMENT_TIMEOUT < 30


class TableLock:
    """Another connection holding ``LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE``
    (what a long migration or a manual fix does) until the block ends."""

    def __init__(self, table):
        self.table = table

    def __enter__(self):
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        self.other = psycopg.connect(**params)
        self.other.execute(f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.other.rollback()
        self.other.close()


@pytest.fixture
def short_waits(transactional_db, settings):
    """The site's connection with short timeouts (the configured ones, 10 and
    20 s, would make a slow test of the same path)."""
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 0

    def set_waits(lock="300ms", statement="0"):
        with connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = '{lock}'")
            cursor.execute(f"SET statement_timeout = '{statement}'")

    yield set_waits
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")
        cursor.execute("RESET statement_timeout")


@postgres_only
@pytest.mark.parametrize(
    "waits", [{"lock": "300ms"}, {"lock": "0", "statement": "300ms"}], ids=["lock", "statement"]
)
def test_a_comment_during_a_long_postgres_lock_is_a_503_with_the_text_handed_back(
    short_waits, waits, caplog
):
    post = Post.objects.get(pk=PostFactory().pk)
    reader = Client(raise_request_exception=False)
    short_waits(**waits)

    started = time.monotonic()
    with caplog.at_level(logging.WARNING), TableLock("comments_comment"):
        response = reader.post(f"/comments/post/{post.pk}/", form_data(post, text=TEXT))
    waited = time.monotonic() - started

    body = response.content.decode()
    assert response.status_code == 503, (response.status_code, body[:500])
    assert response["Retry-After"]
    assert "busy" in body.lower() and "Sent while the database was locked." in body
    assert waited < 5  # the timeout, not gunicorn's, ended the wait
    assert any("comment not stored, database busy" in r.getMessage() for r in caplog.records)
    assert Comment.objects.count() == 0
    # Once the lock is gone, the same form goes through.
    assert reader.post(f"/comments/post/{post.pk}/", form_data(post, text=TEXT)).status_code == 302
    assert Comment.objects.get().text == TEXT


@postgres_only
def test_an_admin_save_during_a_long_postgres_lock_is_a_503(short_waits):
    staff = make_staff()
    post = Post.objects.get(pk=PostFactory(title="Before the lock").pk)
    browser = Client(raise_request_exception=False)
    browser.force_login(staff)
    url = f"/admin/articles/post/{post.pk}/change/"
    data = submitted(browser.get(url).content.decode(), form_id="post_form")
    data["title"] = ["Typed during the lock"]
    data["_save"] = ["Save"]
    short_waits(lock="300ms")

    with TableLock("articles_post"):
        response = browser.post(url, data)

    assert_busy_page(response)
    post.refresh_from_db()
    assert post.title == "Before the lock"


# --- outside a view --------------------------------------------------------------


@pytest.mark.django_db
def test_a_busy_database_after_the_view_is_the_503_without_nothing_was_saved(monkeypatch):
    """The session is saved by its middleware after the view (here: the
    reader's pending comment remembered in it). A lock there reaches Django's
    handler500, which answers busy too; the comment may be stored, so the
    page does not say that nothing was."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def locked(self, must_create=False):
        raise OperationalError("database is locked")

    post = Post.objects.get(pk=PostFactory().pk)
    monkeypatch.setattr(SessionStore, "save", locked)
    reader = Client(raise_request_exception=False)
    response = reader.post(f"/comments/post/{post.pk}/", form_data(post, text=TEXT))

    body = response.content.decode()
    assert response.status_code == 503, (response.status_code, body[:300])
    assert response["Retry-After"] == "5"
    assert "Part of it may have been saved" in body and "nothing was saved" not in body
    assert Comment.objects.get().text == TEXT  # stored by the view, before the lock
