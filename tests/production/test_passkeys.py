"""A passkey sign-in through the production stack, in Chromium.

The stack (conftest.stack: nginx with its self-signed certificate, gunicorn,
the task worker, PostgreSQL, Redis) serves SITE_URL=https://127.0.0.1:<port>,
whose passkeys belong to ``localhost`` on the same scheme and port (browsers
take no IP address as a passkey's site; glutablog/settings.py): the browser
opens the site at https://localhost:<port>.

Chromium refuses WebAuthn on a page whose certificate it does not trust, and
`ignore_https_errors` does not make the page trusted. So this Chromium is
started with ``--ignore-certificate-errors-spki-list`` naming this stack's own
key (the base64 SHA-256 of the certificate's SubjectPublicKeyInfo): that one
certificate counts as valid, the page is a secure context without a
certificate error, as a real site with a real certificate is. Any other
certificate is still refused.

The journey: a new editor (no factor yet; STAFF_TWO_FACTOR is required, as in
production) signs in with a password, is led to enrol before any admin page
opens, adds a passkey (Chromium's virtual authenticator, over the DevTools
protocol), signs out, signs in with the passkey alone and opens a post.
"""

import base64
import hashlib
import re
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Error, expect, sync_playwright

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    Watch,
    launch_chromium,
    screenshot_failed_pages,
)

from .helpers import manage

pytestmark = pytest.mark.browser

NEW_EDITOR = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user({username!r}, {username!r} + "@staff.example.com", {password!r})
user.groups.add(Group.objects.get(name="Editors"))
"""


def spki_hash(certificate_path):
    """base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate: the form
    Chromium's --ignore-certificate-errors-spki-list takes."""
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def chromium(playwright, stack):
    """Chromium that takes the stack's certificate, and only it, as valid."""
    launch_chromium(playwright).close()  # a clear failure if Chromium is missing
    trust = f"--ignore-certificate-errors-spki-list={spki_hash(stack.certificate)}"
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, trust]
        )
    except Error as error:
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
    yield browser
    browser.close()


@pytest.fixture
def origin(stack):
    """Where the stack's passkeys belong: localhost, on nginx's https port."""
    return f"https://localhost:{stack.https_port}"


@pytest.fixture
def watch(origin):
    return Watch(origin)


@pytest.fixture
def page(chromium, origin, watch, request):
    """A new browser (its own cookies) on the stack at localhost, with no
    certificate error to ignore."""
    context = chromium.new_context(base_url=origin, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    watch.attach(context)
    yield context.new_page()
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        screenshot_failed_pages([context], request.node.name)
    context.close()


@pytest.fixture
def new_editor(stack):
    """A new member of Editors with a password and no second factor yet."""
    username = f"nova{uuid.uuid4().hex[:6]}"
    code = NEW_EDITOR.format(username=username, password=stack.password)
    result = manage("shell", "-c", code, env=stack.env)
    assert result.returncode == 0, result.stderr
    return username


def virtual_authenticator(page):
    """A passkey-capable device for this page that says yes at once: (the
    DevTools session, the authenticator's id)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_only_the_stacks_certificate_is_trusted(playwright, page, origin, stack):
    """The stack's page opens without a certificate error to ignore, as a
    secure context where WebAuthn exists; a Chromium without the flag refuses
    the same certificate (the flag, not luck, makes the page trusted)."""
    page.goto("/admin/login/")
    assert page.evaluate("window.isSecureContext")
    assert page.evaluate("typeof PublicKeyCredential") == "function"
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_visible()

    plain = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
            plain.new_page().goto(f"{origin}/admin/login/")
    finally:
        plain.close()


def test_a_new_editor_enrols_a_passkey_and_signs_in_with_it_alone(
    page, stack, new_editor, origin, watch
):
    cdp, authenticator = virtual_authenticator(page)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(new_editor)
    page.get_by_label("Password").fill(stack.password)
    page.get_by_role("button", name="Log in").click()

    # Led to enrol: no admin page opens before a factor is added.
    expect(page).to_have_url(re.compile(r"/admin/two-factor/\?next="))
    expect(page.get_by_text("before the admin opens")).to_be_visible()
    for path in ("/admin/", "/admin/articles/post/"):
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/admin/two-factor/\?next="))
    assert page.url.startswith(origin)

    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("cell", name="Passkey", exact=True)).to_be_visible()
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
        "credentials"
    ]
    assert credential["rpId"] == "localhost"
    assert credential["isResidentCredential"]
    page.get_by_role("button", name="Make recovery codes").click()
    expect(page.locator(".two-factor-codes li")).to_have_count(10)
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Posts and comments")).to_be_visible()

    # Signed out, the admin is closed again.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in again")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))

    # The passkey alone: no user name, no password.
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Posts and comments")).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text(new_editor)

    # A post's change page, and its live preview (a JSON endpoint behind the
    # same gate) answers the passkey's session.
    page.goto("/admin/articles/post/?q=Glutamine")
    page.locator("#result_list").get_by_role("link", name="Glutamine and Gut Health").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change post")
    expect(page.locator("#id_title")).to_have_value("Glutamine and Gut Health")
    expect(page.locator(".body-preview-status")).to_have_text("Up to date")
    watch.assert_clean()
