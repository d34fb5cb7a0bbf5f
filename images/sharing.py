"""The default share image, for core.sharing (registered in ImagesConfig.ready).

Asked by every page without an image of its own, so it is kept like the
menus (core.stamped): read after each site-wide change, not again until
the next. Choosing another default, or changing or deleting it, touches its site
stamp (``Image.save``, images.signals), so every page renders again.
"""

from core.stamped import stamped

from .models import Image


def default_share_image(request=None):
    """The image chosen as the default share image, or None."""
    found = stamped(
        request,
        "images:share-default",
        # A list: an empty answer (no default) is kept in the cache too.
        lambda: list(Image.objects.filter(is_share_default=True)[:1]),
    )
    return found[0] if found else None
