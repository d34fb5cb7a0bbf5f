"""Settings every test runs with: tests/conftest.py sets them for each test,
and fixtures that load data once for many tests (tests/browser/demo_data.py)
load it under the same."""

# Passwords hashed in no time: tests create many accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks (mail) run at once, after the commit, whatever the environment says.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
