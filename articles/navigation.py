"""The main topics in the navigation, on every page: one query at most, and
usually none.

They are kept in the cache under the site-wide stamp (core.models.SiteStamp),
which a topic touches whenever it is saved or deleted (``Topic.save``); the
stamp is read once per request (``SiteStamp.current_for``), and the page
cache has read it already for an anonymous reader's page. A cache that fails
is skipped: the links are read again, never an error.
"""

import hashlib
import logging

from django.core.cache import cache
from django.urls import reverse

from core import build
from core.models import SiteStamp
from core.site_links import Link

from .models import Topic

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60 * 24


def build_main_topics():
    """The main topics' links, in the editors' order (one query)."""
    rows = Topic.objects.in_navigation().values_list("name", "slug")
    return tuple(
        Link(title=name, url=reverse("articles:topic", kwargs={"slug": slug}))
        for name, slug in rows
    )


def _cache_key(stamp):
    # The deployed code is part of the key: the addresses come from its URLs.
    return "articles:topics:" + hashlib.sha256(f"{build.BUILD_ID}|{stamp}".encode()).hexdigest()


def main_topics(request=None):
    """The main topics' links for the page being rendered for ``request``."""
    links = getattr(request, "main_topics", None)
    if links is not None:
        return links
    key = _cache_key(SiteStamp.current_for(request))
    links = None
    try:
        links = cache.get(key)
    except Exception:  # noqa: BLE001 (the cache is an optimisation only)
        logger.warning("topics: cache unavailable, reading them", exc_info=True)
    if links is None:
        links = build_main_topics()
        try:
            cache.set(key, links, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("topics: cache unavailable, not stored", exc_info=True)
    if request is not None:
        request.main_topics = links
    return links
