"""The sitemap: published posts only, fixed queries, cached until the
published posts change."""

import datetime as dt
import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Post

from .factories import PostFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _get(client, url="/sitemap.xml"):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


def test_the_sitemap_lists_published_posts_only(client):
    PostFactory(slug="public-post")
    PostFactory(slug="draft-post", draft=True)
    PostFactory(slug="scheduled-post", scheduled=True)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert f"<loc>{settings.SITE_URL}/blog/public-post/</loc>".encode() in response.content
    assert b"draft-post" not in response.content
    assert b"scheduled-post" not in response.content
    # the blog's index, the post, and the archives of its year and month
    assert response.content.count(b"<url>") == 4
    assert response.has_header("Last-Modified")


def test_the_sitemap_costs_the_same_queries_for_2_and_40_posts(client):
    PostFactory.create_batch(2)
    _, few = _get(client)
    cache.clear()
    PostFactory.create_batch(38)

    response, many = _get(client)

    assert many == few
    assert response.content.count(b"<changefreq>weekly</changefreq>") == 40  # the posts


def test_a_repeated_sitemap_comes_from_the_cache_in_four_small_queries(client):
    PostFactory.create_batch(3)
    first, _ = _get(client)

    again, queries = _get(client)

    # the posts' version (the newest change and the newest due post, in one),
    # the site-wide stamp, the versions of the topics, the reviewers, the
    # authors and the site pages
    assert queries == 6
    assert again.content == first.content


@pytest.mark.parametrize(
    "change",
    [
        lambda post: publishing.unpublish(Post.objects.filter(pk=post.pk)),
        lambda post: post.delete(),
        lambda post: PostFactory(slug="newly-published"),
        lambda post: setattr(post, "slug", "renamed-slug") or post.save(),
    ],
    ids=["unpublished", "deleted", "published", "edited"],
)
def test_the_cached_sitemap_follows_every_change_of_the_published_posts(client, change):
    post = PostFactory(slug="first-slug")
    PostFactory(slug="second-slug")
    before = client.get("/sitemap.xml").content

    change(post)
    after = client.get("/sitemap.xml").content

    assert after != before


def test_a_scheduled_post_enters_the_sitemap_when_it_comes_due(client):
    PostFactory(slug="already-out")
    due = PostFactory(slug="coming-soon", scheduled=True)
    assert b"coming-soon" not in client.get("/sitemap.xml").content

    Post.objects.filter(pk=due.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))

    assert b"coming-soon" in client.get("/sitemap.xml").content


def test_the_sitemap_has_its_own_name():
    assert reverse("sitemap") == "/sitemap.xml"


def test_the_sitemap_works_without_a_cache(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    PostFactory(slug="still-listed")

    with caplog.at_level(logging.WARNING, logger="core.cache_safe"):
        response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert b"still-listed" in response.content
    messages = [r.getMessage() for r in caplog.records if r.name == "core.cache_safe"]
    assert "sitemap cache unavailable, building it instead" in messages
    assert "sitemap cache unavailable, not stored" in messages


@pytest.mark.parametrize("page", ["2", "0", "x"])
def test_missing_sitemap_pages_are_404(client, page):
    PostFactory()

    assert client.get("/sitemap.xml", {"p": page}).status_code == 404


def test_unpublishing_one_post_while_an_older_scheduled_one_comes_due(client):
    """Issue 7: the post count and the newest update stay the same, yet the
    set changed; the sitemap must show it at once."""
    PostFactory(slug="steady")
    leaving = PostFactory(slug="leaving")
    arriving = PostFactory(slug="arriving", scheduled=True)
    Post.objects.filter(pk=arriving.pk).update(updated_at=timezone.now() - dt.timedelta(days=30))
    before = client.get("/sitemap.xml").content
    assert b"leaving" in before and b"arriving" not in before

    publishing.unpublish(Post.objects.filter(pk=leaving.pk))
    Post.objects.filter(pk=arriving.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    after = client.get("/sitemap.xml").content

    assert b"leaving" not in after
    assert b"arriving" in after


def test_one_sitemap_for_every_host(client):
    PostFactory.create_batch(2)
    first, _ = _get(client)

    for port in range(1, 30):
        again, queries = _get(client.__class__(HTTP_HOST=f"localhost:{port}"))
        assert queries == 6  # served from the one cached copy
        assert again.content == first.content


def test_the_sitemap_lists_topic_pages_with_a_public_post(client):
    gut, empty, drafts_only = TopicFactory.create_batch(3)
    PostFactory().topics.add(gut)
    PostFactory(draft=True).topics.add(drafts_only)
    PostFactory(scheduled=True).topics.add(drafts_only)

    xml = client.get("/sitemap.xml").content.decode()

    assert f"<loc>{settings.SITE_URL}/blog/topics/{gut.slug}/</loc>" in xml
    assert f"/blog/topics/{empty.slug}/" not in xml
    assert f"/blog/topics/{drafts_only.slug}/" not in xml


def test_the_cached_sitemap_follows_the_topics(client):
    topic = TopicFactory(slug="first-slug")
    PostFactory().topics.add(topic)
    assert "/blog/topics/first-slug/" in client.get("/sitemap.xml").content.decode()

    topic.slug = "second-slug"
    topic.save()
    xml = client.get("/sitemap.xml").content.decode()

    assert "/blog/topics/second-slug/" in xml and "first-slug" not in xml


def sitemap_addresses(xml):
    from xml.etree import ElementTree

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [loc.text for loc in ElementTree.fromstring(xml).iterfind(".//s:loc", ns)]


def test_the_index_lists_one_page_for_a_small_blog(client, django_assert_num_queries):
    PostFactory.create_batch(3)

    with django_assert_num_queries(1):
        response = client.get("/sitemap-index.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert sitemap_addresses(response.content) == [f"{settings.SITE_URL}/sitemap.xml"]
    again = client.get("/sitemap-index.xml", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_every_published_post_is_on_a_page_the_index_lists(client, monkeypatch):
    """Past a file's limit the sitemap has pages; a crawler finds them through
    the index robots.txt names, and together they hold every public post."""
    from articles import sitemaps

    monkeypatch.setattr(sitemaps, "POSTS_PER_FILE", 2)
    posts = PostFactory.create_batch(5)
    PostFactory(draft=True)

    index = client.get(client.get("/robots.txt").text.split("Sitemap: ")[1].strip())
    pages = sitemap_addresses(index.content)

    assert pages == [
        f"{settings.SITE_URL}/sitemap.xml",
        f"{settings.SITE_URL}/sitemap.xml?p=2",
        f"{settings.SITE_URL}/sitemap.xml?p=3",
    ]
    listed = []
    for page in pages:
        response = client.get(page.removeprefix(settings.SITE_URL))
        assert response.status_code == 200
        listed += sitemap_addresses(response.content)
    for post in posts:
        assert listed.count(f"{settings.SITE_URL}{post.get_absolute_url()}") == 1, post.slug
    assert client.get("/sitemap.xml", {"p": 4}).status_code == 404
