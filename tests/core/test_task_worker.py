"""`manage.py task_worker --worker-id NAME` (core/management/commands/
task_worker.py): started again under its name, a worker first queues again
the tasks its killed predecessor left running, and leaves other workers'
alone. The production tier kills a real worker mid-way
(tests/production/test_cluster.py)."""

import os
import signal
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments.notifications import send_deletion_link


@pytest.fixture
def signals_kept():
    """db_worker sets its own SIGINT/SIGTERM handlers: pytest's come back after."""
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in kept.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_again_runs_what_it_left_running(settings, signals_kept):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mine = send_deletion_link.enqueue("mine@example.org")
    theirs = send_deletion_link.enqueue("theirs@example.org")
    # As db_worker claims them: running, under the claiming worker's id.
    DBTaskResult.objects.filter(pk=mine.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["worker-1"]
    )
    DBTaskResult.objects.filter(pk=theirs.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["worker-2"]
    )

    call_command(
        "task_worker", "--worker-id", "worker-1", "--batch", "--no-startup-delay", "--no-reload"
    )

    mine_now, theirs_now = (DBTaskResult.objects.get(pk=r.id) for r in (mine, theirs))
    assert mine_now.status == TaskResultStatus.SUCCESSFUL
    assert mine_now.worker_ids == ["worker-1", "worker-1"]  # claimed again, by its own
    assert theirs_now.status == TaskResultStatus.RUNNING  # another worker's: not touched


@pytest.mark.parametrize(
    "target, worker_id", [("worker", "worker-1"), ("worker WORKER_ID=worker-2", "worker-2")]
)
def test_make_worker_runs_the_worker_that_takes_back_its_own_tasks(target, worker_id):
    """`make worker` starts task_worker under a fixed id, as `make serve` and
    `make cluster` do (db_worker alone would leave a killed run's task
    running for ever). Read from make's dry run: nothing is started."""
    base = Path(__file__).resolve().parents[2]
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", *target.split()],
        cwd=base,
        # Not a sub-make of `make test`'s: its flags would come along.
        env={k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    command = dry_run[-1]
    assert "manage.py task_worker --no-reload" in command
    assert f"--worker-id {worker_id}" in command
