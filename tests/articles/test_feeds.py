"""The feeds (Atom and RSS, site-wide and per topic), their links in the page
heads, and what they never carry."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import publishing
from articles.models import Post
from tests.articles.factories import (
    DisclaimerFactory,
    PostDisclaimerFactory,
    PostFactory,
    ReferenceFactory,
    TopicFactory,
)
from tests.comments.factories import CommentFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_FEEDS = ["/blog/feed/", "/blog/feed/rss/"]
TOPIC_FEEDS = ["/blog/topics/gut-health/feed/", "/blog/topics/gut-health/feed/rss/"]


def parse(response):
    """(kind, [(title, content, link)]) of a feed; fails unless it is XML."""
    root = ET.fromstring(response.content)
    if root.tag == f"{ATOM}feed":
        items = [
            (
                entry.findtext(f"{ATOM}title"),
                entry.findtext(f"{ATOM}summary") or "",
                entry.find(f"{ATOM}link").get("href"),
            )
            for entry in root.findall(f"{ATOM}entry")
        ]
        return "atom", items
    assert root.tag == "rss"
    items = [
        (item.findtext("title"), item.findtext("description") or "", item.findtext("link"))
        for item in root.iter("item")
    ]
    return "rss", items


@pytest.fixture
def gut():
    return TopicFactory(name="Gut health", slug="gut-health")


@pytest.fixture
def posts(gut):
    public = PostFactory(
        title="Public post",
        summary="The public summary.",
        body="The public body. [1]",
        publish_at=timezone.now() - dt.timedelta(days=1),
    )
    ReferenceFactory(post=public, authors="Kim MH, Kim H", title="Glutamine in the gut")
    public.topics.add(gut)
    PostFactory(title="Draft post", draft=True).topics.add(gut)
    PostFactory(title="Scheduled post", scheduled=True).topics.add(gut)
    PostFactory(title="Other topic").topics.add(TopicFactory())
    CommentFactory(post=public, text="A pending comment nobody approved.")
    return Post.objects.get(pk=public.pk)


@pytest.mark.parametrize("url", SITE_FEEDS + TOPIC_FEEDS)
def test_feeds_parse_and_carry_public_posts_only(client, posts, url):
    response = client.get(url)

    assert response.status_code == 200
    kind, items = parse(response)
    assert kind == ("rss" if url.endswith("rss/") else "atom")
    assert response["Content-Type"].startswith(f"application/{kind}+xml")
    titles = [title for title, _, _ in items]
    assert "Public post" in titles
    assert "Draft post" not in titles and "Scheduled post" not in titles
    assert ("Other topic" in titles) == (url in SITE_FEEDS)
    assert b"Draft post" not in response.content and b"Scheduled post" not in response.content
    assert b"pending comment" not in response.content


@pytest.mark.parametrize("url", SITE_FEEDS + TOPIC_FEEDS)
def test_an_item_carries_the_summary_and_the_references(client, posts, url, settings):
    _, items = parse(client.get(url))
    title, content, link = next(item for item in items if item[0] == "Public post")

    assert "<p>The public summary.</p>" in content
    assert "The public body" not in content
    assert "<h2>References</h2>" in content
    assert "Kim MH, Kim H. Glutamine in the gut." in content
    assert link == settings.SITE_URL + posts.get_absolute_url()
    assert f'href="{link}"' in content  # "Read ..." leads to the post


def test_full_content_by_setting_with_the_disclaimers(client, posts, settings):
    settings.FEEDS_FULL_CONTENT = True
    PostDisclaimerFactory(
        post=posts, disclaimer=DisclaimerFactory(marker="†", text="Not medical advice.")
    )

    for url in SITE_FEEDS + TOPIC_FEEDS:
        _, items = parse(client.get(url))
        content = next(c for t, c, _ in items if t == "Public post")
        assert "The public body." in content
        assert "Glutamine in the gut" in content
        assert "† Not medical advice." in content


def test_addresses_come_from_site_url_not_the_host(client, posts, settings):
    settings.SITE_URL = "https://blog.example.com"

    for url in SITE_FEEDS + TOPIC_FEEDS:
        response = client.get(url, HTTP_HOST="evil.example.net")
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert b"evil.example.net" not in response.content
            _, items = parse(response)
            assert items[0][2].startswith("https://blog.example.com/blog/")


@pytest.mark.parametrize("url", SITE_FEEDS + TOPIC_FEEDS)
@pytest.mark.parametrize("full", [False, True])
def test_feeds_cost_the_same_queries_for_1_and_15_posts(client, gut, settings, url, full):
    settings.FEEDS_FULL_CONTENT = full

    def add_post():
        post = PostFactory()
        post.topics.add(gut)
        ReferenceFactory.create_batch(3, post=post)
        PostDisclaimerFactory(post=post)

    add_post()
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(14):
        add_post()
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(many) == len(few)
    assert len(parse(response)[1]) == 15


def test_a_cached_feed_follows_new_and_unpublished_posts(client, posts, gut):
    for url in SITE_FEEDS + TOPIC_FEEDS:
        assert "Fresh post" not in client.get(url).text
    fresh = PostFactory(title="Fresh post")
    fresh.topics.add(gut)
    for url in SITE_FEEDS + TOPIC_FEEDS:
        assert "Fresh post" in client.get(url).text
    publishing.unpublish(Post.objects.filter(pk=fresh.pk))
    for url in SITE_FEEDS + TOPIC_FEEDS:
        assert "Fresh post" not in client.get(url).text


def test_a_feed_comes_from_the_cache(client, posts, django_assert_num_queries):
    client.get("/blog/feed/")
    with django_assert_num_queries(2):  # the site-wide stamp, the posts' version
        client.get("/blog/feed/")
    client.get(TOPIC_FEEDS[0])
    with django_assert_num_queries(3):  # the stamp, the topic, its posts' version
        client.get(TOPIC_FEEDS[0])


def links_in_head(html):
    head = html.split("</head>")[0]
    return [
        line.split('href="')[1].split('"')[0]
        for line in head.splitlines()
        if 'rel="alternate"' in line
    ]


def test_pages_link_their_feeds_in_the_head(client, posts):
    assert links_in_head(client.get("/blog/").text) == SITE_FEEDS
    assert links_in_head(client.get(posts.get_absolute_url()).text) == SITE_FEEDS
    assert links_in_head(client.get("/blog/topics/gut-health/").text) == TOPIC_FEEDS + SITE_FEEDS


def test_full_content_addresses_are_absolute(client, posts, settings):
    settings.FEEDS_FULL_CONTENT = True
    post_url = settings.SITE_URL + posts.get_absolute_url()

    for url in SITE_FEEDS + TOPIC_FEEDS:
        _, items = parse(client.get(url))
        content = next(c for t, c, _ in items if t == "Public post")
        assert f'href="{post_url}#ref-1"' in content  # the citation, from a feed reader
        assert 'href="#' not in content
