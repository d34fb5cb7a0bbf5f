"""SQLite as configured for the site, read back from a real file connection.

The test database is in memory (no WAL there), so these tests open a copy of
the configured connection on a file: same OPTIONS, same init commands.
"""

import sqlite3

import pytest
from django.db import connection, connections, transaction

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite settings apply to SQLite only"
)

ALIAS = "sqlite_settings_probe"


@pytest.fixture
def file_connection(tmp_path, django_db_blocker):
    probe = connection.copy(ALIAS)
    probe.settings_dict["NAME"] = str(tmp_path / "probe.sqlite3")
    connections[ALIAS] = probe
    with django_db_blocker.unblock():  # a scratch file, not the test database
        yield probe
        probe.close()
    del connections[ALIAS]


def pragma(conn, name):
    with conn.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_journal_is_wal(file_connection):
    assert pragma(file_connection, "journal_mode") == "wal"


def test_busy_timeout_waits_for_the_writer(file_connection):
    assert pragma(file_connection, "busy_timeout") >= 5000


def test_foreign_keys_are_enforced_and_sync_is_normal(file_connection):
    assert pragma(file_connection, "foreign_keys") == 1
    assert pragma(file_connection, "synchronous") == 1  # NORMAL: safe with WAL


def test_transactions_take_the_write_lock_at_begin(file_connection, tmp_path):
    with file_connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    assert file_connection.transaction_mode == "IMMEDIATE"
    other = sqlite3.connect(tmp_path / "probe.sqlite3", timeout=0, isolation_level=None)
    try:
        with transaction.atomic(using=ALIAS):
            # Nothing written yet, but BEGIN IMMEDIATE already holds the lock:
            # a second writer is turned away at once instead of later, half-way.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
    finally:
        other.close()
