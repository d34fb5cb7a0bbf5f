"""Production settings, each checked in a fresh process as a deployment would start."""

from .helpers import manage, production_env


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_deploy_check_would_warn_about_a_weak_production_setting():
    # The check is live: turning HSTS off in production is reported.
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(SECURE_HSTS_SECONDS="0"),
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_debug_off_without_secret_key_refuses_to_start_with_a_clear_message():
    result = manage("check", env=production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 3


def test_without_any_environment_development_defaults_run():
    env = production_env(DEBUG=None, SECRET_KEY=None, ALLOWED_HOSTS=None)
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_trusted_proxy_count_comes_from_the_environment():
    code = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    assert manage("shell", "-c", code, env=production_env()).stdout.split()[-1] == "0"
    behind = manage("shell", "-c", code, env=production_env(TRUSTED_PROXY_COUNT="1"))
    assert behind.stdout.split()[-1] == "1"


def test_deploy_check_warns_when_the_rate_limit_counts_per_process():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(CACHE_URL=None)
    )

    assert result.returncode != 0
    assert "comments.W001" in result.stdout + result.stderr
    assert "articles.W001" in result.stdout + result.stderr  # the search limit too
    assert "articles.W002" in result.stdout + result.stderr  # and the reference import


def test_debug_off_without_site_url_refuses_to_start_with_a_clear_message():
    result = manage("check", env=production_env(SITE_URL=None))

    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_site_url_with_a_path_is_refused():
    result = manage("check", env=production_env(SITE_URL="https://blog.example.com/blog/"))

    assert result.returncode != 0
    assert "is not a site address" in result.stderr
