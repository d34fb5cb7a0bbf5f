"""Issue 16, "Costly uploads": a 6300 × 6300 RGBA PNG (170 KB) took 5.2 s and
about 570 MB in the request. What an upload costs grows with its pixels, not
its file size: the pipeline now holds one full-size picture at a time (no
copies, no second full-size picture for Pillow's premultiplied alpha or a
palette, no progressive JPEG encoder for an original no reader is sent), and
IMAGES_MAX_PIXELS is 25 megapixels, what two workers can afford at once
(docs/performance.md, "What an upload costs"). The editor is told the size to export."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image as PILImage
from PIL import ImageChops, ImageDraw, ImageStat

from images import processing

from .factories import png_claiming_size
from .test_upload import refusal, uploaded

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_the_default_limit_is_25_megapixels_and_the_editor_is_told_what_to_export(settings):
    from glutablog import settings as project_settings

    assert project_settings.IMAGES_MAX_PIXELS == 25_000_000
    settings.IMAGES_MAX_PIXELS = project_settings.IMAGES_MAX_PIXELS

    message = refusal(png_claiming_size(6300, 6300), name="poster.png")

    assert message == (
        "This image is 6300 × 6300 pixels (39.7 megapixels); images may have at most "
        "25 megapixels. Export it at 5000 × 5000 pixels or smaller (2000 pixels wide is "
        "plenty for the blog)."
    )
    # A camera's 6000 × 4000 is within the limit; one more row is not.
    assert "at 6000 × 4000" not in refusal(png_claiming_size(6000, 4167))


def test_an_animation_over_the_limit_is_told_its_frames(settings):
    settings.IMAGES_MAX_PIXELS = 100 * 80 * 2
    from .factories import animated_gif

    message = refusal(animated_gif(100, 80, frames=3))
    assert "100 × 80 pixels × 3 frames (0.024 megapixels in all)" in message
    assert "at most 0.016 megapixels in all" in message


def photo(size):
    """Gradients, a soft noise, and two shapes with hard edges (one half
    transparent): what a resize smooths and what it must not smear."""
    width, height = size
    linear = PILImage.linear_gradient("L").resize(size)
    radial = PILImage.radial_gradient("L").resize(size)
    grain = ImageChops.add(linear, PILImage.effect_noise(size, 12).convert("L"), 2)
    image = PILImage.merge("RGBA", [linear, radial, grain, radial.rotate(180)])
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 5, height // 5, width // 2, height // 2), fill=(250, 240, 30, 255))
    draw.rectangle((width // 2, height // 3, width - 2, height // 2), fill=(10, 40, 200, 128))
    return image


@pytest.fixture
def many_bands():
    processing.BAND_PIXELS, before = 50_000, processing.BAND_PIXELS
    yield
    processing.BAND_PIXELS = before


@pytest.mark.parametrize(
    ("size", "target"),
    [((1999, 1333), (800, 533)), ((1201, 3001), (480, 1200)), ((3000, 170), (1600, 91))],
)
def test_resizing_band_by_band_samples_what_one_resize_samples(size, target, many_bands):
    """Lines a few pixels apart over noise: a band that did not reach the
    rows its filter needs would be off by ten or twenty at its edges."""
    image = PILImage.effect_noise(size, 40).convert("L")
    draw = ImageDraw.Draw(image)
    for y in range(0, size[1], 7):
        draw.line((0, y, size[0], y), fill=255)

    banded = processing._resized(image, target)

    whole = image.resize(target, PILImage.Resampling.LANCZOS)
    assert banded.size == target
    assert ImageChops.difference(banded, whole).getextrema()[1] <= 2  # rounding


@pytest.mark.parametrize(
    ("mode", "size", "target"),
    [
        ("RGB", (1999, 1333), (800, 533)),
        ("RGBA", (1201, 3001), (480, 1200)),
        ("LA", (640, 480), (480, 360)),
        ("P", (1000, 2000), (800, 1600)),
    ],
)
def test_resizing_band_by_band_keeps_colour_and_transparency(mode, size, target, many_bands):
    image = photo(size).convert(mode)
    if mode == "P":
        image.info["transparency"] = 0

    banded = processing._resized(image, target)

    whole = (image.convert("RGBA") if mode == "P" else image).resize(
        target, PILImage.Resampling.LANCZOS
    )
    assert banded.mode == whole.mode and banded.size == target
    # Compared premultiplied, as Pillow resamples them (the colour of a nearly
    # transparent pixel is its premultiplied value divided by a tiny alpha).
    # Rounding differs a little where the filter overshoots a hard edge.
    if "A" in mode or mode == "P":
        banded, whole = (
            picture.convert("La" if mode == "LA" else "RGBa") for picture in (banded, whole)
        )
    assert max(ImageStat.Stat(ImageChops.difference(banded, whole)).mean) < 0.25


def test_a_palette_gif_with_transparency_keeps_it_in_its_renditions():
    picture = PILImage.new("P", (1000, 600), 1)
    picture.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
    picture.paste(0, (0, 0, 1000, 300))
    out = io.BytesIO()
    picture.save(out, format="GIF", transparency=0)

    image = uploaded(out.getvalue(), name="badge.gif")

    smaller = PILImage.open(image.file.storage.path(image.renditions[0]["name"])).convert("RGBA")
    assert smaller.getpixel((10, 10))[3] == 0  # the transparent half
    assert smaller.getpixel((10, smaller.height - 10))[3] == 255


# The measurement, in a process of its own (its peak memory is its own): the
# extra memory while a 12-megapixel RGBA PNG is prepared, per pixel.
MEASURE = """
import io, json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glutablog.settings")
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from images import processing
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
processing.prepare(SimpleUploadedFile("poster.png", data))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"extra_kb": after - before}))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in kilobytes (Linux)")
def test_preparing_an_upload_holds_one_full_size_picture_at_a_time(tmp_path):
    width, height = 4000, 3000
    picture = PILImage.new("RGBA", (width, height), (40, 120, 90, 200))
    picture.paste((250, 250, 240, 255), (0, 0, width // 4, height // 4))
    path = tmp_path / "poster.png"
    picture.save(path, format="PNG")
    del picture

    run = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    extra = json.loads(run.stdout.strip().splitlines()[-1])["extra_kb"] * 1024

    # The decoded picture is 4 bytes a pixel; a second full-size picture
    # would make it 8 or more (it was 12.9 before).
    assert extra / (width * height) < 6.5, f"{extra / 2**20:.0f} MB"


def test_the_editor_is_told_on_the_add_image_form(editor_client):
    from .factories import upload

    response = editor_client.post(
        "/admin/images/image/add/",
        {"file": upload(png_claiming_size(6300, 6300), "poster.png"), "alt": "A poster"},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["file"]
    assert errors == [
        "This image is 6300 × 6300 pixels (39.7 megapixels); images may have at most "
        "25 megapixels. Export it at 5000 × 5000 pixels or smaller (2000 pixels wide is "
        "plenty for the blog)."
    ]
