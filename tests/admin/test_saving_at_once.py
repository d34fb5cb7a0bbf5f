"""Issue 16, "Lost edits (PostgreSQL)": two people open the same post (or site
page) and press Save at the same moment. Both got "saved" and one body edit
was silently lost: the form's "saved meanwhile" check read the row before the
other save committed. Now the change form reads the row under a lock in its
transaction (core.admin_locking): the second save waits for the first, finds
it, and says so, keeping its own text in the form.

Each save runs in a thread of its own, on a connection of its own, against a
real database: PostgreSQL, or an SQLite file (WAL, IMMEDIATE transactions, as
the site runs it; pytest-django's in-memory database locks differently).
The first save is held inside its transaction, after its check and its
write, until the second is waiting on the database; then both finish.
"""

import sqlite3
import threading
import time

import pytest
from django.db import connection, connections
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from articles.models import Post
from pages.models import Page
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory, ReferenceFactory, UserFactory
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 20  # seconds: a thread that takes longer is stuck, not slow


@pytest.fixture
def own_connections(tmp_path, django_db_blocker):
    """``enter()``, called first in each thread (and by the test itself once
    the data is made), gives that thread its own connection to the same
    database. On SQLite that is a file holding a copy of the migrated test
    database; on PostgreSQL, Django's connection per thread already is."""
    original = connections["default"]
    if connection.vendor != "sqlite":
        yield lambda: None
        return
    path = tmp_path / "site.sqlite3"
    original.ensure_connection()
    target = sqlite3.connect(path)
    original.connection.backup(target)
    target.close()
    site = original.copy()
    site.settings_dict["NAME"] = str(path)

    def enter():
        connections["default"] = site.copy()

    enter()
    try:
        yield enter
    finally:
        connections["default"].close()
        connections["default"] = original


def waiting_on_the_database(others_started):
    """True once another connection waits for a lock (PostgreSQL); on SQLite,
    once the other request has started: it then waits for the write lock
    (IMMEDIATE) or comes after the first save, the same for the test."""
    if connection.vendor != "postgresql":
        return others_started.is_set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def save_at_once(model, enter, first, second):
    """POST ``first`` and ``second`` ((client, url, data) each) from two
    threads, the first held in its transaction (after writing the row) until
    the second waits. Returns both responses."""
    written, release, second_started = threading.Event(), threading.Event(), threading.Event()
    responses, errors = {}, []

    def hold(sender, instance, **kwargs):
        if threading.current_thread().name == "first" and not written.is_set():
            written.set()
            release.wait(DEADLINE)

    def run(name, client, url, data):
        enter()
        try:
            if name == "second":
                second_started.set()
            responses[name] = client.post(url, data)
        except Exception as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connections.close_all()

    post_save.connect(hold, sender=model, weak=False)
    try:
        threads = {
            name: threading.Thread(target=run, name=name, args=(name, *request), daemon=True)
            for name, request in (("first", first), ("second", second))
        }
        threads["first"].start()
        assert written.wait(DEADLINE), "the first save never wrote"
        threads["second"].start()
        started = time.monotonic()
        while not waiting_on_the_database(second_started):
            assert time.monotonic() - started < DEADLINE, "the second save never waited"
            time.sleep(0.01)
        release.set()
        for thread in threads.values():
            thread.join(DEADLINE)
            assert not thread.is_alive(), f"the {thread.name} save is stuck"
    finally:
        release.set()
        post_save.disconnect(hold, sender=model)
    assert not errors, errors
    return responses["first"], responses["second"]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(client, url, form_id):
    data = submitted(client.get(url).text, form_id)
    data["_save"] = ["Save"]
    return data


def add_reference(data, title):
    n = int(data["references-TOTAL_FORMS"][0])
    data["references-TOTAL_FORMS"] = [str(n + 1)]
    fields = {"order": n + 1, "authors": "Doe J", "title": title, "journal": "J Things"}
    for key, value in fields.items():
        data[f"references-{n}-{key}"] = [str(value)]


def two_editors():
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")
    people = []
    for name in ("erin", "ada"):
        user = UserFactory(username=name, is_staff=True)
        user.groups.add(editors)
        people.append(signed_in(user))
    return people


def test_two_editors_saving_a_post_at_once_the_second_is_told(own_connections):
    erin, ada = two_editors()
    post = PostFactory(body="Glutamine helps.[1]", title="Glutamine")
    ReferenceFactory(post=post, title="The first study", order=0)
    url = reverse("admin:articles_post_change", args=[post.pk])
    erins, adas = form_data(erin, url, "post_form"), form_data(ada, url, "post_form")
    erins["body"] = ["Glutamine helps.[1] Erin's sentence.[2]"]
    add_reference(erins, "Erin's study")
    adas["body"] = ["Glutamine helps.[1] Ada's sentence.[2]"]
    add_reference(adas, "Ada's study")

    first, second = save_at_once(Post, own_connections, (erin, url, erins), (ada, url, adas))

    assert first.status_code == 302
    assert second.status_code == 200
    assert "This post was saved again at" in second.text
    assert "Ada&#x27;s sentence" in second.text  # her text stays in the form
    post.refresh_from_db()
    assert post.body == "Glutamine helps.[1] Erin's sentence.[2]"
    assert list(post.references.values_list("title", flat=True)) == [
        "The first study",
        "Erin's study",
    ]
    # Knowing that, Ada saves again: her version replaces Erin's.
    again = second.context["adminform"].form.data.copy()
    assert ada.post(url, again).status_code == 302
    post.refresh_from_db()
    assert "Ada's sentence" in post.body


def test_two_editors_saving_a_site_page_at_once_the_second_is_told(own_connections):
    erin, ada = two_editors()
    page = PageFactory(title="Shipping", body="We ship.")
    url = reverse("admin:pages_page_change", args=[page.pk])
    erins, adas = form_data(erin, url, "page_form"), form_data(ada, url, "page_form")
    erins["body"] = ["We ship everywhere. (Erin)"]
    adas["body"] = ["We ship to Europe. (Ada)"]

    first, second = save_at_once(Page, own_connections, (erin, url, erins), (ada, url, adas))

    assert first.status_code == 302
    assert second.status_code == 200
    assert "This page was saved again at" in second.text
    assert "We ship to Europe. (Ada)" in second.text
    page.refresh_from_db()
    assert page.body == "We ship everywhere. (Erin)"


def test_a_page_form_opened_before_another_save_is_stopped(own_connections):
    """The site pages had no "saved meanwhile" check at all: the later save won."""
    erin, ada = two_editors()
    page = PageFactory(title="Shipping", body="We ship.")
    url = reverse("admin:pages_page_change", args=[page.pk])
    erins, adas = form_data(erin, url, "page_form"), form_data(ada, url, "page_form")
    erins["body"] = ["Erin's text."]
    adas["body"] = ["Ada's text."]

    assert erin.post(url, erins).status_code == 302
    refused = ada.post(url, adas)

    assert refused.status_code == 200 and "This page was saved again at" in refused.text
    page.refresh_from_db()
    assert page.body == "Erin's text."
