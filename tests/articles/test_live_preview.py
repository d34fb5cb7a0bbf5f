"""The post admin's live preview endpoint: staff who may write posts only,
POST only with Django's CSRF token, the same HTML the saved page shows,
every error a save would report, nothing saved, and no way to tie up a
worker with a huge body or a flood of requests."""

import pytest
from django.test import Client
from django.urls import reverse

from articles import admin_editing
from articles.models import Post, Reference
from tests.articles.factories import (
    DisclaimerFactory,
    PostDisclaimerFactory,
    PostFactory,
    ReferenceFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("admin:articles_post_preview")


def preview(client, body, reference_count=0, disclaimers=(), **extra):
    data = {"body": body, "reference_count": reference_count, "disclaimer": list(disclaimers)}
    return client.post(URL, data, **extra)


def test_the_preview_is_the_html_the_saved_page_shows(editor_client):
    fda = DisclaimerFactory(marker="**")
    other = DisclaimerFactory(marker="†")
    post = PostFactory(
        body="## Heading\n\nGlutamine helps [1] and [2-3], with care.[**] See [†].\n\n"
        "1. one\n    1. nested\n\n<em onclick=x>hi</em>"
    )
    for _ in range(3):
        ReferenceFactory(post=post)
    PostDisclaimerFactory(post=post, disclaimer=fda, order=1)
    PostDisclaimerFactory(post=post, disclaimer=other, order=2)
    saved = Post.objects.get(pk=post.pk).body_html

    response = preview(editor_client, post.body, 3, [fda.pk, other.pk])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"html": saved, "errors": []}
    assert 'href="#ref-3"' in saved and 'href="#disclaimer-2"' in saved
    assert "onclick" not in saved


def test_the_errors_a_save_would_report_are_listed(editor_client):
    DisclaimerFactory(marker="**")

    response = preview(
        editor_client,
        "Cites [1] and [4], points at [‡]. <script>alert(1)</script> ![](image:9)",
        reference_count=2,
    )

    data = response.json()
    assert response.status_code == 200
    assert "<script" not in data["html"]
    assert 'href="#ref-1"' in data["html"]
    assert "[4]" in data["html"]  # left as typed, never a dead link
    assert data["errors"] == [
        "The body contains a <script> element. Scripts and styles are removed when the "
        "post is shown, with everything inside them (all the text after an unclosed "
        "one). Remove the tag, or put it in `backticks` to show it as code.",
        "Every image needs alt text, a short description for readers who cannot see "
        "it. Write it between the brackets: ![A glass of water with a scoop of "
        "powder](image:42). Missing for: image:9.",
        "The body cites [4] but the post has only 2 references. Add the reference or "
        "correct the number.",
        "The body points at the disclaimer marker [‡] but no disclaimer with that "
        "marker is attached to the post.",
    ]


def test_two_disclaimers_with_one_marker_are_an_error(editor_client):
    one, two = DisclaimerFactory(marker="**"), DisclaimerFactory(marker="**")

    data = preview(editor_client, "Text.[**]", 0, [one.pk, two.pk]).json()

    assert data["errors"][0].startswith("Two disclaimers on this post use the marker **")


def test_nothing_is_saved(editor_client):
    post = PostFactory(body="Before.")

    preview(editor_client, "After [1].", 1)

    assert Post.objects.get(pk=post.pk).body == "Before."
    assert Post.objects.count() == 1 and Reference.objects.count() == 0


@pytest.mark.parametrize(
    ("count", "disclaimers"),
    [("-1", ["x"]), ("99999999999999999999", ["1e9", "", "0"]), ("٣", ["１"]), ("", [])],
)
def test_odd_numbers_are_taken_as_none(editor_client, count, disclaimers):
    response = editor_client.post(
        URL, {"body": "Text [1].", "reference_count": count, "disclaimer": disclaimers}
    )

    assert response.status_code == 200


def test_anonymous_readers_and_moderators_are_refused(client, moderator):
    response = client.post(URL, {"body": "x"})
    assert response.status_code == 403

    moderating = Client()
    moderating.force_login(moderator)  # may view posts, not write them
    response = moderating.post(URL, {"body": "x"})
    assert response.status_code == 403
    assert response.json() == {"errors": ["You may not preview posts."]}


def test_a_get_is_not_allowed(editor_client, client):
    assert editor_client.get(URL).status_code == 405
    assert client.get(URL).status_code == 405


def test_the_csrf_token_is_required(editor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)

    assert preview(browser, "Text").status_code == 403

    page = browser.get(reverse("admin:articles_post_add"))
    token = page.context["csrf_token"]
    response = preview(browser, "Text", HTTP_X_CSRFTOKEN=str(token))
    assert response.status_code == 200


def test_the_change_form_gives_the_script_its_address(editor_client):
    html = editor_client.get(reverse("admin:articles_post_add")).text

    assert f'data-preview-url="{URL}"' in html
    assert 'src="/static/articles/admin/preview.js"' in html


def test_a_huge_body_is_refused_before_rendering(editor_client):
    body = "x" * (admin_editing.PREVIEW_MAX_CHARS + 1)

    response = preview(editor_client, body)

    assert response.status_code == 413
    assert "the live preview stops at 100,000" in response.json()["errors"][0]


def test_an_editor_gets_a_limited_number_of_previews_a_minute(editor_client, monkeypatch):
    monkeypatch.setattr(admin_editing, "PREVIEW_PER_MINUTE", 3)

    statuses = [preview(editor_client, "Text").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 429, 429]


def test_one_preview_at_a_time_for_each_editor(editor_client, editor):
    from django.core.cache import cache

    busy = admin_editing._preview_busy_key(editor.pk)
    cache.set(busy, 1, 30)  # a preview of theirs still rendering

    response = preview(editor_client, "Text")

    assert response.status_code == 429
    assert "busy" in response.json()["errors"][0]
    cache.delete(busy)
    assert preview(editor_client, "Text").status_code == 200
