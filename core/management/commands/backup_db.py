import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from ._sqlite import check_integrity, copy_database, sqlite_path


class Command(BaseCommand):
    help = (
        "Back up the SQLite database while the site runs, with SQLite's online backup "
        "API (a consistent snapshot: open write transactions are not waited for and not "
        "included), into backups/glutablog-YYYYmmdd-HHMMSS.sqlite3. Prints the file's "
        "path. For PostgreSQL use pg_dump."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=None,
            help="Where to write the backup (default: backups/ beside manage.py).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output_dir=None, database=DEFAULT_DB_ALIAS, **options):
        source = sqlite_path(database)
        folder = Path(output_dir) if output_dir else Path(settings.BASE_DIR) / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        target = folder / f"{source.stem}-{stamp}.sqlite3"
        partial = target.with_suffix(".partial")
        copy_database(source, partial)
        # The backup is a plain single-file database (no -wal beside it).
        connection = sqlite3.connect(partial)
        try:
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()
        check_integrity(partial)
        partial.rename(target)
        size = target.stat().st_size
        self.stderr.write(f"Backed up {source} ({size / 1e6:.1f} MB) to:")
        self.stdout.write(str(target))
