"""Whole pages for anonymous readers: the same bytes for everyone, never stale.

An app registers the pages that may be cached and how to tell their version::

    page_cache.register("articles:detail", post_page_version)

``post_page_version(request, slug=...)`` answers with a short string naming the
current version of everything the page shows (the post's ``page_changed_at``,
say), or None when the page is not public (the request then goes down the
stack as usual and gets its 404, or a staff preview). The version is asked on
every request, so it must be cheap: an indexed read.

``CachedPageMiddleware`` answers a registered page for an anonymous reader
from the cache when the stored rendering has the current version, before
sessions, authentication and routing run. On a miss the request goes down
the stack; the view renders the page and the middleware stores it, if the
rendering is the same for every reader: a 200, no cookie set, nothing that
varies by reader. Every anonymous reader then gets the same bytes and one
ETag per version, so a shared cache (nginx, a CDN) may hold the page too.

An anonymous reader is one sending a GET or HEAD with:

* any query string: the parameters the page declares (``params=("before",)``
  for a list paged by cursor) name a page of their own, every other one is
  ignored (tracking parameters, junk): the shared page is the answer;
* no ``messages`` cookie;
* no session cookie, or one naming a session with nothing in it (a made-up
  or expired cookie): that reader gets the cached page, and the cookie is
  deleted so the next request is a plain hit.

Readers with something of their own to see (staff, a pending comment of
their own, a message) get the page rendered for them, marked private.

Things that change every page (the navigation, say) are told with
``core.models.SiteStamp.touch(name)``: the stamp is part of every version.
A template part that stops being valid at a known time (comments closing)
says so with ``valid_until(request, moment)``.
"""

import dataclasses
import hashlib
import logging
import time
from importlib import import_module

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag

from . import build, cache_safe
from .models import SiteStamp

logger = logging.getLogger(__name__)

CACHE_TIMEOUT = 60 * 60 * 24
# How long a shared cache in front (nginx, a CDN) may keep an anonymous page
# before revalidating it with its ETag. nginx counts whole seconds, so a copy
# is fresh for one to two seconds: the two seconds within which every change
# reaches readers. Not a setting: a longer lifetime would break that promise.
SHARED_SECONDS = 1
MESSAGES_COOKIE = "messages"
PAGE_CACHE = "page cache"  # in the log: "page cache unavailable, ..."
# Headers of a rendering kept with it and sent with every copy (a download's
# file name).
STORED_HEADERS = ("Content-Disposition",)


@dataclasses.dataclass(frozen=True)
class CachedPage:
    view_name: str
    version: object  # callable(request, **url_kwargs) -> str | None
    params: tuple = ()


_pages = {}


def register(view_name, version, params=()):
    """Cache anonymous GETs of the URL named ``view_name`` ("app:name").

    ``version(request, **url_kwargs)`` names the current version of what the
    page shows, or is None when the page is not public. ``params`` are the
    query parameters the page reads (the others make it uncacheable).
    """
    _pages[view_name] = CachedPage(view_name, version, tuple(params))


def registered(view_name):
    return _pages.get(view_name)


def valid_until(request, moment):
    """Say that the page being rendered for ``request`` holds only until ``moment``."""
    if moment is None:
        return
    current = getattr(request, "page_cache_valid_until", None)
    if current is None or moment < current:
        request.page_cache_valid_until = moment


@dataclasses.dataclass(frozen=True)
class Entry:
    content: bytes
    content_type: str
    etag: str
    expires: float | None  # a POSIX time, or None: until the version changes
    headers: tuple = ()  # (name, value) pairs of STORED_HEADERS

    @property
    def fresh(self):
        return self.expires is None or time.time() < self.expires


