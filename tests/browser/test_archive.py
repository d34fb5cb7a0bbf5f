"""A reader browses the archive in Chromium: from the index to March 2026,
then the glutamine post; and pages back through older posts."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_browses_march_2026_in_the_archive_and_opens_the_glutamine_post(
    demo, page, watch, screenshot
):
    page.goto("/blog/")
    archive = page.get_by_role("navigation", name="Archive")
    expect(archive.get_by_role("link", name="2026", exact=True)).to_be_visible()
    screenshot(page, "archive-index", full_page=True)

    archive.get_by_role("link", name="March").click()

    expect(page).to_have_url("/blog/2026/03/")
    expect(page).to_have_title("Posts of March 2026 · glutablog")
    expect(page.get_by_role("heading", level=1)).to_contain_text("March 2026")
    cards = page.locator("article.card h2")
    expect(cards).to_have_text(["Glutamine and Gut Health"])
    expect(archive.get_by_role("link", name="March")).to_have_attribute("aria-current", "page")
    screenshot(page, "archive-march-2026", full_page=True)

    # Up to the year: its months with their counts, then back down.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="2026").click()
    expect(page).to_have_url("/blog/2026/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Posts of 2026")
    expect(page.locator("main").get_by_text("(1 post)").first).to_be_visible()
    screenshot(page, "archive-2026", full_page=True)
    page.locator("main ul.list-inline").get_by_role("link", name="March").click()
    expect(page).to_have_url("/blog/2026/03/")

    page.get_by_role("link", name="Glutamine and Gut Health").click()

    expect(page).to_have_url("/blog/glutamine-and-gut-health/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Glutamine and Gut Health")
    watch.assert_clean()


def test_reader_pages_back_through_older_posts_and_returns_to_the_newest(demo, page, watch):
    page.goto("/blog/")
    first = page.locator("article.card h2").all_inner_texts()

    page.get_by_role("link", name="Older posts").click()

    expect(page).to_have_url(re.compile(r"/blog/\?before=[\w-]{32}$"))
    older = page.locator("article.card h2").all_inner_texts()
    assert older and not set(older) & set(first)
    page.get_by_role("link", name="Newest posts").click()
    expect(page).to_have_url("/blog/")
    watch.assert_clean()
