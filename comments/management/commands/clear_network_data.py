"""Forget the network address and browser of old comments (run daily from cron).

    15 3 * * *  cd /srv/glutablog && .venv/bin/python manage.py clear_network_data

Comments older than COMMENTS_KEEP_NETWORK_DATA_DAYS keep their name, email
and text, and lose their sender's network address and browser string. Safe
to run from cron: it clears in batches of --batch-size rows, each UPDATE its
own short transaction; it is idempotent (a second run finds nothing to
clear) and two runs at once are harmless (each UPDATE touches only rows that
still hold something, so nothing is cleared or counted twice); it says what
it did, and exits 0. Then it runs what other apps registered with
core.retention (the newsletter's unconfirmed subscriptions).
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comments.models import Comment
from core import retention


class Command(BaseCommand):
    help = (
        "Clear the network address and browser of comments older than "
        "COMMENTS_KEEP_NETWORK_DATA_DAYS (safe to run from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of COMMENTS_KEEP_NETWORK_DATA_DAYS.",
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, days=None, batch_size=1000, **options):
        days = settings.COMMENTS_KEEP_NETWORK_DATA_DAYS if days is None else days
        if days < 0 or days > 36500:
            raise CommandError(f"--days must be between 0 and 36500, not {days}.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        before = timezone.now() - dt.timedelta(days=days)
        cleared = Comment.objects.clear_network_data(before, batch_size=batch_size)
        when = timezone.localtime(before).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(
            f"Cleared the network address and browser of {cleared} "
            f"comment{'s' if cleared != 1 else ''} posted before {when} "
            f"(kept: the last {days} days)."
        )
        for what, deleted in retention.run(timezone.now()):
            self.stdout.write(f"Deleted {deleted} {what}.")
