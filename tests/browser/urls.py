"""The site's URLs, plus the uploaded media.

Django serves media only with DEBUG on (``static()``), and tests run with
DEBUG off; production serves them from the proxy. The browser tests serve
them here with Django's own view (from each test's MEDIA_ROOT), so pictures
load as they would for a reader.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from glutablog.urls import urlpatterns as site_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    *site_urlpatterns,
    re_path(r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")), media),
]
