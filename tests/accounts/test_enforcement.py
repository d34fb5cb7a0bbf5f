"""A correct password alone reaches the second step and nothing else.

Every address under /admin/ is walked from the URL resolver itself (so an
admin page, JSON endpoint, preview or import page added later is covered
without anyone listing it): for a session that passed only the password
step, a GET answers with the second step (or enrolment) and a POST with 403.
"""

import re

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from accounts.middleware import is_open
from tests.accounts.conftest import give_code, make_staff, sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db


def _route(pattern):
    route = str(pattern)
    if isinstance(pattern, RegexPattern):
        # ^(?P<app_label>auth|articles|...)/$ -> auth/
        route = re.sub(r"\(\?P<\w+>([^|)]*)[^)]*\)", r"\1", route).lstrip("^").rstrip("$")
        route = route.replace("\\", "")
    return re.sub(r"<(?:\w+:)?\w+>", "1", route)


def _walk(patterns, prefix=""):
    for entry in patterns:
        path = prefix + _route(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, path)
        else:
            yield "/" + path, entry.name


def admin_paths():
    return sorted(
        {path for path, _ in _walk(get_resolver().url_patterns) if path.startswith("/admin/")}
    )


ADMIN_PATHS = admin_paths()
GATED = [path for path in ADMIN_PATHS if not is_open(path)]


def test_the_walk_finds_the_admin_and_its_own_endpoints():
    assert len(GATED) > 100
    for expected in ("/admin/", "/admin/jsi18n/", "/admin/articles/post/1/change/"):
        assert expected in GATED
    # The only addresses open to a half-signed-in session: log in/out, the
    # second step and enrolment pages, the passkey ceremonies.
    assert {path for path in ADMIN_PATHS if is_open(path)} == {
        path
        for path in ADMIN_PATHS
        if path in ("/admin/login/", "/admin/logout/") or path.startswith("/admin/two-factor/")
    }


@pytest.fixture
def half_signed_in(client, required, app_device, staff):
    staff.is_superuser = True  # the widest permissions: nothing hides behind a 403 of its own
    staff.save()
    sign_in_with_password(client, staff)
    return client


@pytest.mark.parametrize("path", GATED)
def test_a_password_alone_opens_no_admin_address(half_signed_in, path):
    response = half_signed_in.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith(reverse("two_factor:verify") + "?next="), path
    response = half_signed_in.post(path, {"action": "delete_selected", "_selected_action": "1"})
    assert response.status_code == 403, path


def test_the_public_site_shows_a_half_signed_in_person_no_staff_view(half_signed_in):
    response = half_signed_in.get("/blog/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:verify"))


def test_without_a_factor_the_password_leads_to_enrolment(client, required, db):
    newcomer = make_staff("nell")
    response = sign_in_with_password(client, newcomer)
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:factors") + "?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "add a passkey or an authenticator app before the admin opens" in page.content.decode()


def test_the_second_step_opens_the_admin(client, required, staff, app_device):
    sign_in_with_password(client, staff)
    assert client.get("/admin/").status_code == 302
    response = give_code(client, totp_code(app_device))
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_optional_lets_a_person_without_a_factor_in_and_asks_those_with_one(client, staff):
    sign_in_with_password(client, staff)
    assert client.get("/admin/").status_code == 200
    client.logout()
    staff.totpdevice_set.create(name="phone", confirmed=True)
    sign_in_with_password(client, staff)
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor:verify"))


def test_a_removed_device_unverifies_the_session(verified_client, app_device):
    assert verified_client.get("/admin/").status_code == 200
    app_device.delete()
    response = verified_client.get("/admin/")
    assert response["Location"].startswith(reverse("two_factor:factors"))


def test_a_half_signed_in_session_cannot_add_a_factor_for_anyone(half_signed_in, staff):
    """Enrolled but not verified: the add pages and the passkey registration refuse."""
    response = half_signed_in.get(reverse("two_factor:add_authenticator"))
    assert response["Location"].startswith(reverse("two_factor:verify"))
    assert staff.totpdevice_set.filter(confirmed=False).count() == 0
    response = half_signed_in.post(
        reverse("otp_webauthn:credential-registration-begin"), content_type="application/json"
    )
    assert response.status_code == 403
