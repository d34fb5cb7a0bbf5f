"""STAFF_TWO_FACTOR's defaults and the passkeys' site, read from the
environment as a fresh process reads them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.STAFF_TWO_FACTOR, s.OTP_WEBAUTHN_RP_ID, s.OTP_WEBAUTHN_ALLOWED_ORIGINS]))"
)
PRODUCTION = {
    "DEBUG": "off",
    "SECRET_KEY": "a-test-secret-key-that-is-long-enough-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "blog.example.com",
    "SITE_URL": "https://blog.example.com",
}


def read_settings(**env):
    clean = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "STAFF_TWO_FACTOR"
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT],
        env={**clean, "DJANGO_SETTINGS_MODULE": "glutablog.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_required_in_production_with_the_sites_own_passkeys():
    assert read_settings(**PRODUCTION) == [
        "required",
        "blog.example.com",
        ["https://blog.example.com"],
    ]


def test_optional_in_development_with_passkeys_at_localhost():
    assert read_settings(DEBUG="on", SITE_URL="http://127.0.0.1:8000") == [
        "optional",
        "localhost",
        ["http://localhost:8000"],
    ]


def test_make_serve_makes_its_passkeys_at_localhost():
    settings = read_settings(**{**PRODUCTION, "SITE_URL": "https://127.0.0.1:8443"})
    assert settings[1:] == ["localhost", ["https://localhost:8443"]]


@pytest.mark.parametrize("value", ["off", "Required "])
def test_an_unknown_policy_stops_the_start(value):
    with pytest.raises(subprocess.CalledProcessError) as refused:
        read_settings(STAFF_TWO_FACTOR=value)
    assert "STAFF_TWO_FACTOR" in refused.value.stderr
