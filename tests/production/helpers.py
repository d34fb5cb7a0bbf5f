"""Run manage.py in a child process with a chosen environment.

Settings are read once per process, so production settings (DEBUG off, no
development defaults) can only be tested for real in a fresh process.
"""

import json
import os
import secrets
import select
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

# Variables that would leak the test run's own configuration into the child.
_CLEARED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "TRUSTED_PROXY_COUNT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "DJANGO_SETTINGS_MODULE",
}


def production_env(**overrides):
    """The environment of a production start: every required variable set."""
    env = {key: value for key, value in os.environ.items() if key not in _CLEARED}
    env.update(
        {
            "DEBUG": "off",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "blog.example.com",
            "CSRF_TRUSTED_ORIGINS": "https://blog.example.com",
            "SITE_URL": "https://blog.example.com",
            # A shared cache, as production with several processes has.
            "CACHE_URL": "redis://127.0.0.1:6379/1",
        }
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def task_worker(env, worker_id):
    """A task worker of the test's own on a set's environment (`manage.py
    task_worker`, polling every 0.2 s), beside the one serve.py started."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "task_worker", "--no-reload", "--interval", "0.2",
         "--worker-id", worker_id],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


# The loop a ``Shell`` runs: Django set up once, then one management command
# per line read (its arguments as JSON), answered on a descriptor of its own
# so that nothing else the process prints can be taken for the answer.
_SHELL_LOOP = r"""
import contextlib, io, json, os, sys, traceback
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
import django
django.setup()
from django.core.management import call_command
from django.db import connections
for line in sys.stdin:
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            call_command(*json.loads(line))
        status = 0
    except BaseException:
        err.write(traceback.format_exc())
        status = 1
    finally:
        connections.close_all()
    answers.write(json.dumps([status, out.getvalue(), err.getvalue()]) + "\n")
    answers.flush()
"""


class Shell:
    """``manage(...)`` for a production set, answered by one long-lived Django
    process on the set's environment instead of a new one per command.

    A test that changes the data the way an editor's saves do (`manage.py
    shell -c` with the model's own methods) pays Django's start-up once per
    set, not once per change. Each command runs as `manage.py` would run it,
    with fresh database connections (closed after every command); what needs a
    process of its own (one that dies half-way, settings read anew) still
    calls ``manage``."""

    def __init__(self, env):
        self.env = env
        self.process = None

    def __call__(self, *args, timeout=120):
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _SHELL_LOOP],
                cwd=BASE_DIR,
                env={"DJANGO_SETTINGS_MODULE": "glutablog.settings", **self.env},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        self.process.stdin.write(json.dumps(args) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise AssertionError(f"manage.py {' '.join(args)[:200]} gave no answer in {timeout} s")
        status, stdout, stderr = json.loads(line)
        return subprocess.CompletedProcess(args, status, stdout, stderr)

    def stop(self):
        if self.process is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
