"""Issue 16, "Control characters" and "Line breaks in titles": text pasted
from Word carries ``\\x0b`` (Shift+Enter) and ``\\x0c`` (a page break). One in a
post title made every feed a 500; a line break in a title made every mail
about the post fail. Every field of that kind is now cleaned by one rule
(core.text), whatever door the text comes through.

Here an editor (and the administrator, for a name) pastes such text into
every form that writes what readers' machines read: a post with its
references, a disclaimer, a topic, a reviewer, an image, a site page, an
author's name. Then every output is read by a strict reader: the feeds
(Atom and RSS, site-wide and per topic, summaries and full content), the
JSON-LD, the sitemap, RIS and BibTeX (rispy, bibtexparser), the moderators'
mail, and the pages themselves.
"""

import json
import re
import xml.etree.ElementTree as ET

import bibtexparser
import pytest
import rispy
from django.test import Client
from django.urls import reverse

from articles.models import Disclaimer, Post, Reference, Reviewer, Topic
from core import text
from images.models import Image
from pages.models import Page
from tests.admin.forms import submitted
from tests.articles.factories import UserFactory
from tests.comments.factories import form_data as comment_form
from tests.images.factories import picture, upload

pytestmark = pytest.mark.django_db

# What a paste brings: Word's line and page breaks, Windows line ends, a bell,
# NEL, Unicode's line and paragraph separators, DEL, a noncharacter.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
SHIFT_ENTER, PAGE_BREAK = "\x0b", "\x0c"

# (as pasted, as stored) for one-line fields.
TITLE = ("Glutamine\x0band\x0cthe Gut:\r\n a\tguide\x07\u2028", "Glutamine and the Gut: a guide")


def pasted_one_line(words):
    """Words joined by every kind of break, a bell and DEL: (pasted, stored)."""
    breaks = ["\x0b", "\x0c", "\r\n", "\u2028", "\u2029", "\x85", "\t"]
    joined = words[0]
    for i, word in enumerate(words[1:]):
        joined += breaks[i % len(breaks)] + word
    return joined + "\x07\x7f\ufffe", " ".join(words)


# --- the rule ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "one_line", "plain", "markdown"),
    [
        ("a\x0bb", "a b", "a\nb", "a  \nb"),  # Word's Shift+Enter
        ("a\x0cb", "a b", "a\n\nb", "a\n\nb"),  # a page break: a new paragraph
        ("a\r\nb\rc", "a b c", "a\nb\nc", "a\nb\nc"),
        ("a\u2028b\u2029c\x85d", "a b c d", "a\nb\n\nc\nd", "a  \nb\n\nc  \nd"),
        ("a \x0b b", "a b", "a \n b", "a   \n b"),
        ("a\tb", "a b", "a\tb", "a\tb"),  # tabs stay in text (code in Markdown)
        ("a\x07\x00\x1b\x7f\x9fb\ufffe", "ab", "ab", "ab"),  # invisible: removed
        ("\x0b title \x0c", "title", "\n title \n\n", "  \n title \n\n"),
        # Nothing else changes: non-breaking spaces, smart quotes, emoji.
        ("10\xa0mg “dose” 👩‍⚕️", "10\xa0mg “dose” 👩‍⚕️", "10\xa0mg “dose” 👩‍⚕️", None),
    ],
)
def test_one_rule_for_one_line_plain_and_markdown_text(pasted, one_line, plain, markdown):
    assert text.one_line(pasted) == one_line
    assert text.plain_text(pasted) == plain
    assert text.markdown(pasted) == (plain if markdown is None else markdown)
    for clean in (text.one_line, text.plain_text, text.markdown):
        assert not FORBIDDEN.search(clean(pasted))
        assert clean(clean(pasted)) == clean(pasted)


def test_word_s_shift_enter_in_a_body_is_a_line_break_for_readers():
    from core import markup

    html = markup.render("Take it with water\x0bor juice.\x0cNext paragraph.").html

    assert html == "<p>Take it with water<br>\nor juice.</p>\n<p>Next paragraph.</p>"


