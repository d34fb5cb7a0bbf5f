"""Each person's factors page, the administrators' reset, and the deploy check."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCodes, StaffSession
from tests.accounts.conftest import give_code, make_staff, sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db


def test_the_page_lists_kind_name_added_and_last_used(verified_client, app_device):
    page = verified_client.get(reverse("two_factor:factors")).content.decode()
    assert "Authenticator app" in page and "Erin&#x27;s phone" in page
    assert "never" not in page  # it was used to sign in just now


def test_rename(verified_client, app_device):
    url = reverse("two_factor:rename", args=["app", app_device.pk])
    assert verified_client.post(url, {"name": "Work phone"}).status_code == 302
    app_device.refresh_from_db()
    assert app_device.name == "Work phone"


def test_another_persons_factor_is_out_of_reach(verified_client):
    other = make_staff("olga")
    theirs = TOTPDevice.objects.create(user=other, name="olga's", confirmed=True)
    for action in ("rename", "remove"):
        url = reverse(f"two_factor:{action}", args=["app", theirs.pk])
        assert verified_client.post(url, {"name": "mine"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "olga's"


def test_the_last_factor_stays_while_required(verified_client, app_device):
    url = reverse("two_factor:remove", args=["app", app_device.pk])
    response = verified_client.post(url, follow=True)
    assert "This is your last passkey or authenticator app" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=app_device.pk).exists()


def test_removing_a_factor_ends_the_other_sessions(verified_client, staff, app_device):
    second = TOTPDevice.objects.create(user=staff, name="Spare phone", confirmed=True)
    elsewhere = Client()
    sign_in_with_password(elsewhere, staff)
    give_code(elsewhere, totp_code(second))
    assert elsewhere.get("/admin/").status_code == 200

    url = reverse("two_factor:remove", args=["app", app_device.pk])
    assert verified_client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(pk=app_device.pk).exists()
    # This session goes on (verified now by a removed device: to the second step again) ...
    assert verified_client.get("/admin/")["Location"].startswith(reverse("two_factor:verify"))
    # ... and the other one is gone.
    assert elsewhere.get("/admin/")["Location"].startswith(reverse("admin:login"))


@pytest.fixture
def administrator(db):
    """Administrators are superusers (the project's groups never manage users)."""
    return make_staff("ada", group=None, is_superuser=True)


def test_administrators_see_who_has_which_factor(client, administrator, staff, app_device):
    client.force_login(administrator)
    page = client.get(reverse("admin:accounts_staffmember_changelist")).content.decode()
    assert "erin" in page and "ada" in page
    assert 'alt="True"' in page and 'alt="False"' in page


def test_editors_may_not_reset(client, staff):
    other = make_staff("olga", group="Editors")
    client.force_login(other)
    assert client.get(reverse("admin:accounts_staffmember_changelist")).status_code == 403


def test_a_reset_removes_every_factor_logs_it_and_ends_every_session(
    client, administrator, staff, app_device
):
    RecoveryCodes.objects.create(user=staff, confirmed=True).replace_codes()
    theirs = Client()
    sign_in_with_password(theirs, staff)
    give_code(theirs, totp_code(app_device))
    assert StaffSession.objects.filter(user=staff).count() == 1
    session_key = StaffSession.objects.get(user=staff).session_key

    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_staffmember_changelist"),
        {"action": "reset_factors", "_selected_action": [staff.pk]},
        follow=True,
    )
    assert "factors were reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not RecoveryCodes.objects.filter(user=staff).exists()
    entry = LogEntry.objects.get(object_id=str(staff.pk), user=administrator)
    assert "Reset two-factor sign-in" in entry.get_change_message()
    assert SESSION_KEY not in SessionStore(session_key).load()
    assert theirs.get("/admin/")["Location"].startswith(reverse("admin:login"))


def test_the_deploy_check_warns_unless_required(settings):
    settings.STAFF_TWO_FACTOR = "optional"
    with pytest.raises(SystemCheckError, match="accounts.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")
    settings.STAFF_TWO_FACTOR = "required"
    try:
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")
    except SystemCheckError as error:
        assert "accounts.W001" not in str(error)


def test_ended_sessions_are_forgotten_at_the_next_sign_in(client, staff):
    from django.contrib.sessions.models import Session

    sign_in_with_password(client, staff)
    first = StaffSession.objects.get(user=staff).session_key
    Session.objects.filter(session_key=first).delete()  # expired and cleared
    other = Client()
    sign_in_with_password(other, staff)
    assert list(StaffSession.objects.filter(user=staff).values_list("session_key", flat=True)) == [
        other.session.session_key
    ]
