"""A rolling deploy (issue 19): SIGHUP to deploy.serve restarts the app
servers one at a time onto the code now on disk, while readers read through
nginx: no 5xx, every page is stamped with the build that rendered it (nginx
revalidates its copy with an ETag that hashes the bytes, so a 304 never
passes one build's page as the other's), and once the roll is done every
reader gets the new build. docs/operations.md has the migration rule that
makes it safe for the database: expand, deploy, contract.

The stand-in app (standin_app.py, /blog/built/: its build is read when the
app loads) under the real gunicorn.conf.py and nginx configuration.
"""

import os
import re
import signal
import threading
import time

import pytest

from .cluster import start_standin_cluster

BUILT = "/blog/built/"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rolling")
    (tmp / "build").write_text("old\n")
    with start_standin_cluster(tmp) as (served, _):
        yield served, tmp


def test_a_rolling_restart_onto_a_new_build_serves_no_error_and_no_mixed_page(cluster):
    served, directory = cluster
    seen = []  # (time, status, X-Build, body)
    reading = threading.Event()
    reading.set()

    def read():
        while reading.is_set():
            response, body = served.get(BUILT)
            seen.append((time.monotonic(), response.status, response.getheader("X-Build"), body))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    time.sleep(1)
    (directory / "build").write_text("new\n")
    os.kill(served.process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 60
    while "rolling restart done" not in served.log():
        assert time.monotonic() < deadline, served.log()[-3000:]
        time.sleep(0.1)
    done = time.monotonic()
    time.sleep(2.5)  # past nginx's one second of freshness, then revalidated
    reading.clear()
    for reader in readers:
        reader.join(timeout=30)

    assert len(seen) > 50, len(seen)
    assert [s for s in seen if s[1] != 200] == []
    for _, _, build, body in seen:
        assert body == f"rendered by build {build}\n".encode(), (build, body)
    assert {build for _, _, build, _ in seen} == {"old", "new"}
    assert {build for at, _, build, _ in seen if at > done + 1.5} == {"new"}
    assert len(re.findall(r"app server \d \(\S+\) restarted", served.log())) == 2
