"""The comment box says its limit, counts down, and never drops text.

Issue 15: the box dropped text past 3,000 characters without a word (the
browser's own maxlength cut what was pasted). The page now says the limit
(without JavaScript too), a small script counts down for every reader, and
the server, which has the last word, counts the way the counter does."""

import re

import pytest
from django.test import Client

from comments.models import Comment

from .factories import form_data

pytestmark = pytest.mark.django_db


def tag(html, element_id):
    return re.search(rf'<[a-z]+\b[^>]*\bid="{element_id}"[^>]*>', html)[0]


def test_the_page_says_the_limit_and_lets_nothing_be_cut(post, settings):
    settings.COMMENTS_MAX_LENGTH = 3000
    html = Client().get(post.get_absolute_url()).text

    box = tag(html, "id_text")
    assert "maxlength" not in box  # the browser would cut pasted text silently
    assert 'data-limit="3000"' in box
    assert "id_text_helptext" in re.search(r'aria-describedby="([^"]+)"', box)[1]
    helptext = html[html.index('id="id_text_helptext"') :][:200]
    assert "Up to 3,000 characters." in helptext  # said without JavaScript too


def test_the_counter_and_its_polite_announcer_are_on_the_shared_page(post):
    html = Client().get(post.get_absolute_url()).text

    counter = tag(html, "id_text_count")
    assert " hidden" in counter  # shown by the script, to the eye only
    announcer = tag(html, "id_text_count_live")
    assert 'aria-live="polite"' in announcer and "visually-hidden" in announcer
    assert re.search(r'<script src="/static/comments/count[^"]*\.js" defer></script>', html)
    assert "<script>" not in html  # the CSP runs no inline script


def test_line_breaks_count_once_as_the_counter_counts_them(client, post, comment_url):
    """Browsers send each line break as \\r\\n: counted as two, a comment the
    counter showed as fitting was refused."""
    text = ("x" * 99 + "\r\n") * 30  # 3,000 characters as the reader sees them

    response = client.post(comment_url, form_data(post, text=text))

    assert response.status_code == 302
    assert Comment.objects.get().text == text.replace("\r\n", "\n").strip()


def test_emoji_count_as_the_counter_counts_them(client, post, comment_url):
    text = "🙂" * 3000  # 3,000 characters (6,000 in UTF-16)

    assert client.post(comment_url, form_data(post, text=text)).status_code == 302


def test_too_long_a_comment_is_refused_with_the_numbers_and_kept_whole(client, post, comment_url):
    text = "Start. " + "y" * 3093  # 3,100 characters

    response = client.post(comment_url, form_data(post, text=text))

    assert response.status_code == 200
    assert "Your comment has 3100 characters; the limit is 3000. Please shorten it." in (
        response.text
    )
    assert response.context["comment_form"]["text"].value() == text  # nothing dropped
    assert text in response.text
    assert not Comment.objects.exists()
