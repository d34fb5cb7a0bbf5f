"""Production sets for the tests that use real sockets, each started once:

* ``stack``: glutablog as production runs it: nginx with its page cache,
  gunicorn, the task worker, PostgreSQL and Redis, mail to an SMTP server of
  the test's own, and nginx's clock in the test's hands (stack.py). The
  journeys through it run in Chromium (test_journeys.py);
* ``site``: glutablog itself (production settings, a fresh SQLite file with
  the demo content, collectstatic) behind nginx, exactly as `make serve` runs it;
* ``standin``: the same nginx in front of tests/production/standin_app.py, a
  WSGI app sending the page cache contract's headers (and its mistakes).

Every test here is marked ``production`` (tests/conftest.py: ``pytest -m "not
production"`` leaves the tier out). Under pytest-xdist each set is started
once: the tests using it form one ``xdist_group`` (``--dist loadgroup``, as
``make test`` runs), run by one worker. So do the tests of a module that starts
a set of its own (a module-scoped ``cluster``, a migrated template): grouped by
module, one worker starts it, where two would each start theirs. (pytest is
pinned below 9: pytest-xdist 3.8.0 cannot group under pytest 9, its issue 1386.)
"""

import uuid
from pathlib import Path

import pytest

from .helpers import Shell, manage, production_env
from .servers import serve
from .stack import REDIS_URL, NginxClock, Sink, postgres_database

PASSWORD = "a known production-tier password 42"
# The demo's accounts (load_demo makes them without a password when DEBUG is
# off), given one here so the journeys can log in through the real form.
SET_PASSWORDS = f"""
from django.contrib.auth import get_user_model
for user in get_user_model().objects.filter(username__in=["editor", "moderator", "admin"]):
    user.email = user.username + "@staff.example.com"
    user.set_password({PASSWORD!r})
    user.save()
"""


HERE = Path(__file__).resolve().parent
SETS = ("stack", "site", "standin")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if not item.path.is_relative_to(HERE):
            continue
        used = [name for name in SETS if name in getattr(item, "fixturenames", ())]
        group = used[0] if used else item.path.stem
        item.add_marker(pytest.mark.xdist_group(f"production-{group}"))


# Each gunicorn worker's own cache: these tests are about nginx, and leave no
# keys behind in a Redis others use.
LOCAL_CACHE = "locmemcache://"

# A file a reader might upload, and files that must never run in a browser.
MEDIA_FILES = {
    "uploads/photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "uploads/page.html": b"<!doctype html><script>alert(document.cookie)</script>",
    "uploads/drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
}


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    clock = NginxClock(tmp / "clock")
    for name, content in MEDIA_FILES.items():
        path = tmp / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    env = production_env(
        SITE_URL=None,  # the address nginx serves, chosen with the ports
        CACHE_URL=LOCAL_CACHE,
        DATABASE_URL=f"sqlite:///{tmp / 'site.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        AXES_FAILURE_LIMIT="3",
        WEB_CONCURRENCY="2",
        GUNICORN_ACCESSLOG=str(tmp / "gunicorn-access.log"),
        # Mail as files, written by the task worker serve.py starts (four
        # slashes: django-environ drops one from the path).
        EMAIL_URL=f"filemail:///{tmp / 'mail'}",
        LOG_LEVEL="WARNING",
        **clock.env(),
    )
    served = serve(tmp / "run", env)
    served.mail_dir = tmp / "mail"
    served.clock = clock
    try:
        result = manage("load_demo", env=served.env)
        assert result.returncode == 0, result.stderr
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="session")
def standin(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("standin")
    clock = NginxClock(tmp / "clock")
    env = production_env(
        SITE_URL=None,
        CACHE_URL=LOCAL_CACHE,
        STANDIN_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'unused.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        WEB_CONCURRENCY="2",
        **clock.env(),
    )
    served = serve(
        tmp / "run", env, "--app", "tests.production.standin_app:application", "--skip-setup"
    )
    served.standin_dir = tmp
    served.clock = clock
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """glutablog on PostgreSQL and Redis behind nginx, with its task worker, the
    demo content (posts, comments, pages) and the demo accounts' passwords."""
    tmp = tmp_path_factory.mktemp("stack")
    sink = Sink().start()
    clock = NginxClock(tmp / "clock")
    with postgres_database() as database_url:
        env = production_env(
            SITE_URL=None,  # the address nginx serves, chosen with the ports
            DATABASE_URL=database_url,
            CACHE_URL=REDIS_URL,
            CACHE_KEY_PREFIX=f"tier-{uuid.uuid4().hex[:10]}",
            EMAIL_URL=sink.url,
            STATIC_ROOT=str(tmp / "static"),
            MEDIA_ROOT=str(tmp / "media"),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            WEB_CONCURRENCY="2",
            GUNICORN_ACCESSLOG=str(tmp / "gunicorn-access.log"),
            LOG_LEVEL="WARNING",
            **clock.env(),
        )
        # gunicorn on its unix socket, as `make serve` starts it: nginx is the only way in.
        served = serve(tmp / "run", env, tcp_app=False)
        served.sink = sink
        served.clock = clock
        served.password = PASSWORD
        served.manage = Shell(served.env)
        try:
            for command in ("load_demo", "load_demo_comments", "load_demo_pages"):
                result = served.manage(command)
                assert result.returncode == 0, result.stderr
            result = served.manage("shell", "-c", SET_PASSWORDS)
            assert result.returncode == 0, result.stderr
            yield served
        finally:
            served.manage.stop()
            served.stop()
            sink.stop()
