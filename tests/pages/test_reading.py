"""A reader opens a site page; a draft is nobody's but staff's; the page is
served from the page cache, the same bytes for every anonymous reader."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from pages.models import Page
from tests.articles.factories import UserFactory
from tests.security.html_parts import find_all, find_one
from tests.security.xss import XSS_VECTORS, assert_inert

from .factories import PageFactory

pytestmark = pytest.mark.django_db

HIT_QUERIES = 2  # the site-wide stamp, the page's version
# The stamp, the version, the page, the site's menus, main topics and default
# share image (then cached).
FIRST_RENDER_QUERIES = 6


def test_a_reader_opens_a_published_page(client):
    page = PageFactory(title="About us", slug="about", body="We *write* about health.")

    response = client.get("/pages/about/")

    assert response.status_code == 200
    assert page.get_absolute_url() == "/pages/about/"
    assert "<title>About us · glutablog</title>" in response.text
    assert '<h1 id="page-title" class="mb-4">About us</h1>' in response.text
    assert "<p>We <em>write</em> about health.</p>" in response.text
    assert f'<link rel="canonical" href="{settings.SITE_URL}/pages/about/">' in response.text
    assert "Preview." not in response.text


@pytest.mark.parametrize(
    "who", ["anonymous", "a reader with an account", "a moderator", "an inactive editor"]
)
def test_a_draft_is_a_404_for_everyone_but_staff_who_may_see_pages(client, who):
    PageFactory(slug="coming-soon", draft=True, body="Not yet.")
    if who == "a reader with an account":
        client.force_login(UserFactory())
    elif who == "a moderator":
        user = UserFactory(is_staff=True)
        user.groups.add(Group.objects.get(name="Moderators"))
        client.force_login(user)
    elif who == "an inactive editor":
        user = UserFactory(is_staff=True, is_active=False)
        user.groups.add(Group.objects.get(name="Editors"))
        client.force_login(user)

    for _ in range(2):  # and never from a cache
        response = client.get("/pages/coming-soon/")
        assert response.status_code == 404
        assert "Not yet." not in response.text


def test_an_editor_previews_a_draft_with_a_banner_never_cached(editor_client):
    PageFactory(slug="coming-soon", draft=True, body="Not yet.", place=Page.Place.FOOTER)

    response = editor_client.get("/pages/coming-soon/")

    assert response.status_code == 200
    assert "Not yet." in response.text
    assert "<strong>Preview.</strong> This page is a draft; readers cannot see it" in response.text
    assert "no menu links to it yet" in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # An anonymous reader right after still gets the 404, not the preview.
    assert Client().get("/pages/coming-soon/").status_code == 404


def test_a_published_page_becomes_public_at_once_and_a_404_again_when_unpublished(client):
    page = PageFactory(slug="terms", draft=True)
    assert client.get("/pages/terms/").status_code == 404

    page.status = Page.Status.PUBLISHED
    page.save()
    assert client.get("/pages/terms/").status_code == 200

    Page.objects.filter(pk=page.pk).unpublish()
    assert client.get("/pages/terms/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/pages/no-such-page/",
        "/pages/" + "a" * 5000 + "/",
        "/pages/%00/",
        "/pages/%C3%A9t%C3%A9/",
        "/pages/../admin/",
        "/pages/",
    ],
)
def test_odd_addresses_are_a_plain_404(client, path):
    PageFactory(slug="about")

    assert client.get(path).status_code == 404


def test_every_anonymous_reader_gets_the_same_bytes(django_assert_num_queries):
    page = PageFactory(slug="about", place=Page.Place.NAVIGATION)
    first_reader, second_reader = Client(), Client()

    with django_assert_num_queries(FIRST_RENDER_QUERIES):
        first = first_reader.get(page.get_absolute_url())
    with django_assert_num_queries(HIT_QUERIES):
        second = second_reader.get(page.get_absolute_url(), HTTP_USER_AGENT="Other/1.0")

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert not first.cookies and not second.cookies
    assert "public" in second["Cache-Control"]


def test_an_edit_shows_at_once_to_the_next_reader(client):
    page = PageFactory(slug="about", body="First words.")
    before = client.get("/pages/about/")

    page.body = "Second words."
    page.save()
    after = Client().get("/pages/about/")

    assert "Second words." in after.text and "First words." not in after.text
    assert after["ETag"] != before["ETag"]


def test_a_renamed_page_moves_to_its_new_address(client):
    page = PageFactory(slug="old-name")
    client.get("/pages/old-name/")

    page.slug = "new-name"
    page.save()

    assert client.get("/pages/old-name/").status_code == 404
    assert client.get("/pages/new-name/").status_code == 200


def test_page_markdown_is_sanitised_and_a_raw_script_refused():
    page = PageFactory(
        body=(
            '<img src=x onerror="alert(1)"> [click](javascript:alert(1)) '
            "<a href='https://ok.example' onclick='alert(1)'>ok</a>"
        )
    )

    assert_inert(page.body_html)
    assert "onerror" not in page.body_html and "javascript:" not in page.body_html
    page.body = "Before <script>alert(1)</script> after"
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert refused.value.error_dict["body"][0].code == "removed_element"


def test_the_xss_corpus_as_a_page_body_and_title_runs_nothing(client):
    """Each vector as the body and as the title of a page in the navigation and
    the footer: the article, the menus and the title are inert."""
    page = PageFactory(slug="xss", place=Page.Place.NAVIGATION)
    footer = PageFactory(slug="xss-footer", place=Page.Place.FOOTER)
    for vector in XSS_VECTORS:
        page.title = footer.title = vector[:120]
        page.body = vector
        page.save()
        footer.save()

        html = Client().get("/pages/xss/").text

        assert_inert(find_one(html, "article", css_class="site-page"), vector)
        for part in find_all(html, "ul", css_class="navbar-nav") + find_all(
            html, "nav", css_class="site-footer-nav"
        ):
            assert_inert(part, vector)
        title = html[html.index("<title>") : html.index("</title>")]
        assert "<" not in title[len("<title>") :], vector
