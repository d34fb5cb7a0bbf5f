"""Remembered browsers (STAFF_TWO_FACTOR_REMEMBER_DAYS): a signed cookie bound
to the user, the device and the password lets a browser skip the second step."""

import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from accounts.factors import REMEMBER_COOKIE
from accounts.models import RecoveryCodes
from tests.accounts.conftest import give_code, sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def remembered(client, settings, required, staff, app_device):
    settings.STAFF_TWO_FACTOR_REMEMBER_DAYS = 30
    sign_in_with_password(client, staff)
    response = client.post(
        reverse("two_factor:verify"),
        {"code": totp_code(app_device), "remember": "on", "next": "/admin/"},
    )
    cookie = response.cookies[REMEMBER_COOKIE]
    assert cookie["max-age"] == 30 * 24 * 3600 and cookie["httponly"]
    client.logout()  # the test client forgets every cookie here; a browser keeps this one
    client.cookies[REMEMBER_COOKIE] = cookie.value
    return client


def test_a_remembered_browser_skips_the_second_step(remembered, staff):
    sign_in_with_password(remembered, staff)
    assert remembered.get("/admin/").status_code == 200


def test_only_when_asked(client, settings, required, staff, app_device):
    settings.STAFF_TWO_FACTOR_REMEMBER_DAYS = 30
    sign_in_with_password(client, staff)
    response = give_code(client, totp_code(app_device))
    assert REMEMBER_COOKIE not in response.cookies


def test_off_by_default(client, required, staff, app_device):
    sign_in_with_password(client, staff)
    page = client.get(reverse("two_factor:verify")).content.decode()
    assert "Remember this browser" not in page
    response = client.post(
        reverse("two_factor:verify"),
        {"code": totp_code(app_device), "remember": "on", "next": "/admin/"},
    )
    assert REMEMBER_COOKIE not in response.cookies


def test_the_cookie_is_of_no_use_to_another_browser_without_the_password(remembered, staff):
    thief = Client()
    thief.cookies[REMEMBER_COOKIE] = remembered.cookies[REMEMBER_COOKIE].value
    assert thief.get("/admin/")["Location"].startswith(reverse("admin:login"))


def test_a_password_change_forgets_every_browser(remembered, staff):
    staff.set_password("a brand new staff password 19")
    staff.save()
    sign_in_with_password(remembered, staff, password="a brand new staff password 19")
    assert remembered.get("/admin/")["Location"].startswith(reverse("two_factor:verify"))


def test_a_removed_device_forgets_its_browsers(remembered, staff, app_device):
    app_device.delete()
    staff.totpdevice_set.create(name="new phone", confirmed=True)
    sign_in_with_password(remembered, staff)
    assert remembered.get("/admin/")["Location"].startswith(reverse("two_factor:verify"))


def test_for_so_many_days_only(remembered, staff):
    sign_in_with_password(remembered, staff)
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 31 * 24 * 3600):
        response = remembered.get("/admin/")
    assert response["Location"].startswith(reverse("two_factor:verify"))


def test_a_recovery_code_remembers_no_browser(client, settings, required, staff, app_device):
    settings.STAFF_TWO_FACTOR_REMEMBER_DAYS = 30
    codes = RecoveryCodes.objects.create(user=staff, confirmed=True).replace_codes()
    sign_in_with_password(client, staff)
    response = client.post(
        reverse("two_factor:verify"), {"code": codes[0], "remember": "on", "next": "/admin/"}
    )
    assert response.status_code == 302
    assert REMEMBER_COOKIE not in response.cookies
