"""What follows changes around posts (wired in ArticlesConfig.ready())."""

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from core.models import SiteStamp
from images.models import Image

from . import search
from .models import POSTS_STAMP, TOPICS_STAMP, Author, Post, Reviewer, Topic

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
    Post.objects.filter(author=instance).mark_pages_changed()


@receiver(post_delete, sender=Post)
def post_deleted(sender, instance, **kwargs):
    """A deleted post leaves the lists, the sitemap, the feeds and other posts'
    pages (related posts): every stored page renders again."""
    SiteStamp.touch(POSTS_STAMP)
    search.forget_posts([instance.pk], using=kwargs.get("using"))


@receiver(post_delete, sender=Author)
@receiver(post_delete, sender=Reviewer)
def profile_deleted(sender, instance, **kwargs):
    """The pages of the posts that showed the profile change, in the deletion's
    transaction."""
    instance.shown_on().mark_pages_changed()


@receiver(post_delete, sender=Topic)
def topic_deleted(sender, instance, **kwargs):
    """The main topics are in the navigation of every page: a topic deleted by
    any path (its delete page, the admin's bulk action, which calls no model's
    ``delete()``) touches their stamp, in the deletion's transaction."""
    SiteStamp.touch(TOPICS_STAMP)


@receiver(m2m_changed, sender=Post.topics.through)
def topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A post put under a topic or taken out of one, from either side: the
    topics' pages (their versions) and the post's page (it links its topics)
    change, in bulk however many rows."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":  # the rows are still there: who loses them
        topics = Topic.objects.filter(posts=instance) if not reverse else None
        posts = Post.objects.filter(topics=instance) if reverse else None
    else:
        topics = Topic.objects.filter(pk__in=pk_set) if not reverse else None
        posts = Post.objects.filter(pk__in=pk_set) if reverse else None
    if reverse:
        Topic.objects.filter(pk=instance.pk).update(changed_at=timezone.now())
        posts.mark_pages_changed()
    else:
        Topic.objects.filter(pk__in=list(topics.values_list("pk", flat=True))).update(
            changed_at=timezone.now()
        )
        Post.objects.filter(pk=instance.pk).mark_pages_changed()
    SiteStamp.touch(POSTS_STAMP)


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
        post.rerender_body()  # the body holds the image's caption and credit
    Post.objects.filter(featured_image=instance).mark_pages_changed()
