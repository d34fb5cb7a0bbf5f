"""The site's menus: the navigation, the footer and the privacy policy's link.

Every public page shows them, so they are read once per site-wide change,
not once per page:

* they are built from the published pages at once
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

from django.urls import reverse

from core.site_links import Link
from core.stamped import stamped

from .models import Page


@dataclasses.dataclass(frozen=True)
class Menus:
    navigation: tuple = ()  # of core.site_links.Link, in the editors' order
    footer: tuple = ()
    privacy_policy: Link | None = None


def build_menus():
    """The menus as the published pages make them now."""
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


def site_menus(request=None):
    """The menus for the page being rendered for ``request`` (None: no request to share with)."""
    return stamped(request, "pages:menus", build_menus)


def privacy_policy(request=None):
    """The privacy policy's Link, or None (core.site_links' "privacy_policy")."""
    return site_menus(request).privacy_policy
