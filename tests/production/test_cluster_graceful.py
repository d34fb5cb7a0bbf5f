"""Graceful stop (issue 19): SIGTERM to one app server of the cluster lets
it finish the requests it has in flight, a slow one included, while nginx
sends the readers who come meanwhile to the other server: 0 errors through
nginx. gunicorn's master closes its listening socket and gives each worker
graceful_timeout (glutablog/gunicorn.conf.py) to finish; deploy.serve keeps
the rest of the cluster running.

The two app servers run the stand-in app (standin_app.py, its /blog/slow/
page) under the real gunicorn.conf.py and nginx configuration: a cluster that
starts in seconds, and a request that is surely in flight when the signal comes.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from .cluster import start_standin_cluster
from .helpers import BASE_DIR
from .standin_app import SLOW_SECONDS

SLOW = "/blog/slow/"
READ = "/blog/personal/"  # never stored by nginx: every request reaches a server


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("graceful")
    with start_standin_cluster(tmp) as (served, ports):
        yield served, ports, tmp


def logged(directory, path):
    lines = (directory / "requests.log").read_text().splitlines()
    return [record for record in map(json.loads, lines) if record["path"] == path]


def test_sigterm_to_an_app_server_finishes_its_requests_and_readers_see_no_error(cluster):
    served, ports, directory = cluster
    if not Path("/usr/bin/wrk").exists():
        pytest.fail("wrk not found (apt-get install wrk, as `make wrk` does)", pytrace=False)
    wrk = subprocess.Popen(
        ["wrk", "-t1", "-c4", "-d5s", "--timeout", "10s",
         "-s", str(BASE_DIR / "bench" / "report.lua"), served.origin + READ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    # A slow request through nginx; its server is told to stop while it runs.
    answers = []
    reader = threading.Thread(target=lambda: answers.append(served.get(SLOW)))
    reader.start()
    deadline = time.monotonic() + 5
    while not logged(directory, SLOW) and time.monotonic() < deadline:
        time.sleep(0.02)
    [in_flight] = logged(directory, SLOW)
    node = ports.index(in_flight["port"]) + 1
    master = int((served.run_dir / f"node-{node}" / "gunicorn.pid").read_text())
    os.kill(master, signal.SIGTERM)
    stopped_at = time.monotonic()
    assert time.time() - in_flight["time"] < SLOW_SECONDS - 1  # still running

    reader.join(timeout=SLOW_SECONDS + 10)
    output, _ = wrk.communicate(timeout=30)
    [(response, body)] = answers
    assert response.status == 200 and body.startswith(SLOW.encode()), (response.status, body)
    # Answered by the server that took it, not cut off and sent again to the other.
    assert len(logged(directory, SLOW)) == 1
    # Only a finished request let the server go: it did not wait out its graceful_timeout.
    deadline = time.monotonic() + 10
    exited = re.compile(rf"app server {node} \(\S+\) exited with 0; the others go on")
    while not exited.search(served.log()):
        assert time.monotonic() < deadline, served.log()[-2000:]
        time.sleep(0.1)
    assert time.monotonic() - stopped_at < 15
    found = json.loads(re.search(r"BENCH_JSON (\{.*\})", output).group(1))
    assert found["requests"] > 50, output
    assert found["non2xx3xx"] == 0, output
    assert found["connect_errors"] + found["read_errors"] + found["timeouts"] == 0, output
    # Readers go on, on the other server, and the cluster is still up.
    assert served.get(READ)[0].status == 200
