"""Medical review, in Chromium: an editor who is also a reviewer marks the
glutamine post reviewed in the admin (a button beside History, the record on
the form); a reader sees "Medically reviewed by Jane Doe, RD on …" and
follows it to the reviewer's bio, which lists the post."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from articles import publishing
from articles.models import Post, Reviewer, ReviewEvent

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_marks_the_post_reviewed_and_a_reader_follows_the_review_line(
    demo, editor_user, new_page, watch, screenshot, admin_login
):
    # A medical editor: in Editors and in Reviewers (Editors alone may not).
    editor_user.groups.add(Group.objects.get(name="Reviewers"))
    post = Post.objects.get(slug="glutamine-and-gut-health")
    page = admin_login(new_page(viewport={"width": 1400, "height": 1000}), editor_user)

    page.goto(f"/admin/articles/post/{post.pk}/change/")
    review = page.locator("fieldset", has=page.get_by_role("heading", name="Medical review"))
    expect(review).to_contain_text("Last reviewed by Jane Doe, RD on 3 March 2026")
    screenshot(page, "review-button-in-admin")
    page.get_by_role("button", name="Mark as reviewed").click()

    expect(page.locator(".messagelist .success")).to_contain_text("Marked as reviewed")
    today = dateformat.format(timezone.localdate(), "j F Y")
    review = page.locator("fieldset", has=page.get_by_role("heading", name="Medical review"))
    expect(review).to_contain_text(f"Last reviewed by Jane Doe, RD on {today}")
    history = review.locator("table.review-history tbody tr")
    expect(history.first).to_contain_text("Marked as reviewed (approved) (Jane Doe, RD)")
    expect(history.first).to_contain_text("Erin Browser")
    review.scroll_into_view_if_needed()
    screenshot(page, "review-marked-in-admin", readme=True)
    assert ReviewEvent.objects.filter(post=post, by=editor_user).count() == 1

    # A reader, in a browser of their own.
    reader = new_page()
    reader.goto(post.get_absolute_url())
    line = reader.locator(".medical-review")
    expect(line).to_have_text(f"Medically reviewed by Jane Doe, RD on {today}")
    screenshot(reader, "review-line")
    line.get_by_role("link", name="Jane Doe, RD").click()

    expect(reader).to_have_url(re.compile(r"/blog/reviewers/jane-doe/$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("Jane Doe, RD")
    expect(reader.locator(".reviewed-posts")).to_contain_text("Glutamine and Gut Health")
    expect(reader.locator(".reviewed-posts")).to_contain_text(f"reviewed on {today}")
    screenshot(reader, "reviewer-bio", readme=True, full_page=True)
    watch.assert_clean()


def test_review_before_publishing_submit_send_back_approve_publish(
    demo, editor_user, new_page, watch, screenshot, admin_login, settings
):
    """With MEDICAL_REVIEW_REQUIRED on: the editor cannot publish a draft
    before approval, submits it; the reviewer sends it back with a note the
    editor reads on the form; submitted again, approved, then published."""
    settings.MEDICAL_REVIEW_REQUIRED = True
    jane = Reviewer.objects.get(slug="jane-doe")
    jane.user.set_password(PASSWORD)
    jane.user.save()
    post = Post.objects.get(slug="fiber-why-your-gut-needs-more")
    publishing.unpublish(Post.objects.filter(pk=post.pk))
    Post.objects.filter(pk=post.pk).update(reviewer=jane)
    change = f"/admin/articles/post/{post.pk}/change/"

    editor = admin_login(new_page(viewport={"width": 1400, "height": 1000}), editor_user)
    editor.goto(change)
    editor.get_by_label("Status:").select_option("published")
    editor.get_by_role("button", name="Save", exact=True).first.click()
    expect(editor.locator(".field-status .errorlist")).to_contain_text(
        "needs an approved medical review before it can be published"
    )
    editor.goto(change)
    editor.get_by_role("button", name="Submit for review").click()
    expect(editor.locator(".messagelist .success")).to_contain_text("Submitted for review")

    reviewer = admin_login(new_page(viewport={"width": 1400, "height": 1000}), jane.user)
    expect(reviewer.locator(".review-notice")).to_contain_text(
        "1 post submitted to you for review"
    )
    reviewer.goto(change)
    reviewer.get_by_role("link", name="Send back with a note…").click()
    # The page's main button, first and dark, is the one the reviewer came for;
    # the note is where the cursor is.
    send_back = reviewer.get_by_role("button", name="Send back with a note")
    approve = reviewer.get_by_role("button", name="Approve (mark as reviewed)")
    expect(reviewer.get_by_label("Note:")).to_be_focused()
    background = "button => getComputedStyle(button).backgroundColor"
    dark = reviewer.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--default-button-bg')"
    )
    assert send_back.evaluate(background) == _rgb(dark) != approve.evaluate(background)
    assert send_back.bounding_box()["x"] < approve.bounding_box()["x"]
    screenshot(reviewer, "review-send-back")
    reviewer.get_by_label("Note:").fill("Please cite a source for the 25 to 38 grams.")
    send_back.click()
    expect(reviewer.locator(".messagelist .success")).to_contain_text("Sent back to the editor")

    editor.goto("/admin/")
    expect(editor.locator(".review-notice")).to_contain_text("1 post sent back by a reviewer")
    editor.goto(change)
    note = editor.locator(".review-returned")
    expect(note).to_contain_text("Sent back by Jane Doe")
    expect(note).to_contain_text("Please cite a source for the 25 to 38 grams.")
    screenshot(editor, "review-sent-back", readme=True)
    editor.get_by_role("button", name="Submit for review").click()

    reviewer.goto(change)
    reviewer.get_by_role("button", name="Approve (mark as reviewed)").click()
    expect(reviewer.locator(".messagelist .success")).to_contain_text("Marked as reviewed")

    editor.goto(change)
    editor.get_by_label("Status:").select_option("published")
    editor.get_by_role("button", name="Save", exact=True).first.click()
    expect(editor.locator(".messagelist .success")).to_contain_text("was changed successfully")
    post.refresh_from_db()
    assert post.is_public
    steps = list(
        ReviewEvent.objects.filter(post=post).order_by("at").values_list("action", flat=True)
    )
    assert steps == ["submitted", "returned", "submitted", "reviewed"]
    watch.assert_clean()


def _rgb(hex_colour):
    """'#205067' -> 'rgb(32, 80, 103)', as getComputedStyle writes a colour."""
    value = hex_colour.strip().lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))
