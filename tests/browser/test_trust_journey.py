"""Issue 9's editor, in one story in Chromium, on the fiber post: imports three
references from BibTeX, sees a citation in the live preview, uploads a
featured image, names the post's medical reviewer and marks it reviewed,
then reverts the post to its earlier revision; a reader sees each step."""

import pytest
from django.contrib.auth.models import Group
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from articles.models import Post
from tests.images.factories import photo_with_gps

from .test_references import BIBTEX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALT = "A bowl of oats with berries on a kitchen table"
SLUG = "fiber-why-your-gut-needs-more"


def choose(page, field, words, option):
    """An autocomplete field of the admin: type words, pick the option."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-search__field").fill(words)
    page.locator(".select2-results__option", has_text=option).click()


def test_editor_imports_illustrates_reviews_and_reverts_a_post(
    demo, editor_user, new_page, watch, screenshot, admin_login
):
    editor_user.groups.add(Group.objects.get(name="Reviewers"))  # a medical editor
    post = Post.objects.get(slug=SLUG)
    page = admin_login(new_page(viewport={"width": 1400, "height": 1000}), editor_user)
    change = f"/admin/articles/post/{post.pk}/change/"
    reader = new_page()

    # 1. Three references from BibTeX.
    page.goto(change)
    page.get_by_role("link", name="Import references").click()
    page.get_by_label("BibTeX or RIS:").fill(BIBTEX)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Import 3 references").click()
    expect(page.locator(".messagelist .success")).to_have_text("Imported 3 references as [1]–[3].")

    # 2. The live preview shows a citation as the editor types it.
    body = page.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially(" Fiber feeds the gut's bacteria.[2]", delay=5)
    preview = page.locator(".body-preview")
    expect(preview.locator("sup.citation a", has_text="[2]")).to_have_attribute("href", "#ref-2")

    # 3. A featured image, uploaded in another tab, then chosen on the post.
    upload = admin_login(new_page(), editor_user)
    upload.goto("/admin/images/image/add/")
    upload.locator("#id_file").set_input_files(
        files=[
            {"name": "oats.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps(1600, 1000)}
        ]
    )
    upload.get_by_label("Alt text:").fill(ALT)
    upload.get_by_role("button", name="Save", exact=True).click()
    expect(upload.locator(".messagelist .success")).to_contain_text("was added successfully")
    choose(page, "featured_image", "oats", ALT)

    # 4. Its medical reviewer, saved with the rest; then the review recorded.
    choose(page, "reviewer", "Jane", "Jane Doe")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Marked as reviewed")
    screenshot(page, "trust-journey-reviewed", full_page=True)

    today = dateformat.format(timezone.localdate(), "j F Y")
    reader.goto(post.get_absolute_url())
    expect(reader.locator("#ref-3")).to_contain_text("World Health Organization")
    expect(reader.get_by_role("img", name=ALT).first).to_be_visible()
    expect(reader.locator(".medical-review")).to_have_text(
        f"Medically reviewed by Jane Doe, RD on {today}"
    )
    screenshot(reader, "trust-journey-reader", full_page=True)

    # 5. Back to the demo's revision: the references and the image go, the
    # review (not part of a revision) stays.
    page.goto(f"/admin/articles/post/{post.pk}/history/")
    rows = page.locator("#change-history tbody tr")
    expect(rows.last).to_contain_text("Loaded with the demo content.")
    rows.last.get_by_role("link").first.click()
    expect(page.locator(".revert-note")).to_contain_text("references and disclaimers come back")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")

    reader.reload()
    expect(reader.locator("article.post")).not_to_contain_text("Fiber feeds the gut's bacteria")
    expect(reader.locator("#ref-1")).to_have_count(0)
    expect(reader.get_by_role("img", name=ALT)).to_have_count(0)
    expect(reader.locator(".medical-review")).to_contain_text("Jane Doe, RD")
    stored = Post.objects.get(pk=post.pk)
    assert stored.references.count() == 0 and stored.featured_image is None
    assert stored.reviewed_at == timezone.localdate()
    watch.assert_clean()
