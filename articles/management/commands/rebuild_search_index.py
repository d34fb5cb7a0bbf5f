from django.core.management.base import BaseCommand

from articles.models import Post


class Command(BaseCommand):
    help = (
        "Write the search documents of every post again (PostgreSQL's search vectors, "
        "SQLite's FTS5 rows). Saving a post keeps its own up to date; run this after "
        "changing posts or references in bulk outside Django (SQL, a restore)."
    )

    def handle(self, *args, **options):
        count = Post.objects.all().reindex()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count:,} posts for search."))
