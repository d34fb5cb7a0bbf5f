"""What follows changes of pages (wired in PagesConfig.ready()): saves that
bypass Page.save, deletions, and the library images a page shows."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.models import SiteStamp
from images.models import Image

from .models import MENUS_STAMP, Page


@receiver(post_save, sender=Page)
def page_saved(sender, instance, raw=False, **kwargs):
    """A raw save (a revision reverted or a deleted page recovered with
    django-reversion, a fixture loaded) skips Page.save and its comparison:
    the menus may have changed. Any other save records the body's images.
    (A revert in the admin ends with an ordinary save of the form.)"""
    if raw:
        SiteStamp.touch(MENUS_STAMP)
    else:
        instance.sync_body_images()


@receiver(post_delete, sender=Page)
def page_deleted(sender, instance, **kwargs):
    """A deleted page that a menu linked to leaves the menus at once."""
    if instance.menu_entry() is not None:
        SiteStamp.touch(MENUS_STAMP)


@receiver(post_save, sender=Image)
def refresh_pages_showing(sender, instance, raw=False, created=False, **kwargs):
    """New alt text, caption or credit: on every page that shows the image."""
    if raw or created:
        return
    for page in Page.objects.filter(body_images__image=instance):
        page.rerender_body()
