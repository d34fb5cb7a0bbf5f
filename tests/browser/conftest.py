"""Real-browser tests: Debian's Chromium, driven by Playwright, against
pytest-django's live server.

- One Chromium for all browser tests; every test gets fresh contexts (no
  cookies, no cache shared between tests or between two "readers").
- Every page is watched: console messages, uncaught errors, Content-Security-
  Policy violations, failed responses and every request's address; a test
  ends with ``watch.assert_clean()``.
- Screenshots go to ``artifacts/screenshots/`` (gitignored, kept by CI).
  Those the README shows are copied to ``docs/screenshots/`` when missing, or
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

import io
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command, get_commands

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT_MS = 10_000
PASSWORD = "a known browser-test password 42"

# Reports CSP violations from the page to the test (the binding is not
# subject to the page's policy). Installed before any page script runs.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${event.documentURI}`
  );
});
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid and not item.get_closest_marker("browser"):
            raise pytest.UsageError(
                f"{item.nodeid}: mark every browser test with @pytest.mark.browser"
            )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- environment ------------------------------------------------------------


@pytest.fixture(scope="package", autouse=True)
def _allow_async_unsafe():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _serve_media(settings):
    """Uploaded pictures load in the browser (tests/browser/urls.py)."""
    settings.ROOT_URLCONF = "tests.browser.urls"


@pytest.fixture(scope="package")
def browser(_allow_async_unsafe):
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:  # pragma: no cover
        pytest.fail(
            f"The browser tests need the Playwright package ({error}): "
            "install requirements-dev.txt (make install).",
            pytrace=False,
        )
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need it. Install "
            "Debian's package (apt-get install chromium, as .ci/run does) or set "
            "CHROMIUM_PATH. Do not run `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
        yield chromium
        chromium.close()


# --- pages ------------------------------------------------------------------


class Watch:
    """What the pages of one test did: console, errors, CSP, requests."""

    def __init__(self, base_url):
        self.origin = _origin(base_url)
        self.console = []
        self.page_errors = []
        self.csp_violations = []
        self.requests = []
        self.failed_responses = []
        self.failed_requests = []
        self.missing_favicon = False
        self.expected = set()

    def expect_status(self, status, path):
        """An error answer the test means to get (a reader's 404, a refused
        POST's 403): it, and Chromium's console line about it, are not
        complaints. Every other error answer still is."""
        self.expected.add(f"{status} {self.origin}{path}")

    def attach(self, context):
        context.expose_binding(
            "__reportCspViolation", lambda source, text: self.csp_violations.append(text)
        )
        context.add_init_script(CSP_LISTENER)
        context.on("page", self._attach_page)

    def _attach_page(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", self._request_failed)
        page.on(
            "response",
            lambda r: r.status >= 400 and self.failed_responses.append(f"{r.status} {r.url}"),
        )

    def _request_failed(self, request):
        # A request still under way when the page navigates is cancelled by
        # the browser (a card image on the index, the admin's autocomplete
        # lookup when Save is pressed): not a failure. Refused connections,
        # resets and error statuses still are.
        if request.failure == "net::ERR_ABORTED" and request.resource_type in (
            "image",
            "xhr",
            "fetch",
        ):
            return
        self.failed_requests.append(f"{request.url}: {request.failure}")

    def _console(self, message):
        text = f"{message.type}: {message.text}"
        if "Failed to load resource" in message.text:
            # Chromium's favicon request reaches no request/response event:
            # this message, with its URL, is all there is of it.
            url = message.location.get("url", "")
            if urlsplit(url).path == "/favicon.ico" and url.startswith(self.origin):
                self.missing_favicon = True
                return
            text += f" ({url})"
        self.console.append(text)

    def _about_expected_response(self, message):
        # "Failed to load resource: the server responded with a status of 404
        # (Not Found) (http://...)": the status and the address, as _console wrote.
        found = re.search(r"status of (\d{3}) .*\((\S+)\)$", message)
        return found is not None and f"{found[1]} {found[2]}" in self.expected

    def csp_problems(self):
        """Violations reported by the page, and console lines or errors about them."""
        mentions = ("Content Security Policy", "Refused")
        logged = [m for m in self.console + self.page_errors if any(w in m for w in mentions)]
        return self.csp_violations + logged

    def foreign_requests(self):
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "about:")) and _origin(url) != self.origin
        ]

    def assert_clean(self):
        """Nothing blocked by the CSP, no script error, nothing from elsewhere."""
        assert not self.csp_problems(), (
            f"blocked by the Content-Security-Policy: {self.csp_problems()}"
        )
        assert not self.page_errors, f"uncaught errors in the page: {self.page_errors}"
        unexpected = [r for r in self.failed_responses if r not in self.expected]
        errors = [
            m
            for m in self.console
            if m.startswith("error:") and not self._about_expected_response(m)
        ]
        assert not errors, f"console errors: {errors}"
        assert not unexpected, f"failed responses: {unexpected}"
        assert not self.failed_requests, f"failed requests: {self.failed_requests}"
        assert self.requests, "no request was recorded"
        assert not self.foreign_requests(), (
            f"requests to another host than {self.origin}: {self.foreign_requests()}"
        )


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
    for n, context in enumerate(contexts):
        if report is not None and report.failed:
            for m, page in enumerate(context.pages):
                name = f"FAILED-{_safe(request.node.name)}-{n}-{m}.png"
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                try:
                    page.screenshot(path=ARTIFACTS / name, full_page=True)
                except Exception:  # noqa: BLE001 (a failing page may be gone)
                    pass
        context.close()


@pytest.fixture
def page(new_page):
    """A page for one test, 1280x800."""
    return new_page()


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture
def screenshot(request):
    """screenshot(page, name, readme=False, full_page=False) -> path.

    Saved as a test artifact in artifacts/screenshots/; with ``readme`` also
    copied to docs/screenshots/<name>.png for the README when that is missing
    or UPDATE_SCREENSHOTS is set (and the picture changed).
    """
    update = os.environ.get("UPDATE_SCREENSHOTS", "") not in ("", "0")

    def take(page, name, *, readme=False, full_page=False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{_safe(name)}.png"
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


@pytest.fixture
def demo(transactional_db):
    """The demo content, as `make run` loads it (and demo comments and pages,
    once their apps provide them)."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    for command in ("load_demo_comments", "load_demo_pages"):
        if command in get_commands():
            call_command(command, stdout=out)
    return out.getvalue()


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
