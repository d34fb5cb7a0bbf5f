"""core.paginators.KeysetPaginator on its own: pages, cursors, tampering."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Post
from core.paginators import InvalidCursor, KeysetPaginator
from tests.articles.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    now = timezone.now()
    return [PostFactory(publish_at=now - dt.timedelta(hours=i)) for i in range(5)]


def test_pages_follow_each_other_newest_first(posts):
    paginator = KeysetPaginator(Post.objects.all(), 2)

    first = paginator.page()
    second = paginator.page(first.next_cursor)
    third = paginator.page(second.next_cursor)

    assert [*first, *second, *third] == posts
    assert (first.has_previous(), first.has_next()) == (False, True)
    assert (second.has_previous(), second.has_next()) == (True, True)
    assert (third.has_previous(), third.has_next(), len(third)) == (True, False, 1)


def test_a_cursor_round_trips_to_the_rows_time_and_id(posts):
    paginator = KeysetPaginator(Post.objects.all(), 2)
    cursor = paginator.cursor_for(posts[1])

    assert len(cursor) == 32 and cursor.replace("-", "").replace("_", "").isalnum()
    assert paginator.decode(cursor) == (posts[1].publish_at, posts[1].pk)


def test_every_changed_character_of_a_cursor_is_refused(posts):
    paginator = KeysetPaginator(Post.objects.all(), 2)
    cursor = paginator.cursor_for(posts[1])

    for position in range(len(cursor)):
        other = "A" if cursor[position] != "A" else "B"
        tampered = cursor[:position] + other + cursor[position + 1 :]
        with pytest.raises(InvalidCursor):
            paginator.decode(tampered)


def test_another_time_field(posts):
    paginator = KeysetPaginator(Post.objects.all(), 3, time_field="created_at")

    first = paginator.page()
    rest = paginator.page(first.next_cursor)

    assert {*first, *rest} == set(posts) and len([*first, *rest]) == 5
