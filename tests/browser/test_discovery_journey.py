"""Issue 10's reader, in one story in Chromium: finds the glutamine post by
searching "tight junctions" from the header, follows its topic, subscribes to
the topic's feed, and browses March 2026 in the archive back to the post."""

import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ATOM = "{http://www.w3.org/2005/Atom}"


def test_reader_searches_follows_the_topic_subscribes_and_browses_the_archive(
    demo, page, watch, screenshot
):
    page.goto("/pages/about/")
    search = page.get_by_role("search", name="Site").get_by_role("searchbox")
    search.fill("tight junctions")
    search.press("Enter")
    result = page.locator(".search-results li")
    expect(result).to_have_count(1)
    result.get_by_role("link", name="Glutamine and Gut Health").click()
    expect(page).to_have_url("/blog/glutamine-and-gut-health/")

    page.locator(".post-topics").get_by_role("link", name="Gut health").click()
    expect(page).to_have_url("/blog/topics/gut-health/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gut health")
    screenshot(page, "journey-topic", full_page=True)

    with page.expect_response("**/blog/topics/gut-health/feed/") as feed:
        page.get_by_role("link", name="Follow Gut health: Atom feed").click()
    assert feed.value.status == 200
    entries = ET.fromstring(feed.value.body()).findall(f"{ATOM}entry")
    assert "Glutamine and Gut Health" in [entry.findtext(f"{ATOM}title") for entry in entries]

    page.go_back()
    expect(page).to_have_url("/blog/topics/gut-health/")
    page.get_by_role("navigation", name="Archive").get_by_role("link", name="March").click()
    expect(page).to_have_url("/blog/2026/03/")
    expect(page.locator("article.card h2")).to_have_text(["Glutamine and Gut Health"])
    screenshot(page, "journey-march-2026", full_page=True)
    page.get_by_role("link", name="Glutamine and Gut Health").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glutamine and Gut Health")
    watch.assert_clean()
