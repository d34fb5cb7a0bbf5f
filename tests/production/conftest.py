"""Two production sets for the tests that use real sockets, each started once:

* ``site``: glutablog itself (production settings, a fresh SQLite file with
  the demo content, collectstatic) behind nginx, exactly as `make serve` runs it;
* ``standin``: the same nginx in front of tests/production/standin_app.py, a
  WSGI app sending the page cache contract's headers (and its mistakes).
"""

import pytest

from .helpers import manage, production_env
from .servers import serve

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
    )
    served = serve(tmp / "run", env)
    served.mail_dir = tmp / "mail"
    try:
        result = manage("load_demo", env=served.env)
        assert result.returncode == 0, result.stderr
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="session")
def standin(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("standin")
    env = production_env(
        SITE_URL=None,
        CACHE_URL=LOCAL_CACHE,
        STANDIN_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'unused.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        WEB_CONCURRENCY="2",
    )
    served = serve(
        tmp / "run", env, "--app", "tests.production.standin_app:application", "--skip-setup"
    )
    served.standin_dir = tmp
    try:
        yield served
    finally:
        served.stop()
