"""The comment box's limit in Chromium (issue 15): the page says it, a counter
counts down as the reader types, a screen reader hears it politely once the
reader pauses near the limit (not at every keystroke), pasted text is never
cut, too long a comment comes back whole with the server's message, and the
reader who shortens it and sends again is answered like anyone."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_URL = "/blog/glutamine-and-gut-health/"


def test_the_comment_box_counts_down_and_keeps_everything(
    demo, new_page, watch, screenshot, settings
):
    settings.COMMENTS_MAX_LENGTH = 3000
    reader = new_page()
    reader.clock.install()  # the pause before an announcement, under the test's control
    reader.goto(POST_URL)
    # Stopped: the page's time moves only when the test moves it, however
    # long the keystrokes take on a busy machine.
    reader.clock.pause_at(reader.evaluate("Date.now()") + 1000)
    form = reader.locator("#comment-form")
    box = form.get_by_role("textbox", name=re.compile(r"^Comment"))
    counter = reader.locator("#id_text_count")
    spoken = reader.locator("#id_text_count_live")

    expect(box).to_have_accessible_description(re.compile("Up to 3,000 characters."))
    expect(counter).to_have_text("3,000 characters left")
    expect(counter).to_have_attribute("aria-hidden", "true")  # screen readers hear the announcer
    expect(spoken).to_have_text("")

    # Near the limit: the count follows every keystroke, the announcement
    # waits for a pause.
    box.fill("x" * 2990)
    expect(counter).to_have_text("10 characters left")
    reader.clock.run_for(1100)
    expect(spoken).to_have_text("10 characters left")
    box.press_sequentially("abc")
    expect(counter).to_have_text("7 characters left")
    reader.clock.run_for(900)
    expect(spoken).to_have_text("10 characters left")  # not at each keystroke
    reader.clock.run_for(200)
    expect(spoken).to_have_text("7 characters left")

    # Pasted past the limit: nothing is cut, the counter says by how much.
    text = "My long story. " + "y" * 3085  # 3,100 characters
    box.fill(text)
    expect(counter).to_have_text("100 characters too many")
    expect(counter).to_have_class(re.compile(r"\btext-danger\b"))
    assert len(box.input_value()) == 3100
    reader.clock.run_for(1100)
    expect(spoken).to_have_text("100 characters too many")
    counter.scroll_into_view_if_needed()
    screenshot(reader, "comment-too-long")

    # Sent anyway: the server says so, and everything typed is there.
    form.get_by_role("textbox", name=re.compile(r"^Name")).fill("Jordan")
    form.get_by_role("textbox", name=re.compile(r"^Email")).fill("jordan@example.com")
    form.get_by_role("checkbox", name=re.compile("I agree that this site stores")).check()
    form.get_by_role("button", name="Post comment").click()

    summary = reader.locator("#error-summary")
    expect(summary).to_contain_text("Your comment has 3100 characters; the limit is 3000.")
    box = reader.locator("#comment-form").get_by_role("textbox", name=re.compile(r"^Comment"))
    assert box.input_value() == text
    expect(reader.locator("#id_text_count")).to_have_text("100 characters too many")
    assert not Comment.objects.filter(name="Jordan").exists()

    # The reader shortens it and sends again: accepted (a correction is not
    # counted as another comment), waiting for a moderator.
    box.fill(text[:3000])
    expect(reader.locator("#id_text_count")).to_have_text("0 characters left")
    reader.locator("#comment-form").get_by_role(
        "checkbox", name=re.compile("I agree that this site stores")
    ).check()
    reader.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect(reader).to_have_url(re.compile(r"#comment-\d+$"))
    expect(reader.locator("#messages")).to_contain_text("comments need to be approved")
    assert len(Comment.objects.get(name="Jordan").text) == 3000

    watch.assert_clean()
