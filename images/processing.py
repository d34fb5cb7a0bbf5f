"""What happens to an uploaded image, once, before it is stored.

``prepare(file)`` is the one path: the model's ``clean()`` calls it to show
problems on the form, and ``save()`` calls it for a file no form checked (a
command, the demo). It

* refuses SVG (it can carry scripts), anything over ``IMAGES_MAX_UPLOAD_MB``
  or ``IMAGES_MAX_PIXELS`` (a decompression bomb: a small file that decodes to
  gigabytes; and what an upload costs the worker that handles it grows with
  its pixels, not its file size), any format but JPEG, PNG, WebP and GIF,
  and anything Pillow cannot verify and decode in full;
* turns the picture upright as its EXIF orientation says, then encodes it
  again without any metadata: EXIF (GPS position, camera serial number, date),
  XMP and comments are gone, the colour profile is kept;
* makes the renditions: the widths in ``RENDITION_WIDTHS`` narrower than the
  image (never upscaled), in the image's own format (see ``Prepared``);
* and the crops for sharing: the centre of the picture in 16:9, 4:3 and 1:1,
  at most ``SHARE_WIDTH`` wide, for link previews and search engines.

Memory: one full-size picture at a time (decoded, then turned upright and
converted in its place), no second copy from Pillow's premultiplied alpha or
a palette (the widest rendition is made band by band, ``_resized``), and no
progressive JPEG encoder for an original no reader is sent. What an upload
costs per pixel is measured in docs/performance.md ("What an upload costs"), and IMAGES_MAX_PIXELS
is chosen from it.

Pages never call any of this: they read the stored sizes and names.
"""

import io
import logging
import math
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
# An original no reader is sent (wider than every rendition): kept as the
# source, written without the slow passes (see _encode).
FAST_OPTIONS = {
    "JPEG": {"optimize": False, "progressive": False},
    "PNG": {"optimize": False},
    "WEBP": {"method": 0},
}
# Pixels of the original resized at a time (_resized): a band's memory.
BAND_PIXELS = 2_000_000
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
    return image.format, frames


def _too_many_pixels(width=None, height=None, frames=1):
    limit = settings.IMAGES_MAX_PIXELS
    if width is None:  # Pillow refused it from its header alone
        _refuse(
            "This image has far too many pixels; images may have at most %(limit)s "
            "megapixels. Export it smaller (2000 pixels wide is plenty for the blog).",
            "too_many_pixels",
            limit=_megapixels(limit),
        )
    if frames > 1:
        _refuse(
            "This animation is %(width)s × %(height)s pixels × %(frames)s frames "
            "(%(size)s megapixels in all); animations may have at most %(limit)s "
            "megapixels in all. Export it smaller, or with fewer frames.",
            "too_many_pixels",
            width=width,
            height=height,
            frames=frames,
            size=_megapixels(width * height * frames),
            limit=_megapixels(limit),
        )
    # The largest size of the same shape within the limit.
    shrink = math.sqrt(limit / (width * height))
    _refuse(
        "This image is %(width)s × %(height)s pixels (%(size)s megapixels); images may "
        "have at most %(limit)s megapixels. Export it at %(fit_width)s × %(fit_height)s "
        "pixels or smaller (2000 pixels wide is plenty for the blog).",
        "too_many_pixels",
        width=width,
        height=height,
        size=_megapixels(width * height),
        limit=_megapixels(limit),
        fit_width=max(1, math.floor(width * shrink)),
        fit_height=max(1, math.floor(height * shrink)),
    )


def _megapixels(pixels):
    """25 for 25,000,000; 39.7 for 39,690,000 (three significant digits)."""
    return f"{pixels / 1_000_000:.3g}"


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


def _encode(image, pil_format, info, fast=False, **extra):
    """The image in ``pil_format`` with only the ``info`` kept (KEPT_INFO).
    ``fast``: without the passes that make a file a little smaller (JPEG's
    optimised and progressive coding holds the whole picture's coefficients
    in memory), for an original no reader is sent."""
    _, options = FORMATS[pil_format]
    if fast:
        options = {**options, **FAST_OPTIONS.get(pil_format, {})}
    out = io.BytesIO()
    kept = {key: info[key] for key in KEPT_INFO if key in info}
    if pil_format == "JPEG":
        kept.pop("transparency", None)
    own_info, image.info = image.info, {}  # nothing from the source but what is passed here
    try:
        image.save(out, format=pil_format, **options, **kept, **extra)
    finally:
        image.info = own_info
    return out.getvalue()


def _encode_animation(data, pil_format):
    """Every frame again, without metadata (frames are not resized)."""
    image = PILImage.open(io.BytesIO(data))
    info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    frames = [_for_format(frame.copy(), pil_format) for frame in ImageSequence.Iterator(image)]
    return _encode(frames[0], pil_format, info, save_all=True, append_images=frames[1:])