def _session_is_empty(session_key):
    """A session cookie that names no session, or an empty one, is no reader's own."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        return not list(store.keys())
    except Exception:  # noqa: BLE001 (a session store that fails: render for the reader)
        logger.warning("page cache: session store unavailable", exc_info=True)
        return False


class Reader:
    """Whether a request may get the shared page, and what it must be told."""

    def __init__(self, request, page, url_kwargs):
        self.request = request
        self.page = page
        self.url_kwargs = url_kwargs
        self.stale_session_cookie = False

    def query_key(self):
        """The parameters the page declares, in order. Any other parameter
        (campaign tracking, junk, ``?zz=N`` with a new N each time) changes
        nothing the page shows, so it gets the shared page: never a render
        of its own, and never part of what is stored."""
        kept = [(name, self.request.GET.getlist(name)) for name in self.page.params]
        return "&".join(f"{name}={values}" for name, values in kept if values)

    def is_anonymous(self):
        request = self.request
        if request.method not in ("GET", "HEAD") or MESSAGES_COOKIE in request.COOKIES:
            return False
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if session_key is not None:
            if not _session_is_empty(session_key):
                return False
            self.stale_session_cookie = True
        return True


def cache_key(page, path, query, version):
    raw = f"{build.BUILD_ID}|{page.view_name}|{path}|{query}|{version}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cache_timeout(entry):
    """Until the entry's own end, if it has one, and at most CACHE_TIMEOUT."""
    if entry.expires is None:
        return CACHE_TIMEOUT
    return max(1, min(CACHE_TIMEOUT, int(entry.expires - time.time()) + 1))


def storable(response):
    """A rendering every anonymous reader may get: a plain 200 that set no cookie."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def shared_headers(response, etag):
    """Headers of a page every anonymous reader shares: browsers revalidate each
    time (a change shows at once); a shared cache may keep it SHARED_SECONDS
    and, only while this site fails to answer, serve it stale for
    PAGE_CACHE_STALE_IF_ERROR_SECONDS more (the contract with nginx:
    deploy/nginx/glutablog.conf.in)."""
    response["ETag"] = etag
    response["Cache-Control"] = (
        f"public, max-age=0, s-maxage={SHARED_SECONDS}, "
        f"stale-if-error={settings.PAGE_CACHE_STALE_IF_ERROR_SECONDS}"
    )
    response["X-Accel-Expires"] = str(SHARED_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response


class CachedPageMiddleware:
    """Answer registered pages for anonymous readers from the page cache.

    Placed after the security, static-file, frame and CSP middleware (so their
    headers are on every answer) and before sessions, authentication and
    routing, which an anonymous hit does not need.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self._page(request)
        if found is None:
            return self.get_response(request)
        page, url_kwargs = found
        reader = Reader(request, page, url_kwargs)
        query = reader.query_key()
        if query is None or not reader.is_anonymous():
            return self._for_this_reader(request)
        # The hit skips the rest of the stack: check the Host here, as every
        # other answer does (an unknown host is a 400, never a cached page).
        request.get_host()
        version = page.version(request, **url_kwargs)
        if version is None:
            return self.get_response(request)
        key = cache_key(page, request.path, query, f"{version}|{SiteStamp.current_for(request)}")
        entry = cache_safe.read(key, PAGE_CACHE)
        if entry is None or not entry.fresh:
            response = self.get_response(request)
            if not storable(response):
                return response
            entry = self._store(request, key, response)
        return self._answer(request, reader, entry)

    @staticmethod
    def _page(request):
        if request.method not in ("GET", "HEAD") or not _pages:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        page = _pages.get(match.view_name)
        return None if page is None else (page, match.kwargs)

    def _for_this_reader(self, request):
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_cache=True)
        return response

    @staticmethod
    def _store(request, key, response):
        expires = getattr(request, "page_cache_valid_until", None)
        entry = Entry(
            content=response.content,
            content_type=response["Content-Type"],
            # The same bytes, the same tag, in every process that renders them.
            etag=quote_etag(hashlib.sha256(response.content).hexdigest()[:32]),
            expires=expires.timestamp() if expires is not None else None,
            headers=tuple((name, response[name]) for name in STORED_HEADERS if name in response),
        )
        cache_safe.store(key, entry, _cache_timeout(entry), PAGE_CACHE)
        return entry

    @staticmethod
    def _answer(request, reader, entry):
        body = b"" if request.method == "HEAD" else entry.content
        response = HttpResponse(body, content_type=entry.content_type)
        response["Content-Length"] = str(len(entry.content))
        for name, value in entry.headers:
            response[name] = value
        shared_headers(response, entry.etag)
        # RFC 9110's conditional requests, as Django's conditional GET answers
        # them: If-None-Match compares weakly (a W/"…" tag a proxy or browser
        # made of ours matches), and "*" matches the page, which exists.
        response = get_conditional_response(request, etag=entry.etag, response=response)
        if response.status_code == 304:
            shared_headers(response, entry.etag)
        if reader.stale_session_cookie:
            response.delete_cookie(
                settings.SESSION_COOKIE_NAME,
                path=settings.SESSION_COOKIE_PATH,
                domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        return response
