"""An editor saves a post while the database is busy (locked past its wait):
the site's 503 page says nothing was saved and to go back; the browser's back
button brings the form back with everything typed, and saving again works."""

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from articles.admin import PostAdmin
from articles.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Glutamine and Gut Health, revised while the site was busy"


def test_an_editors_save_during_a_lock_keeps_what_was_typed(
    demo, editor_user, new_page, watch, screenshot, admin_login, monkeypatch
):
    page = admin_login(new_page(viewport={"width": 1280, "height": 900}), editor_user)
    post = Post.objects.get(slug="glutamine-and-gut-health")
    change_url = f"/admin/articles/post/{post.pk}/change/"
    page.goto(change_url)
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("A summary typed during the lock.")

    # The database stays locked past the site's wait (SQLite's busy timeout,
    # PostgreSQL's lock_timeout): what the driver raises then.
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(PostAdmin, "save_model", locked)
    watch.expect_status(503, change_url)
    page.get_by_role("button", name="Save", exact=True).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("The site is busy right now")
    expect(page.get_by_text("nothing was saved")).to_be_visible()
    expect(page.get_by_text("what you typed is still in the form")).to_be_visible()
    screenshot(page, "busy-503")

    page.go_back()
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_summary")).to_have_value("A summary typed during the lock.")

    monkeypatch.undo()  # the lock is gone
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    post.refresh_from_db()
    assert post.title == TITLE
    watch.assert_clean()
