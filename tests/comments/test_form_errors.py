"""The comment form's mistakes, for every reader: summarised at the top of the
form and linked to their fields, each field marked invalid and described by
its own error, and nothing of this on the form every reader shares."""

import re

import pytest
from django.test import Client
from pytest_django.asserts import assertInHTML

from comments.forms import CommentForm
from comments.views import APPROVAL_NOTICE
from pages.models import Page

from .factories import form_data

pytestmark = pytest.mark.django_db


def _tag(html, element_id):
    """The opening tag of the element with ``element_id``."""
    found = re.search(rf'<[a-z]+\b[^>]*\bid="{element_id}"[^>]*>', html)
    assert found, f"no element #{element_id}"
    return found[0]


def test_the_summary_lists_every_error_linked_to_its_field(client, post, comment_url):
    data = form_data(post, name="", email="alex at example", text="   ")
    del data["consent"]
    response = client.post(comment_url, data)

    html = response.text
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    # First in the form, focused when the page opens.
    form_start = html.index('id="comment-form"')
    summary_at = html.index('id="error-summary"')
    assert form_start < summary_at < html.index('id="id_name"')
    assert "data-focus-on-load" in _tag(html, "error-summary")
    assert 'tabindex="-1"' in _tag(html, "error-summary")
    for field, error in [
        ("id_name", "Please give a name (any name you like)."),
        ("id_email", "Enter a valid email address, such as you@example.com."),
        ("id_text", "Please write a comment (spaces alone do not count)."),
        ("id_consent", "Please tick the box: we cannot keep a comment without your consent."),
    ]:
        assertInHTML(f'<a class="alert-link" href="#{field}">{error}</a>', html)
        tag = _tag(html, field)
        assert 'aria-invalid="true"' in tag, tag
        described = re.search(r'aria-describedby="([^"]+)"', tag)[1].split()
        assert f"{field}_error" in described, tag
        assert error in html[html.index(f'id="{field}_error"') :][:400]
    # The fields without a mistake are not marked.
    assert "aria-invalid" not in _tag(html, "id_notify_on_approval")
    # What was typed is kept.
    assert 'value="alex at example"' in _tag(html, "id_email")


def test_an_error_of_no_field_is_in_the_summary_once(client, post, comment_url, settings):
    settings.COMMENTS_FORM_MAX_AGE_HOURS = 1
    response = client.post(comment_url, form_data(post, seconds_ago=2 * 3600))

    html = response.text
    too_old = "This form was opened too long ago."
    assert html.count(too_old) == 1
    assert html.index('id="error-summary"') < html.index(too_old) < html.index('id="id_name"')


def test_the_shared_form_has_no_summary_and_no_browser_bubbles(post):
    html = Client().get(post.get_absolute_url()).text

    assert "error-summary" not in html
    assert "aria-invalid" not in html
    assert "novalidate" in _tag(html, "comment-form")
    # Two anonymous readers get the same bytes (the page is shared).
    assert Client().get(post.get_absolute_url()).content == html.encode()


def test_the_consent_line_keeps_its_privacy_link_when_the_form_comes_back(
    client, post, comment_url, editor
):
    Page.objects.create(
        title="Privacy policy",
        slug="privacy",
        body="What we keep.",
        status=Page.Status.PUBLISHED,
        place=Page.Place.FOOTER,
        is_privacy_policy=True,
    )
    shared = Client().get(post.get_absolute_url()).text
    again = client.post(comment_url, form_data(post, name="")).text

    for html in (shared, again):
        help_at = html.index('id="id_consent_helptext"')
        assert 'href="/pages/privacy/">Privacy policy</a>' in html[help_at : help_at + 600]


def test_the_honeypot_is_hidden_from_screen_readers_and_the_tab_key(post):
    html = Client().get(post.get_absolute_url()).text

    box = re.search(r'<div[^>]*class="comments-hp"[^>]*>', html)[0]
    assert 'aria-hidden="true"' in box
    assert 'tabindex="-1"' in _tag(html, "id_website")
    assert CommentForm.base_fields["website"].label == "Leave this field empty"


def test_the_notice_after_sending_is_a_focusable_status_under_the_thread(
    client, post, comment_url
):
    response = client.post(comment_url, form_data(post), follow=True)

    html = response.text
    tag = _tag(html, "messages")
    assert 'role="status"' in tag and 'tabindex="-1"' in tag and "data-focus-on-load" in tag
    # Once (not also at the top of the page), under the thread where the
    # reader's comment is, above the form.
    assert html.count('id="messages"') == 1
    notice_at = html.index('id="messages"')
    assert APPROVAL_NOTICE in html[notice_at : notice_at + 500]
    assert html.index('id="comments-title"') < notice_at < html.index('id="comment-form"')
