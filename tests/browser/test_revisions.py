"""Revisions in Chromium: an editor edits the glutamine post twice (a sentence
of the body, then a reference's title), opens its history, compares the
demo's revision with her last, reverts to the demo's, and a reader who had
the page open (and cached) sees the original again at once."""

import pytest
from playwright.sync_api import expect

from articles.models import Post

from .axe_audit import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "Intestinal cells have a turnover of about 5 days, which is quite short."
EDITED = "Intestinal cells renew themselves every 5 days or so."
TITLE = "The role of glutamine in supporting gut health and neuropsychiatric factors"
RETITLED = "Glutamine, gut health and the mind"


def test_editor_compares_two_revisions_and_reverts_to_the_first(
    demo, editor_user, new_page, watch, screenshot, admin_login
):
    post = Post.objects.get(slug="glutamine-and-gut-health")
    reader = new_page()
    reader.goto(post.get_absolute_url())
    expect(reader.locator("article.post")).to_contain_text(SENTENCE)

    page = admin_login(new_page(viewport={"width": 1400, "height": 1000}), editor_user)
    change = f"/admin/articles/post/{post.pk}/change/"

    # Two edits: a sentence of the body, then the first reference's title.
    page.goto(change)
    body = page.locator("#id_body")
    body.fill(body.input_value().replace(SENTENCE, EDITED))
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    page.locator("#id_references-0-title").fill(RETITLED)
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    reader.reload()
    expect(reader.locator("article.post")).to_contain_text(EDITED)
    reader.reload()  # from the page cache now
    expect(reader.locator("#ref-1")).to_contain_text(RETITLED)

    # The history: three revisions, newest first; the demo's is the last.
    page.get_by_role("link", name="History").click()
    rows = page.locator("#change-history tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Changed Title for reference")
    expect(rows.nth(2)).to_contain_text("Loaded with the demo content.")
    assert_accessible(page, "a post's history")
    rows.nth(2).locator('input[name="from"]').check()
    screenshot(page, "revisions-history", readme=True)
    page.get_by_role("button", name="Compare").click()

    # The comparison: the sentence and the reference title, side by side.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Changes to “Glutamine")
    body_diff = page.locator("#changed-body + p + table")
    expect(body_diff.locator("del")).to_contain_text(["have a turnover of about"])
    expect(body_diff.locator("ins").first).to_contain_text("renew themselves every")
    references = page.locator("#changed-references + p + table")
    expect(references.locator("tr.changed td.new")).to_contain_text(RETITLED)
    expect(references.locator("tr.changed td.old")).to_contain_text(TITLE)
    expect(references.locator("tr.changed ins").first).to_contain_text("Glutamine,")
    assert_accessible(page, "the comparison of two revisions")
    screenshot(page, "revisions-compare", readme=True, full_page=True)

    # Revert to the demo's revision: the form as it was, then Save.
    page.get_by_role("link", name="Revert to the older revision").click()
    expect(page.locator("#id_body")).to_have_value(post.body)
    expect(page.locator("#id_references-0-title")).to_have_value(TITLE)
    expect(page.locator(".revert-note")).to_contain_text("references and disclaimers come back")
    screenshot(page, "revisions-revert-form")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    reader.reload()
    expect(reader.locator("article.post")).to_contain_text(SENTENCE)
    expect(reader.locator("#ref-1")).to_contain_text(TITLE)
    expect(reader.locator("article.post")).not_to_contain_text(EDITED)
    reader.get_by_text("which is quite short").scroll_into_view_if_needed()
    screenshot(reader, "revisions-reverted-page")

    page.goto(f"/admin/articles/post/{post.pk}/history/")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Reverted to previous version")
    stored = Post.objects.get(pk=post.pk)
    # The same text (the browser sends a textarea's lines with CRLF).
    assert stored.body.splitlines() == post.body.strip().splitlines()
    assert stored.references.first().title == TITLE
    watch.assert_clean()
