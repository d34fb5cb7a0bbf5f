"""The demo's site pages: About in the navigation, the privacy policy in the
footer, saying what the comment form stores, who sees it, how long it is kept
and how to have it deleted."""

import pytest
from django.core.management import call_command
from django.test import Client

from pages.models import Page
from tests.security.html_parts import find_one

from .factories import PageFactory

pytestmark = pytest.mark.django_db


def test_the_demo_adds_about_to_the_navigation_and_the_policy_to_the_footer(client):
    call_command("load_demo", verbosity=0)
    call_command("load_demo_pages", verbosity=0)

    post = client.get("/blog/glutamine-and-gut-health/").text

    header = find_one(post, "ul", css_class="navbar-nav")
    footer = find_one(post, "nav", css_class="site-footer-nav")
    assert '<a class="nav-link" href="/pages/about/">About</a>' in header
    assert 'href="/pages/privacy/">Privacy policy</a>' in footer
    assert 'how to have them deleted: <a href="/pages/privacy/">Privacy policy</a>' in post
    assert Page.objects.get(is_privacy_policy=True).slug == "privacy"


def test_the_privacy_policy_says_what_who_how_long_and_how_to_delete(settings):
    settings.COMMENTS_KEEP_NETWORK_DATA_DAYS = 30
    call_command("load_demo_pages", verbosity=0)

    html = Client().get("/pages/privacy/").text
    body = find_one(html, "div", css_class="page-body")

    for stored in ("name", "email address", "text", "network address", "browser"):
        assert f"<strong>{stored}</strong>" in body or stored in body
    assert "Only our moderators see it." in body
    assert "seen by moderators only" in body
    assert "cleared from a comment 30 days after you sent it" in body
    assert '<a href="/comments/delete/" rel="noopener noreferrer">Delete my comments</a>' in body
    assert "we email a link to that address to confirm" in body


def test_loading_again_keeps_editors_changes_and_reset_restores(capsys):
    call_command("load_demo_pages")
    Page.objects.filter(slug="about").update(body="Edited by an editor.")

    call_command("load_demo_pages")
    assert Page.objects.get(slug="about").body == "Edited by an editor."
    assert "0 new, 2 in all" in capsys.readouterr().out

    call_command("load_demo_pages", "--reset")
    assert "small supplement shop" in Page.objects.get(slug="about").body


def test_a_site_with_its_own_privacy_policy_keeps_it(capsys):
    PageFactory(title="Our policy", slug="our-policy", privacy=True)

    call_command("load_demo_pages")

    assert Page.objects.get(is_privacy_policy=True).slug == "our-policy"
    assert not Page.objects.get(slug="privacy").is_privacy_policy

    call_command("load_demo_pages", "--reset")

    assert Page.objects.get(is_privacy_policy=True).slug == "privacy"
