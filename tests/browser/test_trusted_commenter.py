"""A trusted commenter in Chromium (COMMENTS_TRUST_RETURNING on): a reader
comments and asks to be told of the approval; a moderator approves in the
queue; the reader opens the link in the email, in the browser they comment
from; their next comment is published at once, for every reader. Someone
else who types the same address in another browser waits like anyone, and is
told exactly what anyone is told."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_URL = "/blog/glutamine-and-gut-health/"
AWAITS = "Please note, comments need to be approved before they are published."
PUBLISHED = "Thank you: your comment is published."


def comment(page, name, email, text, notify=False):
    page.goto(POST_URL)
    form = page.locator("#comment-form")
    form.get_by_role("textbox", name=re.compile(r"^Name")).fill(name)
    form.get_by_role("textbox", name=re.compile(r"^Email")).fill(email)
    form.get_by_role("textbox", name=re.compile(r"^Comment")).fill(text)
    if notify:
        form.get_by_role("checkbox", name="Email me when my comment is approved").check()
    form.get_by_role("checkbox", name=re.compile("I agree that this site stores")).check()
    form.get_by_role("button", name="Post comment").click()
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))


def test_a_reader_proves_their_address_from_the_email_and_is_trusted_there_only(
    demo, settings, moderator_user, new_page, watch, screenshot, admin_login
):
    settings.COMMENTS_TRUST_RETURNING = True
    mail.outbox.clear()
    reader, impostor, other = new_page(), new_page(), new_page()

    # 1. A first comment waits for a moderator; the reader asks to be told.
    comment(reader, "Robin", "Robin@Example.com", "First time here: thanks!", notify=True)
    expect(reader.get_by_role("status").filter(has_text=AWAITS)).to_be_visible()

    # 2. A moderator approves it in the queue.
    moderator = admin_login(new_page(viewport={"width": 1280, "height": 900}), moderator_user)
    moderator.goto("/admin/comments/comment/")
    row = moderator.locator("#result_list tbody tr", has_text="First time here")
    row.get_by_role("checkbox").check()
    moderator.locator("select[name=action]").select_option("approve")
    moderator.get_by_role("button", name="Go").click()
    expect(moderator.locator(".messagelist .success")).to_have_text("1 comment approved.")

    # 3. The email, to the address as stored, with the link; the reader opens it.
    [notice] = [m for m in mail.outbox if "is published" in m.subject]
    assert notice.to == ["robin@example.com"]
    link = re.search(r"https?://\S+/comments/confirmed/\S+/", notice.body).group(0)
    reader.goto("/" + link.split("://", 1)[1].split("/", 1)[1])
    first = Comment.objects.get(text="First time here: thanks!")
    expect(reader).to_have_url(re.compile(rf"{POST_URL}#comment-{first.pk}$"))
    expect(reader.locator(f"#comment-{first.pk}")).not_to_contain_text("Awaiting moderation")

    # 4. The next comment from that browser and address is published at once.
    comment(reader, "Robin", "robin@example.com", "Back again with a follow-up.")
    expect(reader.get_by_role("status").filter(has_text=PUBLISHED)).to_be_visible()
    screenshot(reader, "trusted-commenter-published")
    other.goto(POST_URL)
    expect(other.locator("#comments")).to_contain_text("Back again with a follow-up.")

    # 5. Someone else types Robin's address: they wait, and are told what anyone is.
    comment(impostor, "Robin", "robin@example.com", "Robin here, trust me.")
    expect(impostor.get_by_role("status").filter(has_text=AWAITS)).to_be_visible()
    expect(impostor.get_by_text(PUBLISHED)).to_have_count(0)
    other.reload()
    expect(other.locator("#comments")).not_to_contain_text("Robin here, trust me.")
    assert Comment.objects.get(text="Robin here, trust me.").status == Comment.Status.PENDING

    watch.assert_clean()
