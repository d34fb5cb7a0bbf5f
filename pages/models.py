"""Site pages editors keep up to date: about us, the privacy policy.

A page is public when it is published (``Page.objects.published()``, the one
definition). Its place says where the site links to it: the navigation at the
top of every page, the footer, or nowhere (reachable by its address). The
navigation, the footer and the comment form's consent line (the page marked
as the privacy policy) are on every page: whatever changes them touches the
"navigation" stamp (core.models.SiteStamp), so every cached page renders again.
"""

import reversion
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from core import markup
from core.models import SiteStamp
from core.text import MarkdownField, OneLineField
from core.versions import version

# The stamp of the navigation, the footer and the privacy policy's link.
MENUS_STAMP = "navigation"
# The fields a page's menu entry is made of (Page.menu_entry).
MENU_FIELDS = {"status", "title", "slug", "place", "order", "is_privacy_policy"}
# A page loaded without some of them: its next save cannot tell, and says changed.
UNKNOWN_ENTRY = object()


class PageQuerySet(models.QuerySet):
    def published(self):
        """The one definition of a public page."""
        return self.filter(status=Page.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Page.Status.DRAFT)

    def visible_to(self, user):
        """What a user may read: staff who may see pages preview drafts too."""
        if user.is_active and user.is_staff and user.has_perm("pages.view_page"):
            return self.all()
        return self.published()

    def linked(self):
        """Pages the navigation, the footer or the consent line link to once published."""
        return self.filter(
            Q(place__in=[Page.Place.NAVIGATION, Page.Place.FOOTER]) | Q(is_privacy_policy=True)
        )

    def in_menus(self):
        """What the navigation, the footer and the consent line link to now."""
        return self.published().linked()

    def page_version(self):
        """The version of the one page in this queryset, or None: its id and last save."""
        row = self.values_list("pk", "updated_at").first()
        return None if row is None else version(*row)

    def listing_version(self):
        """A version of the set of public pages (for the sitemap): any page saved,
        published, unpublished or deleted changes it."""
        row = self.aggregate(latest=Max("updated_at"), total=Count("pk"))
        return version(row["total"], row["latest"])

    def publish(self):
        return self.set_status(Page.Status.PUBLISHED)

    def unpublish(self):
        return self.set_status(Page.Status.DRAFT)

    @transaction.atomic
    def set_status(self, status):
        """Publish or unpublish these pages in one UPDATE (the admin's bulk
        actions); the menus change if a page linked from them did."""
        changing = self.exclude(status=status)
        touches_menus = changing.linked().exists()
        count = changing.update(status=status, updated_at=timezone.now())
        if touches_menus:
            SiteStamp.touch(MENUS_STAMP)
        return count


