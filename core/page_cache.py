"""Cached post pages for anonymous readers, with conditional GET.

A reader with no session and no pending message gets the post page from the
cache: one indexed query tells whether the post is public and which version
of its page is current (``Post.page_changed_at``, moved by every change of
the body, references, disclaimers or approved comments), and the rendered
page for that version comes from the cache. The page's CSRF token is the
only part that differs per reader: it is stored as a placeholder and filled
in per request, so the comment form works for everyone.

The answer carries an ETag and Last-Modified, so a browser revalidating gets
a 304 with no body. The ETag includes the reader's CSRF cookie, because the
body does: a page cached in the browser keeps a token its cookie accepts.

Other apps take part without articles knowing them (the comments app puts
its form on the page): while the page is rendered for the cache, the context
holds ``page_cache`` (a ``Hints``). Through it a template tag can

* ask for a per-reader value: ``hints.per_reader("comments.form-token")``
  returns a placeholder that is filled in on every request by the function
  registered under that name with ``register_per_reader(name, function)``;
* say until when the rendering holds: ``hints.valid_until(moment)`` (the
  comments app: the moment comments close by themselves).

Readers with a session (a pending comment of their own, staff previews) or a
flash message get the page rendered for them, never stored.
"""

import dataclasses
import datetime
import functools
import hashlib
import logging
import os
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "__glutablog_csrf_token_placeholder__"
CACHE_TIMEOUT = 60 * 60 * 24

# name -> function(request, post_pk) -> str, registered by other apps' ready().
_per_reader = {}


def register_per_reader(name, function):
    """Fill the placeholder ``Hints.per_reader(name)`` with ``function(request, post_pk)``."""
    _per_reader[name] = function


def placeholder(name):
    return f"__glutablog_per_reader:{name}__"


class Hints:
    """What templates may tell the cache while a page is rendered for it."""

    def __init__(self):
        self.expires = None

    def per_reader(self, name):
        if name not in _per_reader:
            raise KeyError(f"no per-reader value registered as {name!r}")
        return placeholder(name)

    def valid_until(self, moment):
        if moment is not None and (self.expires is None or moment < self.expires):
            self.expires = moment


@dataclasses.dataclass(frozen=True)
class Entry:
    html: str
    expires: float | None  # a POSIX time, or None: valid until the post changes

    @property
    def fresh(self):
        return self.expires is None or time.time() < self.expires


def _build_id():
    """Changes when the code or templates that render the page change."""
    digest = hashlib.sha256(settings.PAGE_CACHE_VERSION.encode())
    for folder in [settings.BASE_DIR / "templates"]:
        for path in sorted(folder.rglob("*.html")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


BUILD_ID = _build_id()


_CSRF_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
# Random bytes at or above this are dropped, so every character is equally
# likely; the others map to CSRF_ALLOWED_CHARS[byte % 62], in C, by translate().
_CSRF_BYTE_LIMIT = 256 - 256 % len(CSRF_ALLOWED_CHARS)
_CSRF_TABLE = bytes(ord(CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)]) for byte in range(256))
_CSRF_DROPPED = bytes(range(_CSRF_BYTE_LIMIT, 256))


def _random_csrf_chars(count):
    chars = b""
    while len(chars) < count:
        chars += os.urandom(count + 16).translate(_CSRF_TABLE, _CSRF_DROPPED)
    return chars[:count].decode("ascii")


