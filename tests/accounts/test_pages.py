"""Every two-factor page is valid HTML (the W3C checker, as tests/core/test_valid_html.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import html_checker
from tests.accounts.conftest import make_staff, sign_in_with_password

pytestmark = pytest.mark.django_db


def test_every_two_factor_page_is_valid_html(verified_client, staff, app_device):
    problem = html_checker.missing()
    assert not problem, problem
    pages = {
        "factors": verified_client.get(reverse("two_factor:factors")),
        "add an app": verified_client.get(reverse("two_factor:add_authenticator")),
        "recovery codes": verified_client.post(reverse("two_factor:recovery_codes")),
        "rename": verified_client.get(reverse("two_factor:rename", args=["app", app_device.pk])),
        "admin login with a passkey": Client().get(reverse("admin:login") + "?next=/admin/"),
    }
    spare = staff.totpdevice_set.create(name="spare", confirmed=True)
    pages["remove"] = verified_client.get(reverse("two_factor:remove", args=["app", spare.pk]))
    second = make_staff("sam")
    second.totpdevice_set.create(name="phone", confirmed=True)
    half = Client()
    sign_in_with_password(half, second)
    pages["second step"] = half.get(reverse("two_factor:verify"))
    pages["second step, wrong code"] = half.post(reverse("two_factor:verify"), {"code": "1"})
    newcomer = Client()
    sign_in_with_password(newcomer, make_staff("nell"))
    pages["enrolment"] = newcomer.get(reverse("two_factor:factors"))
    documents = {}
    for name, response in pages.items():
        assert response.status_code == 200, (name, response.status_code)
        documents[name] = response.content
    report = html_checker.check(documents)
    faults = [
        f"{name}: {message}"
        for name, messages in report.items()
        for message in messages
        if message.kind in ("error", "warning")
    ]
    assert not faults, "\n".join(faults)
