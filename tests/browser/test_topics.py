"""A reader in Chromium: from a post to its topic, then the topic's feed."""

import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ATOM = "{http://www.w3.org/2005/Atom}"


def test_reader_follows_a_post_s_topic_and_opens_its_feed(demo, page, watch, screenshot):
    page.goto("/blog/glutamine-and-gut-health/")
    topics = page.locator(".post-topics")
    expect(topics.get_by_role("link")).to_have_text(["Gut health", "Supplements"])
    expect(page.locator("article header .reading-time")).to_have_text("2 min read")
    related = page.locator(".related-posts li a")
    expect(related).to_have_count(3)
    # Each shares one of its topics (none both): the newest first; none without.
    expect(related.first).to_have_text("Fiber: Why Your Gut Needs More of It")
    screenshot(page, "post-with-topics-and-related", full_page=True)

    topics.get_by_role("link", name="Gut health").click()

    expect(page).to_have_url("/blog/topics/gut-health/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gut health")
    expect(page.locator(".topic-description")).to_contain_text("trillions of microbes")
    expect(page.locator("article.card h2")).to_have_text(
        ["Glutamine and Gut Health", "Fiber: Why Your Gut Needs More of It"]
    )
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Gut health")).to_have_attribute("aria-current", "page")
    alternate = page.locator('head link[rel="alternate"]')
    expect(alternate.first).to_have_attribute("href", "/blog/topics/gut-health/feed/")
    screenshot(page, "topic-page", readme=True, full_page=True)

    with page.expect_response("**/blog/topics/gut-health/feed/") as feed:
        page.get_by_role("link", name="Follow Gut health: Atom feed").click()
    response = feed.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.body())
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["Glutamine and Gut Health", "Fiber: Why Your Gut Needs More of It"]
    assert "Coming Soon" not in response.text()

    watch.assert_clean()
