"""The comment journey in Chromium: a reader comments and is told it awaits
approval; another reader does not see it; a moderator approves it in the
admin's queue; now everyone sees it."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_URL = "/blog/glutamine-and-gut-health/"
NOTICE = "Please note, comments need to be approved before they are published."
TEXT = (
    "I take 5 g after my evening run.\nMy stomach has been calmer since. Thanks for the sources!"
)


@pytest.fixture
def comment_settings(settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 5
    return settings


def comment_heading(page):
    return page.locator("#comments-title")


def test_reader_comment_waits_for_a_moderator_then_everyone_sees_it(
    demo, comment_settings, moderator_user, new_page, watch, screenshot, admin_login
):
    # Another reader, first: the count they see before anything happens.
    other = new_page()
    other.goto(POST_URL)
    expect(comment_heading(other)).to_have_text(re.compile(r"^\d+ comments?$"))
    count_before = int(comment_heading(other).inner_text().split()[0])

    # A reader comments.
    reader = new_page()
    reader.goto(POST_URL)
    form = reader.locator("#comment-form")
    expect(reader.get_by_role("heading", name="Leave a comment")).to_be_visible()
    form.get_by_role("textbox", name=re.compile(r"^Name")).fill("Jordan")
    form.get_by_role("textbox", name=re.compile(r"^Email")).fill("jordan@example.com")
    form.get_by_role("textbox", name=re.compile(r"^Comment")).fill(TEXT)
    form.get_by_role("checkbox", name=re.compile("I agree that this site stores")).check()
    form.get_by_role("button", name="Post comment").click()

    expect(reader).to_have_url(re.compile(r"/blog/glutamine-and-gut-health/#comment-\d+$"))
    expect(reader.get_by_role("status").filter(has_text=NOTICE)).to_be_visible()
    comment = Comment.objects.get(name="Jordan")
    assert comment.status == Comment.Status.PENDING, comment.held_reason
    mine = reader.locator(f"#comment-{comment.pk}")
    expect(mine).to_be_in_viewport()
    expect(mine.locator(".comment-text")).to_have_text(TEXT.replace("\n", ""))
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine).to_contain_text("Only you can see this comment")
    # The line break is kept, the text escaped.
    expect(mine.locator(".comment-text br")).to_have_count(1)
    # The count is of public comments only.
    expect(comment_heading(reader)).to_have_text(f"{count_before} comments")
    screenshot(reader, "comment-posted-viewport")  # what the reader sees first
    reader.evaluate("window.scrollTo(0, 0)")
    screenshot(reader, "comment-awaiting-approval", full_page=True)

    # The other reader (their own browser) does not see it, even after a reload.
    other.reload()
    expect(other.get_by_text("after my evening run")).to_have_count(0)
    expect(other.locator(f"#comment-{comment.pk}")).to_have_count(0)
    expect(comment_heading(other)).to_have_text(f"{count_before} comments")

    # A moderator logs in and works the queue.
    moderator = admin_login(new_page(viewport={"width": 1280, "height": 900}), moderator_user)
    pending = moderator.locator(".pending-comments-notice")
    expect(pending).to_contain_text(re.compile(r"\d+ comments? awaiting approval"))
    pending.get_by_role("link").click()
    expect(moderator.get_by_role("heading", level=1)).to_contain_text("comment")
    row = moderator.locator("#result_list tbody tr", has_text="after my evening run")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Jordan")
    expect(row).to_contain_text("Glutamine and Gut Health")
    row.get_by_role("checkbox").check()
    moderator.locator("select[name=action]").select_option("approve")
    screenshot(moderator, "moderation-queue", readme=True)
    moderator.get_by_role("button", name="Go").click()
    expect(moderator.locator(".messagelist .success")).to_have_text("1 comment approved.")
    # The queue (pending comments) no longer lists it.
    expect(
        moderator.locator("#result_list tbody tr", has_text="after my evening run")
    ).to_have_count(0)
    screenshot(moderator, "moderation-queue-after")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.status_changed_by == moderator_user
    assert comment.status_changed_at is not None

    # Now every reader sees it, counted, without the "awaiting" mark.
    other.reload()
    theirs = other.locator(f"#comment-{comment.pk}")
    expect(theirs).to_contain_text("Jordan")
    expect(theirs.locator(".comment-text")).to_have_text(TEXT.replace("\n", ""))
    expect(theirs).not_to_contain_text("Awaiting moderation")
    expect(comment_heading(other)).to_have_text(f"{count_before + 1} comments")
    theirs.scroll_into_view_if_needed()
    screenshot(other, "comment-approved", full_page=True)

    reader.reload()
    expect(mine).not_to_contain_text("Awaiting moderation")
    expect(reader.get_by_role("status").filter(has_text=NOTICE)).to_have_count(0)

    watch.assert_clean()
