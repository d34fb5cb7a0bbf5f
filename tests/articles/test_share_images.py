"""Share images: a page without a picture of its own shows the site's default
share image, chosen in the admin, in og:image, twitter:image and (a post) its
JSON-LD, with the 16:9, 4:3 and 1:1 crops; search engines may show large
previews. Read as link-preview robots read the head: parsed HTML (lxml)."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from images.models import Image
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory, TopicFactory
from tests.images.factories import ImageFactory, picture, upload
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db

SITE = "https://blog.example.com"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def head(client, path):
    """(meta tags {property or name: [contents]}, JSON-LD blocks) of a page."""
    response = client.get(path)
    assert response.status_code == 200
    document = lxml_html.fromstring(response.content)
    tags = {}
    for tag in document.head.iter("meta"):
        key = tag.get("property") or tag.get("name")
        if key:
            tags.setdefault(key, []).append(tag.get("content"))
    blocks = [
        json.loads(s.text)
        for s in document.iter("script")
        if s.get("type") == "application/ld+json"
    ]
    return tags, blocks


def choose_default(client, image):
    """An editor ticks "default share image" on the image's change form."""
    url = reverse("admin:images_image_change", args=[image.pk])
    data = submitted(client.get(url).text, "image_form")
    data["is_share_default"] = "on"
    data["_save"] = "Save"
    assert client.post(url, data).status_code == 302


@pytest.fixture
def share_image():
    return ImageFactory(file=upload(picture(2400, 1400), "brand.jpg"), alt="The blog's leaf")


@pytest.fixture
def bare_post():
    post = PostFactory(slug="no-picture", title="A post without a picture")
    post.topics.add(TopicFactory(slug="gut-health"))
    return post


def test_without_a_default_a_bare_post_has_no_image(client, bare_post):
    tags, [data] = head(client, bare_post.get_absolute_url())

    assert "og:image" not in tags and "twitter:image" not in tags
    assert "image" not in data
    assert tags["twitter:card"] == ["summary"]


def test_a_default_chosen_in_the_admin_shows_on_pages_without_a_picture(
    admin_client, client, share_image, bare_post
):
    before = client.get(bare_post.get_absolute_url())  # cached, then changed at once
    assert b"og:image" not in before.content

    choose_default(admin_client, share_image)

    tags, [data] = head(client, bare_post.get_absolute_url())
    assert tags["og:image"][0].startswith(f"{SITE}/media/images/")
    assert tags["og:image:alt"] == ["The blog's leaf"]
    assert tags["twitter:image"] == tags["og:image"]
    assert tags["twitter:card"] == ["summary_large_image"]
    sizes = [(image["width"], image["height"]) for image in data["image"]]
    assert sizes == [(1200, 675), (1200, 900), (1200, 1200), (1600, 933)]
    assert all(image["url"].startswith(f"{SITE}/media/images/") for image in data["image"])
    for path in (
        "/blog/",
        "/blog/topics/gut-health/",
        PageFactory(slug="about").get_absolute_url(),
    ):
        tags, _ = head(client, path)
        assert tags["og:image"][0].startswith(f"{SITE}/media/images/"), path


def test_a_featured_image_wins_over_the_default(admin_client, client, share_image):
    choose_default(admin_client, share_image)
    own = ImageFactory(file=upload(picture(2000, 1000), "own.jpg"), alt="Its own picture")
    post = PostFactory(featured_image=own)

    tags, [data] = head(client, post.get_absolute_url())

    assert tags["og:image:alt"] == ["Its own picture"]
    assert {image["caption"] for image in data["image"]} == {"Its own picture"}


def test_one_default_at_a_time_and_a_change_reaches_cached_pages(
    admin_client, client, share_image, bare_post
):
    choose_default(admin_client, share_image)
    other = ImageFactory(alt="Another picture")
    assert head(client, bare_post.get_absolute_url())[0]["og:image:alt"] == ["The blog's leaf"]

    choose_default(admin_client, other)

    assert list(Image.objects.filter(is_share_default=True)) == [other]
    assert head(client, bare_post.get_absolute_url())[0]["og:image:alt"] == ["Another picture"]
    Image.objects.filter(pk=other.pk).delete()  # as the admin's delete action does
    assert "og:image" not in head(client, bare_post.get_absolute_url())[0]


def test_the_default_costs_one_query_on_a_cold_render_and_none_after(
    admin_client, client, share_image, bare_post
):
    choose_default(admin_client, share_image)
    url = f"{bare_post.get_absolute_url()}?x=1"  # rendered for each request
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)

    def lookups(queries):
        return [q for q in queries if 'WHERE "images_image"."is_share_default"' in q["sql"]]

    assert len(lookups(cold.captured_queries)) == 1
    assert lookups(warm.captured_queries) == []


@pytest.mark.parametrize("path", ["/blog/", "/blog/no-picture/", "/blog/topics/gut-health/"])
def test_public_pages_allow_large_image_previews(client, bare_post, path):
    tags, _ = head(client, path)

    assert tags["robots"] == ["max-image-preview:large"]


@pytest.mark.parametrize("path", ["/blog/nothing-here/", "/blog/search/?q=x"])
def test_pages_kept_out_of_the_index_say_only_noindex(client, bare_post, path):
    html = client.get(path).text

    assert "max-image-preview" not in html
    assert '<meta name="robots" content="noindex">' in html
