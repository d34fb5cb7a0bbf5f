"""WSGI entry point (gunicorn glutablog.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from core.middleware import refuse_unreadable_charsets

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glutablog.settings")

# A charset Django would choke on while building the request: the site's 400.
application = refuse_unreadable_charsets(get_wsgi_application())
