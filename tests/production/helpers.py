"""Run manage.py in a child process with a chosen environment.

Settings are read once per process, so production settings (DEBUG off, no
development defaults) can only be tested for real in a fresh process.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

# Variables that would leak the test run's own configuration into the child.
_CLEARED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "TRUSTED_PROXY_COUNT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "DJANGO_SETTINGS_MODULE",
}


def production_env(**overrides):
    """The environment of a production start: every required variable set."""
    env = {key: value for key, value in os.environ.items() if key not in _CLEARED}
    env.update(
        {
            "DEBUG": "off",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "blog.example.com",
            "CSRF_TRUSTED_ORIGINS": "https://blog.example.com",
            "SITE_URL": "https://blog.example.com",
            # A shared cache, as production with several processes has.
            "CACHE_URL": "redis://127.0.0.1:6379/1",
        }
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
