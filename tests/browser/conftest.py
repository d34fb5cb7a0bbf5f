"""Real-browser tests: Debian's Chromium, driven by Playwright, against
pytest-django's live server.

- One Chromium for all browser tests; every test gets fresh contexts (no
  cookies, no cache shared between tests or between two "readers").
- Every page is watched: console messages, uncaught errors, Content-Security-
  Policy violations, failed responses and every request's address; a test
  ends with ``watch.assert_clean()``.
- Screenshots go to ``artifacts/screenshots/`` (gitignored, kept by CI).
  Those the docs show are copied to ``docs/screenshots/`` when missing, or
  refreshed on request: ``UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/browser``
  (a plain test run never changes committed files; some pictures show ages
  and dates that change from day to day).
- Chromium missing is an error with a clear message, never a skip: CI
  installs it (``.ci/run``).

Playwright's sync API keeps an asyncio loop running in the main thread, so
Django refuses ORM calls there (SynchronousOnlyOperation) unless
DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set for this package only, for as long
as Playwright runs (which includes the database flush after each test), and
Playwright is stopped when the package's tests are done, so later tests run
as usual.
"""

import os
import shutil
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .demo_data import DemoCopy
from .support import (
    ARTIFACTS,
    ROOT,
    TIMEOUT_MS,
    Watch,
    launch_chromium,
    safe_name,
    screenshot_failed_pages,
)

DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "a known browser-test password 42"


# --- environment ------------------------------------------------------------


@pytest.fixture(scope="package", autouse=True)
def _allow_async_unsafe():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, answering one request at a time.

    On SQLite in memory its request threads share the test database's one
    connection, and two requests at once (a page and the favicon, or a
    late script of the page before) can each open a transaction on it:
    "cannot start a transaction within a transaction", a 500 in a journey
    (Django's documentation of LiveServerTestCase warns of simultaneous
    queries on the shared connection). Each answer is read whole inside the
    lock, the session's save and the response's close included."""
    server = live_server.thread.httpd
    server.set_app(one_at_a_time(server.get_app()))
    return live_server


def one_at_a_time(app):
    lock = threading.Lock()

    def serial_app(environ, start_response):
        with lock:
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        return [body]

    return serial_app


@pytest.fixture(autouse=True)
def _serve_media(settings):
    """Uploaded pictures load in the browser (tests/browser/urls.py)."""
    settings.ROOT_URLCONF = "tests.browser.urls"


@pytest.fixture(scope="package")
def browser(_allow_async_unsafe):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover
        pytest.fail(
            f"The browser tests need the Playwright package ({error}): "
            "install requirements-dev.txt (make install).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


# --- pages ------------------------------------------------------------------


@pytest.fixture
def watch(live_server):
    return Watch(live_server.url)


@pytest.fixture
def new_page(browser, live_server, watch, request):
    """new_page(**context_options): a page in a new browser context (a new
    visitor, with its own cookies). Failing tests leave a screenshot of
    every page open."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        watch.attach(context)
        contexts.append(context)
        return context.new_page()

    yield make

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        screenshot_failed_pages(contexts, request.node.name)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page for one test, 1280x800."""
    return new_page()


@pytest.fixture
def screenshot(request):
    """screenshot(page, name, readme=False, full_page=False) -> path.

    Saved as a test artifact in artifacts/screenshots/; with ``readme`` also
    copied to docs/screenshots/<name>.png for the docs when that is missing
    or UPDATE_SCREENSHOTS is set (and the picture changed).
    """
    update = os.environ.get("UPDATE_SCREENSHOTS", "") not in ("", "0")

    def take(page, name, *, readme=False, full_page=False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{safe_name(name)}.png"
        # Caret and scrollbars out of the picture: stable screenshots.
        page.screenshot(path=path, full_page=full_page, animations="disabled", caret="hide")
        if readme:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            target = DOCS_SCREENSHOTS / path.name
            if not target.exists() or (update and target.read_bytes() != path.read_bytes()):
                shutil.copyfile(path, target)
        return path

    return take


# --- data -------------------------------------------------------------------


@pytest.fixture(scope="package")
def _demo_copy(_allow_async_unsafe, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for this package's tests (demo_data.py)."""
    copy = DemoCopy(tmp_path_factory.mktemp("demo-media"))
    with django_db_blocker.unblock():
        copy.make()
    yield copy
    with django_db_blocker.unblock():
        copy.close()


@pytest.fixture
def demo(transactional_db, _demo_copy, settings):
    """The demo content, as `make run` loads it (posts, comments and pages),
    in the test's own database and media folder; returns what the commands
    printed."""
    _demo_copy.put_back(settings.MEDIA_ROOT)
    return _demo_copy.output


def _user(username, group_name, **extra):
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.com",
        is_staff=True,
        **extra,
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor_user(transactional_db):
    return _user("browser-editor", "Editors", first_name="Erin", last_name="Browser")


@pytest.fixture
def moderator_user(transactional_db):
    return _user("browser-moderator", "Moderators", first_name="Morgan", last_name="Browser")


@pytest.fixture
def admin_login():
    """admin_login(page, user): log in through the admin's login form."""

    def login(page, user):
        page.goto("/admin/")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/admin/")
        return page

    return login
