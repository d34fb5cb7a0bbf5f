"""The site's URLs, plus the uploaded media.

Django serves media only with DEBUG on (``static()``), and tests run with
DEBUG off; production serves them from the proxy. The browser tests serve
them here with Django's own view (from each test's MEDIA_ROOT), so pictures
load as they would for a reader.
"""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import OperationalError
from django.urls import path, re_path
from django.views.static import serve

from glutablog import urls as site_urls


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def server_error(request):
    """A fault, for the 500 page (Django's handler500 renders templates/500.html)."""
    raise RuntimeError("a fault the browser tests asked for")


def bad_request(request):
    """A request the site cannot read, for the 400 page (handler400)."""
    raise BadRequest("a request the browser tests asked to be refused")


def database_busy(request):
    """The database locked past the wait, for the 503 page (core.middleware)."""
    raise OperationalError("database is locked")


# The error views are the site's too (a module's handler403 is not inherited:
# without it staff got the public 403 page instead of the admin's).
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler500 = site_urls.handler500

urlpatterns = [
    *site_urls.urlpatterns,
    re_path(r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")), media),
    path("__tests__/server-error/", server_error),
    path("__tests__/bad-request/", bad_request),
    path("__tests__/busy/", database_busy),
]
