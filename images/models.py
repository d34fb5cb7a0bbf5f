"""The image library: uploaded pictures with their alt text and renditions.

An image is checked and cleaned once, when it is uploaded (``processing``):
its renditions are made then and recorded on the row, so a page shows an
image from the row alone (``img_attributes``), without opening a file or
resizing anything. The file never changes after upload (a new picture is a
new image), so the addresses of an image and its renditions stay valid for
as long as the image exists, in stored post bodies and cached pages alike.

Files are written through Django's storage API (``STORAGES["default"]``):
the file system under ``MEDIA_ROOT``, or S3-compatible object storage.
Their names are made here (a random UUID and the format's extension), never
taken from the uploader.
"""

import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html

from core.models import SiteStamp
from core.text import OneLineField

from . import processing

logger = logging.getLogger(__name__)

# The site stamp (core.models.SiteStamp) of the default share image: every
# page without an image of its own shows it in its link preview.
SHARE_STAMP = "share-image"
# How wide an image is shown, for the browser to choose from srcset: the post
# column (col-lg-8 in a Bootstrap container, less its gutters) at each
# breakpoint, the whole width less the gutters on a phone.
SIZES = (
    "(min-width: 1400px) 856px, (min-width: 1200px) 736px, (min-width: 992px) 616px, "
    "(min-width: 768px) 696px, (min-width: 576px) 516px, calc(100vw - 24px)"
)
FILENAME_ALT_RE = re.compile(r"^\S+\.(jpe?g|png|gif|webp|heic|tiff?|bmp)$", re.IGNORECASE)


def validate_alt(value):
    if FILENAME_ALT_RE.match(value.strip()):
        raise ValidationError(
            "Describe what the picture shows (“A scoop of white powder beside a glass "
            "of water”), not its file name.",
            code="alt_is_filename",
        )


