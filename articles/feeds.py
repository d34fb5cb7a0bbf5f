"""The feeds: the latest posts, site-wide and per topic, in Atom and RSS.

Every address in them is made from SITE_URL (Django's feeds leave absolute
addresses alone), never from the request's Host. An item carries the post's
summary, or its whole body when FEEDS_FULL_CONTENT is on, and then its
references (numbered, AMA style) and its disclaimers: a claim never travels
without them, and a feed reader shows nothing but the item. Only public
posts, from ``Post.objects.published()``; a fixed number of queries.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from core import markup

from .models import Post, PostDisclaimer, Topic

ITEMS = 20


class LatestPostsFeed(Feed):
    """The latest posts, in Atom (``/blog/feed/``)."""

    feed_type = Atom1Feed
    description_template = None
    url_name = "articles:feed"

    def link(self):
        return settings.SITE_URL + reverse("articles:index")

    def feed_url(self):
        return settings.SITE_URL + reverse(self.url_name)

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def title(self):
        return settings.BLOG_TITLE

    def subtitle(self):
        return f"The latest posts from {settings.BLOG_TITLE}"

    # RSS calls it the description.
    description = subtitle

    def items(self):
        return self.latest(Post.objects.published())

    def latest(self, posts):
        """The newest of these posts, with all an item shows, in a fixed number of queries."""
        posts = posts.select_related("author__author_profile").prefetch_related(
            "references",
            Prefetch(
                "post_disclaimers", queryset=PostDisclaimer.objects.select_related("disclaimer")
            ),
        )
        if not settings.FEEDS_FULL_CONTENT:
            posts = posts.defer("body", "body_html")
        return posts[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        post_url = self.item_link(item)
        full = settings.FEEDS_FULL_CONTENT
        return render_to_string(
            "articles/feed_item.html",
            {
                "post": item,
                "full_content": full,
                # Read in a feed reader, away from the site: absolute addresses.
                "body_html": markup.with_absolute_urls(item.body_html, post_url) if full else "",
                "post_url": post_url,
            },
        )

    def item_author_name(self, item):
        return item.author_name

    def item_author_link(self, item):
        profile = item.author_profile
        return settings.SITE_URL + profile.get_absolute_url() if profile else None

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at


class LatestPostsRssFeed(LatestPostsFeed):
    """The same, in RSS 2.0 (``/blog/feed/rss/``)."""

    feed_type = Rss201rev2Feed
    url_name = "articles:feed_rss"


class TopicFeed(LatestPostsFeed):
    """A topic's latest posts, in Atom (``/blog/topics/<slug>/feed/``)."""

    url_name = "articles:topic_feed"

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def link(self, topic):
        return settings.SITE_URL + topic.get_absolute_url()

    def feed_url(self, topic):
        return settings.SITE_URL + reverse(self.url_name, kwargs={"slug": topic.slug})

    def title(self, topic):
        return f"{topic.name} · {settings.BLOG_TITLE}"

    def subtitle(self, topic):
        return f"The latest posts about {topic.name} from {settings.BLOG_TITLE}"

    description = subtitle

    def items(self, topic):
        return self.latest(Post.objects.published().filter(topics=topic))


class TopicRssFeed(TopicFeed):
    feed_type = Rss201rev2Feed
    url_name = "articles:topic_feed_rss"
