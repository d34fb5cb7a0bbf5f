"""The sitemap of published posts, fast however many there are.

Django's sitemap view spends its time in Python, not in SQL: a model instance,
a ``reverse()`` and a dozen template tags per post (1.5 s for 10,000 posts).
This one reads (slug, updated_at) pairs, builds the addresses from one
``reverse()`` and writes the XML directly; the answer is then cached until the
set of published posts changes (a post published, edited, unpublished,
deleted, or a scheduled one coming due: ``PostQuerySet.listing_version``).
Addresses are made from SITE_URL, never from the request's Host, so one
cached copy serves every reader.
Beyond 49,000 posts ``?p=2`` gives the next ones, as with Django's view.

Other apps' addresses (site pages) come as *sections* the project's URLconf
passes to the view (``{"sections": [...]}``), so this app imports none of
them. A section has ``version()``, a short string that changes whenever its
addresses or their dates do, and ``entries()``, its (path, last change) pairs,
at most SECTION_LIMIT of them; they are written on the first page, which
keeps room for them under the protocol's 50,000 addresses a file.
"""

import hashlib
import logging
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.http import http_date

from core.models import SiteStamp

from .models import Post

logger = logging.getLogger(__name__)

LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
SECTION_LIMIT = 1_000  # addresses of other sections, all on the first page
POSTS_PER_FILE = LIMIT - SECTION_LIMIT
CHANGEFREQ = "weekly"
CACHE_SECONDS = 60 * 60
SLUG_PLACEHOLDER = "slug-placeholder"
# Pages beyond this are no page (a 20-digit ?p= overflowed the query's OFFSET).
MAX_PAGE = 10**6


def _page(request):
    try:
        page = int(request.GET.get("p", 1))
    except ValueError:
        raise Http404("No such sitemap page.") from None
    if not 1 <= page <= MAX_PAGE:
        raise Http404("No such sitemap page.")
    return page


def render_sitemap(request, page, sections=()):
    """The sitemap's XML and the time of its newest change, for one page."""
    start = (page - 1) * POSTS_PER_FILE
    rows = list(
        Post.objects.published()
        .order_by("-publish_at", "-pk")
        .values_list("slug", "updated_at")[start : start + POSTS_PER_FILE]
    )
    if not rows and page > 1:
        raise Http404("No such sitemap page.")
    detail = escape(
        settings.SITE_URL + reverse("articles:detail", kwargs={"slug": SLUG_PLACEHOLDER})
    )
    before, after = detail.split(SLUG_PLACEHOLDER)
    entries = "".join(
        f"<url><loc>{before}{slug}{after}</loc><lastmod>{updated:%Y-%m-%d}</lastmod>"
        f"<changefreq>{CHANGEFREQ}</changefreq></url>\n"
        for slug, updated in rows
    )
    dates = [updated for _, updated in rows]
    if page == 1:
        for section in sections:
            others = list(section.entries())[:SECTION_LIMIT]
            entries += "".join(
                f"<url><loc>{escape(settings.SITE_URL + path)}</loc>"
                f"<lastmod>{updated:%Y-%m-%d}</lastmod>"
                f"<changefreq>{section.changefreq}</changefreq></url>\n"
                for path, updated in others
            )
            dates += [updated for _, updated in others]
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )
    return xml, max(dates, default=None)


def sitemap(request, sections=()):
    """``/sitemap.xml``: the published posts, and the sections the URLconf adds,
    from the cache when nothing changed. A cache that fails is skipped, never
    an error for the reader."""
    page = _page(request)
    version = "|".join(
        [Post.objects.listing_version(), SiteStamp.current(), *(s.version() for s in sections)]
    )
    key = "sitemap:" + hashlib.sha256(f"{page}|{version}".encode()).hexdigest()
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 (the cache is an optimisation only)
        logger.warning("sitemap: cache unavailable, rendering", exc_info=True)
        cached = None
    if cached is None:
        cached = render_sitemap(request, page, sections)
        try:
            cache.set(key, cached, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("sitemap: cache unavailable, not stored", exc_info=True)
    xml, newest = cached
    response = HttpResponse(xml, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if newest is not None:
        response["Last-Modified"] = http_date(newest.timestamp())
    return response
