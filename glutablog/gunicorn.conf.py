"""gunicorn settings for glutablog: `gunicorn -c glutablog/gunicorn.conf.py`.

Every value can be changed from the environment (GUNICORN_BIND, WEB_CONCURRENCY,
...); the defaults suit one small machine behind a TLS-terminating proxy on the
same host. Before any worker starts, the master checks that the configuration
is complete and the database and cache answer (`manage.py check_services`),
so a mistake ends the start with one clear message.
"""

import gc
import ipaddress
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

wsgi_app = "glutablog.wsgi:application"
chdir = str(BASE_DIR)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split()
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request taking longer than this is killed; the reader gets an error, not a hang.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM the master stops listening (nginx sends new requests to another
# server) and each worker finishes the request it is serving before it exits,
# given up to this long: as long as a request may take, so a stop or a rolling
# restart cuts none off (docs/operations.md).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", str(timeout)))
keepalive = 5
# Load Django once in the master and fork the workers from it: a recycled
# worker starts at once instead of importing everything again (which showed
# as latency spikes under load: docs/performance.md), and the pages of memory the
# workers share stay shared (see when_ready).
preload_app = True
# Recycle workers now and then: a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# Only the proxy on this host may set X-Forwarded-* for gunicorn itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None  # "-" for stdout
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "glutablog"
# gunicorn's control socket (a per-user path) would clash between two servers
# on one machine (the benchmark runs two); glutablog does not use it.
control_socket_disable = True


def open_to_all(address):
    """Whether a bind address listens on every interface (0.0.0.0, [::], :8000)."""
    if address.startswith(("unix:", "fd://")):
        return False
    host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
    if host in ("", "*"):
        return True
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False  # a host name: the operator chose an interface


def refuse_open_bind():
    """Behind a proxy that writes X-Forwarded-For (TRUSTED_PROXY_COUNT > 0),
    whoever reaches gunicorn itself can write that header and choose the
    address every rate limit and lockout counts: gunicorn must listen only
    where the proxy alone reaches it (a unix socket, loopback, or a private
    address behind a firewall), never on every interface."""
    trusted = int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0)
    opened = [address for address in bind if open_to_all(address)]
    if trusted > 0 and opened:
        sys.stderr.write(
            f"glutablog: not starting: GUNICORN_BIND={' '.join(opened)} listens on every "
            "interface while TRUSTED_PROXY_COUNT trusts X-Forwarded-For: anyone reaching "
            "gunicorn directly could pick the address rate limits count. Bind a unix "
            "socket (unix:/run/glutablog/gunicorn.sock), 127.0.0.1, or a private address "
            "only the proxy can reach.\n"
        )
        sys.stderr.flush()
        raise SystemExit(1)


def on_starting(server):
    refuse_open_bind()
    if os.environ.get("GUNICORN_CHECK_SERVICES", "on").lower() in {"0", "off", "false", "no"}:
        return
    # In a child process: the master stays free of Django and its connections.
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "check_services"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr or result.stdout)
        sys.stderr.write("glutablog: not starting.\n")
        sys.stderr.flush()
        raise SystemExit(1)


def when_ready(server):
    # Everything loaded so far lives as long as the server: keep it out of the
    # garbage collector's full passes (shorter pauses, and copy-on-write pages
    # stay shared between the forked workers).
    gc.freeze()
