"""A claim never travels without its disclaimer: every feed, Atom and RSS,
site-wide and per topic, summary or full content, carries the post's
disclaimers, as a feed reader (feedparser) reads them."""

import feedparser
import pytest

from articles.models import Disclaimer, Post
from tests.articles.factories import (
    DisclaimerFactory,
    PostDisclaimerFactory,
    PostFactory,
    ReferenceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

FEEDS = [
    "/blog/feed/",
    "/blog/feed/rss/",
    "/blog/topics/gut-health/feed/",
    "/blog/topics/gut-health/feed/rss/",
]
FDA = (
    "These statements have not been evaluated by the Food and Drug Administration. "
    "This product is not intended to diagnose, treat, cure, or prevent any disease."
)


@pytest.fixture
def post():
    post = PostFactory(
        title="Glutamine and Gut Health",
        summary="Glutamine may support the gut lining.",
        body="Glutamine may support the gut lining.[1] [**]",
    )
    post.topics.add(TopicFactory(name="Gut health", slug="gut-health"))
    ReferenceFactory(post=post, authors="Kim MH, Kim H", title="The roles of glutamine")
    PostDisclaimerFactory(
        post=post, disclaimer=DisclaimerFactory(name="FDA", marker="**", text=FDA), order=0
    )
    PostDisclaimerFactory(
        post=post,
        disclaimer=DisclaimerFactory(name="Advice", marker="†", text="Not <medical> advice."),
        order=1,
    )
    return Post.objects.get(pk=post.pk)


def entry_text(client, url, title="Glutamine and Gut Health"):
    """What a feed reader shows of the post's item: its summary or content, as text."""
    feed = feedparser.parse(client.get(url).content)
    assert not feed.bozo, feed.bozo_exception
    entry = next(e for e in feed.entries if e.title == title)
    parts = [entry.get("summary", "")] + [c.value for c in entry.get("content", [])]
    return " ".join(parts)


@pytest.mark.parametrize("full", [False, True], ids=["summary", "full content"])
@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_carries_the_posts_disclaimers(client, settings, post, url, full):
    settings.FEEDS_FULL_CONTENT = full

    shown = entry_text(client, url)

    assert "Glutamine may support the gut lining." in shown
    assert f"** {FDA}" in shown
    assert "† Not &lt;medical&gt; advice." in shown  # text, escaped, in the post's order
    assert shown.index(FDA) < shown.index("Not &lt;medical&gt; advice.")


@pytest.mark.parametrize("url", FEEDS)
def test_a_corrected_disclaimer_reaches_the_cached_feed(client, post, url):
    assert FDA in entry_text(client, url)
    disclaimer = Disclaimer.objects.get(name="FDA")
    disclaimer.text = "Corrected statement."
    disclaimer.save()

    shown = entry_text(client, url)

    assert "** Corrected statement." in shown
    assert FDA not in shown


def test_a_post_without_disclaimers_carries_none(client):
    PostFactory(title="Plain post").topics.add(TopicFactory(slug="gut-health"))

    shown = entry_text(client, "/blog/feed/", title="Plain post")

    assert "**" not in shown and "†" not in shown
