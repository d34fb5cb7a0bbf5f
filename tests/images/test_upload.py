"""What happens to a file an editor uploads: refused with a reason, or
cleaned (metadata gone, upright) and stored with its renditions, once."""

import io
import random
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from PIL import Image as PILImage
from PIL.ExifTags import IFD, Base

from images.models import Image
from tests.articles.factories import PostFactory

from .factories import (
    ImageFactory,
    animated_gif,
    photo_with_gps,
    picture,
    png_claiming_size,
    upload,
)

pytestmark = pytest.mark.django_db


def uploaded(content, name="photo.jpg", **fields):
    """What the admin does with an upload: full_clean, then save."""
    image = Image(file=upload(content, name), alt=fields.pop("alt", "A picture"), **fields)
    image.full_clean()
    image.save()
    return image


def refusal(content, name="photo.jpg"):
    image = Image(file=upload(content, name), alt="A picture")
    with pytest.raises(ValidationError) as caught:
        image.full_clean()
    assert Image.objects.count() == 0
    return " ".join(caught.value.message_dict["file"])


def files_in(media_root):
    return sorted(p for p in Path(media_root).rglob("*") if p.is_file())


def opened(storage_name):
    from django.core.files.storage import default_storage

    with default_storage.open(storage_name) as f:
        return PILImage.open(io.BytesIO(f.read()))


# --- accepted -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif")]
)
def test_jpeg_png_webp_and_gif_are_accepted_in_their_own_format(fmt, extension):
    image = uploaded(picture(900, 500, fmt), name=f"x.{extension}")

    assert (image.width, image.height) == (900, 500)
    assert image.file.name.endswith(f".{extension}")
    assert opened(image.file.name).format == fmt
    assert [r["width"] for r in image.renditions] == [480, 800]
    for rendition in image.renditions:
        assert rendition["name"].endswith(f".{extension}")
        assert opened(rendition["name"]).format == fmt


def test_a_png_keeps_its_transparency_in_the_renditions():
    image = uploaded(picture(1000, 500, "PNG", alpha=True, colour=(0, 0, 0, 0)), name="x.png")

    smaller = opened(image.renditions[0]["name"])
    assert smaller.mode == "RGBA"
    assert smaller.getpixel((smaller.width - 1, smaller.height - 1))[3] == 0


def test_the_uploaders_file_name_is_never_used(settings):
    image = uploaded(picture(), name="../../<script>holiday.html.jpg")

    assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", image.file.name)
    assert all(
        re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}-\d+w\.jpg", r["name"])
        for r in image.renditions
    )
    # Nothing lands outside MEDIA_ROOT.
    assert all(str(p).startswith(str(settings.MEDIA_ROOT)) for p in files_in(settings.MEDIA_ROOT))


# --- EXIF ----------------------------------------------------------------


def test_exif_with_the_gps_position_is_stripped_and_the_photo_stands_upright():
    original = photo_with_gps(1200, 800, orientation=6)
    source = PILImage.open(io.BytesIO(original))
    assert source.getexif().get_ifd(IFD.GPSInfo)  # the test photo does carry a position
    assert source.getexif()[Base.Make] == "PhoneMaker"

    image = uploaded(original)

    # Orientation 6 applied: the landscape sensor image is a portrait photo.
    assert (image.width, image.height) == (800, 1200)
    crops = {crop["name"] for crop in image.crops}
    assert len(crops) == 3
    for name in image.stored_names():
        stored = opened(name)
        exif = stored.getexif()
        assert len(exif) == 0, f"{name} still has EXIF: {dict(exif)}"
        assert not exif.get_ifd(IFD.GPSInfo)
        assert "exif" not in stored.info and "xmp" not in stored.info
        if name not in crops:  # the share crops have their own shapes
            assert stored.height > stored.width
    raw = Path(image.file.path).read_bytes()
    assert b"PhoneMaker" not in raw and b"Exif" not in raw
    # The light block was in the top left; turned clockwise it is top right.
    upright = opened(image.file.name).convert("RGB")
    assert upright.getpixel((upright.width - 10, 10))[0] > 200
    assert upright.getpixel((10, 10))[0] < 100


def test_metadata_is_stripped_from_png_and_webp_too():
    exif = PILImage.Exif()
    exif[Base.Make] = "ScannerMaker"
    exif[IFD.GPSInfo] = {1: "N", 2: (1.0, 2.0, 3.0)}
    for fmt, name in [("PNG", "x.png"), ("WEBP", "x.webp")]:
        image = uploaded(picture(600, 400, fmt, exif=exif.tobytes()), name=name)
        for stored_name in image.stored_names():
            assert len(opened(stored_name).getexif()) == 0
            assert b"ScannerMaker" not in Path(image.file.storage.path(stored_name)).read_bytes()


# --- refused --------------------------------------------------------------


def test_a_file_that_is_not_an_image_is_refused():
    message = refusal(b"%PDF-1.7 this is a document, not a picture", name="scan.jpg")
    assert "not an image that can be read" in message


