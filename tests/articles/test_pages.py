"""The public pages: the blog index and the post page, as a reader meets them."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Disclaimer, Post
from tests.articles.factories import (
    DisclaimerFactory,
    PostDisclaimerFactory,
    PostFactory,
    ReferenceFactory,
)

pytestmark = pytest.mark.django_db


def make_posts(count):
    now = timezone.now()
    return [
        PostFactory(title=f"Post {i}", publish_at=now - dt.timedelta(days=i)) for i in range(count)
    ]


def titles(response):
    return [post.title for post in response.context["posts"]]


def test_index_lists_newest_first_with_summaries(client, settings):
    PostFactory(
        title="Older", summary="Older summary.", publish_at=timezone.now() - dt.timedelta(days=3)
    )
    PostFactory(
        title="Newer", summary="Newer summary.", publish_at=timezone.now() - dt.timedelta(days=1)
    )

    response = client.get("/blog/")

    assert titles(response) == ["Newer", "Older"]
    assert "Newer summary." in response.text


def test_index_is_paginated(client, settings):
    """Keyset pages ("older than" the last post shown): tests/articles/test_lists.py."""
    make_posts(settings.BLOG_POSTS_PER_PAGE + 2)
    per_page = settings.BLOG_POSTS_PER_PAGE

    first = client.get("/blog/")
    second = client.get("/blog/?page=2", follow=True)  # an old numbered link

    assert titles(first) == [f"Post {i}" for i in range(per_page)]
    assert titles(second) == [f"Post {per_page}", f"Post {per_page + 1}"]
    assert 'href="?before=' in first.text and "Older posts" in first.text
    assert "Newest posts</a>" in second.text
    assert client.get("/blog/?page=3").status_code == 404
    assert client.get("/blog/?page=abc").status_code == 404


def test_index_empty_state(client):
    response = client.get("/blog/")

    assert response.status_code == 200
    assert "No posts yet" in response.text


def test_post_page_shows_everything_a_reader_needs(client):
    post = PostFactory(
        title="Zinc and Immunity",
        body="## Why zinc?\n\nZinc matters.[1] Not advice. [†]",
    )
    ReferenceFactory(post=post, authors="Prasad AS", title="Zinc in human health")
    PostDisclaimerFactory(
        post=post, disclaimer=DisclaimerFactory(marker="†", text="Talk to a doctor.")
    )
    post.refresh_from_db()

    response = client.get(post.get_absolute_url())
    html = response.text

    assert "<h1" in html and "Zinc and Immunity" in html
    assert post.author.get_full_name() in html
    assert f'datetime="{post.publish_at.isoformat(timespec="seconds")}"' in html
    assert "<h2>Why zinc?</h2>" in html
    assert "Prasad AS. Zinc in human health." in html
    assert '<p id="disclaimer-1"' in html and "Talk to a doctor." in html
    assert 'href="#disclaimer-1"' in html
    assert "Back to blog" in html and 'href="/blog/"' in html
    assert f'<meta name="description" content="{post.summary}">' in html
    assert 'id="comments"' in html


def test_pages_use_bootstrap_from_our_own_static_files(client):
    html = client.get("/blog/").text

    assert 'href="/static/bootstrap/css/bootstrap.min.css"' in html
    assert "https://" not in html.split("<body")[0]  # nothing from other hosts
    assert client.get("/static/bootstrap/css/bootstrap.min.css").status_code == 200


def test_pages_are_accessible_landmarks_and_phone_ready(client):
    html = client.get("/blog/").text

    assert '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    for landmark in ("<header", "<main", "<footer", "<nav"):
        assert landmark in html
    assert "Skip to content" in html


def test_post_page_query_count_is_fixed(client, django_assert_num_queries):
    post = PostFactory()
    with CaptureQueriesContext(connection) as bare:
        client.get(post.get_absolute_url())

    for _ in range(15):
        ReferenceFactory(post=post)
    for marker in ["*", "†", "‡", "§"]:
        PostDisclaimerFactory(post=post, disclaimer=DisclaimerFactory(marker=marker))
    cache.clear()  # as cold as the first: the site's menus are built again
    with django_assert_num_queries(len(bare)):
        response = client.get(post.get_absolute_url())

    assert response.content.count(b'<li id="ref-') == 15
    assert response.content.count(b'<p id="disclaimer-') == 4


def test_index_query_count_is_fixed(client, settings, django_assert_num_queries):
    make_posts(1)
    with CaptureQueriesContext(connection) as few:
        client.get("/blog/")

    make_posts(40)
    cache.clear()  # as cold as the first: the site's menus are built again
    with django_assert_num_queries(len(few)):
        response = client.get("/blog/")
    assert len(response.context["posts"]) == settings.BLOG_POSTS_PER_PAGE


def test_demo_content_is_the_seed_page(client):
    call_command("load_demo", verbosity=0)

    html = client.get("/blog/glutamine-and-gut-health/").text

    assert "Glutamine and Gut Health" in html
    assert "<h2>What is glutamine?</h2>" in html
    assert "<h2>How can I incorporate L-Glutamine into my diet?</h2>" in html
    assert "Food Science and Human Wellness" in html and "Huamn" not in html
    assert "\xa0" not in html
    assert "These statements have not been evaluated by the Food and Drug Administration." in html
    assert (
        'each day for intestinal health. <sup class="disclaimer-marker"><a href="#disclaimer-1"'
        in html
    )
    post = Post.objects.get(slug="glutamine-and-gut-health")
    assert post.references.count() == 2
    assert post.body_html.count("<ol>") == 4  # the list and its three nested lists


def test_demo_command_is_idempotent(capsys, settings):
    settings.DEBUG = True
    call_command("load_demo")
    first = capsys.readouterr().out
    counts = (Post.objects.count(), Disclaimer.objects.count())

    call_command("load_demo")
    second = capsys.readouterr().out

    assert (Post.objects.count(), Disclaimer.objects.count()) == counts
    assert Post.objects.get(slug="glutamine-and-gut-health").references.count() == 2
    assert "demo account 'editor': password" in first
    assert "demo account" not in second  # accounts exist: nothing new to print


def test_demo_prints_no_password_outside_debug(capsys, django_user_model):
    call_command("load_demo")  # tests run with DEBUG off, like production

    out = capsys.readouterr().out
    assert "demo account" not in out
    assert "created 'editor' without a password" in out
    assert not django_user_model.objects.get(username="editor").has_usable_password()


def test_demo_gives_the_index_more_than_one_page(client):
    call_command("load_demo", verbosity=0)

    response = client.get("/blog/")

    assert response.context["page_obj"].has_next()


@pytest.mark.parametrize("url", ["/blog/feed/", "/sitemap.xml"])
def test_feed_and_sitemap_query_counts_are_fixed(client, url, django_assert_num_queries):
    make_posts(2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    make_posts(30)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200


def test_feed_carries_summaries_of_published_posts(client):
    PostFactory(title="Public one", summary="Public summary.")
    PostFactory(title="Draft one", draft=True)

    feed = client.get("/blog/feed/")

    assert feed["Content-Type"].startswith("application/atom+xml")
    assert b"Public summary." in feed.content
    assert b"Draft one" not in feed.content


def test_favicon_is_served_from_the_site_root(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_the_demo_posts_have_their_topics(client):
    call_command("load_demo", verbosity=0)

    html = client.get("/blog/glutamine-and-gut-health/").text
    topics = html.split('class="post-topics')[1].split("</ul>")[0]
    assert ">Gut health<" in topics and ">Supplements<" in topics
    assert "Nutrition basics" not in topics
    nav = html.split('<nav class="navbar')[1].split("</nav>")[0]
    for slug in ("gut-health", "supplements", "nutrition-basics"):
        assert f'href="/blog/topics/{slug}/"' in nav
    gut = client.get("/blog/topics/gut-health/").text
    assert "Glutamine and Gut Health" in gut and "Fiber: Why Your Gut Needs More of It" in gut
    assert "houses trillions of microbes" in gut
    # Every demo post is filed under a topic, the scheduled one too.
    assert not Post.objects.filter(topics=None).exists()
