"""PostgreSQL's lock and statement timeouts must stay below gunicorn's worker
timeout: otherwise a request waiting on a lock is killed with its worker (a
bare 500, the reader's text lost) before the database gives up. The settings
refuse such values with one clear line."""

import pytest

from .helpers import manage, production_env

POSTGRES = "postgres://nobody@127.0.0.1:9/unused"  # settings only: never connected


@pytest.mark.parametrize(
    "overrides",
    [
        {"DATABASE_STATEMENT_TIMEOUT": "30"},
        {"DATABASE_LOCK_TIMEOUT": "45"},
        {"DATABASE_STATEMENT_TIMEOUT": "25", "GUNICORN_TIMEOUT": "20"},
        {"DATABASE_LOCK_TIMEOUT": "-1"},
    ],
)
def test_a_database_wait_as_long_as_a_worker_lives_is_refused(overrides):
    result = manage("check", env=production_env(DATABASE_URL=POSTGRES, **overrides))
    assert result.returncode != 0
    assert "must be 0 (off) or shorter than gunicorn's worker timeout" in result.stderr


def test_the_defaults_and_no_limit_are_accepted():
    for overrides in [{}, {"DATABASE_STATEMENT_TIMEOUT": "0", "DATABASE_LOCK_TIMEOUT": "0"}]:
        result = manage(
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])",
            env=production_env(DATABASE_URL=POSTGRES, GUNICORN_CHECK_SERVICES="off", **overrides),
        )
        assert result.returncode == 0, result.stderr
        expected = (
            "-c lock_timeout=10000 -c statement_timeout=20000"
            if not overrides
            else "-c lock_timeout=0 -c statement_timeout=0"
        )
        assert result.stdout.strip().endswith(expected), result.stdout
