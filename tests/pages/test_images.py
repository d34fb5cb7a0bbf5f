"""Images in a site page's body, as in posts: from the library, with alt
text, protected while the page shows them, and a new caption shows at once."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.test import Client

from pages.models import PageBodyImage
from tests.images.factories import ImageFactory, picture, upload
from tests.security.html_parts import find_one

from .factories import PageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def image():
    return ImageFactory(
        file=upload(picture(2000, 1200)),
        alt="Our shop's front door",
        caption="The shop in Leeds.",
        credit="Photo: Sam Lee",
    )


def test_a_page_shows_a_library_image_as_a_figure_with_srcset(image):
    PageFactory(slug="about", body=f"Who we are.\n\n![Our shop's front door](image:{image.pk})")

    body = find_one(Client().get("/pages/about/").text, "div", css_class="page-body")

    assert '<figure><img alt="Our shop\'s front door"' in body
    assert "srcset=" in body and 'loading="lazy"' in body
    assert "<figcaption>The shop in Leeds.<small>Photo: Sam Lee</small></figcaption>" in body


def test_images_in_a_page_are_recorded_and_protected(image):
    page = PageFactory(body=f"![A door](image:{image.pk})")

    assert list(PageBodyImage.objects.values_list("page", "image")) == [(page.pk, image.pk)]
    with pytest.raises(ProtectedError):
        image.delete()

    page.body = "No picture now."
    page.save()
    assert not PageBodyImage.objects.exists()
    image.delete()


def test_a_new_caption_in_the_library_shows_on_the_cached_page_at_once(image):
    PageFactory(slug="about", body=f"![A door](image:{image.pk})")
    before = Client().get("/pages/about/").text
    assert "The shop in Leeds." in before

    image.caption = "The shop in York."
    image.save()

    after = Client().get("/pages/about/").text
    assert "The shop in York." in after and "Leeds" not in after


@pytest.mark.parametrize(
    "body, code",
    [
        ("![](image:{pk})", "image_without_alt"),
        ("![A door](image:999999)", "unknown_image"),
        ("![A door](https://elsewhere.example/door.jpg)", "foreign_image"),
    ],
)
def test_an_image_problem_is_an_error_on_the_body(image, body, code):
    page = PageFactory.build(body=body.format(pk=image.pk))

    with pytest.raises(ValidationError) as caught:
        page.full_clean()

    assert code in [error.code for error in caught.value.error_dict["body"]]
