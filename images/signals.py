"""An image's files go when its row goes, once the deletion is committed.

A post_delete receiver, so the admin's delete page, its bulk action and any
queryset deletion all take this one path.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Image

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=Image)
def delete_files(sender, instance, **kwargs):
    storage = instance.file.storage
    names = instance.stored_names()

    def delete():
        for name in names:
            try:
                storage.delete(name)
            except Exception:  # a storage outage must not undo a committed deletion
                logger.warning("could not delete %s from the media storage", name, exc_info=True)

    transaction.on_commit(delete)
