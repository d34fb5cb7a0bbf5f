"""What search engines and link previews read: the post's JSON-LD (parsed as
JSON, its shape checked), the meta tags of every public page, and the staff's
"Edit this post" link, which no anonymous reader's page may carry."""

import datetime as dt
import json
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import structured_data
from articles.models import Post, Reviewer
from tests.articles.factories import PostFactory, ReferenceFactory, UserFactory
from tests.images.factories import ImageFactory, picture, upload

pytestmark = pytest.mark.django_db

SITE = "https://blog.example.com"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver"]


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def meta(html):
    """{property or name: content} of the page's <meta> tags, and its canonical link."""
    found = {}
    for _kind, key, value in re.findall(
        r'<meta (property|name)="([^"]+)" content="([^"]*)">', html
    ):
        found[key] = unescape(value)
    canonical = re.findall(r'<link rel="canonical" href="([^"]*)">', html)
    found["canonical"] = canonical[0] if canonical else None
    return found


@pytest.fixture
def image():
    return ImageFactory(
        file=upload(picture(2000, 1200)),
        alt="A scoop of white powder beside a glass of water",
    )


@pytest.fixture
def post(image):
    author = UserFactory(first_name="Erin", last_name="Writer")
    post = PostFactory(
        title="Glutamine and Gut Health",
        slug="glutamine-and-gut-health",
        summary="What glutamine does for the gut.",
        body="Claims.[1][2]",
        author=author,
        featured_image=image,
        publish_at=dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC),
    )
    ReferenceFactory(
        post=post,
        order=1,
        authors="Deters BJ, Saleem M",
        title="The role of glutamine in supporting gut health",
        journal="Food Science and Human Wellness",
        year=2021,
        volume="10",
        issue="2",
        pages="149-154",
        doi="10.1016/j.fshw.2021.02.003",
    )
    ReferenceFactory(
        post=post,
        order=2,
        authors="World Health Organization",
        title="Healthy diet",
        journal="",
        year=None,
        volume="",
        pages="",
        url="https://www.who.int/healthy-diet",
    )
    return Post.objects.for_page().get(pk=post.pk)


def test_the_post_page_has_one_blogposting_with_its_facts(client, post):
    html = client.get(post.get_absolute_url()).text

    [data] = json_ld(html)
    url = f"{SITE}/blog/glutamine-and-gut-health/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BlogPosting"
    assert data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}  # not reviewed
    assert data["headline"] == "Glutamine and Gut Health"
    assert data["description"] == "What glutamine does for the gut."
    assert data["author"] == {"@type": "Person", "name": "Erin Writer"}
    assert data["datePublished"] == "2026-03-12T09:00:00+00:00"
    assert dt.datetime.fromisoformat(data["dateModified"]) >= dt.datetime.fromisoformat(
        data["datePublished"]
    )
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "glutablog",
        "url": f"{SITE}/",
        "logo": {"@type": "ImageObject", "url": f"{SITE}/static/img/logo.png"},
    }


def test_the_image_is_its_share_crops_and_the_picture_with_absolute_addresses(client, post):
    """Google's Article guidance: several images, 16:9, 4:3 and 1:1, at least
    1200 pixels wide when the picture allows; then the picture as it is."""
    [data] = json_ld(client.get(post.get_absolute_url()).text)

    sizes = [(image["width"], image["height"]) for image in data["image"]]
    assert sizes == [(1200, 675), (1200, 900), (1200, 1200), (1600, 960)]
    for image in data["image"]:
        assert image["@type"] == "ImageObject"
        assert image["url"].startswith(f"{SITE}/media/images/")
        assert image["caption"] == "A scoop of white powder beside a glass of water"


