"""What happens to an uploaded image, once, before it is stored.

``prepare(file)`` is the one path: the model's ``clean()`` calls it to show
problems on the form, and ``save()`` calls it for a file no form checked (a
command, the demo). It

* refuses SVG (it can carry scripts), anything over ``IMAGES_MAX_UPLOAD_MB``
  or ``IMAGES_MAX_PIXELS`` (a decompression bomb: a small file that decodes to
  gigabytes), any format but JPEG, PNG, WebP and GIF, and anything Pillow cannot
  verify and decode in full;
* turns the picture upright as its EXIF orientation says, then encodes it
  again without any metadata: EXIF (GPS position, camera serial number, date),
  XMP and comments are gone, the colour profile is kept;
* makes the renditions: the widths in ``RENDITION_WIDTHS`` narrower than the
  image (never upscaled), in the image's own format (see ``Prepared``);
* and the crops for sharing: the centre of the picture in 16:9, 4:3 and 1:1,
  at most ``SHARE_WIDTH`` wide, for link previews and search engines.

Pages never call any of this: they read the stored sizes and names.
"""

import io
import logging
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from PIL import ImageOps, ImageSequence

logger = logging.getLogger(__name__)

# Renditions: a phone (480), a phone at 2x or a tablet (800), the post column
# on a desktop (1200, at 2x on a laptop: 1600).
RENDITION_WIDTHS = (480, 800, 1200, 1600)
# Crops for sharing (link previews, search results): the aspect ratios
# Google's Article guidance asks for, the centre of the picture, at most
# SHARE_WIDTH wide (never upscaled: a narrow picture gives narrower crops).
SHARE_RATIOS = ((16, 9), (4, 3), (1, 1))
SHARE_WIDTH = 1200

# Pillow's name -> (file extension, save options).
FORMATS = {
    "JPEG": ("jpg", {"quality": 85, "optimize": True, "progressive": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 82, "method": 4}),
    "GIF": ("gif", {}),
}
ACCEPTED = "JPEG, PNG, WebP or GIF"
# What survives re-encoding: the colour profile and what GIF/PNG need to look
# the same. Nothing that describes the photographer, the camera or the place.
KEPT_INFO = ("icc_profile", "transparency", "duration", "loop", "background")


@dataclass
class Rendition:
    width: int
    height: int
    content: bytes


@dataclass
class Crop:
    ratio: str  # "16:9"
    width: int
    height: int
    content: bytes


@dataclass
class Prepared:
    """An upload, checked and cleaned, ready to store.

    Renditions keep the source format: JPEG for photographs (every browser
    decodes it, and a srcset needs no <picture> fallback), PNG for diagrams
    and screenshots (lossless: text stays sharp), WebP stays WebP. An animated
    GIF or WebP gets no renditions: resizing frame by frame would be slow at
    upload and is rarely smaller; it is served as uploaded (cleaned).
    """

    format: str
    extension: str
    width: int
    height: int
    content: bytes
    animated: bool = False
    renditions: list = field(default_factory=list)
    crops: list = field(default_factory=list)


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params)


def _looks_like_svg(file, head):
    """By its name, or by its first bytes (markup that opens an <svg> element)."""
    name = (getattr(file, "name", "") or "").lower()
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.endswith((".svg", ".svgz")) or (text.startswith(b"<") and b"<svg" in text)


def _read(file):
    limit = settings.IMAGES_MAX_UPLOAD_MB * 1024 * 1024
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        _refuse(
            "This file is %(size).1f MB; images may be at most %(limit)s MB. "
            "Export it smaller (2000 pixels wide is plenty for the blog).",
            "file_too_large",
            size=size / 1024 / 1024,
            limit=settings.IMAGES_MAX_UPLOAD_MB,
        )
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        _refuse(
            "This file is over %(limit)s MB, the most an image may be.",
            "file_too_large",
            limit=settings.IMAGES_MAX_UPLOAD_MB,
        )
    return data


def _open(data):
    """Open, check the header's size and verify, without decoding the pixels yet."""
    with warnings.catch_warnings():
        # Pillow warns (and later raises) on decompression bombs: an error here.
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            image = PILImage.open(io.BytesIO(data))
        except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
            _too_many_pixels()
        except Exception:  # noqa: BLE001 (any decoder error means "not an image")
            _not_an_image()
    if image.format not in FORMATS:
        _refuse(
            "This is a %(format)s image; upload a %(accepted)s image.",
            "unsupported_format",
            format=image.format or "an unknown",
            accepted=ACCEPTED,
        )
    frames = getattr(image, "n_frames", 1) if image.format in ("GIF", "WEBP") else 1
    if image.width * image.height * frames > settings.IMAGES_MAX_PIXELS:
        _too_many_pixels(image.width, image.height, frames)
    try:
        image.verify()
    except Exception:  # noqa: BLE001
        _not_an_image()
    return frames


def _too_many_pixels(width=None, height=None, frames=1):
    limit = settings.IMAGES_MAX_PIXELS / 1_000_000
    if width is None:  # Pillow refused it from its header alone
        _refuse(
            "This image has far too many pixels; images may have at most %(limit)g "
            "megapixels. Export it smaller.",
            "too_many_pixels",
            limit=limit,
        )
    size = f"{width} × {height} pixels" + (f" × {frames} frames" if frames > 1 else "")
    _refuse(
        "This image is %(size)s; images may have at most %(limit)g megapixels. Export it smaller.",
        "too_many_pixels",
        size=size,
        limit=limit,
    )


