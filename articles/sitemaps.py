"""The sitemap of published posts, fast however many there are.

Django's sitemap view spends its time in Python, not in SQL: a model instance,
a ``reverse()`` and a dozen template tags per post.
This one reads (slug, updated_at) pairs, builds the addresses from one
``reverse()`` and writes the XML directly; the answer is then cached until the
set of published posts changes (a post published, edited, unpublished,
deleted, or a scheduled one coming due: ``PostQuerySet.listing_version``).
Addresses are made from SITE_URL, never from the request's Host, so one
cached copy serves every reader.
Beyond 48,000 posts ``?p=2`` gives the next ones, as with Django's view, and
the sitemap index (``/sitemap-index.xml``, the address robots.txt names)
lists every page: a crawler reads only the files it is told of.

The first page also lists the blog's index (``/blog/``, dated by the newest
change of a listed post) and the date archives (``/blog/2026/``,
``/blog/2026/03/``), each dated by the newest change of its posts (grouped
by the database), its months as the site's time zone counts them. They change
with the set of published posts, so the same version keeps them right.

Other apps' addresses (site pages) come as *sections* the project's URLconf
passes to the view (``{"sections": [...]}``), so this app imports none of
them. A section has ``version()``, a short string that changes whenever its
addresses or their dates do, and ``entries()``, its (path, last change) pairs,
at most SECTION_LIMIT of them; they are written on the first page, which
keeps room for them under the protocol's 50,000 addresses a file. This
app's own sections: the topic pages, the reviewers' and the authors' pages.

Crawlers ask again with ``If-Modified-Since`` or ``If-None-Match``: the
answer carries ``Last-Modified`` (when this version of the sitemap was first
written: any change, a post leaving it too, makes a new version, so the date
never stays put while the content moves; HTTP dates count whole seconds) and
an ``ETag`` of its bytes, and a sitemap the crawler has is a 304.
"""

import hashlib
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from core import build, cache_safe
from core.models import SiteStamp

from .models import Author, Post, Reviewer, Topic
from .views import public_archive_months

LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
SECTION_LIMIT = 1_000  # addresses of other sections, all on the first page
ARCHIVE_LIMIT = 1_000  # year and month archives, newest first, on the first page
POSTS_PER_FILE = LIMIT - SECTION_LIMIT - ARCHIVE_LIMIT
ARCHIVE_CHANGEFREQ = "monthly"
INDEX_CHANGEFREQ = "daily"
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
    if page == 1 and rows:
        index = escape(settings.SITE_URL + reverse("articles:index"))
        entries = (
            f"<url><loc>{index}</loc><lastmod>{max(dates):%Y-%m-%d}</lastmod>"
            f"<changefreq>{INDEX_CHANGEFREQ}</changefreq></url>\n"
        ) + entries
    if page == 1:
        archives = archive_entries(request)[:ARCHIVE_LIMIT]
        entries += "".join(
            f"<url><loc>{escape(settings.SITE_URL + path)}</loc>"
            f"<lastmod>{updated:%Y-%m-%d}</lastmod>"
            f"<changefreq>{ARCHIVE_CHANGEFREQ}</changefreq></url>\n"
            for path, updated in archives
        )
        dates += [updated for _, updated in archives]
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


def archive_entries(request=None):
    """(path, newest change) of every year and month archive, newest first
    (the months as the list pages count them, from the same cache)."""
    entries = []
    years = {}
    for month in public_archive_months(request):
        if month.year not in years:
            years[month.year] = len(entries)
            entries.append([reverse("articles:archive_year", kwargs={"year": month.year}), None])
        year_entry = entries[years[month.year]]
        year_entry[1] = max(filter(None, [year_entry[1], month.updated]))
        entries.append([month.get_absolute_url(), month.updated])
    return [tuple(entry) for entry in entries]


def _written(request, page, sections):
    """The page's XML and when it was written (the answer's Last-Modified)."""
    xml, _ = render_sitemap(request, page, sections)
    return xml, int(timezone.now().timestamp())