def test_each_journal_article_is_a_scholarly_article_in_its_issue_volume_and_journal(client, post):
    [data] = json_ld(client.get(post.get_absolute_url()).text)

    deters, who = data["citation"]
    assert deters == {
        "@type": "ScholarlyArticle",
        "name": "The role of glutamine in supporting gut health",
        "author": [
            {"@type": "Person", "name": "Deters BJ"},
            {"@type": "Person", "name": "Saleem M"},
        ],
        "datePublished": "2021",
        # schema.org has no volume or issue on a Periodical: the article is
        # part of its issue, of its volume, of its journal.
        "isPartOf": {
            "@type": "PublicationIssue",
            "issueNumber": "2",
            "isPartOf": {
                "@type": "PublicationVolume",
                "volumeNumber": "10",
                "isPartOf": {"@type": "Periodical", "name": "Food Science and Human Wellness"},
            },
        },
        "pagination": "149-154",
        "url": "https://doi.org/10.1016/j.fshw.2021.02.003",
        "identifier": {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": "10.1016/j.fshw.2021.02.003",
        },
    }
    assert who == {
        "@type": "ScholarlyArticle",
        "name": "Healthy diet",
        "author": [{"@type": "Organization", "name": "World Health Organization"}],
        "url": "https://www.who.int/healthy-diet",
    }


def test_a_medical_review_makes_the_page_a_medical_web_page(client):
    reviewer = Reviewer.objects.create(
        name="Jane Doe",
        credentials="RD, PhD",
        slug="jane-doe",
        bio="A dietitian.",
        profile_url="https://registry.example.org/jane-doe",
    )
    post = PostFactory(reviewer=reviewer, reviewed_at=dt.date(2026, 3, 3))

    [data] = json_ld(client.get(post.get_absolute_url()).text)

    assert data["mainEntityOfPage"] == {
        "@type": "MedicalWebPage",
        "@id": f"{SITE}{post.get_absolute_url()}",
        "reviewedBy": {
            "@type": "Person",
            "name": "Jane Doe",
            "url": f"{SITE}/blog/reviewers/jane-doe/",
            "honorificSuffix": "RD, PhD",
            "sameAs": "https://registry.example.org/jane-doe",
        },
        "lastReviewed": "2026-03-03",
    }


def test_a_post_without_a_recorded_review_is_a_plain_web_page(client):
    reviewer = Reviewer.objects.create(name="Jane Doe", slug="jane-doe", bio="A dietitian.")
    # A reviewer chosen but no review recorded yet: nothing is claimed.
    post = PostFactory(reviewer=reviewer)

    [data] = json_ld(client.get(post.get_absolute_url()).text)

    assert data["mainEntityOfPage"] == {
        "@type": "WebPage",
        "@id": f"{SITE}{post.get_absolute_url()}",
    }
    assert "reviewedBy" not in json.dumps(data)


def test_the_json_ld_cannot_close_its_script_element(client):
    post = PostFactory(
        title="</script><script>alert(1)</script> & <!--",
        summary="A summary with </SCRIPT> in it",
    )

    html = client.get(post.get_absolute_url()).text

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003C/script\\u003E" in block
    [data] = json_ld(html)
    assert data["headline"] == "</script><script>alert(1)</script> & <!--"
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_a_post_readers_cannot_see_has_no_json_ld_even_in_the_staff_preview(editor_client, trait):
    hidden = PostFactory(title="Secret plans", **{trait: True})
    ReferenceFactory(post=hidden, title="A secret study")

    html = editor_client.get(hidden.get_absolute_url()).text

    assert json_ld(html) == []
    assert '<meta name="robots" content="noindex">' in html


def test_drafts_never_appear_in_another_post_s_json_ld(client, post):
    PostFactory(draft=True, title="Unpublished secret", summary="Secret summary")

    html = client.get(post.get_absolute_url()).text

    assert "secret" not in json.dumps(json_ld(html)).lower()


# --- meta tags ------------------------------------------------------------------


def test_the_post_page_has_open_graph_and_twitter_tags_with_its_image(client, post):
    tags = meta(client.get(post.get_absolute_url()).text)

    url = f"{SITE}/blog/glutamine-and-gut-health/"
    assert tags["canonical"] == url
    assert tags["description"] == "What glutamine does for the gut."
    assert tags["og:url"] == url
    assert tags["og:type"] == "article"
    assert tags["og:site_name"] == "glutablog"
    assert tags["og:title"] == "Glutamine and Gut Health"
    assert tags["og:description"] == "What glutamine does for the gut."
    assert tags["og:image"].startswith(f"{SITE}/media/images/")
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "720")
    assert tags["og:image:alt"] == "A scoop of white powder beside a glass of water"
    assert tags["article:published_time"] == "2026-03-12T09:00:00+00:00"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == tags["og:image"]
    assert tags["twitter:title"] == "Glutamine and Gut Health"


