"""``{% load seo %}{% social_meta ... %}``: a public page's canonical address,
Open Graph and Twitter card tags, all absolute from SITE_URL.

``base.html`` shows the site's own (the blog's name and description); a page
about something gives its title, description and, when it has one, an image
(anything with ``candidates()`` -> (url, width, height) and ``alt``, such as
the images app's ``Image``). A page without an image shows the site's
default share image (core.sharing), when one is chosen. Everything is
escaped by the template.

Every public page also asks search engines for large image previews
(``max-image-preview:large``); pages that must not be indexed say so in
their own robots tag.

The canonical address is the page's path and, of its query, only a page
number above 1 (tracking parameters never: a page shared by the page cache
is the same for every reader).
"""

from django import template
from django.conf import settings

from core import sharing

register = template.Library()

# Link previews look best around 1200 pixels wide (Open Graph's advice).
PREVIEW_IMAGE_WIDTH = 1200


def absolute(url):
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def canonical_url(request):
    if request is None:
        return ""
    url = settings.SITE_URL + request.path
    page = request.GET.get("page", "")
    if page.isdigit() and len(page) < 10 and int(page) > 1:
        url += f"?page={int(page)}"
    return url


def preview_image(image):
    """(url, width, height) of the rendition for link previews: the narrowest
    at least PREVIEW_IMAGE_WIDTH wide, else the widest."""
    candidates = sorted(image.candidates(), key=lambda c: c[1])
    for candidate in candidates:
        if candidate[1] >= PREVIEW_IMAGE_WIDTH:
            return candidate
    return candidates[-1]


@register.inclusion_tag("partials/social_meta.html", takes_context=True)
def social_meta(
    context,
    title="",
    description="",
    image=None,
    kind="website",
    published=None,
    modified=None,
    url="",
):
    request = context.get("request")
    meta = {
        "site_name": settings.BLOG_TITLE,
        "title": title or settings.BLOG_TITLE,
        "description": description or settings.BLOG_DESCRIPTION,
        "kind": kind,
        "url": absolute(url) or canonical_url(request),
        "published": published,
        "modified": modified,
        "image": None,
    }
    if image is None:
        image = sharing.default_image(request)
    if image is not None:
        src, width, height = preview_image(image)
        meta["image"] = {"url": absolute(src), "width": width, "height": height, "alt": image.alt}
    return meta