def test_a_truncated_image_is_refused():
    message = refusal(picture(800, 600)[:2000])
    assert "not an image that can be read" in message


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', "x.png"),
        (b"\xef\xbb\xbf  <svg onload=alert(1)></svg>", "logo.jpg"),
        (picture(), "renamed.svg"),
    ],
)
def test_svg_is_refused_by_name_or_by_content(content, name):
    assert "SVG images are not accepted" in refusal(content, name)


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO"])
def test_other_image_formats_are_refused(fmt):
    message = refusal(picture(64, 64, fmt), name=f"x.{fmt.lower()}")
    assert f"This is a {fmt} image" in message
    assert "JPEG, PNG, WebP or GIF" in message


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMAGES_MAX_UPLOAD_MB = 1
    noise = PILImage.frombytes("RGB", (700, 700), random.Random(7).randbytes(700 * 700 * 3))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    assert len(out.getvalue()) > 1024 * 1024

    message = refusal(out.getvalue(), name="big.png")
    assert "images may be at most 1 MB" in message


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = png_claiming_size(100_000, 100_000)  # 10 gigapixels, in a 70-byte file
    assert len(bomb) < 100

    message = refusal(bomb, name="bomb.png")
    assert "far too many pixels" in message
    assert "at most 25 megapixels" in message


def test_a_bomb_under_pillows_own_limit_is_refused_by_ours():
    # 60 megapixels: Pillow would only warn, and then decode 180 MB.
    message = refusal(png_claiming_size(10_000, 6_000), name="bomb.png")
    assert "10000 × 6000 pixels" in message


def test_the_pixel_limit_is_a_setting(settings):
    settings.IMAGES_MAX_PIXELS = 100 * 100
    assert "101 × 100 pixels" in refusal(picture(101, 100))
    settings.IMAGES_MAX_PIXELS = 101 * 100
    assert uploaded(picture(101, 100)).width == 101


def test_save_without_a_form_checks_too():
    # A command or the shell takes the same path as the admin's form.
    with pytest.raises(ValidationError):
        Image(file=upload(b"not an image"), alt="x").save()
    assert Image.objects.count() == 0


# --- renditions -------------------------------------------------------------


def test_renditions_are_never_wider_than_the_original(settings):
    small = uploaded(picture(300, 200))
    assert small.renditions == []
    assert small.candidates() == [(small.file.url, 300, 200)]

    large = uploaded(picture(3000, 2000))
    assert [(r["width"], r["height"]) for r in large.renditions] == [
        (480, 320),
        (800, 533),
        (1200, 800),
        (1600, 1067),
    ]
    # A camera-sized original is never sent to readers: the widest rendition is.
    assert [w for _, w, _ in large.candidates()] == [480, 800, 1200, 1600]
    # Each also has its three share crops (16:9, 4:3, 1:1).
    assert len(files_in(settings.MEDIA_ROOT)) == (1 + 3) + (1 + 4 + 3)


def test_an_animated_gif_keeps_its_frames_and_gets_no_renditions():
    image = uploaded(animated_gif(frames=3), name="spinner.gif")

    stored = opened(image.file.name)
    assert stored.n_frames == 3
    assert image.renditions == []


def test_renditions_are_made_once_at_upload(settings, monkeypatch):
    image = uploaded(picture(2000, 1000))
    before = files_in(settings.MEDIA_ROOT)

    # Editing the text of an image decodes and writes nothing.
    def no_pillow(*args, **kwargs):
        raise AssertionError("Pillow opened a file after upload")

    monkeypatch.setattr(PILImage, "open", no_pillow)
    image.alt = "A new description"
    image.full_clean()
    image.save()

    assert files_in(settings.MEDIA_ROOT) == before
    assert Image.objects.get().alt == "A new description"


def test_deleting_an_image_deletes_its_files(settings, django_capture_on_commit_callbacks):
    image = uploaded(picture(2000, 1000))
    assert len(files_in(settings.MEDIA_ROOT)) == 1 + 4 + 3  # the file, renditions, crops

    with django_capture_on_commit_callbacks(execute=True):
        image.delete()

    assert files_in(settings.MEDIA_ROOT) == []


def test_an_image_a_post_shows_cannot_be_deleted():
    image = ImageFactory()
    PostFactory(featured_image=image)

    with pytest.raises(ProtectedError):
        image.delete()


def test_alt_text_that_is_a_file_name_is_refused():
    image = Image(file=upload(picture()), alt="IMG_2041.JPG")
    with pytest.raises(ValidationError) as caught:
        image.full_clean()
    assert "not its file name" in str(caught.value.message_dict["alt"])


def test_a_cmyk_jpeg_is_stored_as_rgb():
    out = io.BytesIO()
    PILImage.new("CMYK", (600, 400), (0, 80, 80, 10)).save(out, format="JPEG")
    image = uploaded(out.getvalue())
    assert opened(image.file.name).mode == "RGB"


def test_a_sixteen_bit_png_is_accepted():
    out = io.BytesIO()
    PILImage.new("I;16", (600, 400), 30000).save(out, format="PNG")
    image = uploaded(out.getvalue(), name="scan.png")
    assert opened(image.file.name).format == "PNG"
    assert [r["width"] for r in image.renditions] == [480]


def test_an_image_that_cannot_be_encoded_again_is_refused_not_a_server_error(monkeypatch):
    from images import processing

    def broken(*args, **kwargs):
        raise OSError("encoder error -2")

    monkeypatch.setattr(processing, "_encode", broken)
    assert "could not be processed" in refusal(picture())
