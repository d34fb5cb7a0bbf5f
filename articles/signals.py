"""Keep each post's stored rendering in step with its references and disclaimers.

The body is rendered when something it depends on changes, never per request;
``updated_at`` moves with it, so caches and conditional GET see the change.
"""

from django.db.models.signals import post_delete, post_save, pre_save
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


@receiver(pre_save, sender=Disclaimer)
def remember_marker(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._marker_before = (
            Disclaimer.objects.filter(pk=instance.pk).values_list("marker", flat=True).first()
        )


@receiver(post_save, sender=Disclaimer)
def refresh_posts_using(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    posts = Post.objects.filter(disclaimers=instance)
    if getattr(instance, "_marker_before", instance.marker) != instance.marker:
        # The marker links body text to the note: re-render those bodies.
        for post in posts:
            post.refresh_rendering()
    else:
        # Only the note's text changed: it is shown from the disclaimer itself,
        # so one UPDATE marks the pages changed (their cached copies go stale).
        posts.page_changed()