class Image(models.Model):
    file = models.FileField(
        "image file",
        upload_to="images/",
        max_length=200,
        help_text=(
            "JPEG, PNG, WebP or GIF. Location data and other metadata are removed; "
            "smaller copies for phones and tablets are made at upload. The file cannot "
            "be changed later: upload a new image instead."
        ),
    )
    alt = OneLineField(
        "alt text",
        max_length=250,
        validators=[validate_alt],
        help_text=(
            "What the picture shows, for readers who cannot see it (screen readers, "
            "images that did not load). One sentence; no “image of”."
        ),
    )
    caption = OneLineField(
        max_length=300, blank=True, help_text="Shown under the image. Optional."
    )
    credit = OneLineField(
        max_length=200,
        blank=True,
        help_text="Who made it, shown beside the caption: “Photo: Jane Doe”. Optional.",
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    # [{"width": 480, "height": 270, "name": "images/…-480w.jpg"}, …], narrowest first.
    renditions = models.JSONField(default=list, editable=False, blank=True)
    # The centre of the picture for sharing, widest ratio first:
    # [{"ratio": "16:9", "width": 1200, "height": 675, "name": "images/…-16x9.jpg"}, …].
    crops = models.JSONField(default=list, editable=False, blank=True)
    is_share_default = models.BooleanField(
        "default share image",
        default=False,
        help_text=(
            "Shown by link previews (Facebook, LinkedIn, messaging apps) and search "
            "engines for every page without an image of its own: posts without a "
            "featured image, the blog's index, topic and site pages. One image at a "
            "time: ticking it here unticks the one before. Best at least 1200 pixels "
            "wide, with what matters in the middle (16:9, 4:3 and square crops of the "
            "centre are made)."
        ),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_share_default"],
                condition=models.Q(is_share_default=True),
                name="one_default_share_image",
            )
        ]

    def __str__(self):
        return f"{self.alt} (image:{self.pk})" if self.pk else self.alt

    def save(self, *args, **kwargs):
        if self._state.adding and self.file:
            prepared = getattr(self, "_prepared", None) or processing.prepare(self.file)
            self._store(prepared)
            self._prepared = None
        with transaction.atomic():
            was_default = (
                not self._state.adding
                and Image.objects.filter(pk=self.pk, is_share_default=True).exists()
            )
            if self.is_share_default or was_default:
                # Every page without an image of its own shows it: they render
                # again. Touched first: the stamp's row lock makes two editors
                # choosing a default at once take turns.
                SiteStamp.touch(SHARE_STAMP)
            if self.is_share_default:
                Image.objects.filter(is_share_default=True).exclude(pk=self.pk).update(
                    is_share_default=False
                )
                if not self.crops and self.file:
                    self.crops = self._store_crops(self._crops_of_stored_file())
            super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # One default at a time is kept by save(), which unticks the one
        # before: choosing another in a form is no error.
        if self.is_share_default:
            exclude = {*(exclude or ()), "is_share_default"}
        super().validate_constraints(exclude=exclude)

    # --- upload ----------------------------------------------------------
    def clean(self):
        super().clean()
        if self._state.adding and self.file and getattr(self, "_prepared", None) is None:
            try:
                self._prepared = processing.prepare(self.file)
            except ValidationError as error:
                raise ValidationError({"file": error}) from None

    @property
    def checked_upload(self):
        """The new file as ``clean`` checked and cleaned it (a
        ``processing.Prepared``), or None before that or for a stored image."""
        return getattr(self, "_prepared", None)

    def _store(self, prepared):
        """Write the cleaned file and its renditions under generated names."""
        storage = self.file.storage
        stem = f"images/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
        name = storage.save(f"{stem}.{prepared.extension}", ContentFile(prepared.content))
        renditions = []
        for rendition in prepared.renditions:
            rendition_name = storage.save(
                f"{stem}-{rendition.width}w.{prepared.extension}",
                ContentFile(rendition.content),
            )
            renditions.append(
                {"width": rendition.width, "height": rendition.height, "name": rendition_name}
            )
        self.file = name
        self.width, self.height = prepared.width, prepared.height
        self.renditions = renditions
        self.crops = self._store_crops(prepared.crops, stem)

    def _store_crops(self, crops, stem=None):
        storage = self.file.storage
        if stem is None:  # beside the file: images/2026/12/<uuid>
            stem = self.file.name.rsplit(".", 1)[0]
        extension = self.file.name.rsplit(".", 1)[-1]
        stored = []
        for crop in crops:
            name = storage.save(
                f"{stem}-{crop.ratio.replace(':', 'x')}.{extension}", ContentFile(crop.content)
            )
            stored.append(
                {"ratio": crop.ratio, "width": crop.width, "height": crop.height, "name": name}
            )
        return stored

    def _crops_of_stored_file(self):
        """Crops for an image stored before crops were made at upload."""
        try:
            with self.file.storage.open(self.file.name, "rb") as stored:
                return processing.share_crops(stored.read())
        except Exception:  # noqa: BLE001 (no crops: pages show the picture as it is)
            logger.warning("no share crops for image %s", self.pk, exc_info=True)
            return []

    def make_crops(self):
        """Make the share crops of an image stored without them (``manage.py
        make_share_crops``); True if it has crops now."""
        if not self.crops and self.file:
            self.crops = self._store_crops(self._crops_of_stored_file())
            if self.crops:
                Image.objects.filter(pk=self.pk).update(crops=self.crops)
        return bool(self.crops)

    def stored_names(self):
        """Every file of this image in the storage."""
        if not self.file:
            return []
        return [
            self.file.name,
            *(r["name"] for r in self.renditions),
            *(c["name"] for c in self.crops),
        ]

    # --- showing ---------------------------------------------------------
    def candidates(self):
        """(url, width, height) for srcset, narrowest first.

        The original is a candidate when it is no wider than the widest
        rendition; a larger original (a camera's 4000 pixels) is never sent
        to readers: the widest rendition does.
        """
        storage = self.file.storage
        found = [(storage.url(r["name"]), r["width"], r["height"]) for r in self.renditions]
        if not found or self.width <= max(processing.RENDITION_WIDTHS):
            found.append((self.file.url, self.width, self.height))
        return found

    def share_candidates(self):
        """(url, width, height) for sharing, widest ratio first: the 16:9, 4:3
        and 1:1 crops, then the picture as it is (its widest candidate), for
        an image stored before crops were made at upload."""
        storage = self.file.storage
        found = [(storage.url(c["name"]), c["width"], c["height"]) for c in self.crops]
        widest = max(self.candidates(), key=lambda candidate: candidate[1])
        return found + [widest] if widest not in found else found

    def img_attributes(self, alt=None, loading=None, sizes=SIZES):
        """The attributes of an <img> for this image (strings, unescaped)."""
        candidates = self.candidates()
        src, width, height = candidates[-1]
        attributes = {
            "src": src,
            "srcset": ", ".join(f"{url} {w}w" for url, w, _ in candidates),
            "sizes": sizes,
            "width": str(width),
            "height": str(height),
            "alt": alt or self.alt,
        }
        if loading:
            attributes["loading"] = loading
        return attributes

    def img_tag(self, alt=None, loading=None, sizes=SIZES, **extra):
        """A responsive <img>, every attribute escaped."""
        attributes = {**self.img_attributes(alt=alt, loading=loading, sizes=sizes), **extra}
        return format_html("<img{}>", flatatt(attributes))

    def thumbnail_tag(self, height=60):
        """A small preview for the admin: the narrowest file, at a fixed height."""
        url, width, image_height = self.candidates()[0]
        return format_html(
            '<img src="{}" alt="{}" height="{}" width="{}" class="image-thumbnail">',
            url,
            self.alt,
            height,
            max(1, round(width * height / max(image_height, 1))),
        )

    @property
    def markdown(self):
        """What an editor types to place this image in a post."""
        alt = self.alt.replace("[", "\\[").replace("]", "\\]")
        return f"![{alt}](image:{self.pk})"


def sync_placed_images(owner, rows, owner_field):
    """Record which library images ``owner.body`` (Markdown) places: ``rows``
    is the owner's related manager of its placement rows (``post.body_images``),
    whose model has ``owner_field`` pointing at the owner and an ``image`` key. Rows
    for images no longer placed go; rows for newly placed ones come, in one
    statement each."""
    from core import markup

    mentioned = markup.image_references(owner.body)
    wanted = set(Image.objects.filter(pk__in=mentioned).values_list("pk", flat=True))
    current = set(rows.values_list("image_id", flat=True))
    if current - wanted:
        rows.filter(image_id__in=current - wanted).delete()
    if wanted - current:
        rows.model.objects.bulk_create(
            rows.model(**{owner_field: owner}, image_id=pk) for pk in sorted(wanted - current)
        )
