"""Topics as a reader meets them: the topic page, the navigation, the topics
and related posts on a post page, and the reading time."""

import datetime as dt
import html
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import publishing
from articles.models import Post, Topic
from articles.models import post as post_module
from tests.articles.factories import PostFactory, TopicFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def ago(days):
    return timezone.now() - days * DAY


def titles(response):
    return [post.title for post in response.context["posts"]]


def related_titles(response):
    return [post.title for post in response.context["related_posts"]]


def rendered_each_time(client):
    """A reader with a message waiting: the page is rendered for them, never
    answered from the page cache (query parameters no longer bypass it)."""
    client.cookies["messages"] = "waiting"
    return client


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.fixture
def gut():
    return TopicFactory(name="Gut health", slug="gut-health", description="About the *gut*.")


# --- the topic page ----------------------------------------------------------


def test_the_topic_page_shows_its_description_and_its_public_posts_newest_first(client, gut):
    other = TopicFactory(name="Sleep")
    PostFactory(title="Older", publish_at=ago(3)).topics.add(gut)
    PostFactory(title="Newer", publish_at=ago(1)).topics.add(gut)
    PostFactory(title="Elsewhere").topics.add(other)
    PostFactory(title="A draft", draft=True).topics.add(gut)
    PostFactory(title="Scheduled", scheduled=True).topics.add(gut)
    PostFactory(title="No topic")

    response = client.get("/blog/topics/gut-health/")

    assert response.status_code == 200
    assert titles(response) == ["Newer", "Older"]
    html = response.text
    assert "<h1>Gut health</h1>" in html
    assert "<p>About the <em>gut</em>.</p>" in html
    for hidden in ("A draft", "Scheduled", "Elsewhere", "No topic"):
        assert hidden not in html
    assert "<title>Gut health · glutablog</title>" in html


def test_the_topic_page_is_paginated_like_the_index(client, settings, gut):
    per_page = settings.BLOG_POSTS_PER_PAGE
    for i in range(per_page + 1):
        PostFactory(title=f"Post {i}", publish_at=ago(i + 1)).topics.add(gut)

    first = client.get("/blog/topics/gut-health/")
    older = re.search(r'href="(\?before=[^"]+)" rel="next"', first.text)
    assert older, "the first page links to the older posts"
    second = client.get("/blog/topics/gut-health/" + html.unescape(older.group(1)))

    assert titles(first) == [f"Post {i}" for i in range(per_page)]
    assert titles(second) == [f"Post {per_page}"]
    assert 'rel="next"' not in second.text
    assert client.get("/blog/topics/gut-health/?before=forged").status_code == 404


def test_an_empty_topic_says_so(client, gut):
    response = client.get("/blog/topics/gut-health/")

    assert response.status_code == 200
    assert "No posts on this topic yet" in response.text


@pytest.mark.parametrize(
    "page",
    ["99999999999999999999", "0", "-1", "abc", "1e3", "2", "%00", "1.5", "NaN", "last'--", ""],
)
def test_hostile_page_numbers_get_a_page_or_a_404_never_an_error(client, gut, page):
    PostFactory().topics.add(gut)

    response = client.get(f"/blog/topics/gut-health/?page={page}")

    assert response.status_code in (200, 404)


@pytest.mark.parametrize(
    "path",
    [
        "/blog/topics/no-such-topic/",
        "/blog/topics/gut-health%00/",
        "/blog/topics/" + "a" * 5000 + "/",
        "/blog/topics/%E2%80%AE/",
        "/blog/topics/gut-health'%20OR%201=1/",
        "/blog/topics/no-such-topic/feed/",
        "/blog/topics/no-such-topic/feed/rss/",
    ],
)
def test_unknown_or_odd_topic_addresses_are_404(client, gut, path):
    assert client.get(path).status_code == 404


def test_the_topic_page_costs_the_same_queries_for_1_and_30_posts(client, gut, settings):
    PostFactory().topics.add(gut)
    rendered_each_time(client)
    few, _ = queries_for(client, "/blog/topics/gut-health/")
    for _ in range(29):
        PostFactory().topics.add(gut)
    cache.clear()  # as cold as the first

    many, response = queries_for(client, "/blog/topics/gut-health/")

    assert many == few
    assert len(response.context["posts"]) == settings.BLOG_POSTS_PER_PAGE