def csrf_token(request):
    """``django.middleware.csrf.get_token()``, drawing its randomness in one go.

    Django draws each of the 64 random characters of a new reader's secret
    and mask with its own ``secrets.choice`` call, which is a quarter of the
    time of a cached page. This takes the same characters, uniformly, from
    one ``os.urandom`` read, and masks the secret the way Django does (each
    character shifted by the mask's), so Django's CSRF check accepts it; the
    tests post through the CSRF middleware with such tokens.
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_csrf_chars(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    # Send the cookie (again, to renew it), as get_token() does.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_csrf_chars(CSRF_SECRET_LENGTH)
    size = len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_CSRF_INDEX[x] + _CSRF_INDEX[y]) % size]
        for x, y in zip(secret, mask, strict=True)
    )
    return mask + cipher


_SLUG_SLOT, _NOW_SLOT = object(), object()


class PageVersionLookup:
    """``Post.objects.published().filter(slug=...).page_version()``, fast.

    The page cache asks this on every anonymous request, and building the
    query with the ORM costs twenty times more than running it. So the query
    is built once per database from the same queryset methods (the one
    definition of "public" stays on PostQuerySet) and then run with the
    slug and the current time as parameters.
    """

    SLUG = "__page-version-slug__"
    NOW = datetime.datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)

    def __init__(self):
        self._compiled = {}

    def _compile(self, connection):
        from articles.models import Post

        queryset = Post.objects.using(connection.alias).published(now=self.NOW)
        queryset = queryset.filter(slug=self.SLUG).order_by().values_list("pk", "page_changed_at")
        sql, params = queryset[:1].query.sql_with_params()
        now_param = connection.ops.adapt_datetimefield_value(self.NOW)
        # Each parameter: the slug's place, the time's place, or a fixed value.
        slots = [
            _SLUG_SLOT if param == self.SLUG else _NOW_SLOT if param == now_param else param
            for param in params
        ]
        if _SLUG_SLOT not in slots or _NOW_SLOT not in slots:  # pragma: no cover (new backend)
            return None
        return sql, slots

    def __call__(self, slug, using="default"):
        connection = connections[using]
        if connection.vendor not in self._compiled:
            self._compiled[connection.vendor] = self._compile(connection)
        compiled = self._compiled[connection.vendor]
        if compiled is None:
            from articles.models import Post

            return Post.objects.published().filter(slug=slug).page_version()
        sql, slots = compiled
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params = [slug if s is _SLUG_SLOT else now if s is _NOW_SLOT else s for s in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        pk, changed_at = row
        if isinstance(changed_at, str):  # SQLite hands back text
            changed_at = parse_datetime(changed_at)
        if timezone.is_naive(changed_at):
            changed_at = timezone.make_aware(changed_at, datetime.UTC)
        return pk, changed_at


page_version = PageVersionLookup()


def is_cacheable(request):
    """Only a plain anonymous GET: no session, no flash messages, no query string."""
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cache_key(pk, changed_at):
    return f"post-page:{BUILD_ID}:{pk}:{changed_at.timestamp():.6f}"


def etag_for(pk, changed_at, entry, csrf_secret):
    reader = hashlib.sha256(csrf_secret.encode()).hexdigest()[:12]
    expires = f"{entry.expires:.0f}" if entry.expires else "0"
    return quote_etag(f"{pk}-{changed_at.timestamp():.6f}-{expires}-{BUILD_ID}-{reader}")


# The entries this process served last, in front of the (maybe shared) cache.
# Keys name the version of the page, so an entry here is never stale; only
# its own expiry (Entry.fresh) is checked, as for the shared cache.
_recent = {}
RECENT_SIZE = 256


def _cache_get(key):
    entry = _recent.get(key)
    if entry is not None:
        return entry
    try:
        entry = cache.get(key)
    except Exception:  # a cache outage must not take the page down
        logger.warning("page cache unavailable, rendering instead", exc_info=True)
        return None
    if entry is not None:
        _remember(key, entry)
    return entry


def _remember(key, entry):
    if len(_recent) >= RECENT_SIZE:
        _recent.clear()
    _recent[key] = entry


def _cache_set(key, entry):
    _remember(key, entry)
    timeout = CACHE_TIMEOUT
    if entry.expires is not None:
        timeout = max(1, min(timeout, int(entry.expires - time.time()) + 1))
    try:
        cache.set(key, entry, timeout)
    except Exception:
        logger.warning("page cache unavailable, page not stored", exc_info=True)


def serve(request, pk, changed_at, render=None):
    """Answer an anonymous reader from the cache.

    ``render(hints)`` makes the page with the per-reader parts left as
    placeholders; without it, a page not in the cache answers None.
    """
    key = cache_key(pk, changed_at)
    entry = _cache_get(key)
    if entry is None or not entry.fresh:
        if render is None:
            return None
        hints = Hints()
        html = render(hints)
        expires = hints.expires.timestamp() if hints.expires is not None else None
        entry = Entry(html=html, expires=expires)
        _cache_set(key, entry)
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if secret and "HTTP_IF_NONE_MATCH" in request.META:
        etag = etag_for(pk, changed_at, entry, secret)
        if etag in _if_none_match(request):
            return _not_modified(etag, changed_at)
    html = entry.html.replace(CSRF_PLACEHOLDER, csrf_token(request))
    for name, function in _per_reader.items():
        mark = placeholder(name)
        if mark in html:
            html = html.replace(mark, function(request, pk))
    response = _page(html)
    # get_token() may have made a new secret: the ETag follows the cookie.
    secret = request.META.get("CSRF_COOKIE", secret)
    response["ETag"] = etag_for(pk, changed_at, entry, secret)
    response["Last-Modified"] = _http_date(changed_at)
    return response


@functools.lru_cache(maxsize=256)
def _http_date(moment):
    return http_date(moment.timestamp())


class CachedPageMiddleware:
    """Answer cache hits for post pages before the rest of the stack runs.

    Like Django's FetchFromCacheMiddleware: placed just after the security
    and static-file middleware, it answers a plain anonymous GET of a post
    page whose rendering is in the cache, without sessions, authentication,
    messages or URL-routed views, which an anonymous cache hit does not use.
    What those inner middleware do for such a request, it has them do: the
    CSRF middleware reads the reader's cookie (and sets one for a new reader),
    X-Frame-Options and the CSP header are added. A miss (or anything else)
    goes down the stack as usual; the view then renders and stores the page.
    """

    INNER = [
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "core.middleware.CachedCSPMiddleware",
    ]

    def __init__(self, get_response):
        self.get_response = get_response
        self.inner = [
            import_string(path)(get_response) for path in self.INNER if path in settings.MIDDLEWARE
        ]
        prefix = re.escape(reverse("articles:detail", kwargs={"slug": "slug"})).replace(
            "slug", "(?P<slug>[-a-zA-Z0-9_]+)"
        )
        self.pattern = re.compile(f"^{prefix}$")

    def __call__(self, request):
        match = self.pattern.match(request.path_info)
        if match and is_cacheable(request):
            current = request.page_version = page_version(match["slug"])
            if current is not None:
                for middleware in self.inner:
                    if hasattr(middleware, "process_request"):
                        middleware.process_request(request)
                response = serve(request, *current)
                if response is not None:
                    for middleware in reversed(self.inner):
                        response = middleware.process_response(request, response)
                    return response
        return self.get_response(request)


def _if_none_match(request):
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    return {tag.strip() for tag in header.split(",") if tag.strip()}


def _headers(response):
    # Revalidate every time (an approval shows at once); never in shared caches,
    # since the body holds this reader's CSRF token.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"  # a response of our own: no Vary to merge with
    return response


def _not_modified(etag, changed_at):
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Last-Modified"] = _http_date(changed_at)
    return _headers(response)


def _page(html):
    return _headers(HttpResponse(html))
