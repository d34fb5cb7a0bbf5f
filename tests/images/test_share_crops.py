"""Share crops: the centre of every uploaded picture in 16:9, 4:3 and 1:1, at
most 1200 pixels wide, made once (at upload, or when an image stored before
them is chosen as the site's default share image)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image as PILImage

from images.models import Image
from tests.admin.forms import submitted
from tests.images.factories import ImageFactory, animated_gif, picture, upload

pytestmark = pytest.mark.django_db


def opened(name):
    from django.core.files.storage import default_storage

    with default_storage.open(name) as stored:
        return PILImage.open(io.BytesIO(stored.read()))


def striped(width, height):
    """A picture whose middle third (across) is red and the rest blue: a centred
    crop keeps red in its middle."""
    image = PILImage.new("RGB", (width, height), (20, 40, 200))
    image.paste((220, 30, 30), (width // 3, 0, 2 * width // 3, height))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_large_picture_gets_three_crops_1200_wide():
    image = ImageFactory(file=upload(striped(3000, 2000), "wide.png"))

    assert [(c["ratio"], c["width"], c["height"]) for c in image.crops] == [
        ("16:9", 1200, 675),
        ("4:3", 1200, 900),
        ("1:1", 1200, 1200),
    ]
    for crop in image.crops:
        stored = opened(crop["name"]).convert("RGB")
        assert stored.size == (crop["width"], crop["height"])
        assert stored.getpixel((crop["width"] // 2, crop["height"] // 2))[0] > 200  # the centre
        assert crop["name"].endswith(".png")  # the picture's own format


def test_a_small_picture_is_cropped_never_enlarged():
    image = ImageFactory(file=upload(picture(600, 400), "small.jpg"))

    assert [(c["width"], c["height"]) for c in image.crops] == [(600, 338), (533, 400), (400, 400)]


def test_a_tall_picture_keeps_its_middle():
    image = ImageFactory(file=upload(striped(900, 1600), "tall.png"))

    assert [(c["width"], c["height"]) for c in image.crops] == [(900, 506), (900, 675), (900, 900)]


def test_an_animation_gets_no_crops():
    image = ImageFactory(file=upload(animated_gif(), "spinner.gif"))

    assert image.crops == []
    assert image.share_candidates() == [(image.file.url, 120, 80)]


def test_an_image_stored_before_crops_gets_them_when_chosen_in_the_admin(admin_client):
    image = ImageFactory(file=upload(picture(2000, 1200), "old.jpg"))
    Image.objects.filter(pk=image.pk).update(crops=[])  # as stored before crops existed
    url = reverse("admin:images_image_change", args=[image.pk])
    data = submitted(admin_client.get(url).text, "image_form")
    data["is_share_default"] = "on"
    data["_save"] = "Save"

    assert admin_client.post(url, data).status_code == 302

    image.refresh_from_db()
    assert image.is_share_default
    assert [c["ratio"] for c in image.crops] == ["16:9", "4:3", "1:1"]
    assert all(opened(c["name"]).size == (c["width"], c["height"]) for c in image.crops)


def test_the_command_makes_the_crops_images_lack_once():
    old = ImageFactory(file=upload(picture(1600, 900), "old.jpg"))
    Image.objects.filter(pk=old.pk).update(crops=[])
    ImageFactory()  # has them already
    out = io.StringIO()

    call_command("make_share_crops", stdout=out)
    call_command("make_share_crops", stdout=out)

    old.refresh_from_db()
    assert len(old.crops) == 3
    assert "Share crops made for 1 images" in out.getvalue()
    assert "Share crops made for 0 images" in out.getvalue()


def test_the_crops_go_with_the_image(settings, django_capture_on_commit_callbacks):
    image = ImageFactory()
    names = [c["name"] for c in image.crops]
    assert all((settings.MEDIA_ROOT / name).exists() for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        image.delete()

    assert not any((settings.MEDIA_ROOT / name).exists() for name in names)
