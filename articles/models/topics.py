"""Topics editors keep: a small, curated set that files posts (docs/editors.md)."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from core import markup
from core.models import SiteStamp
from core.text import MarkdownField, OneLineField
from core.versions import version

# The stamp of the main topics in the navigation (core.models.SiteStamp).
TOPICS_STAMP = "topics"


class TopicQuerySet(models.QuerySet):
    def in_navigation(self):
        """The main topics, as the navigation lists them."""
        return self.filter(is_main=True).order_by("order", "name", "pk")

    def page_version(self, now=None):
        """The version of the one topic page (and its feeds) in this queryset,
        or None: the topic's own last change and its posts' listing version
        (any of them changed, published, unpublished, or coming due; drafts
        count, so a post unpublished leaves the page)."""
        topic = self.values_list("pk", "changed_at").first()
        if topic is None:
            return None
        posts = self.model._meta.get_field("posts").related_model.objects
        return version(*topic, posts.listing_version(now, topic=topic[0]))


class Topic(models.Model):
    """A topic editors keep: a small, curated set, not free tags (docs/editors.md)."""

    name = OneLineField(max_length=60, unique=True)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="The last part of the topic's address (/blog/topics/your-slug/).",
    )
    description = MarkdownField(
        blank=True,
        help_text="Markdown: shown at the top of the topic's page and in its feeds.",
    )
    description_html = models.TextField(editable=False, blank=True)
    is_main = models.BooleanField(
        "main topic",
        default=False,
        help_text="Main topics are linked from the navigation at the top of every page.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position in the navigation and lists: lower numbers come first."
    )
    # The last change of the topic or of the posts it lists (a post added or
    # taken out): part of its page's version.
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """The description is rendered once, here; the navigation (main
        topics, on every page) is told in the same transaction."""
        self.description_html = markup.render(self.description).html
        self.changed_at = timezone.now()
        with transaction.atomic():
            super().save(*args, **kwargs)
            SiteStamp.touch(TOPICS_STAMP)

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})

    def clean(self):
        result = markup.render(self.description)
        errors = []
        if result.removed_elements:
            errors.append(
                ValidationError(
                    "The description contains a %(tags)s element; it would be "
                    "removed with everything inside it.",
                    code="removed_element",
                    params={"tags": " and ".join(f"<{t}>" for t in result.removed_elements)},
                )
            )
        # Images without alt text, not in the library or from other sites.
        errors.extend(result.image_errors())
        if errors:
            raise ValidationError({"description": errors})
