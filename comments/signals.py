"""What follows a comment's save, wired in CommentsConfig.ready().

- A post's cached page changes when its public thread does. Bulk decisions
  tell the posts themselves (``CommentQuerySet.set_status``); this covers
  single saves and deletions (a staff reply, a deletion).
- Moderators hear of a new comment waiting in the queue, after commit.
- A reader who asked is told their comment was approved, after commit
  (``approval_notices_due``, sent by ``CommentQuerySet.set_status``).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Post
from core.mail import enqueue_with_data

from . import notifications
from .models import Comment, approval_notices_due


@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
def public_thread_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.is_public or instance.was_public:
        Post.objects.filter(pk=instance.post_id).mark_pages_changed()
    instance._loaded_status = instance.status


@receiver(post_save, sender=Comment)
def tell_moderators(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw and instance.status == Comment.Status.PENDING:
        notifications.notify_on_commit(instance)


@receiver(approval_notices_due)
def tell_readers(sender, pks, **kwargs):
    for pk in pks:
        enqueue_with_data(notifications.notify_approval, pk)
