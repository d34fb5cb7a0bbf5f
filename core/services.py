"""Can the configured database and cache be reached? One clear line each.

A production start (`make serve`, gunicorn's `on_starting` hook) and
`manage.py check_services` call `problems()`; `manage.py check --database
default` and `migrate` run the same test as a system check, so a server that
is down, a wrong password or a wrong host name gives one clear message instead
of a traceback wall.
"""

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.db import connections


def _first_line(exc):
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0]


def describe_database(alias):
    config = settings.DATABASES[alias]
    engine = config["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"database {alias!r} (SQLite file {config['NAME']})"
    where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 'default port'}"
    return f"database {alias!r} ({engine} {config.get('NAME')} at {where})"


def describe_cache(alias):
    config = settings.CACHES[alias]
    backend = config["BACKEND"].rsplit(".", 1)[-1]
    location = config.get("LOCATION") or ""
    return f"cache {alias!r} ({backend} {location})".replace(" )", ")")


def database_problem(alias="default"):
    wrapper = connections[alias]
    try:
        if wrapper.vendor == "postgresql":
            # Straight to the server, not through the connection pool: the
            # pool would retry for its whole timeout and hide the reason.
            params = wrapper.get_connection_params()
            params["connect_timeout"] = min(int(params.get("connect_timeout") or 5), 5)
            with wrapper.Database.connect(**params) as raw:
                raw.execute("SELECT 1")
        else:
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 (any failure is the answer)
        return f"cannot reach {describe_database(alias)}: {_first_line(exc)}"
    return None


def cache_problem(alias="default"):
    cache = caches[alias]
    key = "glutablog:service-check"
    try:
        cache.set(key, "ok", 10)
        if cache.get(key) != "ok":
            return f"cannot use {describe_cache(alias)}: a value stored was not read back"
    except Exception as exc:  # noqa: BLE001
        return f"cannot reach {describe_cache(alias)}: {_first_line(exc)}"
    return None


def problems(databases=None, cache_aliases=None):
    found = [database_problem(alias) for alias in (databases or settings.DATABASES)]
    found += [cache_problem(alias) for alias in (cache_aliases or settings.CACHES)]
    return [problem for problem in found if problem]


@checks.register(checks.Tags.database)
def check_services(app_configs=None, databases=None, **kwargs):
    """Runs only when databases are named (`check --database`, `migrate`)."""
    if not databases:
        return []
    return [
        checks.Error(
            problem,
            hint="Start the service, or correct DATABASE_URL / CACHE_URL.",
            id="core.E001",
        )
        for problem in problems(databases=databases)
    ]
