"""The image library in the admin: editors upload, describe, find and reuse."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from images.models import Image
from tests.articles.factories import PostFactory

from .factories import ImageFactory, photo_with_gps, picture, upload

pytestmark = pytest.mark.django_db

ADD = "/admin/images/image/add/"
LIST = "/admin/images/image/"


def test_an_editor_uploads_an_image_and_is_recorded_as_its_uploader(editor_client, editor):
    response = editor_client.post(
        ADD,
        {
            "file": upload(photo_with_gps(), "IMG_2041.JPG"),
            "alt": "A runner drinking from a bottle",
            "caption": "After a long run.",
            "credit": "Photo: Erin",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    image = Image.objects.get()
    assert image.uploaded_by == editor
    assert image.uploaded_at is not None
    assert (image.width, image.height) == (800, 1200)
    assert image.renditions


def test_the_add_form_offers_image_files_only(editor_client):
    html = editor_client.get(ADD).text
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"just text", "notes.jpg", "not an image that can be read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "SVG images are not accepted"),
    ],
)
def test_a_refused_upload_is_explained_on_the_form(editor_client, content, name, message):
    response = editor_client.post(ADD, {"file": upload(content, name), "alt": "A picture"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["file"])
    assert Image.objects.count() == 0
    # The alt text typed is kept.
    assert 'value="A picture"' in response.text


def test_alt_text_is_required(editor_client):
    response = editor_client.post(ADD, {"file": upload(picture()), "alt": "   "})

    assert response.status_code == 200
    assert "alt" in response.context["adminform"].form.errors
    assert Image.objects.count() == 0


def test_the_file_cannot_be_replaced_after_upload(editor_client):
    image = ImageFactory()
    url = f"/admin/images/image/{image.pk}/change/"
    html = editor_client.get(url).text
    assert 'type="file"' not in html
    assert f"![{image.alt}](image:{image.pk})" in html  # what to paste in a body

    response = editor_client.post(
        url,
        {"file": upload(picture(50, 50)), "alt": "New words", "caption": "", "credit": ""},
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt == "New words"
    assert image.width == 1000


def test_the_list_shows_escaped_thumbnails_and_searches_alt_and_caption(editor_client):
    ImageFactory(alt="A glass of <water>", caption="Hydration")
    ImageFactory(alt="A bowl of oats", caption="Fiber at breakfast")

    html = editor_client.get(LIST).text
    assert html.count('class="image-thumbnail"') == 2
    assert 'alt="A glass of &lt;water&gt;"' in html
    assert "<water>" not in html

    assert "A bowl of oats" in editor_client.get(LIST, {"q": "fiber"}).text
    found = editor_client.get(LIST, {"q": "glass"}).text
    assert "A glass of" in found and "A bowl of oats" not in found


def test_the_image_list_costs_the_same_queries_for_many_images(editor_client):
    ImageFactory()
    with CaptureQueriesContext(connection) as few:
        editor_client.get(LIST)
    for _ in range(30):
        ImageFactory()

    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(LIST)

    assert response.text.count('class="image-thumbnail"') == 31
    assert len(many) == len(few)


def test_the_featured_image_autocomplete_finds_images_by_alt_text(editor_client):
    ImageFactory(alt="A scoop of powder")
    ImageFactory(alt="A bowl of oats")

    response = editor_client.get(
        "/admin/autocomplete/",
        {
            "term": "scoop",
            "app_label": "articles",
            "model_name": "post",
            "field_name": "featured_image",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == [
        f"A scoop of powder (image:{Image.objects.get(alt='A scoop of powder').pk})"
    ]


def test_deleting_an_image_in_use_is_refused_with_the_posts(editor_client):
    image = ImageFactory()
    PostFactory(title="Glutamine and Gut Health", featured_image=image)

    response = editor_client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})

    assert Image.objects.filter(pk=image.pk).exists()
    assert "Glutamine and Gut Health" in response.text


def test_an_editor_deletes_an_unused_image(editor_client):
    image = ImageFactory()
    response = editor_client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.exists()


def test_moderators_have_no_access_to_images(moderator_client):
    assert moderator_client.get(LIST).status_code == 403
    assert moderator_client.get(ADD).status_code == 403