def test_a_post_without_an_image_gets_a_summary_card(client):
    post = PostFactory(title="No picture", summary="Words only.")

    tags = meta(client.get(post.get_absolute_url()).text)

    assert tags["twitter:card"] == "summary"
    assert "og:image" not in tags
    assert tags["og:title"] == "No picture"


def test_the_index_has_the_site_s_tags_and_a_canonical_without_tracking(client):
    for _ in range(5):
        PostFactory()

    first = meta(client.get("/blog/?utm_source=newsletter").text)
    second = client.get("/blog/?page=2", follow=True)

    assert first["canonical"] == f"{SITE}/blog/"
    assert first["og:type"] == "website"
    assert first["og:title"] == "glutablog"
    assert first["og:description"] == "Health writing with references from our team."
    assert first["description"] == "Health writing with references from our team."
    assert first["twitter:card"] == "summary"
    # A page of older posts is its own address (lists/keyset pages).
    assert second.redirect_chain[0][0].startswith("/blog/?before=")
    assert meta(second.text)["canonical"] == SITE + second.redirect_chain[0][0]


def test_error_pages_ask_not_to_be_indexed(client):
    html = client.get("/blog/no-such-post/").text

    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html


def test_meta_tags_are_escaped(client):
    post = PostFactory(title='"><script>alert(1)</script>', summary="<b>bold</b> & more")

    html = client.get(post.get_absolute_url()).text

    assert "<script>alert(1)" not in html
    assert meta(html)["og:title"] == '"><script>alert(1)</script>'
    assert meta(html)["og:description"] == "<b>bold</b> & more"


# --- the staff's edit link ----------------------------------------------------------


def test_staff_who_may_change_posts_see_an_edit_link(editor_client, post):
    html = editor_client.get(post.get_absolute_url()).text

    assert f'href="{reverse("admin:articles_post_change", args=[post.pk])}"' in html
    assert "Edit this post" in html


def test_the_staff_preview_of_a_draft_has_the_edit_link(editor_client):
    draft = PostFactory(draft=True)

    html = editor_client.get(draft.get_absolute_url()).text

    assert "Edit this post" in html


def test_readers_and_moderators_never_see_it_nor_get_it_from_the_cache(editor, moderator, post):
    staff = Client()
    staff.force_login(editor)
    editor_page = staff.get(post.get_absolute_url())
    assert "Edit this post" in editor_page.text
    assert "private" in editor_page["Cache-Control"]  # never stored for others

    moderating = Client()
    moderating.force_login(moderator)
    for reader in (Client(), Client(), moderating):
        html = reader.get(post.get_absolute_url()).text
        assert "Edit this post" not in html
        assert "/admin/" not in html


def test_the_post_page_query_count_does_not_grow_with_references(
    client, post, django_assert_num_queries
):
    url = post.get_absolute_url()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the site's menus are built once and cached
    Post.objects.filter(pk=post.pk).mark_pages_changed()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        ReferenceFactory(post=post, order=n + 10, doi=f"10.1000/{n}")
    Post.objects.filter(pk=post.pk).mark_pages_changed()

    with django_assert_num_queries(len(few)):
        html = client.get(url).text
    assert len(json_ld(html)[0]["citation"]) == 22


def test_modified_is_never_before_published():
    post = PostFactory(publish_at=timezone.now() + dt.timedelta(days=3))
    post.publish_at = timezone.now() - dt.timedelta(days=1)

    data = structured_data.post_json_ld(post)

    assert data["dateModified"] >= data["datePublished"]


def test_a_site_page_has_its_own_open_graph_tags(client):
    from tests.pages.factories import PageFactory

    page = PageFactory(
        title="About us", slug="about", body="We write about **health**, with sources."
    )

    tags = meta(client.get(page.get_absolute_url()).text)

    assert tags["canonical"] == f"{SITE}/pages/about/"
    assert tags["og:url"] == f"{SITE}/pages/about/"
    assert tags["og:title"] == "About us"
    assert tags["og:description"] == "We write about health, with sources."
    assert tags["og:type"] == "website"
    assert tags["twitter:card"] == "summary"
