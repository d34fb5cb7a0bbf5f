"""Cross-site request protection from the request's own headers, without a token.

A form on a page that every anonymous reader shares (the comment form on a
cached post page) cannot carry a per-reader CSRF token. Browsers tell us
where a request comes from instead, as Go 1.25's
``http.CrossOriginProtection`` reads it (and Django's proposal for the same,
django/new-features#98):

1. ``Sec-Fetch-Site`` present (every current browser sends it): only
   ``same-origin`` (our own page) and ``none`` (typed by the user, a bookmark)
   pass; ``cross-site`` and ``same-site`` are refused.
2. No ``Sec-Fetch-Site`` (an older browser): an ``Origin`` header, if present,
   must be this site's origin (the request's own scheme and host, which
   ALLOWED_HOSTS has vetted, SITE_URL's, or one of CSRF_TRUSTED_ORIGINS).
3. Neither header: the request comes from no browser (a script, curl), and a
   script is not a forged request: it could fetch the form itself. The spam
   rules, not this check, deal with robots.

Staff forms (the admin, the login) keep Django's CSRF middleware and tokens.
"""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.views.decorators.csrf import csrf_exempt

ALLOWED_FETCH_SITES = {"same-origin", "none"}


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def trusted_origins(request):
    origins = {_origin(settings.SITE_URL)}
    origins.update(_origin(origin) for origin in settings.CSRF_TRUSTED_ORIGINS)
    try:
        origins.add(f"{request.scheme}://{request.get_host()}".lower())
    except DisallowedHost:
        pass
    return origins


def cross_origin_refusal(request):
    """Why ``request`` is refused as cross-site, or "" when it may go on."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return ""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site.strip().lower() in ALLOWED_FETCH_SITES:
            return ""
        return f"Sec-Fetch-Site: {fetch_site[:40]}"
    origin = request.headers.get("Origin", "").strip()
    if origin and origin.lower() not in trusted_origins(request):
        return f"Origin: {origin[:100]}"
    return ""


def same_origin_required(refused):
    """Decorate a view that takes POSTs without a CSRF token: cross-site requests
    get ``refused(request, reason)`` instead. The view is exempt from Django's
    token check (``csrf_exempt``), since these headers protect it."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            reason = cross_origin_refusal(request)
            if reason:
                return refused(request, reason, *args, **kwargs)
            return view(request, *args, **kwargs)

        return csrf_exempt(wrapped)

    return decorator
