"""Authors' pages: who wrote a post, with credentials, linked from the byline,
the feeds and the JSON-LD, kept in the admin like the reviewers."""

import json

import feedparser
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from articles.models import Author, Post
from tests.admin.forms import submitted
from tests.articles.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://blog.example.com"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def writer():
    return UserFactory(username="erin", first_name="Erin", last_name="Account", is_staff=True)


@pytest.fixture
def author(writer):
    return Author.objects.create(
        user=writer,
        name="Erin Writer",
        credentials="MS, RD",
        slug="erin-writer",
        bio="Erin studied nutrition.\n\nShe writes about the gut.",
        profile_url="https://example.org/erin",
    )


def json_ld(html):
    document = lxml_html.fromstring(html)
    [block] = [s.text for s in document.iter("script") if s.get("type") == "application/ld+json"]
    return json.loads(block)


def test_the_author_page_shows_who_they_are_and_their_public_posts(client, author, writer):
    PostFactory(author=writer, title="Fiber, explained")
    PostFactory(author=writer, title="A draft of theirs", draft=True)
    PostFactory(title="Someone else's post")

    response = client.get("/blog/authors/erin-writer/")

    assert response.status_code == 200
    html = response.text
    assert "Erin Writer" in html and "MS, RD" in html
    assert "<p>She writes about the gut.</p>" in html
    assert 'href="https://example.org/erin"' in html
    assert "Fiber, explained" in html
    assert "A draft of theirs" not in html and "Someone else" not in html
    assert client.get("/blog/authors/nobody/").status_code == 404


def test_the_byline_and_json_ld_name_the_author_with_a_url(client, author, writer):
    post = PostFactory(author=writer)

    html = client.get(post.get_absolute_url()).text

    assert (
        'by <a class="byline-author" rel="author" href="/blog/authors/erin-writer/">'
        "Erin Writer</a>, MS, RD"
    ) in html
    assert json_ld(html)["author"] == {
        "@type": "Person",
        "name": "Erin Writer",
        "url": f"{SITE}/blog/authors/erin-writer/",
        "honorificSuffix": "MS, RD",
        "sameAs": "https://example.org/erin",
    }


def test_an_account_without_a_profile_is_named_without_a_link(client):
    post = PostFactory(author=UserFactory(first_name="Pat", last_name="Plain"))

    html = client.get(post.get_absolute_url()).text

    assert "by Pat Plain" in html
    assert 'rel="author"' not in html
    assert json_ld(html)["author"] == {"@type": "Person", "name": "Pat Plain"}


def test_the_post_page_costs_no_query_more_with_an_author_page(client, author, writer):
    plain = PostFactory(author=UserFactory())
    with_page = PostFactory(author=writer)
    client.get(plain.get_absolute_url())  # the menus and the default image, cached

    counts = []
    for post in (plain, with_page):
        Post.objects.filter(pk=post.pk).mark_pages_changed()
        with CaptureQueriesContext(connection) as queries:
            client.get(post.get_absolute_url())
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_feeds_name_the_author_and_link_their_page(client, author, writer):
    PostFactory(author=writer, title="Fiber, explained")

    for url in ("/blog/feed/", "/blog/feed/rss/"):
        feed = feedparser.parse(client.get(url).content)
        entry = feed.entries[0]
        assert entry.author_detail.name == "Erin Writer"
    atom = feedparser.parse(client.get("/blog/feed/").content)
    assert atom.entries[0].author_detail.href == f"{SITE}/blog/authors/erin-writer/"


def test_an_edited_profile_shows_at_once_on_cached_pages(client, author, writer):
    post = PostFactory(author=writer)
    assert "Erin Writer" in client.get(post.get_absolute_url()).text
    assert "Erin Writer" in client.get("/blog/authors/erin-writer/").text

    author.name = "Erin W. Writer"
    author.save()

    assert "Erin W. Writer" in client.get(post.get_absolute_url()).text
    assert "Erin W. Writer" in client.get("/blog/authors/erin-writer/").text
    assert "Erin W. Writer" in client.get("/blog/").text


def test_a_deleted_profile_leaves_cached_pages_at_once(client, author, writer):
    post = PostFactory(author=writer)
    assert 'href="/blog/authors/erin-writer/"' in client.get(post.get_absolute_url()).text

    author.delete()

    page = client.get(post.get_absolute_url()).text
    assert 'href="/blog/authors/erin-writer/"' not in page
    assert client.get("/blog/authors/erin-writer/").status_code == 404


def test_the_author_page_is_cached_for_readers(client, author, writer, django_assert_num_queries):
    PostFactory(author=writer)
    client.get("/blog/authors/erin-writer/")

    with django_assert_num_queries(3):  # the site stamp, the profile, the posts' version
        assert client.get("/blog/authors/erin-writer/").status_code == 200


def test_an_editor_writes_an_author_profile_in_the_admin(client, writer):
    editor = UserFactory(username="ed", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    add = reverse("admin:articles_author_add")
    data = submitted(client.get(add).text, "author_form")
    data.update(
        {
            "user": str(writer.pk),
            "name": "Erin Writer",
            "credentials": "MS",
            "slug": "erin-writer",
            "bio": "Writes about the gut.",
            "profile_url": "example.org/erin",
            "_save": "Save",
        }
    )

    assert client.post(add, data).status_code == 302

    author = Author.objects.get()
    assert author.profile_url == "https://example.org/erin"
    change = reverse("admin:articles_author_change", args=[author.pk])
    again = submitted(client.get(change).text, "author_form")
    again["_save"] = "Save"
    assert client.post(change, again).status_code == 302  # saved unchanged


@pytest.mark.parametrize("model", ["author", "reviewer"])
def test_the_account_picker_offers_active_staff_by_name_and_username(editor_client, model):
    """An author's or reviewer's account is chosen among active staff, each
    named with its username: editors cannot open the users admin to look."""
    UserFactory(username="vera", first_name="Vera", last_name="Staff", is_staff=True)
    UserFactory(username="reader", first_name="Rae", last_name="Reader", is_staff=False)
    UserFactory(
        username="gone", first_name="Gus", last_name="Gone", is_staff=True, is_active=False
    )
    page = lxml_html.fromstring(editor_client.get(reverse(f"admin:articles_{model}_add")).content)
    offered = [option.text for option in page.xpath("//select[@name='user']/option")]
    assert "Vera Staff (vera)" in offered
    assert not [name for name in offered if "reader" in name or "gone" in name]


@pytest.mark.parametrize("how", ["change page", "delete selected"])
def test_an_administrator_deletes_a_profile_in_the_admin_and_readers_lose_the_link(
    client, admin_client, author, writer, how
):
    post = PostFactory(author=writer)
    assert 'href="/blog/authors/erin-writer/"' in client.get(post.get_absolute_url()).text

    if how == "change page":
        response = admin_client.post(
            reverse("admin:articles_author_delete", args=[author.pk]), {"post": "yes"}
        )
    else:
        response = admin_client.post(
            reverse("admin:articles_author_changelist"),
            {"action": "delete_selected", "_selected_action": [author.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Author.objects.exists()

    page = client.get(post.get_absolute_url()).text
    assert 'href="/blog/authors/erin-writer/"' not in page
    assert "Erin Writer" not in page
