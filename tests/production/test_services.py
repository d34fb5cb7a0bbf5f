"""An unreachable database or cache gives one clear line, not a traceback wall."""

import pytest
from django.core import checks
from django.test import override_settings

from core import services

from .helpers import manage, production_env

# Nothing listens on port 9 (discard) on a test machine: connections are refused.
DOWN_DATABASE = "postgres://postgres@127.0.0.1:9/glutablog"
DOWN_CACHE = "redis://127.0.0.1:9/1"


def test_check_services_names_each_unreachable_service_and_exits_non_zero():
    result = manage(
        "check_services",
        env=production_env(DATABASE_URL=DOWN_DATABASE, CACHE_URL=DOWN_CACHE),
        timeout=60,
    )
    assert result.returncode != 0
    assert "cannot reach database 'default' (postgresql glutablog at 127.0.0.1:9)" in (
        result.stderr
    )
    assert "cannot reach cache 'default' (RedisCache redis://127.0.0.1:9/1)" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_stops_with_the_clear_message_when_the_database_is_down():
    result = manage("migrate", env=production_env(DATABASE_URL=DOWN_DATABASE), timeout=60)
    assert result.returncode != 0
    assert "core.E001" in result.stderr
    assert "cannot reach database 'default'" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_services_says_all_is_well_when_everything_answers(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'ok.sqlite3'}")
    env.pop("CACHE_URL", None)
    result = manage("check_services", env=env)
    assert result.returncode == 0, result.stderr
    assert "reachable" in result.stdout


@pytest.mark.django_db
def test_the_system_check_runs_only_when_databases_are_named():
    down = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DOWN_CACHE}
    with override_settings(CACHES={"default": down}):
        assert services.check_services(databases=None) == []
        errors = services.check_services(databases=["default"])
    assert [error.id for error in errors] == ["core.E001"]
    assert errors[0].level == checks.ERROR
    assert "cannot reach cache 'default'" in errors[0].msg
