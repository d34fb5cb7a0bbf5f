"""An editor in Chromium: logs into the admin with a password, writes and
publishes a post with a cited reference, and a reader sees it."""

import pytest
from playwright.sync_api import expect

from articles.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "Sleep is when muscles rebuild after training.[1]\n\nAim for seven to nine hours."
REFERENCE = (
    "Dattilo M, Antunes HK. Sleep and muscle recovery: endocrinological and molecular "
    "basis for a new and promising hypothesis. Med Hypotheses. 2011;77(2):220-222. "
    "doi:10.1016/j.mehy.2011.04.017"
)


def test_editor_writes_and_publishes_a_post_with_a_reference(
    demo, editor_user, new_page, watch, screenshot, admin_login
):
    page = admin_login(new_page(viewport={"width": 1280, "height": 900}), editor_user)
    expect(page.get_by_role("heading", name="Posts and comments")).to_be_visible()

    # The glutamine post's change form, for docs/editors.md.
    page.get_by_role("link", name="Posts", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Select post to change")
    page.get_by_role("link", name="Glutamine and Gut Health").click()
    expect(page.locator("#id_title")).to_have_value("Glutamine and Gut Health")
    expect(page.locator("#id_references-0-authors")).to_have_value("Deters BJ, Saleem M")
    expect(page.locator("#id_references-1-authors")).to_have_value("Kim MH, Kim H")
    expect(page.locator(".body-preview-status")).to_have_text("Up to date")  # live preview
    screenshot(page, "post-admin", readme=True, full_page=True)

    # A new post: the slug follows the title, one reference with a DOI.
    page.goto("/admin/articles/post/")
    page.get_by_role("link", name="Add post").click()
    page.locator("#id_title").press_sequentially("Sleep and Muscle Recovery")
    expect(page.locator("#id_slug")).to_have_value("sleep-and-muscle-recovery")
    page.locator("#id_summary").fill("Why a good night's sleep matters after training.")
    page.locator("#id_body").fill(BODY)
    page.get_by_role("button", name="Add another Reference").click()
    reference = page.locator("#references-0")
    reference.get_by_label("Authors:").fill("Dattilo M, Antunes HK")
    reference.get_by_label("Title:", exact=True).fill(
        "Sleep and muscle recovery: endocrinological and molecular basis "
        "for a new and promising hypothesis"
    )
    reference.get_by_label("Journal:").fill("Med Hypotheses")
    reference.get_by_label("Year:").fill("2011")
    reference.get_by_label("Volume:").fill("77")
    reference.get_by_label("Issue:").fill("2")
    reference.get_by_label("Pages:").fill("220-222")
    reference.get_by_label("DOI:").fill("https://doi.org/10.1016/j.mehy.2011.04.017")
    page.locator("#id_status").select_option("published")
    page.get_by_role("checkbox", name="Nutrition basics").check()  # its topic
    screenshot(page, "post-admin-add", full_page=True)
    page.get_by_role("button", name="Save", exact=True).first.click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    row = page.locator("#result_list tr", has_text="Sleep and Muscle Recovery")
    expect(row).to_contain_text("Published")
    expect(row.locator("td.field-reference_count")).to_have_text("1")
    screenshot(page, "post-admin-list")

    post = Post.objects.published().get(slug="sleep-and-muscle-recovery")
    assert post.author == editor_user
    assert post.references.get().doi == "10.1016/j.mehy.2011.04.017"

    # A reader (no session) finds it on the blog and follows the citation.
    reader = new_page()
    reader.goto("/blog/")
    reader.get_by_role("link", name="Sleep and Muscle Recovery").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Sleep and Muscle Recovery")
    expect(reader.locator("#ref-1")).to_have_text(REFERENCE)
    expect(reader.locator("#ref-1 a")).to_have_attribute(
        "href", "https://doi.org/10.1016/j.mehy.2011.04.017"
    )
    citation = reader.locator("sup.citation a", has_text="[1]")
    expect(citation).to_have_attribute("href", "#ref-1")
    citation.click()
    reader.wait_for_url("**/#ref-1")
    expect(reader.locator("#ref-1")).to_be_in_viewport()
    # The default FDA statement came with the new post.
    expect(reader.locator("#disclaimer-1")).to_contain_text("Food and Drug Administration")
    screenshot(reader, "new-post", full_page=True)

    watch.assert_clean()
