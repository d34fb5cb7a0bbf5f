"""The navigation and the footer: made of the published pages, in the editors'
order, in a fixed number of queries, and changed at once on every page the
moment a page is published, unpublished, renamed or moved."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Post
from core.models import SiteStamp
from pages.menus import build_menus, site_menus
from pages.models import MENUS_STAMP, Page
from tests.articles.factories import PostFactory
from tests.security.html_parts import find_all, find_one

from .factories import PageFactory

pytestmark = pytest.mark.django_db


def navigation(html):
    return find_one(html, "ul", css_class="navbar-nav")


def footer(html):
    found = find_all(html, "nav", css_class="site-footer-nav")
    return found[0] if found else ""


def links(fragment):
    """The link texts of a menu, in order."""
    return re.findall(r'<a [^>]*href="/pages/[^"]*"[^>]*>([^<]*)</a>', fragment)


@pytest.fixture
def post():
    return PostFactory(slug="a-post")


def read(url="/blog/a-post/"):
    """What a new anonymous reader gets (from the page cache when it may)."""
    response = Client().get(url)
    assert response.status_code == 200
    return response.text


def test_the_menus_show_published_pages_in_their_place_and_order(post):
    PageFactory(title="Team", in_navigation=True, order=2)
    PageFactory(title="About", in_navigation=True, order=1)
    PageFactory(title="Draft nav", in_navigation=True, draft=True)
    PageFactory(title="Privacy policy", in_footer=True, order=5, privacy=True)
    PageFactory(title="Imprint", in_footer=True, order=1)
    PageFactory(title="Draft footer", in_footer=True, draft=True)
    PageFactory(title="Unlinked", place=Page.Place.NONE)

    html = read()

    assert links(navigation(html)) == ["About", "Team"]
    assert links(footer(html)) == ["Imprint", "Privacy policy"]
    assert "Draft" not in html and "Unlinked" not in html
    # Blog first, then the pages, then the feed: the header is one list.
    nav = navigation(html)
    assert nav.index(">Blog<") < nav.index(">About<") < nav.index(">Feed<")


def test_a_draft_page_is_in_no_menu_for_staff_either(editor_client, post):
    PageFactory(title="Secret plans", in_navigation=True, draft=True)
    PageFactory(title="Secret footer", in_footer=True, draft=True)

    html = editor_client.get("/blog/a-post/").text

    assert "Secret" not in html


def test_the_page_being_read_is_marked_current(client):
    PageFactory(title="About", slug="about", in_navigation=True)
    PageFactory(title="Privacy", slug="privacy", in_footer=True)

    about = read("/pages/about/")
    privacy = read("/pages/privacy/")

    assert 'href="/pages/about/" aria-current="page">About' in navigation(about)
    assert "aria-current" not in footer(about)
    assert 'href="/pages/privacy/" aria-current="page">Privacy' in footer(privacy)


def test_no_footer_pages_no_footer_navigation(post):
    html = read()

    assert "site-footer-nav" not in html
    assert "Nothing here is medical advice." in html


def _set(page, **fields):
    for name, value in fields.items():
        setattr(page, name, value)
    page.save()


CHANGES = {
    "published": lambda page: _set(page, status=Page.Status.PUBLISHED),
    "published in bulk": lambda page: Page.objects.filter(pk=page.pk).publish(),
    "unpublished": lambda page: _set(page, status=Page.Status.DRAFT),
    "unpublished in bulk": lambda page: Page.objects.filter(pk=page.pk).unpublish(),
    "renamed": lambda page: _set(page, title="Our story"),
    "new address": lambda page: _set(page, slug="our-story"),
    "moved to the footer": lambda page: _set(page, place=Page.Place.FOOTER),
    "unlinked": lambda page: _set(page, place=Page.Place.NONE),
    "reordered": lambda page: _set(page, order=9),
    "deleted": lambda page: page.delete(),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_page_shows_a_menu_change_at_once(post, change):
    PageFactory(title="Contact", slug="contact", in_navigation=True, order=5)
    page = PageFactory(
        title="About",
        slug="about",
        in_navigation=True,
        order=1,
        draft=change == "published" or change == "published in bulk",
    )
    before = read()  # now in the page cache
    assert read() == before  # and served from it

    CHANGES[change](page)
    after = read()

    assert after != before
    expected = {
        "published": (["About", "Contact"], []),
        "published in bulk": (["About", "Contact"], []),
        "unpublished": (["Contact"], []),
        "unpublished in bulk": (["Contact"], []),
        "renamed": (["Our story", "Contact"], []),
        "new address": (["About", "Contact"], []),
        "moved to the footer": (["Contact"], ["About"]),
        "unlinked": (["Contact"], []),
        "reordered": (["Contact", "About"], []),
        "deleted": (["Contact"], []),
    }[change]
    assert (links(navigation(after)), links(footer(after))) == expected
    if change == "new address":
        assert 'href="/pages/our-story/"' in navigation(after)


def test_editing_only_a_menu_pages_body_leaves_every_other_cached_page_alone(post):
    page = PageFactory(title="About", in_navigation=True)
    stamp = SiteStamp.current()

    page.body = "New words, same menus."
    page.save()
    PageFactory(title="Unlinked page")  # published, but linked from no menu

    assert SiteStamp.current() == stamp


def test_a_change_touches_the_navigation_stamp_in_the_same_transaction(post):
    page = PageFactory(title="About", in_navigation=True)

    page.title = "About us"
    page.save()

    assert SiteStamp.objects.filter(name=MENUS_STAMP).exists()


def test_a_page_loaded_without_its_menu_fields_says_changed_when_saved(post):
    page = PageFactory(title="About", in_navigation=True)
    stamp = SiteStamp.current()
    partial = Page.objects.only("pk", "body").get(pk=page.pk)

    partial.body = "Edited"
    partial.save()

    assert SiteStamp.current() != stamp


def test_the_menus_cost_one_query_built_and_none_cached_however_many_pages(
    rf, django_assert_num_queries
):
    PageFactory(in_navigation=True)
    cold = rf.get("/")
    with django_assert_num_queries(2):  # the stamp, the pages
        site_menus(cold)
    cold_again = rf.get("/")
    with django_assert_num_queries(1):  # the stamp (from the cache then)
        site_menus(cold_again)
    with django_assert_num_queries(0):  # the header, footer and form of one page share it
        site_menus(cold_again)

    PageFactory.create_batch(20, in_navigation=True)
    PageFactory.create_batch(20, in_footer=True)
    cache.clear()
    with django_assert_num_queries(2):
        menus = site_menus(rf.get("/"))
    assert len(menus.navigation) == 21 and len(menus.footer) == 20


def test_a_post_page_with_menus_costs_the_same_queries_for_1_and_40_pages(post):
    def cold_render():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            html = read()
        return len(queries), html

    PageFactory(in_navigation=True)
    few, _ = cold_render()
    PageFactory.create_batch(20, in_navigation=True)
    PageFactory.create_batch(20, in_footer=True)
    many, html = cold_render()

    assert many == few
    assert len(links(navigation(html))) == 21 and len(links(footer(html))) == 20
    # And the menus (and the main topics and the default share image), once
    # built, add no query to the next page rendered.
    Post.objects.filter(pk=post.pk).mark_pages_changed()
    with CaptureQueriesContext(connection) as queries:
        read()
    assert len(queries) == few - 3


def test_the_menus_are_built_even_when_the_cache_is_down(post, monkeypatch):
    PageFactory(title="About", in_navigation=True)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)

    assert [link.title for link in site_menus().navigation] == ["About"]
    assert links(navigation(read())) == ["About"]


def test_build_menus_names_the_published_privacy_policy_only():
    PageFactory(title="Old policy", privacy=True, draft=True)
    assert build_menus().privacy_policy is None

    Page.objects.update(status=Page.Status.PUBLISHED)

    assert build_menus().privacy_policy.title == "Old policy"