# --- every form, every output ------------------------------------------------------


def post_form(client, url):
    data = submitted(client.get(url).text, "post_form")
    data["_save"] = ["Save"]
    return data


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def pasted(editor, editor_client, superuser_client, moderator, settings):
    """Everything typed by pasting, through the admin's forms. Returns what
    each field must hold: {(model, field): stored}."""
    settings.SITE_URL = "https://blog.example"
    expected = {}

    def post_admin(url, data, expect=302):
        response = editor_client.post(url, data)
        assert response.status_code == expect, response.context and response.context["errors"]
        return response

    # The author's name, by the administrator.
    url = reverse("admin:auth_user_change", args=[editor.pk])
    data = submitted(superuser_client.get(url).text, "user_form")
    data["first_name"], expected["user", "first_name"] = ["Erin\x0bMay"], "Erin May"
    data["last_name"], expected["user", "last_name"] = ["Jones\r\nSmith\x0c"], "Jones Smith"
    data["_save"] = ["Save"]
    assert superuser_client.post(url, data).status_code == 302

    # A topic, a reviewer, a disclaimer, an image.
    topic_name = pasted_one_line(["Gut", "health"])
    post_admin(
        reverse("admin:articles_topic_add"),
        {
            "name": topic_name[0],
            "slug": "gut-health",
            "description": f"About the gut{SHIFT_ENTER}and more.{PAGE_BREAK}Read on.\x07",
            "order": "1",
        },
    )
    expected["topic", "name"] = topic_name[1]
    expected["topic", "description"] = "About the gut  \nand more.\n\nRead on."
    reviewer_name = pasted_one_line(["Jane", "Doe"])
    post_admin(
        reverse("admin:articles_reviewer_add"),
        {
            "name": reviewer_name[0],
            "credentials": "RD,\x0bPhD",
            "slug": "jane-doe",
            "bio": f"A dietitian.{SHIFT_ENTER}Twenty years.{PAGE_BREAK}Reviews nutrition.",
            "profile_url": "https://example.org/jane\x01doe",
        },
    )
    expected["reviewer", "name"] = reviewer_name[1]
    expected["reviewer", "credentials"] = "RD, PhD"
    expected["reviewer", "bio"] = "A dietitian.\nTwenty years.\n\nReviews nutrition."
    expected["reviewer", "profile_url"] = "https://example.org/janedoe"
    disclaimer_name = pasted_one_line(["FDA", "statement"])
    post_admin(
        reverse("admin:articles_disclaimer_add"),
        {
            "name": disclaimer_name[0],
            "marker": "**\x0b",
            "text": f"These statements have not been evaluated{SHIFT_ENTER}by the FDA.\x0c",
        },
    )
    expected["disclaimer", "name"] = disclaimer_name[1]
    expected["disclaimer", "marker"] = "**"
    expected["disclaimer", "text"] = "These statements have not been evaluated\nby the FDA."
    alt, caption, credit = (
        pasted_one_line(["A", "scoop", "of", "powder"]),
        pasted_one_line(["Two", "scoops"]),
        pasted_one_line(["Photo:", "Erin"]),
    )
    post_admin(
        reverse("admin:images_image_add"),
        {
            "file": upload(picture(600, 400), "scoop.jpg"),
            "alt": alt[0],
            "caption": caption[0],
            "credit": credit[0],
        },
    )
    expected["image", "alt"], expected["image", "caption"] = alt[1], caption[1]
    expected["image", "credit"] = credit[1]
    image = Image.objects.get()

    # The post, with a reference whose every field was pasted.
    reference = {
        "authors": pasted_one_line(["Kim MH,", "Kim H"]),
        "title": pasted_one_line(["The roles", "of glutamine", "in the intestine"]),
        "journal": pasted_one_line(["Int J", "Mol Sci"]),
        "volume": ("18\x0b", "18"),
        "issue": ("\x0c5", "5"),
        "pages": ("1051\r\n", "1051"),
        "doi": ("10.3390/ijms18051051\x0b", "10.3390/ijms18051051"),
        "pmid": ("28498331\x07", "28498331"),
        "url": ("https://example.org/a\x01b", "https://example.org/ab"),
    }
    data = post_form(editor_client, reverse("admin:articles_post_add"))
    summary = f"What glutamine does.{SHIFT_ENTER}And what it does not.{PAGE_BREAK}\x07"
    data.update(
        title=[TITLE[0]],
        slug=["glutamine-and-the-gut"],
        summary=[summary],
        body=[f"Glutamine helps.[1] [**]{SHIFT_ENTER}Ask first.\n\n![{alt[0]}](image:{image.pk})"],
        status=["published"],
        publish_at_0=["2026-01-02"],
        publish_at_1=["10:00:00"],
        author=[str(editor.pk)],
        topics=[str(Topic.objects.get().pk)],
        reviewer=[str(Reviewer.objects.get().pk)],
        featured_image=[str(image.pk)],
    )
    data["references-TOTAL_FORMS"] = ["1"]
    data["references-0-order"] = ["1"]
    data["references-0-year"] = ["2017"]
    for name, (typed, _stored) in reference.items():
        data[f"references-0-{name}"] = [typed]
    data["post_disclaimers-TOTAL_FORMS"] = ["1"]
    data["post_disclaimers-0-disclaimer"] = [str(Disclaimer.objects.get().pk)]
    data["post_disclaimers-0-order"] = ["0"]
    post_admin(reverse("admin:articles_post_add"), data)
    post = Post.objects.get()
    expected["post", "title"] = TITLE[1]
    expected["post", "summary"] = "What glutamine does.\nAnd what it does not."
    for name, (_typed, stored) in reference.items():
        expected["reference", name] = stored

    # Saved again, unchanged, as the next editor would.
    change = reverse("admin:articles_post_change", args=[post.pk])
    post_admin(change, post_form(editor_client, change))

    # A site page.
    page_title = pasted_one_line(["Shipping", "and returns"])
    data = {
        "title": page_title[0],
        "slug": "shipping",
        "body": f"We ship{SHIFT_ENTER}everywhere.{PAGE_BREAK}Returns are free.",
        "status": "published",
        "place": "footer",
        "order": "1",
    }
    post_admin(reverse("admin:pages_page_add"), data)
    expected["page", "title"] = page_title[1]
    expected["page", "body"] = "We ship  \neverywhere.\n\nReturns are free."
    return expected


