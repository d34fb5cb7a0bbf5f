"""Staff who sign in through the real steps: the admin's password form, then
the second step with codes made from the device's own secret."""

import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.articles.factories import UserFactory

PASSWORD = "a long staff password 18"


def totp_code(device, steps_ahead=0):
    """The code ``device``'s authenticator app shows now (or ``steps_ahead`` windows later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(client, user, password=PASSWORD):
    response = client.post(
        reverse("admin:login"),
        {"username": user.get_username(), "password": password, "next": "/admin/"},
    )
    assert response.status_code == 302, "the password step failed"
    return response


def give_code(client, code, next_url="/admin/"):
    return client.post(reverse("two_factor:verify"), {"code": code, "next": next_url})


@pytest.fixture
def required(settings):
    settings.STAFF_TWO_FACTOR = "required"


def make_staff(username, group="Editors", **extra):
    user = UserFactory(username=username, is_staff=True, **extra)
    user.set_password(PASSWORD)
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def staff(db):
    return make_staff("erin")


@pytest.fixture
def app_device(staff):
    return TOTPDevice.objects.create(user=staff, name="Erin's phone", confirmed=True)


@pytest.fixture
def verified_client(client, staff, app_device, required):
    """A staff member signed in with their password and their app."""
    sign_in_with_password(client, staff)
    response = give_code(client, totp_code(app_device))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client
