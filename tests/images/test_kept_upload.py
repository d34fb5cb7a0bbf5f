"""Issue 15, "Lost file": after an error on *Add image* (alt text missing, say)
the chosen file was gone and the editor had to find it again. A picture that
passed its own checks is now kept (cleaned, under a random name) and the
form shown again says so, with its thumbnail and name; saving uses it."""

import datetime as dt
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image as PILImage

from images import pending
from images.models import Image
from tests.articles.factories import UserFactory

from .factories import photo_with_gps, upload

pytestmark = pytest.mark.django_db

ADD = "/admin/images/image/add/"
ALT = "A runner drinking water from a bottle after a race"


def token_in(html):
    match = re.search(r'<input type="hidden" name="kept_upload"(?: value="([^"]*)")?', html)
    assert match, "no kept_upload field"
    return match.group(1) or ""


def kept_files():
    try:
        return default_storage.listdir(pending.FOLDER)[1]
    except FileNotFoundError:
        return []


def test_a_valid_file_is_kept_through_an_error_and_saved_with_the_form(
    editor_client, editor, django_capture_on_commit_callbacks
):
    response = editor_client.post(
        ADD, {"file": upload(photo_with_gps(2400, 1600, orientation=1), "IMG_2041.JPG"), "alt": ""}
    )

    assert response.status_code == 200
    assert "This field is required." in response.text  # the alt text
    html = response.text
    assert 'Chosen: <strong class="kept-upload-name">IMG_2041.JPG</strong>' in html
    token = token_in(html)
    [kept] = kept_files()
    thumbnail = re.search(r'<p class="kept-upload"><img src="([^"]+)"', html).group(1)
    assert thumbnail.endswith(kept)
    # What is kept is already cleaned: no GPS position waits in the storage.
    with default_storage.open(f"{pending.FOLDER}/{kept}") as stored:
        assert not PILImage.open(io.BytesIO(stored.read())).getexif()
    # The file input is no longer required: the browser lets Save through.
    assert not re.search(r'<input type="file" name="file"[^>]* required', html)

    with django_capture_on_commit_callbacks(execute=True):
        saved = editor_client.post(ADD, {"kept_upload": token, "alt": ALT, "caption": ""})

    assert saved.status_code == 302
    image = Image.objects.get()
    assert (image.alt, image.width, image.height, image.uploaded_by) == (ALT, 2400, 1600, editor)
    assert [r["width"] for r in image.renditions] == [480, 800, 1200, 1600]
    assert kept_files() == []  # its kept copy is gone


def test_it_stays_kept_through_a_second_error(editor_client):
    first = editor_client.post(ADD, {"file": upload(photo_with_gps(), "run.jpg"), "alt": ""})
    token = token_in(first.text)

    second = editor_client.post(ADD, {"kept_upload": token, "alt": "IMG_2041.JPG"})

    assert "not its file name" in second.text
    assert token_in(second.text) == token and len(kept_files()) == 1
    assert editor_client.post(ADD, {"kept_upload": token, "alt": ALT}).status_code == 302
    assert Image.objects.count() == 1


def test_a_new_file_replaces_the_kept_one(editor_client):
    first = editor_client.post(ADD, {"file": upload(photo_with_gps(), "first.jpg"), "alt": ""})
    token = token_in(first.text)

    second = editor_client.post(
        ADD,
        {
            "kept_upload": token,
            "file": upload(photo_with_gps(900, 600, orientation=1), "second.jpg"),
        },
    )

    assert "second.jpg" in second.text and "first.jpg" not in second.text
    assert len(kept_files()) == 1
    editor_client.post(ADD, {"kept_upload": token_in(second.text), "alt": ALT})
    assert (Image.objects.get().width, Image.objects.get().height) == (900, 600)


def test_a_file_refused_on_its_own_is_not_kept(editor_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    response = editor_client.post(ADD, {"file": upload(svg, "logo.svg"), "alt": ""})

    assert "SVG images are not accepted" in response.text
    assert token_in(response.text) == "" and kept_files() == []


def test_a_kept_file_is_its_uploader_s_only(editor_client):
    first = editor_client.post(ADD, {"file": upload(photo_with_gps(), "run.jpg"), "alt": ""})
    token = token_in(first.text)
    other = Client()
    other_editor = UserFactory(username="ada", is_staff=True)
    other_editor.groups.add(*UserFactory._meta.model.objects.get(username="erin").groups.all())
    other.force_login(other_editor)

    response = other.post(ADD, {"kept_upload": token, "alt": ALT})

    assert response.status_code == 200 and "This field is required." in response.text
    assert not Image.objects.exists()


@pytest.mark.parametrize("token", ["", "x", "images/pending/../../settings.py", "a:b:c"])
def test_a_forged_token_is_no_file(editor_client, token):
    response = editor_client.post(ADD, {"kept_upload": token, "alt": ALT})

    assert response.status_code == 200 and "This field is required." in response.text


def test_abandoned_kept_files_go_after_a_day(editor):
    token = pending.keep(b"not looked at", "jpg", "a.jpg", editor)
    assert pending.find(token, editor) is not None

    pending.forget_stale(now=timezone.now() + dt.timedelta(seconds=pending.MAX_AGE - 60))
    assert len(kept_files()) == 1
    pending.forget_stale(now=timezone.now() + dt.timedelta(seconds=pending.MAX_AGE + 60))
    assert kept_files() == [] and pending.find(token, editor) is None
