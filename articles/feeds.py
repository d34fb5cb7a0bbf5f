from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .models import Post


class LatestPostsFeed(Feed):
    feed_type = Atom1Feed
    link = reverse_lazy("articles:index")
    description_template = None

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
