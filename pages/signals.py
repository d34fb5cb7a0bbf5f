"""What follows changes of pages that bypass Page.save (wired in PagesConfig.ready())."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.models import SiteStamp

from .models import MENUS_STAMP, Page


@receiver(post_save, sender=Page)
def page_restored(sender, instance, raw=False, **kwargs):
    """A raw save (a revision reverted or a deleted page recovered with
    django-reversion, a fixture loaded) skips Page.save and its comparison:
    the menus may have changed."""
    if raw:
        SiteStamp.touch(MENUS_STAMP)


@receiver(post_delete, sender=Page)
def page_deleted(sender, instance, **kwargs):
    """A deleted page that a menu linked to leaves the menus at once."""
    if instance.menu_entry() is not None:
        SiteStamp.touch(MENUS_STAMP)
