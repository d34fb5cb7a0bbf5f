"""An administrator's journey, in Chromium, through the real admin forms.

Ada, the demo's superuser (``admin``), takes on a new writer: she creates the
account in the admin's add-user form, puts it in Editors and marks it staff.
She logs out; the new editor logs in with the password Ada gave them, finds
the admin an editor's admin (posts, no users), and writes and publishes a
post that readers then find on the blog.

Only Ada's password is set up in code (``make run`` prints a random one);
everything else is typed into the admin.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.models import Post

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Winter-oats-and-47-lanterns"


@pytest.fixture
def administrator(demo):
    admin = get_user_model().objects.get(username="admin")
    admin.set_password(PASSWORD)
    admin.save()
    return admin


def log_in(page, username, password):
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def test_administrator_adds_an_editor_who_then_writes_a_post(
    administrator, new_page, watch, screenshot
):
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, "admin", PASSWORD)

    # The account: user name and password first (Django's add-user form) ...
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Username:").fill("noor")
    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation:").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")

    # ... then the person: name, email, staff, and the Editors group.
    page.get_by_label("First name:").fill("Noor")
    page.get_by_label("Last name:").fill("Haddad")
    page.get_by_label("Email address:").fill("noor@example.com")
    expect(page.get_by_label("Staff status")).not_to_be_checked()
    expect(page.locator(".field-is_staff .help")).to_contain_text(
        "Members of Editors, Moderators and Reviewers have it without this box"
    )
    page.locator("#id_groups_from").select_option(label="Editors")
    page.get_by_role("button", name="Choose selected groups").click()
    expect(page.locator("#id_groups_to option")).to_have_text(["Editors"])
    screenshot(page, "administrator-new-editor", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    noor = get_user_model().objects.get(username="noor")
    assert noor.is_staff and not noor.is_superuser
    assert [g.name for g in noor.groups.all()] == ["Editors"]

    # Ada logs out (a POST, from the header) ...
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()

    # ... and Noor logs in: an editor's admin, with posts and no users.
    log_in(page, "noor", NEW_PASSWORD)
    expect(page.locator("#user-tools")).to_contain_text("Noor")
    expect(page.get_by_role("link", name="Posts", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    screenshot(page, "administrator-editor-front-page")

    page.get_by_role("link", name="Posts", exact=True).click()
    page.get_by_role("link", name="Add post").click()
    page.locator("#id_title").press_sequentially("Creatine for Beginners")
    page.locator("#id_summary").fill("What creatine is, and how much to take.")
    page.locator("#id_body").fill(
        "## What is creatine?\n\nA compound your muscles use for short bursts of effort.[**]"
    )
    expect(page.locator("#id_author option:checked")).to_have_text("Noor Haddad")
    page.locator("#id_status").select_option(label="Published")
    page.get_by_role("checkbox", name="Supplements").check()  # a published post has a topic
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    post = Post.objects.get(slug="creatine-for-beginners")
    assert post.is_public and post.author == noor

    # A reader finds it, signed by Noor.
    reader = new_page()
    reader.goto("/blog/")
    reader.get_by_role("link", name="Creatine for Beginners").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Creatine for Beginners")
    expect(reader.locator("article header")).to_contain_text("by Noor Haddad")
    expect(reader.locator("#disclaimer-1")).to_contain_text("Food and Drug Administration")

    watch.assert_clean()
