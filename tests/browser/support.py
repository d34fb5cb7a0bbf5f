"""What every real-browser test needs, whatever serves the pages: Debian's
Chromium started by Playwright, and a watch on what each page did (console,
errors, Content-Security-Policy reports, failed and foreign requests).

Used by tests/browser (pages from pytest-django's live server) and by the
production tier in tests/production (pages from nginx and gunicorn).
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

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
TIMEOUT_MS = 10_000
# Assertions wait as long as actions do (Playwright's own default is 5 s): on
# two busy cores (both xdist workers, each with its live server, Chromium and
# nginx) a passkey ceremony's three requests took longer than 5 s.
expect.set_options(timeout=TIMEOUT_MS)

# Reports CSP violations from the page to the test (the binding is not
# subject to the page's policy). Installed before any page script runs.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${event.documentURI}`
  );
});
"""


def launch_chromium(playwright):
    """Debian's Chromium, or a test failure that says what to install."""
    from playwright.sync_api import Error

    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need it. Install "
            "Debian's package (apt-get install chromium, as .ci/run does) or set "
            "CHROMIUM_PATH. Do not run `playwright install`.",
            pytrace=False,
        )
    try:
        return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Error as error:
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)


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
        # lookup or a script when Save is pressed on a busy machine): not a
        # failure. Refused connections,
        # resets and error statuses still are.
        if request.failure == "net::ERR_ABORTED" and request.resource_type in (
            "image",
            "xhr",
            "fetch",
            "script",  # the admin's filters.js, still loading when Save is pressed
            "stylesheet",
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


def safe_name(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


def screenshot_failed_pages(contexts, test_name):
    """A screenshot of every page still open, for a test that failed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for n, context in enumerate(contexts):
        for m, page in enumerate(context.pages):
            try:
                page.screenshot(
                    path=ARTIFACTS / f"FAILED-{safe_name(test_name)}-{n}-{m}.png", full_page=True
                )
            except Exception:  # noqa: BLE001 (a failing page may be gone)
                pass
