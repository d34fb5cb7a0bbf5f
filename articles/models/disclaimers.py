"""Disclaimers: reusable notes with a marker (** or †) that posts show at
their foot and their bodies point at ([**])."""

import reversion
from django.core.exceptions import ValidationError
from django.db import models

from core import markup
from core.text import OneLineField, PlainTextField

from .post_rows import PostRow


def validate_marker(value):
    if not markup.valid_marker(value):
        raise ValidationError(
            "A marker is one to four symbols such as ** or †, without letters, "
            "digits, spaces or brackets.",
            code="invalid_marker",
        )


class Disclaimer(models.Model):
    name = OneLineField(
        max_length=100, unique=True, help_text="For editors only, e.g. 'FDA statement'."
    )
    marker = OneLineField(
        max_length=4,
        validators=[validate_marker],
        help_text="The symbol that links body text to this note: ** or † or ‡.",
    )
    text = PlainTextField(help_text="Plain text, shown at the foot of the post.")
    is_default = models.BooleanField(
        "default for new posts",
        default=False,
        help_text="New posts start with this disclaimer attached.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.marker} {self.name}"

    def save(self, *args, **kwargs):
        """A changed marker re-renders the bodies of the posts that show this
        disclaimer (their [**] links point at it); changed text only marks
        their pages changed, in one UPDATE (the text is shown from here)."""
        marker_before = None
        if self.pk:
            marker_before = (
                Disclaimer.objects.filter(pk=self.pk).values_list("marker", flat=True).first()
            )
        super().save(*args, **kwargs)
        if marker_before is not None and marker_before != self.marker:
            for post in self.posts.all():
                post.rerender_body()
        else:
            self.posts.mark_pages_changed()

    @classmethod
    def defaults(cls):
        return cls.objects.filter(is_default=True).order_by("name")


@reversion.register()
class PostDisclaimer(PostRow):
    post = models.ForeignKey("Post", on_delete=models.CASCADE, related_name="post_disclaimers")
    disclaimer = models.ForeignKey(
        Disclaimer, on_delete=models.PROTECT, related_name="post_disclaimers"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "disclaimer"], name="unique_post_disclaimer")
        ]
        verbose_name = "disclaimer on the post"
        verbose_name_plural = "disclaimers on the post"

    def __str__(self):
        return str(self.disclaimer)
