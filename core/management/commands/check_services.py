from django.core.management.base import BaseCommand, CommandError

from core import services


class Command(BaseCommand):
    help = (
        "Check that the configured databases and caches can be reached. Prints one "
        "line per problem and exits non-zero, or says all is well."
    )
    requires_system_checks = []

    def handle(self, *args, **options):
        found = services.problems()
        if found:
            raise CommandError(
                "\n".join(found) + "\nStart the service, or correct DATABASE_URL / CACHE_URL."
            )
        self.stdout.write(self.style.SUCCESS("Database and cache reachable."))
