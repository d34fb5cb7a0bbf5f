"""A server dies (issue 19): under a steady read load through nginx, one of
the two app servers is killed; readers get no error, because nginx sends
an idempotent request that a server refused or dropped to the other one
(proxy_next_upstream's default: error, timeout). deploy.serve keeps the rest
of the cluster running while one app server is down. Then the other dies
too: a comment sent in Chromium gets nginx's page of the site
(core/static/core/unavailable.html) with the text handed back, and the
text is in the form again back on the post.

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
from playwright.sync_api import expect, sync_playwright

from tests.browser.support import TIMEOUT_MS, Watch, launch_chromium

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
        ["wrk", "-t2", "-c16", "-d12s", "--timeout", "10s",
         "-s", str(BASE_DIR / "bench" / "report.lua"),
         "-H", "Cookie: sessionid=a-reader", cluster.served.origin + POST],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    time.sleep(4)  # both servers busy; then 8 s of load with one of them gone
    kill_app_server(cluster.node_dirs()[1])
    output, _ = wrk.communicate(timeout=60)

    assert refused(cluster.app_ports[1]), "server B still answers"
    found = json.loads(re.search(r"BENCH_JSON (\{.*\})", output).group(1))
    assert found["requests"] > 100, output
    assert found["non2xx3xx"] == 0, output  # no 502 or 504 reached a reader
    assert found["connect_errors"] + found["timeouts"] == 0, output
    # nginx passes a request to the other server while nothing of the answer
    # has reached the reader; an answer the killed server had half sent (its
    # headers written, not yet its body) cannot be retried (nginx's
    # proxy_next_upstream), and is cut short. At most one per worker of the
    # killed server (WEB_CONCURRENCY=2); on a quiet machine, none.
    assert found["read_errors"] <= 2, output
    assert "the others go on" in cluster.served.log()
    # Server A alone serves readers now, straight and through nginx.
    status, _, _ = cluster.browser(node=0).get(POST)
    assert status == 200
    assert cluster.browser().get(POST)[0] == 200


def test_a_comment_sent_when_no_server_answers_gets_the_sites_page_with_its_text(cluster):
    for node_dir in cluster.node_dirs():
        kill_app_server(node_dir)
    for port in cluster.app_ports:
        deadline = time.monotonic() + 10
        while not refused(port):
            assert time.monotonic() < deadline, f"port {port} still answers"
            time.sleep(0.1)
    words = "Does glutamine help after a long run?\nAsking for my sister."
    watch = Watch(cluster.served.origin)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            context = chromium.new_context(
                base_url=cluster.served.origin,
                ignore_https_errors=True,  # the cluster's self-signed certificate
            )
            context.set_default_timeout(TIMEOUT_MS)
            watch.attach(context)
            page = context.new_page()
            # nginx's copy of the post (stale-if-error), its servers gone.
            page.goto(POST)
            form = page.locator("#comment-form")
            watch.expect_status(502, form.get_attribute("action"))
            form.locator("input[name=name]").fill("Ann")
            form.locator("input[name=email]").fill("ann@example.com")
            form.locator("textarea[name=text]").fill(words)
            form.locator("input[name=consent]").check()
            with page.expect_navigation():
                form.get_by_role("button", name="Post comment").click()

            expect(page.locator("h1")).to_have_text("The site cannot answer right now")
            expect(page.locator("#unsent-text")).to_have_value(words)
            page.get_by_role("link", name="go back to the page").click()
            page.wait_for_url(f"**{POST}#comment-form")
            expect(page.locator("#comment-form textarea[name=text]")).to_have_value(words)
            expect(page.locator("#comment-form input[name=name]")).to_have_value("Ann")
            expect(page.locator(".unsent-restored")).to_contain_text("was not sent")
            # Handed back once: a page opened again starts empty.
            page.reload()
            expect(page.locator("#comment-form textarea[name=text]")).to_have_value("")
        finally:
            chromium.close()
    watch.assert_clean()
