"""The site's default share image, whichever app keeps it.

A page without a picture of its own (a post without a featured image, the
blog's index, a site page) still shows one in link previews and search
results: the site's default share image. Core renders the meta tags
(core/templatetags/seo.py) but imports no app; the app that keeps images says
which is the default, in its ``AppConfig.ready()``::

    sharing.provide(lookup)

and pages ask ``sharing.default_image(request)``: an image (anything with
``candidates()``, ``share_candidates()`` and ``alt``) or None. Pages that
show it are shared by the page cache, so the answer is the same for every
reader, and its provider touches a ``core.models.SiteStamp`` when it changes.
"""

_lookup = None


def provide(lookup):
    """Let ``lookup(request)`` answer the default share image (or None)."""
    global _lookup
    _lookup = lookup


def default_image(request=None):
    return None if _lookup is None else _lookup(request)
