"""HTTP as clients read it: a method a page does not take is a 405 naming the
ones it does, in the site's look; conditional requests follow RFC 9110 (weak
comparison for If-None-Match, ``*`` matching any current page); the home
moves permanently; every response says which browser features the site never
uses."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Post
from core.models import SiteStamp
from tests.articles.factories import PostFactory, ReferenceFactory, TopicFactory
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    post = PostFactory(slug="glutamine", body="Claim.[1]")
    ReferenceFactory(post=post)
    post.topics.add(TopicFactory(slug="gut-health"))
    PageFactory(slug="about")
    return Post.objects.get(pk=post.pk)


READ_ONLY = [
    "/blog/",
    "/blog/glutamine/",
    "/blog/glutamine/references.ris",
    "/blog/topics/gut-health/",
    "/blog/feed/",
    "/blog/feed/rss/",
    "/blog/topics/gut-health/feed/",
    "/blog/search/",
    "/pages/about/",
    "/sitemap.xml",
    "/robots.txt",
]


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", READ_ONLY)
def test_writing_to_a_read_only_page_is_a_405_naming_get_and_head(post, path, method):
    browser = Client(enforce_csrf_checks=True)  # as a browser or curl meets it

    response = getattr(browser, method)(path, {"a": "b"})

    assert response.status_code == 405
    assert {"GET", "HEAD"} <= {m.strip() for m in response["Allow"].split(",")}
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.text
    assert "Skip to content" in html and 'aria-label="Main"' in html  # the site's look
    assert "This page cannot take that request" in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_405_says_which_requests_the_page_takes(post):
    response = Client().post("/blog/search/")

    assert response["Allow"] == "GET, HEAD"
    assert "It answers GET and HEAD requests only" in response.text


def test_django_s_own_405_gets_the_site_s_page_too(post):
    """A view refusing a method itself (require_POST) answers in the site's look."""
    response = Client().get(reverse("comments:post", args=[post.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Skip to content" in response.text
    assert "It answers POST requests only" in response.text


@pytest.mark.parametrize("path", READ_ONLY)
def test_reading_still_works(client, post, path):
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200


def test_forms_still_take_their_posts(post):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/comments/delete/")

    response = browser.post(
        "/comments/delete/",
        {"email": "reader@example.com", "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
    )

    assert response.status_code == 302


# --- conditional requests ---------------------------------------------------


@pytest.mark.parametrize("path", ["/blog/glutamine/", "/blog/", "/blog/feed/", "/pages/about/"])
@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"other", W/{etag}', "*", ' "x" ,{etag} '],
    ids=["strong", "weak", "in a list", "any", "spaces"],
)
def test_a_page_the_reader_has_is_not_sent_again(client, post, path, if_none_match):
    etag = client.get(path)["ETag"]

    response = client.get(path, HTTP_IF_NONE_MATCH=if_none_match.format(etag=etag))

    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize("if_none_match", ['"other"', 'W/"other"', '"*"', "nonsense"])
def test_a_page_the_reader_does_not_have_is_sent(client, post, if_none_match):
    response = client.get("/blog/glutamine/", HTTP_IF_NONE_MATCH=if_none_match)

    assert response.status_code == 200
    assert b"Claim." in response.content


def test_a_changed_page_is_sent_again_whatever_tag_the_reader_has(client, post):
    etag = client.get("/blog/glutamine/")["ETag"]
    SiteStamp.touch("navigation")
    post.body = "Claim, corrected.[1]"
    post.save()

    for tag in (etag, f"W/{etag}"):
        response = client.get("/blog/glutamine/", HTTP_IF_NONE_MATCH=tag)
        assert response.status_code == 200
        assert b"Claim, corrected." in response.content


def test_no_page_is_a_match_for_any_when_there_is_none(client, post):
    response = client.get("/blog/no-such-post/", HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 404


# --- the home -----------------------------------------------------------------


def test_the_home_moves_permanently_to_the_blog(client):
    response = client.get("/")

    assert response.status_code == 301
    assert response["Location"] == "/blog/"


# --- response headers -----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/blog/", "/blog/glutamine/", "/no-such-page/", "/admin/login/", "/sitemap.xml",
     "/robots.txt", "/blog/feed/", "/static/css/site.css", "/"],
)  # fmt: skip
def test_every_response_denies_the_browser_features_the_site_does_not_use(client, post, path):
    client.get(path)  # and again from the page cache
    response = client.get(path)

    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "browsing-topics",
        "fullscreen",
    ):
        assert policy.get(feature) == "()", feature