# --- the topic page in the page cache ----------------------------------------

TOPIC_HIT_QUERIES = 3  # the site-wide stamp, the topic, its posts' version (one statement)


def test_a_topic_page_comes_from_the_cache(client, gut, django_assert_num_queries):
    PostFactory().topics.add(gut)
    first = client.get("/blog/topics/gut-health/")

    with django_assert_num_queries(TOPIC_HIT_QUERIES):
        again = client.get("/blog/topics/gut-health/")

    assert again.content == first.content
    assert first["ETag"] == again["ETag"]


def test_the_cached_topic_page_follows_its_posts(client, gut):
    post = PostFactory(title="First post")
    post.topics.add(gut)
    url = "/blog/topics/gut-health/"
    assert "First post" in client.get(url).text

    # A post filed under the topic appears.
    PostFactory(title="Second post").topics.add(gut)
    assert "Second post" in client.get(url).text
    # A post edited shows its new title.
    post.title = "Renamed post"
    post.save()
    assert "Renamed post" in client.get(url).text
    # A post taken out of the topic leaves it (not the last one changed).
    PostFactory(title="Third post").topics.add(gut)
    post.topics.remove(gut)
    assert "Renamed post" not in client.get(url).text
    # A post unpublished leaves it too.
    publishing.unpublish(Post.objects.filter(title="Second post"))
    assert "Second post" not in client.get(url).text
    # A new description shows.
    gut.description = "Fresh words."
    gut.save()
    assert "Fresh words." in client.get(url).text
    # Cleared from the topic's side.
    post.topics.add(gut)
    assert "Renamed post" in client.get(url).text
    gut.posts.clear()
    assert "Renamed post" not in client.get(url).text


def test_a_scheduled_post_shows_on_the_cached_topic_page_once_due(client, gut):
    PostFactory(title="Published").topics.add(gut)
    url = "/blog/topics/gut-health/"
    soon = PostFactory(title="Coming soon", publish_at=timezone.now() + dt.timedelta(hours=1))
    soon.topics.add(gut)
    assert "Coming soon" not in client.get(url).text

    # Due now, with nothing saved (what the clock does): UPDATE, no stamp.
    Post.objects.filter(pk=soon.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))

    assert "Coming soon" in client.get(url).text


# --- the navigation ----------------------------------------------------------


def test_the_navigation_shows_the_main_topics_in_order(client):
    TopicFactory(name="Supplements", slug="supplements", is_main=True, order=2)
    TopicFactory(name="Gut health", slug="gut-health", is_main=True, order=1)
    TopicFactory(name="Obscure", slug="obscure", is_main=False)

    html = client.get("/blog/").text
    nav = html.split('<nav class="navbar')[1].split("</nav>")[0]

    assert nav.index('href="/blog/topics/gut-health/"') < nav.index(
        'href="/blog/topics/supplements/"'
    )
    assert "Obscure" not in nav


def test_the_navigation_follows_topic_changes_on_cached_pages(client):
    topic = TopicFactory(name="Gut health", slug="gut-health", is_main=True)
    post = PostFactory()
    assert "Gut health" in client.get(post.get_absolute_url()).text  # now cached

    topic.name = "Digestion"
    topic.save()
    html = client.get(post.get_absolute_url()).text
    assert "Digestion" in html and "Gut health" not in html

    topic.is_main = False
    topic.save()
    assert "Digestion" not in client.get(post.get_absolute_url()).text

    topic.is_main = True
    topic.save()
    assert "Digestion" in client.get(post.get_absolute_url()).text
    topic.delete()
    assert "Digestion" not in client.get(post.get_absolute_url()).text


def test_the_main_topics_are_read_once_then_cached(client):
    TopicFactory(is_main=True)
    post = PostFactory()
    url = post.get_absolute_url()
    rendered_each_time(client)
    cold, _ = queries_for(client, url)
    TopicFactory.create_batch(10, is_main=True)  # touches the stamp: read again once
    queries_for(client, url)

    warm, response = queries_for(client, url)

    # The menus, the main topics and the default share image come from the cache.
    assert warm == cold - 3
    assert response.text.count('href="/blog/topics/') == 11


