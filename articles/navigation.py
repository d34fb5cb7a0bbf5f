"""The main topics in the navigation, on every page: read from the database
once per site-wide change, not once per page.

They are kept in the cache under the site-wide stamp (core.models.SiteStamp),
which a topic touches whenever it is saved or deleted (``Topic.save``); the
stamp is read once per request (``SiteStamp.current_for``), and the page
cache has read it already for an anonymous reader's page. A cache that fails
is skipped: the links are read again, never an error.
"""

from django.urls import reverse

from core.site_links import Link
from core.stamped import stamped

from .models import Topic


def build_main_topics():
    """The main topics' links, in the editors' order."""
    rows = Topic.objects.in_navigation().values_list("name", "slug")
    return tuple(
        Link(title=name, url=reverse("articles:topic", kwargs={"slug": slug}))
        for name, slug in rows
    )


def main_topics(request=None):
    """The main topics' links for the page being rendered for ``request``."""
    return stamped(request, "articles:topics", build_main_topics)
