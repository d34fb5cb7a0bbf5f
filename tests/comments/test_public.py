"""What readers see: approved comments only, escaped, oldest first, with the
staff reply under its comment, in a fixed number of queries.

The leak rule: nothing of a pending, rejected or spam comment (text, author,
count) appears on any public page, feed or sitemap.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.articles.factories import PostFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

HIDDEN = [Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM]


@pytest.fixture
def hidden_comments(post):
    return [
        CommentFactory(
            post=post,
            status=status,
            name=f"Secret{status.title()}Author",
            text=f"Secret {status} words",
            email=f"{status}@secret.example",
        )
        for status in HIDDEN
    ]


def _public_pages(post):
    client = Client()
    return {
        "post page": client.get(post.get_absolute_url()).text,
        "post page again (cached)": client.get(post.get_absolute_url()).text,
        "index": client.get(reverse("articles:index")).text,
        "feed": client.get(reverse("articles:feed")).text,
        "sitemap": client.get("/sitemap.xml").text,
    }


def test_nothing_of_a_comment_that_is_not_approved_appears_anywhere_public(post, hidden_comments):
    for where, html in _public_pages(post).items():
        for comment in hidden_comments:
            assert comment.text not in html, where
            assert comment.name not in html, where
            assert comment.email not in html, where
    page = _public_pages(post)["post page"]
    assert "No comments yet." in page
    assert "1 comment" not in page and "3 comments" not in page


def test_the_count_counts_only_approved_comments(client, post, hidden_comments):
    CommentFactory.create_batch(2, post=post, approved=True)

    page = client.get(post.get_absolute_url()).text

    assert "2 comments" in page
    assert "5 comments" not in page


def test_an_approved_comment_is_public_on_the_post_page_only(client, post, moderator):
    comment = CommentFactory(post=post, name="Approved Author", text="Approved words")
    Comment.objects.filter(pk=comment.pk).approve(by=moderator)

    pages = _public_pages(post)

    assert "Approved words" in pages["post page"]
    assert "Approved Author" in pages["post page again (cached)"]
    assert "1 comment" in pages["post page"]
    assert comment.email not in pages["post page"]


def test_approving_updates_the_cached_page_at_once(client, post, moderator):
    comment = CommentFactory(post=post, text="Shown after approval")
    before = client.get(post.get_absolute_url())
    assert "Shown after approval" not in before.text

    Comment.objects.filter(pk=comment.pk).approve(by=moderator)
    after = client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert "Shown after approval" in after.text


def test_withdrawing_an_approved_comment_updates_the_cached_page(client, post, moderator):
    comment = CommentFactory(post=post, approved=True, text="Soon withdrawn")
    assert "Soon withdrawn" in client.get(post.get_absolute_url()).text

    Comment.objects.filter(pk=comment.pk).reject(by=moderator)

    assert "Soon withdrawn" not in client.get(post.get_absolute_url()).text


def test_editing_an_approved_comment_updates_the_cached_page(client, post):
    comment = CommentFactory(post=post, approved=True, text="Tpyo here")
    client.get(post.get_absolute_url())
    comment = Comment.objects.get(pk=comment.pk)

    comment.text = "Typo fixed"
    comment.save()

    assert "Typo fixed" in client.get(post.get_absolute_url()).text


def test_deleting_an_approved_comment_updates_the_cached_page(client, post):
    comment = CommentFactory(post=post, approved=True, text="Deleted soon")
    client.get(post.get_absolute_url())

    Comment.objects.get(pk=comment.pk).delete()

    assert "Deleted soon" not in client.get(post.get_absolute_url()).text


def test_comments_are_oldest_first_with_name_and_date(client, post):
    now = timezone.now()
    CommentFactory(post=post, approved=True, name="Second", created_at=now - dt.timedelta(days=1))
    CommentFactory(
        post=post, approved=True, name="First", created_at=dt.datetime(2026, 3, 14, tzinfo=dt.UTC)
    )

    page = client.get(post.get_absolute_url()).text

    assert page.index("First") < page.index("Second")
    assert "March 14, 2026" in page


def test_text_is_escaped_keeps_line_breaks_and_links_stay_text(client, post):
    CommentFactory(
        post=post,
        approved=True,
        name="<img src=x onerror=alert(1)>",
        text='Line one\nLine two <script>alert("x")</script>\nhttps://spam.example/page',
    )

    page = client.get(post.get_absolute_url()).text

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "Line one<br>Line two" in page
    assert 'href="https://spam.example' not in page


def test_the_staff_reply_is_shown_under_its_comment_marked_as_such(client, post, moderator):
    comment = CommentFactory(post=post, approved=True, text="A question?")
    CommentFactory(post=post, approved=True, text="A later comment.")
    comment.reply("Our answer.", by=moderator)

    page = client.get(post.get_absolute_url()).text

    assert page.index("A question?") < page.index("Our answer.") < page.index("A later comment.")
    reply_html = page[page.index("comment-staff-reply") : page.index("Our answer.")]
    assert "Staff reply" in reply_html
    assert "3 comments" in page


def test_the_email_is_never_on_the_page(client, post):
    CommentFactory(post=post, approved=True, email="private@example.com")

    assert "private@example.com" not in client.get(post.get_absolute_url()).text


def test_another_posts_comments_stay_on_their_post(client, post):
    other = PostFactory()
    CommentFactory(post=other, approved=True, text="About the other post")

    assert "About the other post" not in client.get(post.get_absolute_url()).text


# --- a fixed number of queries ------------------------------------------------------------
def _thread(post, size):
    comments = CommentFactory.create_batch(size, post=post, approved=True)
    staff = PostFactory().author
    for comment in comments[::10]:
        comment.reply("A reply", by=staff)


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("reader", ["anonymous, first view", "a reader who has commented"])
def test_the_post_page_costs_the_same_queries_for_0_and_200_comments(post, reader):
    crowded = PostFactory()
    _thread(crowded, 200)
    counts = []
    for target in [post, crowded]:
        client = Client()
        if reader == "a reader who has commented":
            own = CommentFactory(post=target, text="My own pending comment")
            session = client.session
            session["comments_awaiting"] = [own.pk]
            session.save()
        cache.clear()  # each as cold as the other: the site's menus are built again
        counts.append(_queries_for(client, target.get_absolute_url()))

    assert counts[0] == counts[1]
    assert Comment.objects.filter(post=crowded).approved().count() == 220


def test_the_post_page_query_count_is_what_we_measured(client, post, django_assert_num_queries):
    _thread(post, 200)

    # site stamp, page version, post + author, references, disclaimers, the
    # JSON-LD's approved comment count, the whole thread, the site's menus (the
    # navigation, the footer and the consent line's privacy policy: built once,
    # then cached under the site stamp), the main topics (the same), the site's
    # default share image for a post without a picture (the same), the post's
    # topics, its related posts (two) and the next scheduled post
    with django_assert_num_queries(14):
        response = client.get(post.get_absolute_url())

    assert "220 comments" in response.text
