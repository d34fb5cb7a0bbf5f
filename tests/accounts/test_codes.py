"""Authenticator apps and recovery codes, each rule written as an attack."""

import logging
import re

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodes, recovery_digest
from tests.accounts.conftest import give_code, make_staff, sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db

CODE_PATTERN = re.compile(r"<code>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</code>")


def enrol_app(client, name="Pocket phone"):
    page = client.get(reverse("two_factor:add_authenticator"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    assert b"data:image/svg+xml" in page.content  # the QR code, drawn by the server
    response = client.post(
        reverse("two_factor:add_authenticator"), {"name": name, "code": totp_code(device)}
    )
    device.refresh_from_db()
    return response, device


def test_a_new_person_enrols_an_app_and_gets_ten_recovery_codes_once(client, required, db):
    nell = make_staff("nell")
    sign_in_with_password(client, nell)
    response, device = enrol_app(client)
    assert device.confirmed and device.name == "Pocket phone"
    codes = CODE_PATTERN.findall(response.content.decode())
    assert len(codes) == len(set(codes)) == 10
    assert response["Cache-Control"].startswith("max-age=0")
    # Stored as digests only: no code is in the database as typed.
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert stored == {recovery_digest(code) for code in codes}
    assert not stored & set(codes)
    # Shown once: the factors page tells how many are left, not what they are.
    page = client.get(reverse("two_factor:factors")).content.decode()
    assert "10 of 10 recovery codes left" in page
    assert not CODE_PATTERN.search(page)
    # The enrolment verified this session: the admin opens.
    assert client.get("/admin/").status_code == 200


def test_a_wrong_first_code_adds_no_app(client, required, db):
    nell = make_staff("nell")
    sign_in_with_password(client, nell)
    client.get(reverse("two_factor:add_authenticator"))
    response = client.post(
        reverse("two_factor:add_authenticator"), {"name": "phone", "code": "000000"}
    )
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_code_is_refused_the_second_time_within_its_window(client, required, staff, app_device):
    code = totp_code(app_device)
    sign_in_with_password(client, staff)
    assert give_code(client, code)["Location"] == "/admin/"
    client.logout()
    sign_in_with_password(client, staff)
    response = give_code(client, code)
    assert response.status_code == 200
    assert "That code is not right, or was used already" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # The app's next code (after the throttle's pause) works.
    app_device.refresh_from_db()
    app_device.throttle_reset()
    assert give_code(client, totp_code(app_device, steps_ahead=1))["Location"] == "/admin/"


def test_wrong_codes_count_towards_the_password_lockout(
    client, required, staff, app_device, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in_with_password(client, staff)
    for _ in range(2):
        app_device.refresh_from_db()
        app_device.throttle_reset()
        response = give_code(client, "123456")
        assert response.status_code == 200
    response = give_code(client, "654321")
    assert response.status_code in (403, 429)  # axes' lockout page
    # Locked out: signed out, and the password no longer gets in from here.
    assert client.get("/admin/")["Location"].startswith(reverse("admin:login"))
    response = client.post(
        reverse("admin:login"),
        {"username": staff.username, "password": "a long staff password 18"},
    )
    assert response.status_code in (403, 429)
    # What was typed is not kept with the attempts.
    attempt = AccessAttempt.objects.get(username=staff.username)
    assert "123456" not in attempt.post_data and "654321" not in attempt.post_data


def test_signing_in_again_with_the_password_does_not_clear_wrong_codes(
    client, required, staff, app_device, settings
):
    """The attacker who knows the password: two wrong codes, the password
    again (a correct password must not wipe the count), a third wrong code is
    the lockout. Only a whole sign-in, both steps, clears it."""
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        sign_in_with_password(client, staff)
        app_device.refresh_from_db()
        app_device.throttle_reset()
        assert give_code(client, "123456").status_code == 200
        client.logout()
    sign_in_with_password(client, staff)
    app_device.refresh_from_db()
    app_device.throttle_reset()
    assert give_code(client, "654321").status_code in (403, 429)  # axes' lockout page


def test_a_whole_sign_in_clears_the_wrong_attempts(client, required, staff, app_device, settings):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in_with_password(client, staff)
    assert give_code(client, "123456").status_code == 200
    app_device.refresh_from_db()
    app_device.throttle_reset()
    assert give_code(client, totp_code(app_device))["Location"] == "/admin/"
    assert not AccessAttempt.objects.filter(username=staff.username).exists()


def test_a_throttled_device_refuses_even_its_right_code(client, required, staff, app_device):
    sign_in_with_password(client, staff)
    give_code(client, "000000")
    response = give_code(client, totp_code(app_device))
    assert response.status_code == 200  # within the pause after a wrong code


def test_codes_are_never_logged(client, required, staff, app_device, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in_with_password(client, staff)
    wrong, right = "111111", totp_code(app_device)
    if wrong == right:
        wrong = "222222"
    give_code(client, wrong)
    app_device.refresh_from_db()
    app_device.throttle_reset()
    give_code(client, right)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert wrong not in logged and right not in logged


@pytest.fixture
def recovery_codes(staff, app_device):
    device = RecoveryCodes.objects.create(user=staff, name="Recovery codes", confirmed=True)
    return device.replace_codes()


def test_each_recovery_code_works_once(client, required, staff, recovery_codes):
    code = recovery_codes[3]
    sign_in_with_password(client, staff)
    assert give_code(client, code.lower().replace("-", " "))["Location"] == "/admin/"
    client.logout()
    RecoveryCodes.objects.update(throttling_failure_count=0)
    sign_in_with_password(client, staff)
    response = give_code(client, code)
    assert response.status_code == 200
    RecoveryCodes.objects.update(throttling_failure_count=0)
    assert give_code(client, recovery_codes[4])["Location"] == "/admin/"
    assert RecoveryCodes.objects.get().remaining() == 8


def test_new_recovery_codes_replace_the_old(verified_client, staff, recovery_codes):
    response = verified_client.post(reverse("two_factor:recovery_codes"))
    new_codes = CODE_PATTERN.findall(response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(recovery_codes)
    verified_client.logout()
    sign_in_with_password(verified_client, staff)
    assert give_code(verified_client, recovery_codes[0]).status_code == 200
    RecoveryCodes.objects.update(throttling_failure_count=0)
    assert give_code(verified_client, new_codes[0])["Location"] == "/admin/"


def test_recovery_codes_cannot_be_made_from_a_password_alone(client, required, staff, app_device):
    sign_in_with_password(client, staff)
    response = client.post(reverse("two_factor:recovery_codes"))
    assert response.status_code == 302
    assert not RecoveryCodes.objects.exists()


def test_the_second_step_does_not_follow_a_foreign_next(client, required, staff, app_device):
    sign_in_with_password(client, staff)
    response = give_code(client, totp_code(app_device), next_url="https://evil.example/")
    assert response["Location"] == reverse("admin:index")


def test_a_first_factor_ends_password_only_sessions_elsewhere(client, staff):
    """Optional: a session that signed in before the person enrolled would
    otherwise go on without the second step."""
    from django.test import Client

    elsewhere = Client()
    sign_in_with_password(elsewhere, staff)
    assert elsewhere.get("/admin/").status_code == 200
    sign_in_with_password(client, staff)
    enrol_app(client)
    assert client.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/")["Location"].startswith(reverse("admin:login"))
    sign_in_with_password(elsewhere, staff)
    assert elsewhere.get("/admin/")["Location"].startswith(reverse("two_factor:verify"))


def test_the_passkey_registration_is_ours():
    from django.urls import resolve

    from accounts.views import CompletePasskeyRegistration

    url = reverse("otp_webauthn:credential-registration-complete")
    assert resolve(url).func.view_class is CompletePasskeyRegistration
