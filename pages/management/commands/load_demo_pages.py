from django.core.management.base import BaseCommand
from django.db import transaction

from pages import demo
from pages.models import Page


class Command(BaseCommand):
    help = (
        "Load the demo site pages: 'About' in the navigation and the privacy policy "
        "in the footer (marked as the privacy policy). Safe to run again: what exists "
        "is left as it is (use --reset to restore the demo pages)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore the demo pages to their original content.",
        )

    def handle(self, *args, reset=False, **options):
        created = 0
        with transaction.atomic():
            for spec in demo.pages():
                page = Page.objects.filter(slug=spec["slug"]).first()
                if page is not None and not reset:
                    continue
                if page is None:
                    page = Page(slug=spec["slug"])
                    created += 1
                if spec["is_privacy_policy"]:
                    others = Page.objects.exclude(slug=spec["slug"]).filter(is_privacy_policy=True)
                    if reset:  # restoring the demo's policy takes the mark back
                        others.update(is_privacy_policy=False)
                    elif others.exists():  # the site has its own policy: keep it
                        spec = {**spec, "is_privacy_policy": False}
                for name, value in spec.items():
                    setattr(page, name, value)
                page.status = Page.Status.PUBLISHED
                page.save()
        self.stdout.write(
            self.style.SUCCESS(f"Demo pages loaded: {created} new, {Page.objects.count()} in all.")
        )
