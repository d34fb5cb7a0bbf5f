"""The newsletter sent by a real task worker on the production stack
(conftest.stack: PostgreSQL, Redis, `make serve`'s processes, mail to the
test's SMTP sink): a worker killed in the middle of a send and started again
resumes where it stopped, and every subscriber gets exactly one email.

The kill is made deterministic by the sink: it accepts 150 of the post's
emails, then keeps the 151st waiting at the end of DATA, not accepted; the
worker is killed while it waits, so that email was never delivered, and
nothing was in flight that could arrive twice.
"""

import os
import re
import signal
import time
import uuid
from pathlib import Path

import pytest

from .helpers import task_worker

READERS = 300

MAKE_SUBSCRIBERS_AND_POST = """
from articles.models import Post, Topic
from newsletter.models import Subscriber
from tests.articles.factories import PostFactory
Subscriber.objects.bulk_create(
    Subscriber(email=f"{mark}-{{n:03d}}@example.org", status=Subscriber.Status.ACTIVE)
    for n in range({count})
)
post = PostFactory(draft=True, title="Sent while a worker dies {mark}", slug="{mark}",
                   author=Post.objects.first().author, email_on_publish=True)
post.topics.add(Topic.objects.first())
print(post.pk)
"""

PUBLISH = """
from articles import publishing
from articles.models import Post
outcome = publishing.publish(Post.objects.filter(pk={pk}))
print(len(outcome.changed))
"""

STATES = """
from collections import Counter
from newsletter.models import Delivery
rows = Delivery.objects.filter(post_id={pk})
print(sorted(Counter(rows.values_list("state", flat=True)).items()),
      rows.filter(state="queued").exclude(claimed_by="").count())
"""


def shell(stack, code):
    result = stack.manage("shell", "-c", code, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def serve_worker_pid(stack):
    """The task worker serve.py started beside gunicorn (its child)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = re.search(r"^PPid:\s+(\d+)", status, re.M).group(1)
        if int(parent) == stack.process.pid and b"serve-worker" in command:
            return int(proc.name)
    raise AssertionError("serve.py's task worker is not running")


QUEUED_OR_RUNNING = """
from django_tasks_db.models import DBTaskResult
print(DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count())
"""


@pytest.fixture
def alone(stack):
    """Only the test's own worker takes tasks: serve.py's is stopped (SIGSTOP)
    while the test runs, and goes on afterwards. It is stopped once it has done
    what earlier tests on the stack queued (their emails would otherwise be
    sent by the test's worker and counted by the sink's hold)."""
    deadline = time.monotonic() + 120
    while (left := shell(stack, QUEUED_OR_RUNNING)) != "0":
        assert time.monotonic() < deadline, f"{left} earlier tasks still queued or running"
        time.sleep(0.2)
    pid = serve_worker_pid(stack)
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def received(sink, mark):
    """How many emails each of the post's subscribers received."""
    counts = {}
    for recipients, _ in list(sink.messages):  # a copy: the sink's thread appends
        for to in recipients:
            if to.startswith(f"{mark}-"):
                counts[to] = counts.get(to, 0) + 1
    return counts


def test_a_worker_killed_mid_send_and_started_again_sends_each_email_once(stack, alone):
    sink = stack.sink
    mark = f"killed-{uuid.uuid4().hex[:6]}"
    pk = int(shell(stack, MAKE_SUBSCRIBERS_AND_POST.format(mark=mark, count=READERS)))
    worker_id = f"newsletter-{mark}"
    first = task_worker(stack.env, worker_id)
    again = None
    sink.hold_after(150)
    try:
        assert shell(stack, PUBLISH.format(pk=pk)) == "1"
        assert sink.holding.wait(timeout=120), received(sink, mark)
        os.kill(first.pid, signal.SIGKILL)  # in the middle of its second batch
        first.wait(timeout=30)
        sink.release()  # the email it was sending is refused: never delivered
        assert len(received(sink, mark)) == 150
        # Half a batch left claimed by the dead worker's task: nobody else takes it.
        assert shell(stack, STATES.format(pk=pk)) == "[('queued', 150), ('sent', 150)] 50"

        again = task_worker(stack.env, worker_id)  # the same worker, started again
        deadline = time.monotonic() + 120
        while len(received(sink, mark)) < READERS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # anything sent twice would arrive now
    finally:
        sink.release()
        for process in (first, again):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    counts = received(sink, mark)
    assert len(counts) == READERS, f"{len(counts)} of {READERS} received"
    assert set(counts.values()) == {1}
    assert shell(stack, STATES.format(pk=pk)) == f"[('sent', {READERS})] 0"
