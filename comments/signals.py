"""A post's cached page changes when its public thread does.

Bulk decisions tell the posts themselves (``CommentQuerySet.set_status``);
these receivers cover single saves and deletions (the admin's change form,
a staff reply, a deletion).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Post

from .models import Comment


@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
def public_thread_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.is_public or instance.was_public:
        Post.objects.filter(pk=instance.post_id).page_changed()
    instance._loaded_status = instance.status
