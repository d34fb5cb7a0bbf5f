"""The ceiling: a trivial WSGI app returning the post page's bytes, unchanged.

Served by the same gunicorn with the same settings as glutablog, it shows
how many requests per second this server and machine can answer at all; the
benchmark reports glutablog as a fraction of it. BENCH_BODY names the file
holding the bytes (saved from the real post page by bench/run.py).
"""

import os
from pathlib import Path

BODY = Path(os.environ["BENCH_BODY"]).read_bytes()
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", str(len(BODY))),
]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
