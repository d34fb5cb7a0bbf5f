"""What follows changes around posts (wired in ArticlesConfig.ready())."""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.models import SiteStamp
from images.models import Image

from . import search
from .models import Post

NAME_FIELDS = {"first_name", "last_name", "username"}


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def author_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """The author's name is on their posts' pages, the index and the feeds: a
    save that may have renamed them (not a login's ``last_login`` update)
    marks their posts' pages changed, in one UPDATE."""
    if created or raw:
        return
    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return
    Post.objects.filter(author=instance).page_changed()


@receiver(post_delete, sender=Post)
def post_deleted(sender, instance, **kwargs):
    """A deleted post leaves the lists, the sitemap, the feeds and other posts'
    pages (related posts): every stored page renders again."""
    SiteStamp.touch("posts")
    search.forget_posts([instance.pk], using=kwargs.get("using"))


# --- images (the images app knows nothing of posts) -------------------------


@receiver(post_save, sender=Post)
def record_body_images(sender, instance, raw=False, **kwargs):
    if not raw:
        instance.sync_body_images()


@receiver(post_save, sender=Image)
def refresh_posts_showing(sender, instance, raw=False, created=False, **kwargs):
    """New alt text, caption or credit: on every page that shows the image."""
    if raw or created:
        return
    for post in Post.objects.filter(body_images__image=instance):
        post.refresh_rendering()  # the body holds the image's caption and credit
    Post.objects.filter(featured_image=instance).page_changed()
