"""Shared by backup_db and restore_db: the SQLite file behind a database alias."""

import sqlite3
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections


def sqlite_path(alias):
    connection = connections[alias]
    if connection.vendor != "sqlite":
        raise CommandError(
            f"Database {alias!r} is {connection.vendor}, not SQLite. Back up PostgreSQL "
            "with its own tools: pg_dump --format=custom, and pg_restore."
        )
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file::memory:") or "mode=memory" in name:
        raise CommandError(f"Database {alias!r} is in memory: there is no file to back up.")
    return Path(name)


def check_integrity(path):
    """Raise CommandError unless `path` is a sound SQLite database with our tables."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise CommandError(f"{path} is not a readable SQLite database: {exc}") from exc
    if verdict != "ok":
        raise CommandError(f"{path} failed its integrity check: {verdict}")
    if "django_migrations" not in tables:
        raise CommandError(f"{path} is an SQLite database, but not a glutablog one.")


def copy_database(source, target):
    """Copy with SQLite's online backup API: a consistent snapshot of `source`.

    Readers and writers of the source carry on while it runs; the copy is
    taken in one step, so it is exactly one committed state (in WAL mode a
    transaction still open elsewhere is simply not in it).
    """
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
