from django.core.management.base import BaseCommand

from images.models import Image


class Command(BaseCommand):
    help = (
        "Make the 16:9, 4:3 and 1:1 share crops of images uploaded before crops "
        "were made at upload. Safe to run again: images that have them are left alone."
    )

    def handle(self, *args, **options):
        made = missing = 0
        for image in Image.objects.order_by("pk").iterator(chunk_size=200):
            if image.crops:
                continue
            if image.make_crops():
                made += 1
            else:
                missing += 1  # an animation, or a file that could not be read (logged)
        self.stdout.write(f"Share crops made for {made} images; {missing} without crops.")
