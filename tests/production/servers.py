"""The production set as `make serve` starts it (deploy/serve.py: gunicorn and
nginx in front), on free loopback ports, for tests that speak to it through
real sockets. Everything started here is stopped by ``Served.stop()``.

nginx missing is an error with a clear message, never a skip: CI installs it
(.ci/run), as it installs Chromium for the browser tests.
"""

import http.client
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy import nginx_config

from .helpers import BASE_DIR

START_TIMEOUT = 240  # collectstatic and migrate on a busy two-core machine


def require_nginx():
    nginx = nginx_config.find_nginx()
    if nginx is None:
        pytest.fail(
            "nginx not found: the production tests need Debian's nginx (apt-get install "
            "nginx, as .ci/run does) on PATH, at /usr/sbin/nginx, or named by NGINX_BINARY.",
            pytrace=False,
        )
    return nginx


# Ports for the servers the tests start, below the kernel's ephemeral range
# (/proc/sys/net/ipv4/ip_local_port_range, 32768 and up here), so that no
# outgoing connection (wrk's, the database's, Chromium's) takes one between
# the choice and the server's bind, and a slice of their own for each xdist
# worker, so that two workers never choose the same one.
PORTS_LOW, PORTS_SLICE = 20000, 1500
_handed_out = set()


def free_ports(count):
    """``count`` loopback ports free now, never handed out before by this
    process, from this xdist worker's own slice."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    low = PORTS_LOW + (int(worker) % 8 if worker.isdigit() else 0) * PORTS_SLICE
    offset = random.randrange(PORTS_SLICE)
    ports = []
    for step in range(PORTS_SLICE):
        port = low + (offset + step) % PORTS_SLICE
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError(f"no {count} free ports between {low} and {low + PORTS_SLICE}")


@dataclass
class Served:
    run_dir: Path
    https_port: int
    http_port: int
    app_port: int | None  # None: gunicorn on the run folder's unix socket
    process: subprocess.Popen
    log_path: Path
    env: dict = field(repr=False)
    extra_args: tuple = ()

    @property
    def certificate(self):
        return self.run_dir / "tls" / "cert.pem"

    @property
    def origin(self):
        return f"https://127.0.0.1:{self.https_port}"

    def tls_context(self):
        """A client context that trusts only this run's self-signed certificate."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def https(self, source="127.0.0.1", timeout=10):
        """A connection to nginx's TLS port, from a chosen loopback address."""
        return http.client.HTTPSConnection(
            "127.0.0.1",
            self.https_port,
            context=self.tls_context(),
            source_address=(source, 0),
            timeout=timeout,
        )

    def get(self, path, headers=None, source="127.0.0.1", method="GET", body=None):
        """(response, body) for one request through nginx over TLS."""
        connection = self.https(source=source)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def log(self):
        return self.log_path.read_text(errors="replace")

    def start_again(self):
        """Start the stopped set again, as `make serve` run a second time: the
        same ports, run folder (nginx's cache on disk included) and settings."""
        again = serve(
            self.run_dir,
            self.env,
            *self.extra_args,
            ports=(self.https_port, self.http_port, self.app_port),
            tcp_app=self.app_port is not None,
        )
        self.process, self.log_path = again.process, again.log_path

    def stop(self):
        """Ctrl-C for the whole process group (serve.py, gunicorn, nginx), then a kill."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever is left of the group
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)


def serve(run_dir, env, *extra_args, ports=None, tcp_app=True):
    """Start deploy/serve.py on free ports (or ``ports``: https, http, app, to
    start a stopped set again where it was); returns a Served once nginx
    answers. gunicorn gets a loopback port the tests can reach, or with
    ``tcp_app=False`` the unix socket `make serve` gives it."""
    require_nginx()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    https_port, http_port, app_port = ports or free_ports(3)
    app_port = app_port if tcp_app else None
    env = dict(env)
    env.setdefault("SITE_URL", f"https://127.0.0.1:{https_port}")
    log_path = run_dir / "serve.log"
    if log_path.exists():  # a restart: the earlier log is kept beside
        log_path.replace(run_dir / f"serve-{time.time_ns()}.log")
    command = [
        sys.executable, "-m", "deploy.serve",
        "--https-port", str(https_port), "--http-port", str(http_port),
        "--run-dir", str(run_dir),
        "--access-log", str(run_dir / "logs" / "access.log"), *extra_args,
    ]  # fmt: skip
    if app_port is not None:
        command += ["--app-port", str(app_port)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one
        )
    served = Served(
        run_dir,
        https_port,
        http_port,
        app_port,
        process,
        log_path,
        env,
        tuple(extra_args),
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if "glutablog at https://" in served.log():
            return served
        if process.poll() is not None:
            break
        time.sleep(0.2)
    served.stop()
    pytest.fail(f"deploy/serve.py did not start:\n{served.log()[-4000:]}", pytrace=False)
