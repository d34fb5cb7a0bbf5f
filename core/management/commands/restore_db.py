from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ._sqlite import check_integrity, copy_database, sqlite_path


class Command(BaseCommand):
    help = (
        "Replace the SQLite database with a backup made by backup_db. Checks the "
        "backup first, backs up the current database (backups/), then copies the backup "
        "in through SQLite itself, so a running site sees the restored data at its next "
        "query. Needs --yes: everything written since the backup is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup file to restore.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm: replace the current database with the backup.",
        )
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="Do not back up the current database first.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, backup, yes=False, no_safety_backup=False, **options):
        database = options["database"]
        target = sqlite_path(database)
        source = Path(backup)
        if not source.is_file():
            raise CommandError(f"No backup file at {source}.")
        check_integrity(source)
        if not yes:
            raise CommandError(
                f"This replaces {target} with {source}: everything written since the "
                "backup is lost. Run again with --yes to go ahead."
            )
        if not no_safety_backup and target.exists():
            self.stderr.write("First, a backup of the current database:")
            call_command("backup_db", database=database, stdout=self.stdout, stderr=self.stderr)
        connections[database].close()
        copy_database(source, target)
        self.stdout.write(self.style.SUCCESS(f"Restored {target} from {source}."))
