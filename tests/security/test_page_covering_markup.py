"""Issue 16, "A page-covering link": an editor's HTML may not borrow the
site's classes or ids. ``<a class="stretched-link position-fixed top-0 start-0
w-100 h-100" id="comment-form" href=…>`` survived the sanitiser: a link over
the whole page (Bootstrap's classes), carrying the comment form's own id. Only
the classes our rendering sets (citations, disclaimer markers) are kept, and
no id at all; tried through the admin's forms for posts, site pages and topic
descriptions, and read where readers read them (the page, the feeds)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Post, Topic
from core import markup
from pages.models import Page
from tests.articles.factories import TopicFactory
from tests.articles.test_admin import ADD_URL, REFERENCE, post_data
from tests.pages.test_admin import page_data

COVERING = (
    '<a class="stretched-link position-fixed top-0 start-0 w-100 h-100" '
    'id="comment-form" href="https://attacker.example/">Read more</a>'
)
# Other ways of borrowing the page: ids the site uses, classes on every
# element editors may write, ours on elements that are not ours.
BORROWING = [
    COVERING,
    '<sup class="stretched-link" id="main">1</sup>',
    '<div class="modal d-block fixed-top" id="comments">A box</div>',
    '<span class="visually-hidden-focusable position-absolute">Hidden</span>',
    '<p class="citation" id="ref-1">A fake reference</p>',
    '<a href="#x" class="btn btn-primary" name="top" id="skip-link">A button</a>',
]
# (A raw <img> is refused on the body field; rendered anyway, it loses them too.)
IMAGE = '<img src="/media/a.png" alt="a" class="w-100 vh-100" id="logo">'


def borrowed(html):
    """The classes and ids left on the editor's elements."""
    return re.findall(r'\s(class|id|name)="([^"]*)"', html)


@pytest.mark.parametrize("attack", [*BORROWING, IMAGE])
def test_no_class_or_id_of_an_editor_survives(attack):
    html = markup.render(f"Before.\n\n{attack}\n\nAfter [1] [**].", 1, ["**"]).html

    assert borrowed(html) == [("class", "citation"), ("class", "disclaimer-marker")]
    text = re.sub(r"<[^>]+>", "", attack)
    assert text in html  # the text stays: only the attributes go


def test_the_classes_our_rendering_sets_are_kept_in_the_feed_copy_too():
    html = markup.render(f"{COVERING} cited [1] and marked [†].", 1, ["†"]).html
    absolute = markup.with_absolute_urls(html, "https://blog.example/blog/x/")

    for rendered in (html, absolute):
        assert borrowed(rendered) == [("class", "citation"), ("class", "disclaimer-marker")]
        assert "stretched-link" not in rendered and 'id="comment-form"' not in rendered


@pytest.mark.django_db
def test_a_post_body_cannot_cover_the_page_or_take_the_comment_form_s_id(editor, editor_client):
    data = post_data(
        editor,
        references=[REFERENCE],
        body=f"Magnesium may help.[1]\n\n{COVERING}\n\n" + "\n\n".join(BORROWING[1:]),
    )
    assert editor_client.post(ADD_URL, data).status_code == 302
    post = Post.objects.get(slug="magnesium-and-sleep")

    page = Client().get(post.get_absolute_url()).text

    assert post.body_html in page
    assert borrowed(post.body_html) == [("class", "citation")]
    assert page.count('id="comment-form"') == 1  # the form's own
    assert "stretched-link" not in page and "position-fixed" not in page
    # Saved again unchanged, as an editor would: still nothing borrowed.
    change = reverse("admin:articles_post_change", args=[post.pk])
    from tests.admin.forms import submitted

    again = submitted(editor_client.get(change).text, "post_form")
    again["_save"] = ["Save"]
    assert editor_client.post(change, again).status_code == 302
    post.refresh_from_db()
    assert "stretched-link" not in post.body_html and 'id="' not in post.body_html


@pytest.mark.django_db
def test_a_site_page_cannot_cover_the_page(editor_client):
    body = "Shipping.\n\n" + "\n\n".join(BORROWING)
    response = editor_client.post(reverse("admin:pages_page_add"), page_data(body=body))
    assert response.status_code == 302

    stored = Page.objects.get(slug="shipping")
    page = Client().get(stored.get_absolute_url()).text

    assert stored.body_html in page and "A fake reference" in page
    assert borrowed(stored.body_html) == []
    assert "stretched-link" not in page and 'id="comment-form"' not in page


@pytest.mark.django_db
def test_a_topic_description_cannot_cover_the_page(editor_client):
    TopicFactory()  # not the only topic
    description = "Posts about the gut.\n\n" + "\n\n".join(BORROWING)
    response = editor_client.post(
        reverse("admin:articles_topic_add"),
        {"name": "Gut health", "slug": "gut-health", "description": description, "order": "1"},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(slug="gut-health")

    page = Client().get(topic.get_absolute_url()).text

    assert topic.description_html in page and "A fake reference" in page
    assert borrowed(topic.description_html) == []
    assert "stretched-link" not in page and 'id="comment-form"' not in page
