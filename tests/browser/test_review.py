"""Medical review, in Chromium: an editor who is also a reviewer marks the
glutamine post reviewed in the admin (a button beside History, the record on
the form); a reader sees "Medically reviewed by Jane Doe, RD on …" and
follows it to the reviewer's bio, which lists the post."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from articles.models import Post, ReviewEvent

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
