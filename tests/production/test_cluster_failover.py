"""A server dies (issue 19): under a steady read load through nginx, one of
the two app servers is killed; readers get no error, because nginx sends
an idempotent request that a server refused or dropped to the other one
(proxy_next_upstream's default: error, timeout). deploy.serve keeps the rest
of the cluster running while one app server is down.

A cluster of its own: the one of test_cluster.py stays whole for its tests.
"""

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from .cluster import start_cluster
from .helpers import BASE_DIR, manage
from .stack import Sink

POST = "/blog/glutamine-and-gut-health/"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("failover")
    sink = Sink().start()
    try:
        with start_cluster(tmp, sink) as cluster:
            result = manage("load_demo", env=cluster.env)
            assert result.returncode == 0, result.stderr
            yield cluster
    finally:
        sink.stop()


def kill_app_server(node_dir: Path):
    """SIGKILL an app server: its gunicorn master and every worker of it."""
    master = int((node_dir / "gunicorn.pid").read_text())
    workers = [
        int(stat.parent.name)
        for stat in Path("/proc").glob("[0-9]*/stat")
        if _parent_of(stat) == master
    ]
    for pid in [master, *workers]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _parent_of(stat):
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_readers_get_no_error_when_an_app_server_is_killed_under_load(cluster):
    if not Path("/usr/bin/wrk").exists():
        pytest.fail("wrk not found (apt-get install wrk, as `make wrk` does)", pytrace=False)
    # A session cookie: nginx's cache is bypassed, every request reaches an app server.
    wrk = subprocess.Popen(
        # A slow answer on a busy machine is not an error: wrk waits 10 s for each.
        ["wrk", "-t2", "-c16", "-d20s", "--timeout", "10s",
         "-s", str(BASE_DIR / "bench" / "report.lua"),
         "-H", "Cookie: sessionid=a-reader", cluster.served.origin + POST],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    time.sleep(6)
    kill_app_server(cluster.node_dirs()[1])
    output, _ = wrk.communicate(timeout=60)

    assert refused(cluster.app_ports[1]), "server B still answers"
    found = json.loads(re.search(r"BENCH_JSON (\{.*\})", output).group(1))
    assert found["requests"] > 100, output
    assert found["non2xx3xx"] == 0, output  # no 502 or 504 reached a reader
    assert found["connect_errors"] + found["read_errors"] + found["timeouts"] == 0, output
    assert "the others go on" in cluster.served.log()
    # Server A alone serves readers now, straight and through nginx.
    status, _, _ = cluster.browser(node=0).get(POST)
    assert status == 200
    assert cluster.browser().get(POST)[0] == 200
