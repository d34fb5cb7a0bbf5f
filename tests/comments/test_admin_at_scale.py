"""The admin changelists stay cheap as the tables grow: no count of the whole
table, no DISTINCT over every comment, fixed queries, a post filter that reads
only the newest pending comments."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from core.paginators import LargeTablePaginator
from tests.articles.factories import PostFactory

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")
POSTS = reverse("admin:articles_post_changelist")


def _sql(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in captured]


def _whole_table_counts(queries, table):
    """COUNT queries over ``table`` that are not bounded by a LIMIT."""
    return [
        sql
        for sql in queries
        if sql.upper().startswith("SELECT COUNT(")
        and f'"{table}"' in sql
        and "LIMIT" not in sql.upper()
    ]


@pytest.mark.parametrize("status", ["pending", "all", "approved"])
def test_the_queue_never_counts_or_scans_the_whole_comments_table(moderator_client, post, status):
    CommentFactory.create_batch(3, post=post)
    CommentFactory.create_batch(2, post=post, approved=True)
    moderator_client.get(QUEUE)  # session and permission caches warm

    response, queries = _sql(moderator_client, QUEUE, {"status": status})

    assert response.context["cl"].result_count in (2, 3, 5)
    # The admin index's "N comments wait" notice is not on this page.
    assert not _whole_table_counts(queries, "comments_comment"), queries
    assert not [q for q in queries if "DISTINCT" in q.upper()], queries


def test_the_post_list_never_counts_the_whole_posts_table(editor_client):
    PostFactory.create_batch(3)
    editor_client.get(POSTS)

    response, queries = _sql(editor_client, POSTS)

    assert response.context["cl"].result_count == 3
    assert not _whole_table_counts(queries, "articles_post"), queries
    # The one DISTINCT is the date hierarchy editors asked for (over the
    # posts' dates, an index scan); the comment queue has none.
    assert len([q for q in queries if "DISTINCT" in q.upper()]) <= 1, queries


@pytest.mark.parametrize("params", [{"status": "all"}, {"status": "pending", "q": "number"}])
def test_all_and_search_cost_the_same_queries_for_1_and_60_comments(
    moderator_client, post, params
):
    CommentFactory(post=post)
    moderator_client.get(QUEUE, params)
    _, one = _sql(moderator_client, QUEUE, params)
    for _ in range(59):
        CommentFactory(post=PostFactory())

    response, sixty = _sql(moderator_client, QUEUE, params)

    assert len(sixty) == len(one)
    assert len(response.context["cl"].result_list) == 50


def test_a_long_list_says_more_than_and_its_later_pages_open(moderator_client, post, monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "lookahead", 5)
    CommentFactory.create_batch(60, post=post)

    first = moderator_client.get(QUEUE)
    cl = first.context["cl"]
    assert cl.paginator.count_label == "more than 55"
    assert "more than 55 comments" in first.text
    assert "Select all more than 55 comments" in first.text

    second = moderator_client.get(QUEUE, {"p": 2})  # counted up to page 2 + 5 rows: exact
    assert second.status_code == 200
    assert len(second.context["cl"].result_list) == 10
    assert second.context["cl"].paginator.count_label == ""
    assert "60 comments" in second.text


def test_a_short_list_is_counted_exactly(moderator_client, post):
    CommentFactory.create_batch(3, post=post)

    response = moderator_client.get(QUEUE)

    assert response.context["cl"].paginator.count_label == ""
    assert re.search(r"\b3 comments\b", response.text)


def test_the_post_filter_offers_posts_of_the_newest_pending_comments(moderator_client):
    waiting = PostFactory(title="Waiting for a moderator")
    settled = PostFactory(title="Nothing pending here")
    CommentFactory(post=waiting)
    CommentFactory(post=settled, approved=True)

    response = moderator_client.get(QUEUE, {"status": "all"})

    post_filter = next(f for f in response.context["cl"].filter_specs if f.title == "post")
    offered = [title for _, title in post_filter.lookup_choices]
    assert offered == ["Waiting for a moderator"]


def test_the_post_filter_keeps_the_chosen_post_and_filters_by_it(moderator_client):
    chosen = PostFactory(title="Chosen post")
    other = PostFactory(title="Other post")
    CommentFactory(post=chosen, approved=True, text="On the chosen post")
    CommentFactory(post=other, text="On the other post")

    response = moderator_client.get(QUEUE, {"status": "all", "post__id__exact": chosen.pk})

    cl = response.context["cl"]
    assert [c.text for c in cl.result_list] == ["On the chosen post"]
    post_filter = next(f for f in cl.filter_specs if f.title == "post")
    assert (str(chosen.pk), "Chosen post") in post_filter.lookup_choices


def test_a_malformed_post_filter_is_refused_cleanly(moderator_client):
    response = moderator_client.get(QUEUE, {"post__id__exact": "abc"})

    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_comments_can_be_narrowed_by_when_they_were_posted(moderator_client, post):
    CommentFactory(post=post, text="Today")
    CommentFactory(post=post, text="Last year", created_at=timezone.now() - dt.timedelta(days=400))
    listed = moderator_client.get(QUEUE, {"status": "all"}).context["cl"]
    posted = next(f for f in listed.filter_specs if f.title == "posted")
    past_week = next(c for c in posted.choices(listed) if c["display"] == "Past 7 days")

    response = moderator_client.get(QUEUE + past_week["query_string"])

    assert [c.text for c in response.context["cl"].result_list] == ["Today"]


def test_the_queue_is_read_in_order_from_its_index():
    """(status, created_at DESC, id DESC) serves the queue's filter and ordering."""
    index = next(i for i in Comment._meta.indexes if i.name == "comment_queue_idx")
    assert index.fields == ["status", "-created_at", "-id"]
    if connection.vendor != "sqlite":
        return
    sql, params = (
        Comment.objects.pending().order_by("-created_at", "-pk")[:50].query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "comment_queue_idx" in plan
    assert "TEMP B-TREE" not in plan  # no sort of every pending comment
