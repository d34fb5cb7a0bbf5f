"""The site's menus: the navigation, the footer and the privacy policy's link.

Every public page shows them, so they cost at most one query, and usually
none:

* they are built from the published pages in one query
  (``Page.objects.in_menus()``) and kept in the cache under the site-wide
  stamp (core.models.SiteStamp), which a page touches in the same transaction
  when it enters, leaves or changes in a menu (``Page.save``);
* the stamp is read once per request (``SiteStamp.current_for``), and the page
  cache has read it already for an anonymous reader's page;
* the header, the footer and the comment form's consent line of one page share
  one reading (kept on the request).

A cache that fails is skipped: the menus are built again, never an error.
"""

import dataclasses
import hashlib
import logging

from django.core.cache import cache
from django.urls import reverse

from core import build
from core.models import SiteStamp
from core.site_links import Link

from .models import Page

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60 * 24


@dataclasses.dataclass(frozen=True)
class Menus:
    navigation: tuple = ()  # of core.site_links.Link, in the editors' order
    footer: tuple = ()
    privacy_policy: Link | None = None


def build_menus():
    """The menus as the published pages make them now (one query)."""
    navigation, footer, privacy_policy = [], [], None
    rows = (
        Page.objects.in_menus()
        .order_by("order", "title", "pk")
        .values_list("title", "slug", "place", "is_privacy_policy")
    )
    for title, slug, place, is_privacy_policy in rows:
        link = Link(title=title, url=reverse("pages:detail", kwargs={"slug": slug}))
        if place == Page.Place.NAVIGATION:
            navigation.append(link)
        elif place == Page.Place.FOOTER:
            footer.append(link)
        if is_privacy_policy:
            privacy_policy = link
    return Menus(tuple(navigation), tuple(footer), privacy_policy)


def _cache_key(stamp):
    # The deployed code is part of the key: page addresses come from its URLs.
    return "pages:menus:" + hashlib.sha256(f"{build.BUILD_ID}|{stamp}".encode()).hexdigest()


def site_menus(request=None):
    """The menus for the page being rendered for ``request`` (None: no request to share with)."""
    menus = getattr(request, "site_menus", None)
    if menus is not None:
        return menus
    key = _cache_key(SiteStamp.current_for(request))
    menus = None
    try:
        menus = cache.get(key)
    except Exception:  # noqa: BLE001 (the cache is an optimisation only)
        logger.warning("menus: cache unavailable, building them", exc_info=True)
    if menus is None:
        menus = build_menus()
        try:
            cache.set(key, menus, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("menus: cache unavailable, not stored", exc_info=True)
    if request is not None:
        request.site_menus = menus
    return menus


def privacy_policy(request=None):
    """The privacy policy's Link, or None (core.site_links' "privacy_policy")."""
    return site_menus(request).privacy_policy
