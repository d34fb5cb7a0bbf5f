"""The comment form's consent line links to the page marked as the privacy
policy; without one published, it says in plain words where the data goes,
and the form works either way. The post page is shared by every anonymous
reader (the page cache), so the link changes for all of them at once."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Post
from comments.forms import DATA_GOES
from comments.models import Comment
from core import site_links
from pages.models import Page
from tests.articles.factories import PostFactory
from tests.comments.factories import form_data
from tests.security.html_parts import find_one

from .factories import PageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return PostFactory(slug="a-post")


def consent_line(html):
    return find_one(html, "div", id="id_consent_helptext")


def read(post):
    response = Client().get(post.get_absolute_url())
    assert response.status_code == 200
    return response.text


def test_the_consent_line_links_to_the_published_privacy_policy(post):
    PageFactory(title="Privacy policy", slug="privacy", privacy=True, in_footer=True)

    html = read(post)
    line = consent_line(html)

    assert DATA_GOES in line
    assert 'how to have them deleted: <a href="/pages/privacy/">Privacy policy</a>.' in line
    # The checkbox names the line as its description (screen readers read it).
    assert 'aria-describedby="id_consent_helptext"' in html
    assert "network address and browser" in html[html.index('for="id_consent"') :]


def test_a_privacy_policy_linked_from_no_menu_is_still_the_consent_link(post):
    PageFactory(title="Your data", slug="your-data", privacy=True, place=Page.Place.NONE)

    assert 'href="/pages/your-data/"' in consent_line(read(post))


@pytest.mark.parametrize("state", ["no page at all", "a draft policy", "another page"])
def test_without_a_published_policy_the_line_says_where_the_data_goes(post, state):
    if state == "a draft policy":
        PageFactory(title="Privacy policy", privacy=True, draft=True)
    elif state == "another page":
        PageFactory(title="About", in_footer=True)

    line = consent_line(read(post))

    assert DATA_GOES in line
    assert "<a " not in line


def test_the_form_works_without_a_privacy_policy(client, post):
    response = client.post(
        reverse("comments:post", args=[post.pk]),
        form_data(post, seconds_ago=60),
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert response.status_code == 302
    assert Comment.objects.filter(post=post).count() == 1


def test_without_any_app_providing_site_pages_the_line_still_says_it(post, monkeypatch):
    monkeypatch.setattr(site_links, "find", lambda role, request=None: None)
    PageFactory(title="Privacy policy", privacy=True)

    line = consent_line(read(post))

    assert DATA_GOES in line and "<a " not in line


@pytest.mark.parametrize(
    "change, expected",
    [
        ("unpublished", None),
        ("new address", '<a href="/pages/your-privacy/">Privacy policy</a>'),
        ("renamed", '<a href="/pages/privacy/">How we use your data</a>'),
        ("unmarked", None),
    ],
)
def test_the_cached_post_page_follows_the_privacy_policy_at_once(post, change, expected):
    page = PageFactory(title="Privacy policy", slug="privacy", privacy=True)
    before = read(post)
    assert read(post) == before  # served from the page cache
    assert 'href="/pages/privacy/"' in consent_line(before)

    if change == "unpublished":
        Page.objects.filter(pk=page.pk).unpublish()
    elif change == "new address":
        page.slug = "your-privacy"
        page.save()
    elif change == "renamed":
        page.title = "How we use your data"
        page.save()
    elif change == "unmarked":
        page.is_privacy_policy = False
        page.save()
    line = consent_line(read(post))

    if expected is None:
        assert "<a " not in line and DATA_GOES in line
    else:
        assert expected in line


def test_a_page_marked_as_the_policy_becomes_the_link_at_once(post):
    page = PageFactory(title="Data protection", slug="data")
    assert "<a " not in consent_line(read(post))

    page.is_privacy_policy = True
    page.save()

    assert 'href="/pages/data/"' in consent_line(read(post))


def test_the_consent_line_adds_no_query_to_the_post_page(post, django_assert_num_queries):
    """The header, the footer and the consent line share one reading of the menus."""
    PageFactory(title="Privacy policy", privacy=True, in_footer=True)
    read(post)  # the menus are built and cached
    Post.objects.filter(pk=post.pk).mark_pages_changed()  # the post page itself renders again

    # site stamp, page version, post + author, references, disclaimers, topics,
    # the JSON-LD's approved comment count, thread, related posts (two), the
    # next scheduled post (when the related posts may change)
    with django_assert_num_queries(11):
        html = read(post)
    assert 'href="/pages/' in consent_line(html)
