"""The published pages as a section of /sitemap.xml.

The sitemap view is the articles app's (articles.sitemaps.sitemap); the
project's URLconf hands it this section, so neither app imports the other.
"""

from django.urls import reverse

from .models import Page


class PagesSitemap:
    changefreq = "monthly"

    def version(self):
        """Changes when a page is published, unpublished, edited or deleted."""
        return Page.objects.listing_version()

    def entries(self):
        """(path, last change) of each published page."""
        rows = Page.objects.published().order_by("place", "order", "title")
        return [
            (reverse("pages:detail", kwargs={"slug": slug}), updated)
            for slug, updated in rows.values_list("slug", "updated_at")
        ]