def sitemap(request, sections=()):
    """``/sitemap.xml``: the published posts, and the sections the URLconf adds,
    from the cache when nothing changed. A cache that fails is skipped, never
    an error for the reader."""
    page = _page(request)
    version = "|".join(
        [Post.objects.listing_version(), SiteStamp.current(), *(s.version() for s in sections)]
    )
    # The deployed code is part of the key (core.build): what is kept changes with it.
    key = "sitemap:" + hashlib.sha256(f"{build.BUILD_ID}|{page}|{version}".encode()).hexdigest()
    cached = cache_safe.read_or_make(
        key, lambda: _written(request, page, sections), CACHE_SECONDS, "sitemap cache"
    )
    xml, written_at = cached
    etag = quote_etag(hashlib.sha256(xml.encode()).hexdigest()[:32])
    response = HttpResponse(xml, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    response["Last-Modified"] = http_date(written_at)
    response["ETag"] = etag
    return get_conditional_response(
        request, etag=etag, last_modified=written_at, response=response
    )


def sitemap_index(request):
    """``/sitemap-index.xml``: the sitemap's pages, as the protocol's sitemap
    index (one query: how many posts are published)."""
    published = Post.objects.published().count()
    pages = max(1, -(-published // POSTS_PER_FILE))
    address = settings.SITE_URL + reverse("sitemap")
    entries = "".join(
        f"<sitemap><loc>{escape(address if n == 1 else f'{address}?p={n}')}</loc></sitemap>\n"
        for n in range(1, pages + 1)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    )
    etag = quote_etag(hashlib.sha256(xml.encode()).hexdigest()[:32])
    response = HttpResponse(xml, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    response["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response)


def _table_version(name, model, changed_field):
    """A section's version from its table: how many rows, and the newest
    change (``changed_field``); a row added, changed or deleted changes it."""
    row = model.objects.aggregate(latest=Max(changed_field), total=Count("pk"))
    latest = row["latest"]
    return f"{name}:{row['total']}:{latest.timestamp():.6f}" if latest else f"{name}:0:-"


def _pages(view_name, rows):
    """(path, last change) of each (slug, newest post change, own change) row."""
    return [
        (reverse(view_name, kwargs={"slug": slug}), max(latest, changed))
        for slug, latest, changed in rows
    ]


class TopicsSitemap:
    """The topic pages that list a public post, as a section of the sitemap
    (the project's URLconf adds it, as it adds the site pages)."""

    changefreq = "weekly"

    def version(self):
        """Changes when a topic is saved, or a post enters or leaves one
        (``Topic.changed_at``); the sitemap's own version covers the posts."""
        return _table_version("topics", Topic, "changed_at")

    def entries(self):
        """(path, last change) of each topic with a public post: the newest
        change of its public posts."""
        rows = (
            Topic.objects.filter(posts__in=Post.objects.published())
            .annotate(latest=Max("posts__updated_at"))
            .order_by("order", "name")
            .values_list("slug", "latest", "changed_at")
        )
        return _pages("articles:topic", rows)


class ReviewersSitemap:
    """The medical reviewers' pages that list a public post they reviewed."""

    changefreq = "monthly"

    def version(self):
        """Changes when a reviewer is added, saved or deleted; the sitemap's own
        version covers their posts."""
        return _table_version("reviewers", Reviewer, "updated_at")

    def entries(self):
        """(path, last change) of each reviewer with a public reviewed post:
        the newest change of the profile or of those posts."""
        rows = (
            Reviewer.objects.filter(
                posts__in=Post.objects.published(), posts__reviewed_at__isnull=False
            )
            .annotate(latest=Max("posts__updated_at"))
            .order_by("name", "pk")
            .values_list("slug", "latest", "updated_at")
        )
        return _pages("articles:reviewer", rows)


class AuthorsSitemap:
    """The authors' pages that list a public post."""

    changefreq = "monthly"

    def version(self):
        """Changes when an author's profile is added, saved or deleted; the
        sitemap's own version covers their posts."""
        return _table_version("authors", Author, "updated_at")

    def entries(self):
        """(path, last change) of each author with a public post: the newest
        change of the profile or of their posts."""
        rows = (
            Author.objects.filter(user__posts__in=Post.objects.published())
            .annotate(latest=Max("user__posts__updated_at"))
            .order_by("name", "pk")
            .values_list("slug", "latest", "updated_at")
        )
        return _pages("articles:author", rows)
