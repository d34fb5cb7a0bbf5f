"""Keep each post's stored rendering in step with its references and disclaimers.

The body is rendered when something it depends on changes, never per request;
``updated_at`` moves with it, so caches and conditional GET see the change.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Disclaimer, Post, PostDisclaimer, Reference


def _refresh(post_id):
    post = Post.objects.filter(pk=post_id).first()
    if post is not None:
        post.refresh_rendering()


@receiver([post_save, post_delete], sender=Reference)
@receiver([post_save, post_delete], sender=PostDisclaimer)
def refresh_post(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(instance.post_id)


@receiver(post_save, sender=Disclaimer)
def refresh_posts_using(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    for post in Post.objects.filter(disclaimers=instance):
        post.refresh_rendering()