# --- topics and related posts on the post page -------------------------------


def test_the_post_page_links_its_topics(client, gut):
    sleep = TopicFactory(name="Sleep", slug="sleep")
    post = PostFactory()
    post.topics.add(gut, sleep)

    html = client.get(post.get_absolute_url()).text
    topics = html.split('class="post-topics')[1].split("</ul>")[0]

    assert 'href="/blog/topics/gut-health/"' in topics and ">Gut health<" in topics
    assert 'href="/blog/topics/sleep/"' in topics


def test_a_cached_post_page_follows_its_topics(client, gut):
    post = PostFactory()
    assert "/blog/topics/gut-health/" not in client.get(post.get_absolute_url()).text

    gut.posts.add(post)  # from the topic's side: the post itself is not saved
    assert 'href="/blog/topics/gut-health/"' in client.get(post.get_absolute_url()).text

    post.topics.clear()
    assert "/blog/topics/gut-health/" not in client.get(post.get_absolute_url()).text


def test_related_posts_share_most_topics_first_then_are_newest(client):
    a, b, c = TopicFactory.create_batch(3)
    post = PostFactory(title="The post")
    post.topics.add(a, b, c)
    PostFactory(title="Shares one, new", publish_at=ago(1)).topics.add(a)
    PostFactory(title="Shares two, old", publish_at=ago(30)).topics.add(a, b)
    PostFactory(title="Shares none, newest", publish_at=ago(0.5))
    PostFactory(title="Shares three, a draft", draft=True).topics.add(a, b, c)
    PostFactory(title="Shares three, scheduled", scheduled=True).topics.add(a, b, c)
    PostFactory(title="Shares none, old", publish_at=ago(40))

    response = client.get(post.get_absolute_url())

    assert related_titles(response) == [
        "Shares two, old",
        "Shares one, new",
        "Shares none, newest",
    ]
    section = response.text.split('class="related-posts')[1].split("</aside>")[0]
    assert "Shares two, old" in section and "The post" not in section
    assert "draft" not in section and "scheduled" not in section


def test_related_posts_without_topics_are_the_newest_others(client):
    post = PostFactory(title="The post", publish_at=ago(2))
    for i in range(5):
        PostFactory(title=f"Other {i}", publish_at=ago(i + 0.5))
    PostFactory(title="Draft", draft=True)

    assert related_titles(client.get(post.get_absolute_url())) == ["Other 0", "Other 1", "Other 2"]


def test_a_post_alone_has_no_related_posts_section(client):
    post = PostFactory()
    PostFactory(draft=True)

    response = client.get(post.get_absolute_url())

    assert related_titles(response) == []
    assert "Related posts" not in response.text


def test_the_post_page_costs_the_same_queries_with_1_and_5_topics(client):
    topics = TopicFactory.create_batch(5)
    one = PostFactory()
    one.topics.add(topics[0])
    five = PostFactory()
    five.topics.add(*topics)
    for i in range(len(topics)):
        PostFactory(publish_at=ago(i + 2)).topics.add(*topics[: i + 1])

    counts = []
    for post in (one, five):
        cache.clear()
        count, response = queries_for(client, post.get_absolute_url())
        counts.append(count)
        assert len(response.context["related_posts"]) == 3

    assert counts[0] == counts[1]


def test_a_cached_post_page_shows_a_new_related_post(client, gut):
    post = PostFactory(title="The post")
    post.topics.add(gut)
    assert "A new neighbour" not in client.get(post.get_absolute_url()).text

    neighbour = PostFactory(title="A new neighbour")
    neighbour.topics.add(gut)
    assert "A new neighbour" in client.get(post.get_absolute_url()).text

    neighbour.title = "A renamed neighbour"
    neighbour.save()
    assert "A renamed neighbour" in client.get(post.get_absolute_url()).text


def test_a_cached_post_page_drops_an_unpublished_related_post(client, gut):
    post = PostFactory(title="The post")
    post.topics.add(gut)
    other = PostFactory(title="A neighbour")
    assert "A neighbour" in client.get(post.get_absolute_url()).text

    publishing.unpublish(Post.objects.filter(pk=other.pk))

    assert "A neighbour" not in client.get(post.get_absolute_url()).text