STORED = {
    "post": lambda: Post.objects.get(),
    "reference": lambda: Reference.objects.get(),
    "topic": lambda: Topic.objects.get(),
    "reviewer": lambda: Reviewer.objects.get(),
    "disclaimer": lambda: Disclaimer.objects.get(),
    "image": lambda: Image.objects.get(),
    "page": lambda: Page.objects.get(),
    "user": lambda: Post.objects.get().author,
}


def test_every_field_is_stored_clean(pasted):
    for (model, field), value in pasted.items():
        assert getattr(STORED[model](), field) == value, (model, field)
    for model in ("post", "topic", "page"):
        html = getattr(STORED[model](), "description_html" if model == "topic" else "body_html")
        assert not FORBIDDEN.search(html)
    assert "<br>" in Post.objects.get().body_html  # Word's line break, kept as one


FEEDS = [
    ("articles:feed", {}),
    ("articles:feed_rss", {}),
    ("articles:topic_feed", {"slug": "gut-health"}),
    ("articles:topic_feed_rss", {"slug": "gut-health"}),
]


@pytest.mark.parametrize("full_content", [False, True], ids=["summaries", "full"])
@pytest.mark.parametrize(("name", "kwargs"), FEEDS, ids=[name for name, _ in FEEDS])
def test_every_feed_reads_as_xml(pasted, settings, name, kwargs, full_content):
    settings.FEEDS_FULL_CONTENT = full_content
    response = Client().get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    feed = ET.fromstring(response.content)  # a strict XML 1.0 parser
    titles = [element.text for element in feed.iter() if element.tag.endswith("title")]
    assert pasted["post", "title"] in titles
    assert "Erin May Jones Smith" in response.text
    if name.startswith("articles:topic"):
        assert any(pasted["topic", "name"] in (title or "") for title in titles)


