"""`/healthz` and `/readyz`: may an orchestrator or a load balancer send
this app server requests?

* ``/healthz``: the process is up and answers (liveness). It reads nothing:
  a database or cache outage does not make a live server look dead (which
  would get it restarted for nothing).
* ``/readyz``: the process can serve pages, because the database and the
  cache both answer now (readiness): one ``SELECT 1`` through the
  connection pool and one cache read. 503, naming what failed, otherwise.

``HealthMiddleware`` answers both first, before every other middleware: no
host check (a probe calls the server by its own address), no https redirect
(a probe speaks plain http to gunicorn), no session, no page cache, and
``Cache-Control: no-store`` so no proxy keeps an answer. nginx passes them
to an app server without logging them (deploy/nginx/glutablog.conf.in).
See docs/operations.md ("Health checks").
"""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse

logger = logging.getLogger(__name__)

PATHS = ("/healthz", "/readyz")


def answer(status, text):
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def not_ready():
    """What keeps this server from serving pages now, or []."""
    failed = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 (any failure means not ready)
        logger.warning("readyz: the database does not answer", exc_info=True)
        failed.append("database")
    try:
        cache.get("glutablog:readyz")
    except Exception:  # noqa: BLE001
        logger.warning("readyz: the cache does not answer", exc_info=True)
        failed.append("cache")
    return failed


class HealthMiddleware:
    """Answer /healthz and /readyz (GET or HEAD) before anything else runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in PATHS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path == "/healthz":
            return answer(200, "ok")
        failed = not_ready()
        if failed:
            return answer(503, "not ready: " + ", ".join(failed) + " not answering")
        return answer(200, "ready")