@reversion.register()
class Page(models.Model):
    """A site page. Its revisions are kept by django-reversion (the admin's
    History); a revert saves it raw, and pages.signals handles that."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Place(models.TextChoices):
        NAVIGATION = "navigation", "Navigation (top of every page)"
        FOOTER = "footer", "Footer (bottom of every page)"
        NONE = "none", "Not linked (reachable by its address)"

    title = OneLineField(max_length=120, help_text="Also the link's text in the menus.")
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="The last part of the page's address (/pages/your-slug/). Filled from the title.",
    )
    body = MarkdownField(
        help_text="Markdown, as in posts: ## headings, *emphasis*, lists, [links](https://…)."
    )
    body_html = models.TextField(editable=False, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    place = models.CharField(
        "where it is linked",
        max_length=12,
        choices=Place.choices,
        default=Place.NONE,
        help_text="Where the site links to the page once it is published.",
    )
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text="Position among the links in the same place: lower numbers come first.",
    )
    is_privacy_policy = models.BooleanField(
        "this is the privacy policy",
        default=False,
        help_text=(
            "The comment form's consent line links here (once published). One page at most."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()

    # What the menus showed of this page when it was loaded (see from_db);
    # None for a page not loaded from the database.
    loaded_menu_entry = None

    class Meta:
        ordering = ["place", "order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_privacy_policy"],
                condition=Q(is_privacy_policy=True),
                name="pages_one_privacy_policy",
                violation_error_message="Another page is already the privacy policy.",
            )
        ]
        indexes = [
            # The menus: published pages by place and order.
            models.Index(fields=["status", "place", "order"], name="page_menu_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug(self.title)
        self.body_html = self.render().html
        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.menu_entry() != self.loaded_menu_entry:
                SiteStamp.touch(MENUS_STAMP)
        self.loaded_menu_entry = self.menu_entry()

    def get_absolute_url(self):
        return reverse("pages:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        # What the menus showed of this page as it was loaded (Django's
        # documented hook for remembering loaded values): save() compares.
        instance = super().from_db(db, field_names, values)
        if MENU_FIELDS <= set(field_names):
            instance.loaded_menu_entry = instance.menu_entry()
        else:  # deferred fields: reading them here would cost a query each
            instance.loaded_menu_entry = UNKNOWN_ENTRY
        return instance

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED

    def menu_entry(self):
        """What the navigation, the footer and the consent line show of this page
        (None: nothing). A change of it is a change of every page."""
        if self.status != self.Status.PUBLISHED:
            return None
        if self.place == self.Place.NONE and not self.is_privacy_policy:
            return None
        return (self.title, self.slug, self.place, self.order, self.is_privacy_policy)

    @classmethod
    def unique_slug(cls, title):
        base = slugify(title)[:110] or "page"
        slug, n = base, 2
        while cls.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def render(self):
        """The body as safe HTML: the posts' pipeline (core.markup), without
        references or disclaimers to cite."""
        return markup.render(self.body)

    def rerender_body(self):
        """Render the body again (an image it places got new alt text, caption
        or credit); the page's cached copy is then stale."""
        Page.objects.filter(pk=self.pk).update(
            body_html=self.render().html, updated_at=timezone.now()
        )

    def sync_body_images(self):
        """Record which library images the body places (see PageBodyImage)."""
        from images.models import sync_placed_images

        sync_placed_images(self, self.body_images, "page")

    def clean(self):
        errors = {}
        result = markup.render(self.body)
        removed = result.removed_elements
        if removed:
            errors.setdefault("body", []).append(
                ValidationError(
                    "The body contains a %(tags)s element. Scripts and styles are "
                    "removed when the page is shown, with everything inside them "
                    "(all the text after an unclosed one). Remove the tag, or put "
                    "it in `backticks` to show it as code.",
                    code="removed_element",
                    params={"tags": " and ".join(f"<{t}>" for t in removed)},
                )
            )
        # Images without alt text, not in the library or from other sites.
        if result.image_errors():
            errors.setdefault("body", []).extend(result.image_errors())
        # Text shaped so that Markdown would take too long (not rendered).
        if result.complexity_errors():
            errors.setdefault("body", []).extend(result.complexity_errors())
        if self.is_privacy_policy:
            other = Page.objects.filter(is_privacy_policy=True).exclude(pk=self.pk).first()
            if other is not None:
                errors["is_privacy_policy"] = ValidationError(
                    "“%(other)s” is already the privacy policy. Untick it there first: "
                    "the consent line links to one page only.",
                    code="second_privacy_policy",
                    params={"other": other.title},
                )
        if errors:
            raise ValidationError(errors)


class PageBodyImage(models.Model):
    """A library image placed in a page's body (``![alt](image:42)``), as
    articles.PostBodyImage is for posts: it keeps the image from being deleted
    while the page shows it, and says which pages to render again when the
    image's alt text, caption or credit change (pages.signals)."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="body_images")
    image = models.ForeignKey("images.Image", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "image"], name="unique_page_body_image")
        ]
        verbose_name = "image in a site page's body"
        verbose_name_plural = "images in site pages' bodies"

    def __str__(self):
        return f"{self.page} (in its body)"