def test_a_cached_post_page_shows_a_related_post_once_it_is_due(client, gut, time_machine):
    time_machine.move_to(timezone.now())  # the test's clock from here on
    post = PostFactory(title="The post")
    post.topics.add(gut)
    due = timezone.now() + dt.timedelta(minutes=5)
    soon = PostFactory(title="Coming soon", publish_at=due)
    soon.topics.add(gut)
    assert "Coming soon" not in client.get(post.get_absolute_url()).text

    time_machine.shift(dt.timedelta(minutes=5, seconds=1))  # nothing is saved

    assert "Coming soon" in client.get(post.get_absolute_url()).text


# --- reading time --------------------------------------------------------------


def test_reading_time_on_the_index_card_and_the_post_page(client):
    post = PostFactory(body="## A heading\n\n" + "word " * 1000)  # 1,002 words: 5 minutes
    PostFactory(title="Short", body="Just a few words.", publish_at=ago(2))

    assert post.reading_minutes == 5
    index = client.get("/blog/").text
    assert "5 min read" in index and "1 min read" in index
    assert "5 min read" in client.get(post.get_absolute_url()).text


def test_the_index_reads_no_bodies_for_the_reading_time(client):
    PostFactory(body="word " * 600)

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/blog/")

    assert "3 min read" in response.text
    listing = [
        q["sql"] for q in captured if 'FROM "articles_post"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert listing and all('"body' not in sql for sql in listing)


def test_reading_time_follows_an_edited_body(client):
    post = PostFactory(body="word " * 200)
    assert post.reading_minutes == 1

    post.body = "word " * 2000
    post.save()

    assert Post.objects.get(pk=post.pk).reading_minutes == 10


# --- admin ---------------------------------------------------------------------


def test_a_topic_s_description_is_markdown_rendered_safely(client):
    topic = TopicFactory(description="**Bold** <script>alert(1)</script> [x](javascript:alert(1))")

    html = client.get(topic.get_absolute_url()).text

    assert "<strong>Bold</strong>" in html
    assert "<script>alert" not in html and "javascript:" not in html


def test_topic_counts_are_not_taken_from_drafts(client, gut):
    """A topic whose only post is a draft lists nothing, not even a count."""
    PostFactory(title="Secret draft", draft=True).topics.add(gut)

    html = client.get("/blog/topics/gut-health/").text

    assert "Secret draft" not in html
    assert Topic.objects.get(pk=gut.pk).posts.count() == 1  # it is there, only not public


def test_related_posts_are_looked_for_among_the_newest_sharing_a_topic(client, monkeypatch):
    """A topic of 50,000 posts is not grouped whole for each first render:
    the posts sharing most topics are looked for among the newest
    RELATED_CANDIDATES sharing one (docs/scaling.md)."""
    monkeypatch.setattr(post_module, "RELATED_CANDIDATES", 2)
    a, b = TopicFactory.create_batch(2)
    post = PostFactory(title="The post")
    post.topics.add(a, b)
    PostFactory(title="Shares two, oldest", publish_at=ago(30)).topics.add(a, b)
    PostFactory(title="Shares one, new", publish_at=ago(1)).topics.add(a)
    PostFactory(title="Shares one, newer", publish_at=ago(0.5)).topics.add(b)

    # The oldest is beyond the two newest candidates: it fills the list last.
    assert related_titles(client.get(post.get_absolute_url())) == [
        "Shares one, newer",
        "Shares one, new",
        "Shares two, oldest",
    ]
    monkeypatch.setattr(post_module, "RELATED_CANDIDATES", 200)
    post.save()  # a new version of the page
    assert related_titles(client.get(post.get_absolute_url()))[0] == "Shares two, oldest"


def test_a_main_topic_deleted_by_the_admins_bulk_action_leaves_the_navigation(
    client, admin_client
):
    topic = TopicFactory(name="Gut health", slug="gut-health", is_main=True)
    post = PostFactory()
    assert "Gut health" in client.get(post.get_absolute_url()).text  # now cached

    response = admin_client.post(
        "/admin/articles/topic/",
        {"action": "delete_selected", "_selected_action": [topic.pk], "post": "yes"},
    )

    assert response.status_code == 302 and not Topic.objects.exists()
    assert "Gut health" not in client.get(post.get_absolute_url()).text
