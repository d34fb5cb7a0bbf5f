"""Staff's second factor in Chromium, with its virtual authenticator.

Chromium's DevTools protocol gives a page a virtual authenticator (a
passkey-capable device that says yes at once: ``WebAuthn.enable``,
``WebAuthn.addVirtualAuthenticator``), so the real django-otp-webauthn
scripts run under the site's CSP against the real views.

- A new editor signs in with a password, is led to enrol, adds a passkey,
  signs out, and signs in with the passkey alone.
- A moderator enrols an authenticator app and signs in with a code.
- An administrator resets a person's factors; that person is signed out.
"""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.accounts.conftest import totp_code

from .axe_audit import assert_accessible
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CEREMONY_MS = 30_000  # a passkey ceremony, waited for on a busy machine


@pytest.fixture
def required(settings, live_server):
    settings.STAFF_TWO_FACTOR = "required"
    # Passkeys belong to the site's origin: here, the live server's.
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
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
    return cdp


def password_step(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page):
    page.goto("/admin/")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in again")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))


def test_a_new_editor_enrols_a_passkey_and_signs_in_with_it_alone(
    page, editor_user, required, watch
):
    virtual_authenticator(page)
    password_step(page, editor_user)
    # Led to enrol: the admin does not open yet.
    expect(page).to_have_url(re.compile(r"/admin/two-factor/\?next="))
    expect(page.get_by_text("before the admin opens")).to_be_visible()
    expect(page.get_by_role("button", name="Add a passkey")).to_be_visible()
    assert_accessible(page, "enrolment")
    page.goto("/admin/articles/post/")
    expect(page).to_have_url(re.compile(r"/admin/two-factor/"))

    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("cell", name="Passkey", exact=True)).to_be_visible()
    assert WebAuthnCredential.objects.filter(user=editor_user, confirmed=True).count() == 1
    page.get_by_role("button", name="Make recovery codes").click()
    expect(page.locator(".two-factor-codes li")).to_have_count(10)
    assert_accessible(page, "the recovery codes")

    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Posts and comments")).to_be_visible()

    log_out(page)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Posts and comments")).to_be_visible()
    watch.assert_clean()


def test_a_moderator_enrols_an_app_and_signs_in_with_a_code(page, moderator_user, required, watch):
    password_step(page, moderator_user)
    expect(page).to_have_url(re.compile(r"/admin/two-factor/"))
    page.get_by_role("link", name="Add an authenticator app").click()
    expect(page.get_by_alt_text("QR code for your authenticator app")).to_be_visible()
    assert_accessible(page, "adding an app")
    device = TOTPDevice.objects.get(user=moderator_user, confirmed=False)
    page.get_by_label("Name").fill("Morgan's phone")
    page.get_by_label("Code from the app").fill(totp_code(device))
    page.get_by_role("button", name="Add the app").click()
    expect(page.locator(".two-factor-codes li")).to_have_count(10)
    page.get_by_role("link", name="I wrote them down").click()
    expect(page.get_by_role("cell", name="Morgan's phone", exact=True)).to_be_visible()
    assert_accessible(page, "the factors page")

    log_out(page)
    password_step(page, moderator_user)
    expect(page).to_have_url(re.compile(r"/admin/two-factor/verify/"))
    assert_accessible(page, "the second step")
    device.refresh_from_db()
    page.get_by_label("Code").fill(totp_code(device, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Posts and comments")).to_be_visible()
    watch.assert_clean()


def test_an_administrator_resets_a_persons_factors(new_page, editor_user, required, watch):
    from django.contrib.auth import get_user_model

    device = TOTPDevice.objects.create(user=editor_user, name="Erin's phone", confirmed=True)
    ada = get_user_model().objects.create_superuser("ada", "ada@example.com", PASSWORD)
    TOTPDevice.objects.create(user=ada, name="Ada's phone", confirmed=True)

    erin = new_page()
    password_step(erin, editor_user)
    erin.get_by_label("Code").fill(totp_code(device))
    erin.get_by_role("button", name="Verify").click()
    expect(erin.get_by_role("heading", name="Posts and comments")).to_be_visible()

    admin = new_page()
    password_step(admin, ada)
    admin.get_by_label("Code").fill(totp_code(ada.totpdevice_set.get()))
    admin.get_by_role("button", name="Verify").click()
    admin.locator("#content").get_by_role("link", name="Two-factor sign-in").click()
    row = admin.get_by_role("row").filter(has_text=editor_user.get_username())
    row.get_by_role("checkbox").check()
    admin.locator("select[name=action]").select_option(value="reset_factors")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text("factors were reset")).to_be_visible()

    assert not TOTPDevice.objects.filter(user=editor_user).exists()
    assert LogEntry.objects.filter(object_id=str(editor_user.pk), user=ada).exists()
    erin.reload()
    expect(erin).to_have_url(re.compile(r"/admin/login/"))
    watch.assert_clean()


def test_a_passkey_made_for_another_origin_is_refused(
    page, editor_user, required, settings, watch
):
    """The site checks the origin the browser signed: a passkey ceremony run
    from an origin other than SITE_URL's (a phishing copy of the site) adds
    nothing and signs no one in."""
    virtual_authenticator(page)
    password_step(page, editor_user)
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["https://blog.example.com"]
    watch.expect_status(422, "/admin/two-factor/passkeys/registration/complete/")
    page.get_by_role("button", name="Add a passkey").click()
    # A ceremony is several round trips and the authenticator's signing: on a
    # clean clone's CI, both workers busy, it took longer than 10 s twice.
    expect(page.locator("#passkey-register-status-message")).to_contain_text(
        "Registration failed", timeout=CEREMONY_MS
    )
    assert not WebAuthnCredential.objects.filter(user=editor_user, confirmed=True).exists()

    # Made at the right origin, then offered where the site expects another.
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [page.url.split("/admin/")[0]]
    page.reload()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("cell", name="Passkey", exact=True)).to_be_visible(timeout=CEREMONY_MS)
    log_out(page)
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["https://blog.example.com"]
    watch.expect_status(
        422, "/admin/two-factor/passkeys/authentication/complete/?next=%2Fadmin%2F"
    )
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("#passkey-verification-status-message")).to_contain_text(
        "Invalid authentication response", timeout=CEREMONY_MS
    )
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    watch.assert_clean()
