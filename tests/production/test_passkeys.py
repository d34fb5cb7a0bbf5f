"""A passkey sign-in through the production stack, in Chromium.

The stack (conftest.stack: nginx with its self-signed certificate, gunicorn,
the task worker, PostgreSQL, Redis) serves SITE_URL=https://127.0.0.1:<port>,
whose passkeys belong to ``localhost`` on the same scheme and port (browsers
take no IP address as a passkey's site; glutablog/settings.py): the browser
opens the site at https://localhost:<port>.

Chromium refuses WebAuthn on a page with a certificate error, except with a
virtual authenticator, which skips that check: a journey with Playwright's
``ignore_https_errors`` would pass while a person with a real passkey is
refused on the same page. So this Chromium is started with
``--ignore-certificate-errors-spki-list`` naming this stack's own key (the
base64 SHA-256 of the certificate's SubjectPublicKeyInfo): that certificate
counts as valid, and the test checks through the DevTools protocol's Security
domain that the pages the ceremonies run on are "secure" with no certificate
error, as on a real site with a real certificate. Any other certificate is
still refused. The address and the flag are the ones deploy.serve prints as
it starts (`make serve`): what a person is told is what is tested.

The journey: a new editor (no factor yet; STAFF_TWO_FACTOR is required, as in
production) signs in with a password, is led to enrol before any admin page
opens, adds a passkey (Chromium's virtual authenticator, over the DevTools
protocol), signs out, signs in with the passkey alone and opens a post.
"""

import re
import uuid

import pytest
from playwright.sync_api import Error, expect, sync_playwright

from deploy import nginx_config
from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    Watch,
    launch_chromium,
    screenshot_failed_pages,
)

pytestmark = pytest.mark.browser

NEW_EDITOR = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user({username!r}, {username!r} + "@staff.example.com", {password!r})
user.groups.add(Group.objects.get(name="Editors"))
"""


PRINTED = re.compile(
    r"serve: passkeys: open (?P<origin>https://\S+)/ in a browser that trusts \S+ "
    r"\(Chromium: (?P<flag>--ignore-certificate-errors-spki-list=\S+)\)"
)


@pytest.fixture(scope="module")
def printed(stack):
    """What deploy.serve tells a person about passkeys as it starts (`make
    serve`): the address to open and Chromium's flag for the certificate."""
    found = PRINTED.search(stack.log())
    assert found, f"deploy.serve printed nothing about passkeys:\n{stack.log()[-3000:]}"
    return found


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def chromium(playwright, printed, stack):
    """Chromium started as deploy.serve says: it takes the stack's
    certificate, and only it, as valid."""
    assert printed["flag"].endswith(nginx_config.spki_sha256(stack.certificate))
    launch_chromium(playwright).close()  # a clear failure if Chromium is missing
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, printed["flag"]]
        )
    except Error as error:
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
    yield browser
    browser.close()


@pytest.fixture
def origin(printed, stack):
    """Where the stack's passkeys belong, as deploy.serve prints it: its
    SITE_URL is https://127.0.0.1:<port>, and browsers take no IP address as
    a passkey's site, so localhost on nginx's https port."""
    assert printed["origin"] == f"https://localhost:{stack.https_port}"
    return printed["origin"]


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
    result = stack.manage("shell", "-c", code)
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


def security_states(page):
    """The page's security states as Chromium shows them (the lock icon's),
    newest last: ``securityState`` and the certificate's network error."""
    states = []
    cdp = page.context.new_cdp_session(page)
    cdp.on(
        "Security.visibleSecurityStateChanged",
        lambda event: states.append(event["visibleSecurityState"]),
    )
    cdp.send("Security.enable")
    return states


def assert_secure(states):
    """The page now shown has a valid certificate: what WebAuthn needs for a
    real authenticator (and a virtual one does not check)."""
    assert states, "Chromium reported no security state"
    state = states[-1]
    error = state.get("certificateSecurityState", {}).get("certificateNetworkError")
    assert (state["securityState"], error) == ("secure", None), state


def test_only_the_stacks_certificate_is_trusted(playwright, page, origin, stack):
    """The stack's page opens "secure", without a certificate error, where
    WebAuthn exists. The same page in a Chromium without the flag is refused;
    told to ignore the error, it opens "insecure-broken" (the check above is
    what tells the two apart)."""
    states = security_states(page)
    page.goto("/admin/login/")
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
    assert_secure(states)
    assert page.evaluate("window.isSecureContext")
    assert page.evaluate("typeof PublicKeyCredential") == "function"

    plain = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
            plain.new_page().goto(f"{origin}/admin/login/")
        ignoring = plain.new_page(ignore_https_errors=True)
        ignored = security_states(ignoring)
        ignoring.goto(f"{origin}/admin/login/")
        expect(ignoring.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
        with pytest.raises(AssertionError, match="insecure-broken"):
            assert_secure(ignored)
    finally:
        plain.close()


def test_a_new_editor_enrols_a_passkey_and_signs_in_with_it_alone(
    page, stack, new_editor, origin, watch
):
    cdp, authenticator = virtual_authenticator(page)
    states = security_states(page)
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
    assert_secure(states)

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
    assert_secure(states)
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
