"""An image's files go when its row goes, once the deletion is committed;
the pages that showed it as the default share image render again.

A post_delete receiver, so the admin's delete page, its bulk action and any
queryset deletion all take this one path.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from core.models import SiteStamp

from .models import SHARE_STAMP, Image

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=Image)
def delete_files(sender, instance, **kwargs):
    if instance.is_share_default:
        SiteStamp.touch(SHARE_STAMP)
    storage = instance.file.storage
    names = instance.stored_names()

    def delete():
        for name in names:
            try:
                storage.delete(name)
            except Exception:  # a storage outage must not undo a committed deletion
                logger.warning("could not delete %s from the media storage", name, exc_info=True)

    transaction.on_commit(delete)
