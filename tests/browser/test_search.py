"""A reader searches from the header and opens a result."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_searches_tight_junctions_from_the_header_and_opens_the_post(
    demo, page, watch, screenshot
):
    page.goto("/blog/")
    search = page.get_by_role("search", name="Site").get_by_role("searchbox")
    search.fill("tight junctions")
    search.press("Enter")

    expect(page).to_have_url("/blog/search/?q=tight+junctions")
    expect(page).to_have_title("Search: tight junctions · glutablog")
    expect(page.get_by_role("status").first).to_have_text("1 post found.")
    result = page.locator(".search-results li")
    expect(result).to_have_count(1)
    expect(result.locator("mark").first).to_have_text("tight")
    expect(result).to_contain_text("Promotes tight junction expression")
    expect(page.get_by_role("searchbox", name="Words to find in the posts")).to_have_value(
        "tight junctions"
    )
    screenshot(page, "search-results", full_page=True)

    result.get_by_role("link", name="Glutamine and Gut Health").click()

    expect(page).to_have_url("/blog/glutamine-and-gut-health/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Glutamine and Gut Health")
    watch.assert_clean()


def test_a_search_with_nothing_found_says_so_and_keeps_the_words(demo, page, watch, screenshot):
    page.goto("/blog/search/?q=%3Cb%3Exylophone%3C%2Fb%3E")

    expect(page.get_by_role("heading", name="No posts found")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No post matches “<b>xylophone</b>”")
    screenshot(page, "search-nothing-found")
    watch.assert_clean()
