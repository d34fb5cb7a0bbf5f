"""A reader in Chromium has all their comments deleted: from the post's comment
section to the request page, the link read from the email, the confirmation
page and its button; the post no longer shows the comment; a moderator sees
that a deletion happened, and nothing about who asked."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_URL = "/blog/glutamine-and-gut-health/"
DANA = "I started adding glutamine to my morning smoothie"


def test_reader_asks_for_deletion_and_confirms_from_the_emailed_link(
    demo, new_page, watch, screenshot, moderator_user, admin_login
):
    mail.outbox.clear()
    other = new_page()
    other.goto(POST_URL)
    expect(other.locator("#comments")).to_contain_text(DANA)
    count_before = int(other.locator("#comments-title").inner_text().split()[0])

    # The reader finds the way from the comment section.
    reader = new_page()
    reader.goto(POST_URL)
    form = reader.locator("#comment-form")
    box = form.get_by_role("checkbox", name="Email me when my comment is approved")
    expect(box).not_to_be_checked()  # off unless the reader ticks it
    link = reader.get_by_role("link", name="Have all your comments deleted")
    link.scroll_into_view_if_needed()
    screenshot(reader, "comment-form-with-rights")
    link.click()

    expect(reader).to_have_url("/comments/delete/")
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Delete your comments and your address"
    )
    reader.get_by_label("Your email address").fill("Dana@Example.com")
    screenshot(reader, "deletion-request")
    reader.get_by_role("button", name="Send me the link").click()

    expect(reader).to_have_url("/comments/delete/sent/")
    expect(reader.get_by_role("status")).to_contain_text("an email with a link")
    screenshot(reader, "deletion-requested")

    # The email: one, to the address as stored on the comments (not as typed),
    # with the link.
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    emailed = re.search(r"https?://\S+/comments/delete/confirm/\S+/", message.body).group(0)
    path = "/" + emailed.split("://", 1)[1].split("/", 1)[1]

    # Opening the link (as a mail scanner would) deletes nothing.
    inbox = new_page()
    inbox.goto(path)
    expect(inbox.get_by_role("heading", level=1)).to_have_text("Delete your comments?")
    button = inbox.get_by_role("button", name="Delete my 1 comment")
    expect(button).to_be_visible()
    assert Comment.objects.filter(email="dana@example.com").exists()
    screenshot(inbox, "deletion-confirm")

    button.click()

    expect(inbox.get_by_role("heading", level=1)).to_have_text("Your comments are deleted")
    expect(inbox.get_by_role("status")).to_contain_text("1 comment deleted")
    screenshot(inbox, "deletion-done")
    assert not Comment.objects.by_address("dana@example.com").exists()

    # The link works once.
    inbox.goto(path)
    expect(inbox.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    # (the 410 is the answer expected here, not a fault of the page)
    watch.failed_responses.remove(f"410 {inbox.url}")
    watch.console[:] = [m for m in watch.console if "410 (Gone)" not in m]

    # Every reader's page changed at once.
    other.reload()
    expect(other.locator("#comments")).not_to_contain_text(DANA)
    expect(other.locator("#comments-title")).to_have_text(f"{count_before - 1} comments")

    # The moderator sees that it happened, and not who asked.
    moderator = admin_login(new_page(viewport={"width": 1280, "height": 900}), moderator_user)
    moderator.goto("/admin/comments/commentdeletion/")
    row = moderator.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Glutamine and Gut Health")
    expect(row).not_to_contain_text("Dana")
    screenshot(moderator, "deletion-record")

    watch.assert_clean()
