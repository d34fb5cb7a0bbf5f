"""The sitemap: published posts only, fixed queries, cached until the
published posts change."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Post

from .factories import PostFactory

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
    assert b"<loc>http://testserver/blog/public-post/</loc>" in response.content
    assert b"draft-post" not in response.content
    assert b"scheduled-post" not in response.content
    assert response.content.count(b"<url>") == 1
    assert response.has_header("Last-Modified")


def test_the_sitemap_costs_the_same_queries_for_2_and_40_posts(client):
    PostFactory.create_batch(2)
    _, few = _get(client)
    cache.clear()
    PostFactory.create_batch(38)

    response, many = _get(client)

    assert many == few
    assert response.content.count(b"<url>") == 40


def test_a_repeated_sitemap_comes_from_the_cache_in_one_query(client):
    PostFactory.create_batch(3)
    first, _ = _get(client)

    again, queries = _get(client)

    assert queries == 1
    assert again.content == first.content


@pytest.mark.parametrize(
    "change",
    [
        lambda post: Post.objects.filter(pk=post.pk).unpublish(),
        lambda post: post.delete(),
        lambda post: PostFactory(slug="newly-published"),
        lambda post: Post.objects.filter(pk=post.pk).update(
            slug="renamed-slug", updated_at=timezone.now()
        ),
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


def test_the_sitemap_works_without_a_cache(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    PostFactory(slug="still-listed")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert b"still-listed" in response.content


@pytest.mark.parametrize("page", ["2", "0", "x"])
def test_missing_sitemap_pages_are_404(client, page):
    PostFactory()

    assert client.get("/sitemap.xml", {"p": page}).status_code == 404
