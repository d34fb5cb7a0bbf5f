"""The demo content for the browser tests: loaded once per test process, put
back in a moment before each test that asks for it (the ``demo`` fixture).

Every browser test starts from an empty database: the live server sees only
committed rows, so each test is a transactional one, flushed afterwards.
Loading the demo (load_demo, load_demo_comments, load_demo_pages) into it
again for every test costs seconds each time. Instead the demo is loaded once
into the empty test database and kept as a copy:

* SQLite: the whole database, copied with SQLite's online backup
  (``sqlite3.Connection.backup``) into a database in memory, and copied back
  the same way;
* PostgreSQL: every table copied into a schema of the copy's own
  (``demo_copy``) in the test database, and copied back in one transaction
  (the tables emptied, the rows inserted, the sequences set past them);
* both: the media folder (the demo's pictures), copied into the test's own.

A test that asks for ``demo`` gets exactly what a fresh load gives it, and is
as free to change it as before: the next test gets the copy again. The
database is left empty after the copy is made, as every other test expects.
"""

import io
import shutil
import sqlite3

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings

from tests.environment import IMMEDIATE_TASKS, PASSWORD_HASHERS

DEMO_COMMANDS = ("load_demo", "load_demo_comments", "load_demo_pages")
COPY_SCHEMA = "demo_copy"


def load_demo():
    """The demo as `make run` loads it; returns what the commands printed."""
    out = io.StringIO()
    for command in DEMO_COMMANDS:
        call_command(command, stdout=out)
    return out.getvalue()


def _empty_database():
    """As a transactional test leaves it (TransactionTestCase's flush)."""
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


class DemoCopy:
    """The demo, loaded once, and how to put it back."""

    def __init__(self, media_root):
        self.media_root = media_root
        self.output = ""
        self._sqlite_copy = None
        self._tables = []

    def make(self):
        """Load the demo into the (emptied) test database and keep a copy."""
        _empty_database()
        with override_settings(
            MEDIA_ROOT=self.media_root, PASSWORD_HASHERS=PASSWORD_HASHERS, TASKS=IMMEDIATE_TASKS
        ):
            self.output = load_demo()
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            self._sqlite_copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self._sqlite_copy)
        elif connection.vendor == "postgresql":
            self._copy_postgresql_tables()
        _empty_database()

    def put_back(self, media_root):
        """The database and the media folder as the demo left them."""
        connection.ensure_connection()
        if self._sqlite_copy is not None:
            self._sqlite_copy.backup(connection.connection)
        elif self._tables:
            self._restore_postgresql_tables()
        else:  # another database: loaded again, as before
            with override_settings(MEDIA_ROOT=media_root):
                load_demo()
            return
        # Rows were replaced under the ORM: forget the content types it kept.
        ContentType.objects.clear_cache()
        shutil.copytree(self.media_root, media_root, dirs_exist_ok=True)

    def close(self):
        if self._sqlite_copy is not None:
            self._sqlite_copy.close()
        if self._tables:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{COPY_SCHEMA}" CASCADE')

    # --- PostgreSQL ---------------------------------------------------------

    def _copy_postgresql_tables(self):
        quote = connection.ops.quote_name
        tables = [
            name for name in connection.introspection.table_names() if name != "django_migrations"
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote(COPY_SCHEMA)} CASCADE")
            cursor.execute(f"CREATE SCHEMA {quote(COPY_SCHEMA)}")
            for table in tables:
                # Generated columns (a search vector) are computed again on insert.
                cursor.execute(
                    "SELECT column_name FROM information_schema.columns WHERE "
                    "table_schema = current_schema() AND table_name = %s AND "
                    "is_generated = 'NEVER' ORDER BY ordinal_position",
                    [table],
                )
                columns = ", ".join(quote(row[0]) for row in cursor.fetchall())
                cursor.execute(
                    f"CREATE TABLE {quote(COPY_SCHEMA)}.{quote(table)} AS "
                    f"SELECT {columns} FROM {quote(table)}"
                )
                self._tables.append((table, columns))

    def _restore_postgresql_tables(self):
        quote = connection.ops.quote_name
        # Django's foreign keys are deferred: rows go in in any order and are
        # checked at the commit.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE " + ", ".join(quote(table) for table, _ in self._tables) + " CASCADE"
            )
            for table, columns in self._tables:
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({columns}) "
                    f"SELECT {columns} FROM {quote(COPY_SCHEMA)}.{quote(table)}"
                )
            copied = {table for table, _ in self._tables}
            models = [
                model
                for model in apps.get_models(include_auto_created=True)  # m2m tables too
                if model._meta.db_table in copied
            ]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
