"""The sitemap as crawlers read it (lxml, the sitemaps.org namespace): the
blog's index, the reviewers' and authors' pages; conditional requests."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.http import http_date
from lxml import etree

from articles.models import Author, Post, Reviewer
from tests.articles.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def entries(client, **headers):
    """{address: lastmod} of the sitemap, read as XML with its namespace."""
    response = client.get("/sitemap.xml", **headers)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{NS['s']}}}urlset"
    found = {}
    for url in root.findall("s:url", NS):
        lastmod = url.findtext("s:lastmod", namespaces=NS)
        dt.date.fromisoformat(lastmod)  # a W3C date
        assert url.findtext("s:changefreq", namespaces=NS) in {"daily", "weekly", "monthly"}
        found[url.findtext("s:loc", namespaces=NS)] = lastmod
    return found


@pytest.fixture
def people():
    writer = UserFactory(username="erin", is_staff=True)
    author = Author.objects.create(
        user=writer, name="Erin Writer", slug="erin-writer", credentials="MS", bio="Writes."
    )
    Author.objects.create(
        user=UserFactory(username="quiet", is_staff=True), name="Quiet", slug="quiet", bio="."
    )
    jane = Reviewer.objects.create(name="Jane Doe", slug="jane-doe", bio="Reviews.")
    Reviewer.objects.create(name="Idle", slug="idle", bio="Reviewed nothing public.")
    post = PostFactory(author=writer, reviewer=jane)
    Post.objects.filter(pk=post.pk).update(reviewed_at=dt.date(2026, 3, 3))
    PostFactory(draft=True, author=UserFactory(username="quiet"))
    return author, jane


def test_the_sitemap_lists_the_index_and_the_people_behind_public_posts(client, people):
    found = entries(client)

    site = settings.SITE_URL
    assert f"{site}/blog/" in found
    assert f"{site}/blog/reviewers/jane-doe/" in found
    assert f"{site}/blog/authors/erin-writer/" in found
    assert f"{site}/blog/reviewers/idle/" not in found  # no public post reviewed
    assert f"{site}/blog/authors/quiet/" not in found  # drafts only


def test_a_renamed_author_moves_in_the_cached_sitemap(client, people):
    author, _ = people
    assert f"{settings.SITE_URL}/blog/authors/erin-writer/" in entries(client)

    author.slug = "erin-w"
    author.save()
    found = entries(client)

    assert f"{settings.SITE_URL}/blog/authors/erin-w/" in found
    assert f"{settings.SITE_URL}/blog/authors/erin-writer/" not in found


def test_a_crawler_that_has_the_sitemap_gets_a_304(client, people):
    first = client.get("/sitemap.xml")

    by_date = client.get("/sitemap.xml", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    by_tag = client.get("/sitemap.xml", HTTP_IF_NONE_MATCH=f"W/{first['ETag']}")

    assert by_date.status_code == 304 and by_date.content == b""
    assert by_tag.status_code == 304
    assert by_date["Last-Modified"] == first["Last-Modified"]


def test_a_changed_sitemap_is_sent_even_if_no_listed_date_moved(client, people, monkeypatch):
    """A post leaving the sitemap changes no date of what stays: the sitemap's
    Last-Modified is when this version was written."""
    first = client.get("/sitemap.xml")
    later = timezone.now() + dt.timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    leaving = Post.objects.get(author__username="erin")
    Post.objects.filter(pk=leaving.pk).update(status=Post.Status.DRAFT, page_changed_at=later)

    response = client.get("/sitemap.xml", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 200
    assert b"/blog/authors/erin-writer/" not in response.content
    assert response["Last-Modified"] == http_date(later.timestamp())
    assert response["ETag"] != first["ETag"]