def _not_an_image():
    _refuse(
        "This file is not an image that can be read: it is damaged, or another kind "
        "of file. Upload a %(accepted)s image.",
        "not_an_image",
        accepted=ACCEPTED,
    )


def _decode(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            image = PILImage.open(io.BytesIO(data))
            image.load()
        except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
            _too_many_pixels()
        except Exception:  # noqa: BLE001
            _not_an_image()
    return image


def _for_format(image, pil_format):
    """A mode the format saves as browsers expect."""
    if pil_format == "JPEG" and image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    if pil_format == "PNG" and image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return image.convert("RGBA")
    if pil_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def _encode(image, pil_format, info, **extra):
    _, options = FORMATS[pil_format]
    out = io.BytesIO()
    kept = {key: info[key] for key in KEPT_INFO if key in info}
    if pil_format == "JPEG":
        kept.pop("transparency", None)
    image.info = {}  # nothing from the source but what is passed here
    image.save(out, format=pil_format, **options, **kept, **extra)
    return out.getvalue()


def _encode_animation(data, pil_format):
    """Every frame again, without metadata (frames are not resized)."""
    image = PILImage.open(io.BytesIO(data))
    info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    frames = [_for_format(frame.copy(), pil_format) for frame in ImageSequence.Iterator(image)]
    return _encode(frames[0], pil_format, info, save_all=True, append_images=frames[1:])


def prepare(file):
    """Check and clean an uploaded file; raise ValidationError with the reason."""
    data = _read(file)
    if _looks_like_svg(file, data[:512]):
        _refuse(
            "SVG images are not accepted: they can carry scripts. Export the picture "
            "as PNG (drawings, diagrams) or JPEG (photographs).",
            "svg",
        )
    frames = _open(data)
    image = _decode(data)
    try:
        return _clean(data, image, frames)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 (a file Pillow read but could not write again)
        logger.exception("an uploaded image could not be processed")
        _refuse(
            "This image could not be processed (an unusual kind of %(format)s). "
            "Open it in an image editor and save it again, or export a PNG or JPEG.",
            "not_processed",
            format=image.format,
        )


def _clean(data, image, frames):
    """Upright, without metadata, with renditions (see the module's notes)."""
    pil_format = image.format
    extension, _ = FORMATS[pil_format]
    if frames > 1:
        content = _encode_animation(data, pil_format)
        return Prepared(
            format=pil_format,
            extension=extension,
            width=image.width,
            height=image.height,
            content=content,
            animated=True,
        )
    info = dict(image.info)
    if image.mode == "CMYK":  # converted to RGB below: a CMYK profile would be wrong
        info.pop("icc_profile", None)
    try:
        upright = ImageOps.exif_transpose(image) or image
    except Exception:  # noqa: BLE001 (a damaged orientation tag: keep it as drawn)
        upright = image
    upright = _for_format(upright, pil_format)
    content = _encode(upright.copy(), pil_format, info)
    prepared = Prepared(
        format=pil_format,
        extension=extension,
        width=upright.width,
        height=upright.height,
        content=content,
    )
    for width in RENDITION_WIDTHS:
        if width >= upright.width:
            break
        height = max(1, round(upright.height * width / upright.width))
        resample = PILImage.Resampling.LANCZOS
        rendition_info = info
        if upright.mode in ("P", "1"):
            # Resized in full colour (a palette cannot be interpolated); the GIF
            # and PNG encoders keep its transparency as an alpha channel.
            smaller = upright.convert("RGBA").resize((width, height), resample)
            rendition_info = {k: v for k, v in info.items() if k != "transparency"}
        else:
            smaller = upright.resize((width, height), resample)
        content = _encode(_for_format(smaller, pil_format), pil_format, rendition_info)
        prepared.renditions.append(Rendition(width, height, content))
    prepared.crops = _share_crops(upright, pil_format, info)
    return prepared


def _share_crops(upright, pil_format, info):
    """The centre of the picture in each of SHARE_RATIOS, at most SHARE_WIDTH wide."""
    crops = []
    if upright.mode in ("P", "1"):  # resized in full colour, as the renditions are
        upright = upright.convert("RGBA")
        info = {k: v for k, v in info.items() if k != "transparency"}
    for across, down in SHARE_RATIOS:
        width, height = upright.width, upright.height
        if width * down > height * across:  # wider than the ratio: keep the height
            width = max(1, round(height * across / down))
        else:
            height = max(1, round(width * down / across))
        left, top = (upright.width - width) // 2, (upright.height - height) // 2
        box = (left, top, left + width, top + height)
        out_width = min(width, SHARE_WIDTH)
        out_height = max(1, round(out_width * down / across))
        cropped = upright.resize((out_width, out_height), PILImage.Resampling.LANCZOS, box=box)
        content = _encode(_for_format(cropped, pil_format), pil_format, info)
        crops.append(Crop(f"{across}:{down}", out_width, out_height, content))
    return crops


def share_crops(data):
    """The share crops of a stored image's bytes (an image stored before crops
    were made at upload): it was checked at upload, and is read again the same
    way. An animation gets none."""
    frames = _open(data)
    if frames > 1:
        return []
    image = _decode(data)
    pil_format = image.format
    info = dict(image.info)
    return _share_crops(_for_format(image, pil_format), pil_format, info)
