"""Admin login guessing: django-axes locks out, for a while, the right address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from core.client_ip import client_ip

PASSWORD = "a-long-passphrase"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)


def attempt(client, password, **headers):
    return client.post(LOGIN, {"username": "root", "password": password}, **headers)


def fail_until_locked(client, **headers):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", **headers)


@pytest.mark.django_db
def test_failures_below_the_limit_still_allow_the_right_password(client, admin_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200  # the form again, with an error
    assert attempt(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_limit_locks_out_even_the_right_password(client, admin_user):
    assert 1 < settings.AXES_FAILURE_LIMIT <= 10
    fail_until_locked(client)
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_cool_off_is_finite_and_ends_the_lockout(client, admin_user):
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    assert timedelta(minutes=1) <= cool_off <= timedelta(days=1)
    fail_until_locked(client)
    assert attempt(client, PASSWORD).status_code == 429
    # Just before the cool-off ends: still locked.
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off + timedelta(minutes=1))
    assert attempt(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(minutes=1))
    assert attempt(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_for_cannot_escape_the_lockout_without_trusted_proxies(
    client, admin_user
):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    fresh = attempt(client, PASSWORD, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert fresh.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


@pytest.mark.django_db
def test_a_forged_forwarded_for_cannot_lock_out_someone_else(client, admin_user):
    # An attacker names the admin's address in the header: the admin is not locked.
    fail_until_locked(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert attempt(client, PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_client_address_is_used(client, admin_user):
    # The proxy (127.0.0.1) appends the address it saw; what the client wrote
    # before it ("6.6.6.6") is ignored.
    headers = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7"}
    fail_until_locked(client, **headers)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    assert attempt(client, PASSWORD, **headers).status_code == 429
    # Another reader behind the same proxy is not locked out.
    other = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert attempt(client, PASSWORD, **other).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1", "198.51.100.7"),
        (1, "127.0.0.1", "10.0.0.1", "10.0.0.1"),
        (1, "127.0.0.1", "6.6.6.6, 10.0.0.1", "10.0.0.1"),
        (2, "127.0.0.1", "6.6.6.6, 10.0.0.1, 192.0.2.1", "10.0.0.1"),
        (2, "127.0.0.1", "10.0.0.1", "127.0.0.1"),  # fewer hops than proxies: the socket
        (1, "127.0.0.1", "not-an-address", "127.0.0.1"),
        (1, "127.0.0.1", "", "127.0.0.1"),
        (1, "127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_rules(rf, proxies, remote, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected
