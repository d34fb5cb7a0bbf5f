"""Clear answers, instead of a server error, for requests the site cannot serve
as sent: a body in a character set it cannot read (400), or a database too busy
to answer in time (503). Both pages stand alone (templates/400.html and
503.html): they need neither the database nor the session.
"""

import codecs
import logging
import re

from django.db import DataError, OperationalError
from django.shortcuts import render
from django.utils.http import parse_header_parameters

logger = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 5
# What Django's multipart parser takes as a boundary (printable ASCII, not
# ending in a space); RFC 2046 allows less, browsers send less still.
MULTIPART_BOUNDARY_RE = re.compile(r"[ -~]{0,200}[!-~]")
# Set by ``refuse_unreadable_charsets`` (a WSGI key no client can send).
CHARSET_REFUSED = "glutablog.charset_refused"


def unreadable_request(request):
    """Why the request's body or query string cannot be read, or "".

    Django decodes the query string and a form body with the charset of the
    ``Content-Type`` header, and refuses a urlencoded body in anything but
    UTF-8 with ``BadRequest`` each time ``request.POST`` is read (the CSRF
    check and the error views read it again). A charset Python does not know,
    or one that is not a text encoding (``base64``, ``rot13``), is refused
    here, before anything reads the body or the query string; so is a
    multipart form without a boundary Django's parser accepts.
    """
    if request.method == "POST" and request.content_type == "multipart/form-data":
        boundary = request.content_params.get("boundary", "")
        if not MULTIPART_BOUNDARY_RE.fullmatch(boundary):
            return "multipart form without a usable boundary"
    refused = request.META.get(CHARSET_REFUSED)
    if refused is not None:
        return f"unknown character set {refused[:40]!r}"
    charset = request.content_params.get("charset")
    if charset is None:
        return ""
    codec = _text_encoding(charset)
    if codec is None:
        return f"unknown character set {charset[:40]!r}"
    if request.content_type == "application/x-www-form-urlencoded" and request.method == "POST":
        if codec.name != "utf-8":
            return f"form body in {charset[:40]!r}, not UTF-8"
        request.encoding = "utf-8"  # an alias ("utf8", "UTF_8"): read it as Django's own
    return ""


def refuse_unreadable_charsets(application):
    """Wrap the WSGI application: a ``Content-Type`` charset that is not a text
    encoding Python knows is taken out of the header before Django builds its
    request (Django decodes the query string with it while building the
    request, outside any middleware: ``?a=%e9`` with ``charset=base64`` was a
    bare 500 from the server), and noted for ``UnreadableRequestMiddleware``,
    which answers the 400."""

    def wrapped(environ, start_response):
        content_type = environ.get("CONTENT_TYPE", "")
        if "charset" in content_type.lower():
            media_type, params = parse_header_parameters(content_type)
            charset = params.get("charset")
            if charset is not None and not _text_encoding(charset):
                environ[CHARSET_REFUSED] = charset
                environ["CONTENT_TYPE"] = media_type
        return application(environ, start_response)

    return wrapped


def _text_encoding(charset):
    """The codec of a text encoding Python knows by this name, or None."""
    try:
        codec = codecs.lookup(charset)
        b"x".decode(charset, "replace")  # LookupError: not a text encoding (base64)
    except (LookupError, ValueError, TypeError):
        return None
    return codec


def bad_request_response(request):
    """The site's 400 page. Reads nothing of the request's body."""
    return render(request, "400.html", status=400)


class UnreadableRequestMiddleware:
    """Answer 400 to a request whose body or query string cannot be read
    (``unreadable_request``).

    Placed early (after the middleware that adds the security headers, so the
    answer has them): the body is never parsed, no view runs, and Django logs
    the one "Bad Request" line it logs for every 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if unreadable_request(request):
            return bad_request_response(request)
        return self.get_response(request)


def database_busy(error):
    """Whether ``error`` means "the database is busy, try again" rather than a
    fault: SQLite still locked by another writer after its busy timeout;
    PostgreSQL's pool without a free connection in time, a lock not granted
    within ``lock_timeout`` or a statement cancelled at ``statement_timeout``
    (settings: DATABASE_LOCK_TIMEOUT, DATABASE_STATEMENT_TIMEOUT)."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    return "database is locked" in str(error) or type(cause).__name__ in {
        "PoolTimeout",
        "LockNotAvailable",
        "QueryCanceled",
    }


def busy_response(request, after_view=False):
    """The site's 503 page, with Retry-After. It names the back button to a
    sender of a form: their text is still in the page they came from.
    ``after_view``: the view had finished (its work may be saved), and the
    page does not say that nothing was."""
    sent_form = request is not None and request.method == "POST"
    context = {"sent_form": sent_form, "after_view": after_view}
    response = render(request, "503.html", context, status=503)
    response["Retry-After"] = str(BUSY_RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def impossible_value(error):
    """Whether ``error`` is a value from the request that Python's dates or the
    database's columns cannot hold: ``OverflowError`` (a 20-digit id bound on
    SQLite, ``datetime(99999999999, 1, 1)``), PostgreSQL's "out of range", or
    a NUL character, which PostgreSQL's text never holds (psycopg refuses it
    before sending: django-reversion's history of object ``%00``)."""
    if isinstance(error, OverflowError):
        return True
    if not isinstance(error, DataError):
        return False
    cause = error.__cause__
    return type(cause).__name__ in {
        "NumericValueOutOfRange",
        "DatetimeFieldOverflow",
    } or "NUL (0x00)" in str(cause)


class QueryErrorMiddleware:
    """A view that fails on a query the database could not answer:

    - busy (``database_busy``): 503 "the site is busy, try again" with
      Retry-After, instead of a server error (the admin's login and save, or
      any page). Views that can do better catch it themselves (the comment
      form hands the reader's text back).
    - a value from the address that the database cannot hold (a number
      beyond its range, a NUL: ``impossible_value``): the site's 400. Our own views and admin check their
      numbers (core.changelists, the paginators); this is the net under
      everything else (third-party admins).

    Either way one warning in the log, not a traceback.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_busy(exception):
            logger.warning(
                "database busy, answered 503: %s %s: %s", request.method, request.path, exception
            )
            return busy_response(request)
        if impossible_value(exception):
            logger.warning(
                "impossible value, answered 400: %s %s: %s",
                request.method,
                request.path,
                str(exception)[:200],
            )
            return bad_request_response(request)
        return None


def permissions_policy(policy):
    """The Permissions-Policy header for ``{feature: [allowed origins]}``:
    ``[]`` is ``()`` (no one), ``["self"]`` is ``(self)``."""
    parts = []
    for feature, origins in policy.items():
        allowed = " ".join(
            origin if origin in ("self", "*") else f'"{origin}"' for origin in origins
        )
        parts.append(f"{feature}=({allowed})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response:
    the browser features the site never uses are denied to its pages and to
    anything they might embed. Placed first, so cached pages, static files and
    error pages carry it too."""

    def __init__(self, get_response):
        from django.conf import settings

        self.header = permissions_policy(settings.PERMISSIONS_POLICY)
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.setdefault("Permissions-Policy", self.header)
        return response
