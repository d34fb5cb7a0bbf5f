"""Session and CSRF cookies in production: Secure and HttpOnly."""

import pytest
from django.test import override_settings

from tests.production.helpers import manage, production_env

COOKIE_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
    "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY)"
)


def test_production_settings_make_cookies_secure_and_http_only():
    result = manage("shell", "-c", COOKIE_SETTINGS, env=production_env())
    assert result.stdout.split()[-4:] == ["True", "True", "True", "True"], result.stderr


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_admin_login_sets_secure_http_only_cookies(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", "a-long-passphrase")
    form = client.get("/admin/login/", secure=True)
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "a-long-passphrase"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
