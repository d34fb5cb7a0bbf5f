"""Library images in editors' Markdown: ``![alt text](image:42 "Caption")``.

Registered with core.markup in ``ImagesConfig.ready()`` (core imports no app).
A post body is rendered when it is saved, so this runs then, never per
request: the images a body places are read all at once.
"""

import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

from django.conf import settings

from core import markup

from .models import Image


def media_prefixes():
    """Where this site's images are: its media (MEDIA_URL, and the media host
    when one is set) and its own static files (a logo, an icon)."""
    prefixes = [settings.MEDIA_URL, settings.STATIC_URL]
    if settings.MEDIA_ORIGIN:
        prefixes.append(settings.MEDIA_ORIGIN.rstrip("/") + "/")
    return prefixes


class LibraryImages(markup.ImageResolver):
    def lookup(self, ids):
        return Image.objects.in_bulk(ids)

    def element(self, image, alt, caption, block):
        # Body images are below the title (and the featured image): lazy.
        img = etree.Element("img", image.img_attributes(alt=alt, loading="lazy"))
        if not block:
            return img
        figure = etree.Element("figure")
        figure.append(img)
        caption = caption or image.caption
        if caption or image.credit:
            figcaption = etree.SubElement(figure, "figcaption")
            figcaption.text = caption
            if image.credit:
                credit = etree.SubElement(figcaption, "small")
                credit.text = image.credit
        return figure

    def allows(self, url):
        parts = urlsplit(url)
        if ".." in parts.path.split("/") or "\\" in url:
            return False
        return any(url.startswith(prefix) for prefix in media_prefixes())