def test_the_json_ld_reads_as_json_with_clean_names(pasted):
    post = Post.objects.get()
    html = Client().get(post.get_absolute_url()).text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    article = next(
        data for data in map(json.loads, blocks) if data.get("@type") in ("BlogPosting", "Article")
    )

    assert article["headline"] == pasted["post", "title"]
    assert article["description"] == pasted["post", "summary"]
    assert article["author"]["name"] == "Erin May Jones Smith"
    assert not FORBIDDEN.search(json.dumps(article, ensure_ascii=False))
    assert not FORBIDDEN.search(html)


def test_the_sitemap_reads_as_xml(pasted):
    response = Client().get("/sitemap.xml")

    assert response.status_code == 200
    locations = [e.text for e in ET.fromstring(response.content).iter() if e.tag.endswith("loc")]
    assert any(location.endswith("/blog/glutamine-and-the-gut/") for location in locations)
    assert any(location.endswith("/pages/shipping/") for location in locations)


def test_ris_reads_back_one_record_with_the_fields_stored(pasted):
    post = Post.objects.get()
    response = Client().get(reverse("articles:references_ris", kwargs={"slug": post.slug}))

    [record] = rispy.loads(response.content.decode())
    assert record["title"] == pasted["reference", "title"]
    assert pasted["reference", "journal"] in record.values()
    assert record["authors"] == ["Kim, M H", "Kim, H"] or record["authors"]
    assert not FORBIDDEN.search(response.content.decode())


def test_bibtex_reads_back_one_entry(pasted):
    post = Post.objects.get()
    response = Client().get(reverse("articles:references_bibtex", kwargs={"slug": post.slug}))

    library = bibtexparser.parse_string(response.content.decode())
    assert len(library.entries) == 1 and not library.failed_blocks
    title = library.entries[0].fields_dict["title"].value
    assert "glutamine" in title and not FORBIDDEN.search(response.content.decode())


def test_the_moderators_mail_has_a_one_line_subject(
    pasted, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    post = Post.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("comments:post", args=[post.pk]), comment_form(post))
    assert response.status_code == 302

    [message] = [m for m in mailoutbox if "New comment" in m.subject]
    assert message.subject.endswith(f"New comment on “{pasted['post', 'title']}” awaits approval")
    assert not FORBIDDEN.search(message.subject) and "\n" not in message.subject
    assert message.message()["Subject"]  # a header Django accepts (no BadHeaderError)


@pytest.mark.parametrize(
    "where",
    [
        lambda: Post.objects.get().get_absolute_url(),
        lambda: Topic.objects.get().get_absolute_url(),
        lambda: Reviewer.objects.get().get_absolute_url(),
        lambda: Page.objects.get().get_absolute_url(),
        lambda: "/blog/",
    ],
    ids=["post", "topic", "reviewer", "page", "index"],
)
def test_every_page_shows_the_text_without_control_characters(pasted, where):
    response = Client().get(where())

    assert response.status_code == 200
    assert not FORBIDDEN.search(response.text)


def test_the_shell_and_bulk_paths_store_clean_text_too(editor):
    post = Post.objects.create(
        title="Two\nlines\x0b", slug="two-lines", summary="a\x0bb", body="c\x0cd", author=editor
    )
    Reference.objects.bulk_create([Reference(post=post, authors="Doe\x0bJ", title="T\x0c")])
    editor.first_name = "Erin\x0b"
    editor.save()

    post.refresh_from_db()
    assert (post.title, post.summary, post.body) == ("Two lines", "a\nb", "c\n\nd")
    assert Reference.objects.values_list("authors", "title").get() == ("Doe J", "T")
    editor.refresh_from_db()
    assert editor.first_name == "Erin"


