"""/robots.txt: where the sitemap is, and what crawlers keep out of."""

import pytest

pytestmark = pytest.mark.django_db


def test_robots_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(
    client, settings, django_assert_num_queries
):
    settings.SITE_URL = "https://blog.example.com"

    with django_assert_num_queries(0):
        response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    # Search results are not blocked: crawlers must read their noindex.
    assert not any(line.startswith("Disallow: /blog/search") for line in lines)
    assert "Sitemap: https://blog.example.com/sitemap-index.xml" in lines
    assert "max-age=86400" in response["Cache-Control"]


def test_robots_never_takes_the_address_from_the_request(client, settings):
    settings.ALLOWED_HOSTS = ["*"]

    response = client.get("/robots.txt", HTTP_HOST="evil.example.net")

    assert "evil.example.net" not in response.text
    assert f"Sitemap: {settings.SITE_URL}/sitemap-index.xml" in response.text


def test_search_results_may_be_crawled_and_ask_not_to_be_indexed(client):
    """A blocked page is never fetched, so its noindex is never read, and its
    address can still be indexed from links to it: search results are open to
    crawlers and say noindex themselves."""
    robots = client.get("/robots.txt").text
    for query in ("", "?q=glutamine"):
        path = f"/blog/search/{query}"
        assert not any(
            path.startswith(line.split(": ", 1)[1])
            for line in robots.splitlines()
            if line.startswith("Disallow: ") and line != "Disallow: "
        )
        assert '<meta name="robots" content="noindex">' in client.get(path).text
