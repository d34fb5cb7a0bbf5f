"""The post's JSON-LD counts approved comments only, through the hook the
articles app offers (articles.structured_data.register): nothing of a
pending, rejected or spam comment appears in it."""

import json
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore

from comments.models import Comment
from tests.articles.factories import PostFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def json_ld(html):
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def test_comment_count_is_the_approved_comments_and_their_public_replies(client, post, editor):
    first = CommentFactory(post=post, approved=True)
    CommentFactory(post=post, approved=True)
    CommentFactory(post=post, text="Pending secret")
    CommentFactory(post=post, rejected=True, text="Rejected secret")
    CommentFactory(post=post, spam=True, text="Spam secret")
    CommentFactory(post=PostFactory(), approved=True)  # another post's
    held = CommentFactory(post=post, text="Held question")
    for parent in (first, held):  # a reply under a comment nobody sees is not public
        CommentFactory(post=post, parent=parent, approved=True, is_staff_reply=True, user=editor)

    html = client.get(post.get_absolute_url()).text

    data = json_ld(html)
    assert data["commentCount"] == 3
    assert "3 comments" in html  # the same count as the page's own
    assert "secret" not in json.dumps(data).lower()


def test_a_reader_s_own_pending_comment_is_not_counted_in_their_page(client, post):
    own = CommentFactory(post=post, text="My own pending words")
    session = SessionStore()
    session["comments_awaiting"] = [own.pk]
    session.create()
    client.cookies["sessionid"] = session.session_key

    html = client.get(post.get_absolute_url()).text

    assert "My own pending words" in html  # shown to its writer, marked as waiting
    assert json_ld(html)["commentCount"] == 0
    assert "My own pending words" not in json.dumps(json_ld(html))


def test_an_approval_changes_the_count_at_once(client, post, moderator):
    comment = CommentFactory(post=post)
    assert json_ld(client.get(post.get_absolute_url()).text)["commentCount"] == 0

    Comment.objects.filter(pk=comment.pk).approve(by=moderator)

    assert json_ld(client.get(post.get_absolute_url()).text)["commentCount"] == 1