def test_text_stored_before_is_cleaned_by_the_migrations(editor):
    """Rows written before this version (as raw SQL would have left them)."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    post = Post.objects.create(title="t", slug="t", summary="s", body="b", author=editor)
    topic = Topic.objects.create(name="n", slug="n")
    page = Page.objects.create(title="p", slug="p", body="b")
    Post.objects.filter(pk=post.pk).update(
        title="Old\x0btitle", body_html='<p class="x">a\x0cb</p>'
    )
    Topic.objects.filter(pk=topic.pk).update(name="Gut\nhealth")
    Page.objects.filter(pk=page.pk).update(title="About\x0cus", body_html='<p id="main">x</p>')
    type(editor).objects.filter(pk=editor.pk).update(last_name="Jones\x0b")
    editor_connection = SimpleNamespace(connection=connection)

    for module in (
        "articles.migrations.0013_clean_editors_text",
        "pages.migrations.0003_clean_editors_text",
        "images.migrations.0003_clean_editors_text",
        "core.migrations.0003_clean_user_names",
    ):
        importlib.import_module(module).clean(apps, editor_connection)

    post.refresh_from_db()
    assert (post.title, post.body_html) == ("Old title", "<p>a\n\nb</p>")
    assert Topic.objects.get().name == "Gut health"
    page.refresh_from_db()
    assert (page.title, page.body_html) == ("About us", "<p>x</p>")
    editor.refresh_from_db()
    assert editor.last_name == "Jones"


@pytest.mark.parametrize(("name", "kwargs"), FEEDS, ids=[name for name, _ in FEEDS])
def test_the_issue_s_title_and_summary_no_longer_break_the_feeds(name, kwargs):
    from tests.articles.factories import PostFactory, TopicFactory

    post = PostFactory(title="Glutamine\x0bfor the gut", summary="One\x0cTwo")
    post.topics.add(TopicFactory(slug="gut-health"))

    response = Client().get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    assert "Glutamine for the gut" in response.text
    ET.fromstring(response.content)


def _existing(kind):
    from tests.articles.factories import DisclaimerFactory, PostFactory, TopicFactory
    from tests.images.factories import ImageFactory
    from tests.pages.factories import PageFactory

    return {
        "post": lambda: PostFactory(draft=True),
        "page": PageFactory,
        "topic": TopicFactory,
        "reviewer": lambda: Reviewer.objects.create(name="Jane", slug="jane", bio="A dietitian."),
        "disclaimer": DisclaimerFactory,
        "image": ImageFactory,
    }[kind]()


@pytest.mark.parametrize(
    ("kind", "form_id", "field", "typed", "stored"),
    [
        ("post", "post_form", "title", "Sleep\x0band magnesium\r\n", "Sleep and magnesium"),
        ("post", "post_form", "summary", "One.\x0bTwo.\x0c", "One.\nTwo."),
        ("page", "page_form", "title", "About\x0cus", "About us"),
        ("page", "page_form", "body", "Line one\x0bline two", "Line one  \nline two"),
        ("topic", "topic_form", "name", "Gut\nhealth", "Gut health"),
        ("reviewer", "reviewer_form", "credentials", "RD,\x0bPhD", "RD, PhD"),
        (
            "disclaimer",
            "disclaimer_form",
            "text",
            "Not evaluated\x0bby FDA.",
            "Not evaluated\nby FDA.",
        ),
        ("image", "image_form", "caption", "After\x0bthe race\x07", "After the race"),
    ],
)
def test_an_existing_object_edited_with_pasted_text_is_stored_clean(
    editor_client, kind, form_id, field, typed, stored
):
    obj = _existing(kind)
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = submitted(editor_client.get(url).text, form_id)
    data[field] = [typed]
    data["_save"] = ["Save"]

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    obj.refresh_from_db()
    assert getattr(obj, field) == stored
