"""The production stack for the journeys of the production tier: what `make
serve` starts (nginx with its page cache, gunicorn, the task worker) on
PostgreSQL and Redis, with mail going to an SMTP server of the test's own.

* ``Sink``: an SMTP server on loopback (aiosmtpd) that keeps every message
  the task worker sends, so a test reads the email a reader would get.
* ``NginxClock``: nginx's clock, moved by the test instead of waiting for it.
  nginx runs under libfaketime (Debian's ``faketime`` package), whose offset
  is read from a file at each clock reading: ``clock.advance(3)`` makes every
  copy nginx holds three seconds older at once. Only nginx's clock moves;
  Django, PostgreSQL and the browser keep the real time. The monotonic clock
  (nginx's timers) is left alone.
* ``postgres_database()``: a database of the stack's own, made and dropped
  around it (never the one pytest-django uses).

tests/production/conftest.py starts one stack per test session.
"""

import asyncio
import glob
import os
import re
import stat
import threading
import time
import uuid
from contextlib import contextmanager
from email import message_from_bytes, policy
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from deploy import nginx_config

from .servers import free_ports

PG_ADMIN_URL = os.environ.get("TIER_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Not the database the tests' own Redis cache clears (CACHE_URL of make test-pg):
# a number of its own, and a key prefix per stack.
REDIS_URL = os.environ.get("TIER_REDIS_URL", "redis://127.0.0.1:6379/7")
LIBFAKETIME_GLOBS = (
    "/usr/lib/*/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
)


# --- PostgreSQL -----------------------------------------------------------


@contextmanager
def postgres_database(prefix="glutablog_tier"):
    """A new, empty database for the stack; dropped afterwards. Yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL does not answer at {PG_ADMIN_URL} ({error}): the production tier "
            "runs on PostgreSQL, as production does. .ci/run starts it.",
            pytrace=False,
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(PG_ADMIN_URL)
        try:
            yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- SMTP -----------------------------------------------------------------


class Sink:
    """An SMTP server on a free loopback port that keeps what it is sent.

    ``hold_after(n)``: accept ``n`` more messages, then keep the next sender
    waiting at the end of DATA, its message not accepted (``holding`` is set),
    until ``release()``, which refuses it with a 451: a test can kill the
    sender while its message is in flight and know that it was not delivered.
    """

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self._texts = []  # the plain text of messages[:len(_texts)]
        self._lock = threading.Lock()
        self._hold_at = None
        self.holding = threading.Event()
        self._released = threading.Event()
        [port] = free_ports(1)
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            held = self._hold_at is not None and len(self.messages) >= self._hold_at
            if not held:
                self.messages.append((tuple(envelope.rcpt_tos), message))
        if held:
            self.holding.set()
            while not self._released.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Held by the test, not accepted"
        return "250 Message accepted for delivery"

    def hold_after(self, count):
        with self._lock:
            self._hold_at = len(self.messages) + count
            self.holding.clear()
            self._released.clear()

    def release(self):
        with self._lock:
            self._hold_at = None
        self._released.set()

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.controller.port}"

    def texts(self):
        """The plain-text part of every message received so far, each read
        once: a test polling for a thousand mails does not parse them all again
        on every poll, taking the processor from the workers it waits on."""
        with self._lock:
            messages = self.messages[len(self._texts) :]
        self._texts.extend(text_of(message) for _, message in messages)
        return list(self._texts)

    def wait_for(self, to, subject_contains="", timeout=30):
        """The first message to ``to`` whose subject has the words (the worker
        polls its queue: mail takes a moment)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for recipients, message in self.messages:
                    if to in recipients and subject_contains in str(message["Subject"]):
                        return message
            time.sleep(0.1)
        with self._lock:
            seen = [(r, str(m["Subject"])) for r, m in self.messages]
        raise AssertionError(f"no mail to {to} about {subject_contains!r} in {timeout} s: {seen}")


def text_of(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def link_in(message, path_pattern):
    """The path of the first link in the mail's text that matches, as the
    browser would open it (the link is made from SITE_URL: this stack's)."""
    found = re.search(rf"https://\S+?({path_pattern}\S*)", text_of(message))
    assert found, f"no link like {path_pattern} in:\n{text_of(message)}"
    return found.group(1)


# --- nginx's clock --------------------------------------------------------


def libfaketime():
    for pattern in LIBFAKETIME_GLOBS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    pytest.fail(
        "libfaketime not found: the production tier moves nginx's clock with it "
        "instead of waiting. Debian: apt-get install faketime (as .ci/run does).",
        pytrace=False,
    )


class NginxClock:
    """nginx started through a wrapper that loads libfaketime, with its offset
    in a file of this clock's own. ``env()`` is what deploy/serve.py needs to
    start that wrapper (NGINX_BINARY)."""

    def __init__(self, directory):
        directory.mkdir(parents=True, exist_ok=True)
        self.offset = 0
        self.offset_file = directory / "nginx-clock"
        self.offset_file.write_text("+0\n")
        nginx = nginx_config.find_nginx()
        if nginx is None:
            pytest.fail("nginx not found (apt-get install nginx, as .ci/run does)")
        variables = {
            "LD_PRELOAD": libfaketime(),
            "FAKETIME_TIMESTAMP_FILE": str(self.offset_file),
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        }
        # nginx hands its workers only the variables named by `env`.
        keep = " ".join(f"env {name};" for name in variables)
        exports = "".join(f"export {name}='{value}'\n" for name, value in variables.items())
        self.wrapper = directory / "nginx-with-clock"
        self.wrapper.write_text(f'#!/bin/sh\n{exports}exec {nginx} -g "{keep}" "$@"\n')
        self.wrapper.chmod(self.wrapper.stat().st_mode | stat.S_IXUSR)

    def env(self):
        return {"NGINX_BINARY": str(self.wrapper)}

    def advance(self, seconds):
        """Every copy nginx holds is ``seconds`` older, at once."""
        self.offset += seconds
        self.offset_file.write_text(f"+{self.offset}\n")