def _resized(image, size, box=None):
    """``box`` of ``image`` (all of it by default) resized to ``size`` with
    Lanczos, the same pixels as ``image.resize(size, LANCZOS, box=box)``,
    made a band of rows at a time.

    Pillow resizes a picture with transparency by converting all of it first
    (to premultiplied alpha), and a palette picture has to be converted to
    full colour: a second full-size picture in memory. Each band here is
    cropped with the rows and columns its filter reaches (``box`` keeps the
    sampling positions of the whole picture), converted and resized on its
    own, so the extra memory is a band's, whatever the picture's size."""
    left, upper, right, lower = box or (0, 0, image.width, image.height)
    width, height = size
    x_scale, y_scale = (right - left) / width, (lower - upper) / height
    # Lanczos reaches three source pixels per output pixel's span each side.
    x_reach, y_reach = 3 * max(x_scale, 1.0) + 2, 3 * max(y_scale, 1.0) + 2
    first_column = max(0, math.floor(left - x_reach))
    last_column = min(image.width, math.ceil(right + x_reach))
    rows = max(1, int(BAND_PIXELS / ((last_column - first_column) * y_scale)))
    result = None
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        start, end = upper + top * y_scale, upper + bottom * y_scale
        first = max(0, math.floor(start - y_reach))
        last = min(image.height, math.ceil(end + y_reach))
        band = image.crop((first_column, first, last_column, last))
        if band.mode in ("P", "1"):
            band = band.convert("RGBA")
        part = band.resize(
            (width, bottom - top),
            PILImage.Resampling.LANCZOS,
            box=(left - first_column, start - first, right - first_column, end - first),
        )
        if result is None:
            result = PILImage.new(part.mode, size)
        result.paste(part, (0, top))
    return result


def prepare(file):
    """Check and clean an uploaded file; raise ValidationError with the reason."""
    data = _read(file)
    if _looks_like_svg(file, data[:512]):
        _refuse(
            "SVG images are not accepted: they can carry scripts. Export the picture "
            "as PNG (drawings, diagrams) or JPEG (photographs).",
            "svg",
        )
    pil_format, frames = _open(data)
    try:
        return _clean(data, pil_format, frames)
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 (a file Pillow read but could not write again)
        logger.exception("an uploaded image could not be processed")
        _refuse(
            "This image could not be processed (an unusual kind of %(format)s). "
            "Open it in an image editor and save it again, or export a PNG or JPEG.",
            "not_processed",
            format=pil_format,
        )


def _clean(data, pil_format, frames):
    """Upright, without metadata, with renditions (see the module's notes on
    memory: one full-size picture at a time)."""
    extension, _ = FORMATS[pil_format]
    if frames > 1:
        width, height = _decode(data).size
        return Prepared(
            format=pil_format,
            extension=extension,
            width=width,
            height=height,
            content=_encode_animation(data, pil_format),
            animated=True,
        )
    image = _decode(data)
    info = dict(image.info)
    if image.mode == "CMYK":  # converted to RGB below: a CMYK profile would be wrong
        info.pop("icc_profile", None)
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # noqa: BLE001 (a damaged orientation tag: keep it as drawn)
        pass
    image = _for_format(image, pil_format)
    # An original wider than every rendition is never sent to readers (the
    # widest rendition is): it is kept as the source, encoded quickly.
    served = image.width <= max(RENDITION_WIDTHS)
    prepared = Prepared(
        format=pil_format,
        extension=extension,
        width=image.width,
        height=image.height,
        content=_encode(image, pil_format, info, fast=not served),
    )
    rendition_info = info
    if image.mode in ("P", "1"):
        # Resized in full colour (a palette cannot be interpolated, _resized);
        # the GIF and PNG encoders keep its transparency as an alpha channel.
        rendition_info = {k: v for k, v in info.items() if k != "transparency"}
    # The widest rendition from the original, band by band; each narrower one
    # from the widest: a few megapixels to resample, not the picture again.
    # The share crops, from the full-size picture while it is here (band by
    # band, as the renditions: never a second full-size picture in memory).
    prepared.crops = _share_crops(image, pil_format, rendition_info)
    full_width, full_height = image.size
    source = image
    for width in sorted((w for w in RENDITION_WIDTHS if w < full_width), reverse=True):
        height = max(1, round(full_height * width / full_width))
        smaller = _resized(source, (width, height))
        if source is image:
            source = image = smaller  # the full-size picture is no longer needed
        content = _encode(_for_format(smaller, pil_format), pil_format, rendition_info)
        prepared.renditions.append(Rendition(width, height, content))
    prepared.renditions.sort(key=lambda rendition: rendition.width)
    return prepared


def _share_crops(upright, pil_format, info):
    """The centre of the picture in each of SHARE_RATIOS, at most SHARE_WIDTH wide."""
    crops = []
    if upright.mode in ("P", "1"):  # resized in full colour, as the renditions are
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
        cropped = _resized(upright, (out_width, out_height), box)
        content = _encode(_for_format(cropped, pil_format), pil_format, info)
        crops.append(Crop(f"{across}:{down}", out_width, out_height, content))
    return crops


def share_crops(data):
    """The share crops of a stored image's bytes (an image stored before crops
    were made at upload): it was checked at upload, and is read again the same
    way. An animation gets none."""
    pil_format, frames = _open(data)
    if frames > 1:
        return []
    image = _decode(data)
    info = dict(image.info)
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # noqa: BLE001 (a damaged orientation tag: keep it as drawn)
        pass
    return _share_crops(_for_format(image, pil_format), pil_format, info)
