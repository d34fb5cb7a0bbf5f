"""Site pages other apps link to by role, whichever app provides them.

The comments form links its consent line to the site's privacy policy, yet
the comments app knows nothing of the app that keeps site pages (and works
without it). The app that does says which page plays a role, in its
``AppConfig.ready()``::

    site_links.provide("privacy_policy", lookup)

and the app that links asks::

    site_links.find("privacy_policy", request)   # a Link, or None

``lookup(request)`` answers a ``Link(title, url)`` or None (no page plays that
role now). None is an ordinary answer: the caller says what it needs to say
without the link. Links are rendered into pages the page cache shares between
readers (core.page_cache), so a lookup's answer must be the same for every
reader, and its provider touches a ``core.models.SiteStamp`` whenever it
changes.
"""

import dataclasses

PRIVACY_POLICY = "privacy_policy"


@dataclasses.dataclass(frozen=True)
class Link:
    title: str
    url: str


_providers = {}


def provide(role, lookup):
    """Let ``lookup(request)`` answer which page plays ``role`` (one provider a role)."""
    _providers[role] = lookup


def find(role, request=None):
    """The Link to the page playing ``role``, or None (no provider, no such page)."""
    lookup = _providers.get(role)
    return None if lookup is None else lookup(request)
