"""Published site pages are in /sitemap.xml, drafts never; the cached sitemap
follows every change of the pages at once, in a fixed number of queries."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.models import Page
from tests.articles.factories import PostFactory

from .factories import PageFactory

pytestmark = pytest.mark.django_db


def sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return response.content.decode()


def test_published_pages_are_listed_beside_the_posts_and_drafts_never(client):
    PostFactory(slug="a-post")
    PageFactory(slug="about", in_navigation=True)
    PageFactory(slug="unlinked-but-published")
    PageFactory(slug="draft-page", draft=True, in_footer=True)
    PageFactory(slug="draft-policy", draft=True, privacy=True)

    xml = sitemap(client)

    assert f"<loc>{settings.SITE_URL}/pages/about/</loc>" in xml
    assert f"<loc>{settings.SITE_URL}/pages/unlinked-but-published/</loc>" in xml
    assert f"<loc>{settings.SITE_URL}/blog/a-post/</loc>" in xml
    assert "draft-page" not in xml and "draft-policy" not in xml
    assert xml.count("<url>") == 6  # and the blog's index, the post's year and month archives
    assert "<changefreq>monthly</changefreq>" in xml


@pytest.mark.parametrize(
    "change",
    ["published", "unpublished", "new address", "edited", "deleted", "added"],
)
def test_the_cached_sitemap_follows_every_change_of_the_pages(client, change):
    PostFactory()
    page = PageFactory(slug="terms", draft=change == "published")
    before = sitemap(client)
    assert sitemap(client) == before

    if change == "published":
        Page.objects.filter(pk=page.pk).publish()
    elif change == "unpublished":
        Page.objects.filter(pk=page.pk).unpublish()
    elif change == "new address":
        page.slug = "terms-of-sale"
        page.save()
    elif change == "edited":
        Page.objects.filter(pk=page.pk).update(updated_at="2001-02-03T04:05:06Z")
        page.refresh_from_db()
        before = sitemap(client)
        page.body = "Changed."
        page.save()
    elif change == "deleted":
        page.delete()
    elif change == "added":
        PageFactory(slug="shipping")
    after = sitemap(client)

    assert after != before
    assert ("/pages/terms/" in after) is (change in ("published", "edited", "added"))


def test_the_sitemap_costs_the_same_queries_for_2_and_40_pages(client):
    PageFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        sitemap(client)
    cache.clear()
    PageFactory.create_batch(38)

    with CaptureQueriesContext(connection) as many:
        xml = sitemap(client)

    assert len(many) == len(few)
    assert xml.count("/pages/") == 40
