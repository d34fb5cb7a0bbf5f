"""A stand-in for Django behind nginx: pages that send exactly the headers of
the page cache contract (deploy/nginx/glutablog.conf.in), and pages that
break it in each way nginx must refuse to store.

Served by gunicorn through deploy/serve.py (--app) in tests/production. Every
request is appended as one JSON line to $STANDIN_DIR/requests.log, so a test
can count what reached the app (nginx's cache answers the rest). Each page's
version is read from a file in $STANDIN_DIR on each request (version_file()):
a test changes it the way an approved comment changes a post page. Every 200 carries a render
id unique to that response, so two equal bodies are one stored copy.
"""

import hashlib
import json
import os
import time
import uuid
from pathlib import Path

DIRECTORY = Path(os.environ.get("STANDIN_DIR", "."))
SLOW_SECONDS = 3
# The code's build, as core.build computes it once per process: read when the
# app is loaded, so a server started again after $STANDIN_DIR/build changed
# is the new build (test_cluster_rolling.py).
try:
    BUILD = (DIRECTORY / "build").read_text().strip()
except FileNotFoundError:
    BUILD = "1"

# What Django sends on a page that is the same for every reader without a
# session (core.page_cache.shared_headers).
SHAREABLE = [("Cache-Control", "public, max-age=0, s-maxage=1, stale-if-error=60")]

PAGES = {
    # The contract: stored by nginx, revalidated with the ETag.
    "/blog/shared/": SHAREABLE,
    "/blog/shared-too/": SHAREABLE,
    "/blog/slow-to-revalidate/": SHAREABLE,
    # An answer that takes SLOW_SECONDS: a request still in flight when its
    # server is told to stop (test_cluster_graceful.py).
    "/blog/slow/": [("Cache-Control", "private, no-store")],
    # Shareable, and failing when a test says so (failure_file()): "die" ends
    # the worker without an answer (what nginx sees of a crashed or killed
    # gunicorn worker), a number is the status the app answers with.
    "/blog/fails-when-told/": SHAREABLE,
    # Shareable for longer than the two seconds the site promises.
    "/blog/two-seconds/": [("Cache-Control", "max-age=0, s-maxage=2")],
    # Personalised, as Django's never_cache marks it.
    "/blog/personal/": [
        ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"),
        ("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"),
    ],
    # Mistakes nginx must not store although s-maxage says it may.
    "/blog/private-with-s-maxage/": [("Cache-Control", "private, max-age=0, s-maxage=1")],
    "/blog/no-store-with-s-maxage/": [("Cache-Control", "no-store, s-maxage=1")],
    "/blog/no-cache-with-s-maxage/": [("Cache-Control", "no-cache, s-maxage=1")],
    "/blog/cookie-with-s-maxage/": [*SHAREABLE, ("Set-Cookie", "csrftoken=abc; Path=/")],
    "/blog/an-hour/": [("Cache-Control", "max-age=0, s-maxage=3600")],
    "/blog/max-age-only/": [("Cache-Control", "max-age=60")],
    "/blog/no-header/": [],
    "/blog/accel-expires-then-private/": [
        ("X-Accel-Expires", "60"),
        ("Cache-Control", "private"),
    ],
    # Pitfalls of a page meant to be shareable: an Expires header (as
    # Django's patch_response_headers and cache_page add) ahead of
    # Cache-Control keeps it out of the cache; Vary: Cookie splits it per reader.
    "/blog/expires-then-s-maxage/": [("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"), *SHAREABLE],
    "/blog/varies-on-cookie/": [*SHAREABLE, ("Vary", "Cookie")],
}


def version(path):
    """The page's version: $STANDIN_DIR/version-blog-shared for /blog/shared/, or 1."""
    try:
        return (DIRECTORY / version_file(path)).read_text().strip() or "1"
    except FileNotFoundError:
        return "1"


def version_file(path):
    return "version" + path.rstrip("/").replace("/", "-")


def failure_file(path):
    return "failure" + path.rstrip("/").replace("/", "-")


def failure(path):
    try:
        return (DIRECTORY / failure_file(path)).read_text().strip()
    except FileNotFoundError:
        return ""


def server_port(environ):
    """The port of the app server that took the request (SERVER_PORT is the
    Host header's), or None on a unix socket."""
    sock = environ.get("gunicorn.socket")
    address = sock.getsockname() if sock is not None else None
    return address[1] if isinstance(address, tuple) else None


def log(record):
    line = (json.dumps(record) + "\n").encode()
    fd = os.open(DIRECTORY / "requests.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    current = version(path)
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    log(
        {
            "path": path,
            "query": environ.get("QUERY_STRING", ""),
            "method": environ.get("REQUEST_METHOD"),
            "if_none_match": if_none_match,
            "cookie": environ.get("HTTP_COOKIE"),
            "time": time.time(),
            "port": server_port(environ),
        }
    )
    if path == "/blog/built/":
        # Shareable, with the site's ETag: a hash of the bytes (core.page_cache).
        body = f"rendered by build {BUILD}\n".encode()
        headers = [
            *SHAREABLE,
            ("ETag", f'"{hashlib.sha256(body).hexdigest()[:32]}"'),
            ("X-Build", BUILD),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        if if_none_match == headers[1][1]:
            start_response("304 Not Modified", headers[:3])
            return [b""]
        start_response("200 OK", headers)
        return [body]
    if path not in PAGES:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    failing = failure(path)
    if failing == "die":
        os._exit(1)  # no answer at all: gunicorn starts another worker
    if failing:
        body = f"{path} failed with {failing}\n".encode()
        start_response(
            f"{failing} Failing",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
        )
        return [body]
    headers = list(PAGES[path])
    etag = f'"{path.strip("/").replace("/", "-")}-v{current}"'
    headers.append(("ETag", etag))
    if path == "/blog/slow-to-revalidate/" and if_none_match:
        time.sleep(1.5)
    if path == "/blog/slow/":
        time.sleep(SLOW_SECONDS)
    if if_none_match == etag:
        start_response("304 Not Modified", headers)
        return [b""]
    cookie = environ.get("HTTP_COOKIE", "")
    body = f"{path} version {current} render {uuid.uuid4().hex} cookie [{cookie}]\n".encode()
    headers += [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]
