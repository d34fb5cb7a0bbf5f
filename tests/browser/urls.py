"""The site's URLs, plus the uploaded media.

Django serves media only with DEBUG on (``static()``), and tests run with
DEBUG off; production serves them from the proxy. The browser tests serve
them here with Django's own view (from each test's MEDIA_ROOT), so pictures
load as they would for a reader.
"""

from django.conf import settings
from django.urls import path, re_path
from django.views.static import serve

from glutablog import urls as site_urls


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def server_error(request):
    """A fault, for the 500 page (Django's handler500 renders templates/500.html)."""
    raise RuntimeError("a fault the browser tests asked for")


# The error views are the site's too (a module's handler403 is not inherited:
# without it staff got the public 403 page instead of the admin's).
handler403 = site_urls.handler403

urlpatterns = [
    *site_urls.urlpatterns,
    re_path(r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")), media),
    path("__tests__/server-error/", server_error),
]
