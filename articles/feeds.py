from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Post


class LatestPostsFeed(Feed):
    """The latest posts. Every address in it is made from SITE_URL (Django's
    feeds leave absolute addresses alone), never from the request's Host."""

    feed_type = Atom1Feed
    description_template = None

    def link(self):
        return settings.SITE_URL + reverse("articles:index")

    def feed_url(self):
        return settings.SITE_URL + reverse("articles:feed")

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def title(self):
        return settings.BLOG_TITLE

    def subtitle(self):
        return f"The latest posts from {settings.BLOG_TITLE}"

    def items(self):
        return Post.objects.published().select_related("author")[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_author_name(self, item):
        return item.author.get_full_name() or item.author.get_username()

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at
