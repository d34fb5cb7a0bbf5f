"""The page cache's questions about posts, asked on every cached hit, are plain
SQL (articles.models.PostManager) for speed: they must say what the ORM's one
definition of a public post (``PostQuerySet.published``) says, on SQLite and
on PostgreSQL, and move when the set of public posts changes."""

import datetime as dt

import pytest
from django.utils import timezone

from articles import publishing
from articles.models import Post, Topic
from core.models import SiteStamp
from tests.articles.factories import PostFactory, TopicFactory

pytestmark = pytest.mark.django_db


def public_by_orm(slug, now=None):
    return Post.objects.published(now).filter(slug=slug).exists()


def test_the_post_page_version_is_there_exactly_for_public_posts():
    now = timezone.now()
    posts = {
        "public": PostFactory(slug="public"),
        "draft": PostFactory(slug="draft", draft=True),
        "scheduled": PostFactory(slug="scheduled", scheduled=True),
        "draft-with-a-past-time": PostFactory(slug="draft-with-a-past-time", draft=True),
        "due-a-second-ago": PostFactory(
            slug="due-a-second-ago", publish_at=now - dt.timedelta(seconds=1)
        ),
        "due-in-a-second": PostFactory(
            slug="due-in-a-second", publish_at=now + dt.timedelta(seconds=1)
        ),
        "due-to-the-microsecond": PostFactory(slug="due-to-the-microsecond", publish_at=now),
    }
    for slug in [*posts, "no-such-post"]:
        fast = Post.objects.public_page_version(slug, now=now)
        assert (fast is not None) == public_by_orm(slug, now), slug
    assert public_by_orm("due-to-the-microsecond", now)  # the edge is "due"


def test_a_scheduled_post_gets_a_version_when_its_time_comes():
    post = PostFactory(slug="later", scheduled=True)
    assert Post.objects.public_page_version("later") is None
    later = post.publish_at + dt.timedelta(microseconds=1)
    assert Post.objects.public_page_version("later", now=later) is not None


def test_the_post_page_version_moves_when_its_page_changes():
    post = PostFactory(slug="moving")
    before = Post.objects.public_page_version("moving")
    Post.objects.filter(pk=post.pk).mark_pages_changed()
    assert Post.objects.public_page_version("moving") != before


def test_the_listing_version_moves_exactly_when_the_set_of_public_posts_changes():
    """Through the events that change the set of public posts (and some that
    do not), the version of all posts and of a topic's posts move; a post of
    another topic moves the first only."""
    topic, other_topic = TopicFactory(), TopicFactory()
    draft = PostFactory(draft=True)
    scheduled = PostFactory(scheduled=True)
    elsewhere = PostFactory()
    draft.topics.add(topic)
    scheduled.topics.add(topic)
    elsewhere.topics.add(other_topic)

    def versions(now=None):
        return Post.objects.listing_version(now), Post.objects.listing_version(now, topic=topic.pk)

    steps = [
        ("nothing happened", lambda: None, None, (False, False)),
        (
            "a draft published",
            lambda: publishing.publish(Post.objects.filter(pk=draft.pk)),
            None,
            (True, True),
        ),
        (
            "a post edited",
            lambda: Post.objects.filter(pk=draft.pk).mark_pages_changed(),
            None,
            (True, True),
        ),
        (
            "a post of another topic edited",
            lambda: Post.objects.filter(pk=elsewhere.pk).mark_pages_changed(),
            None,
            (True, False),
        ),
        ("nothing happened", lambda: None, None, (False, False)),
        (
            "a scheduled post came due",
            lambda: None,
            scheduled.publish_at + dt.timedelta(seconds=1),
            (True, True),
        ),
        (
            "a post unpublished",
            lambda: publishing.unpublish(Post.objects.filter(pk=draft.pk)),
            None,
            (True, True),
        ),
    ]
    previous = versions()
    for what, change, now, expected in steps:
        change()
        current = versions(now)
        assert (current[0] != previous[0], current[1] != previous[1]) == expected, what
        previous = current


def test_a_topic_without_public_posts_has_a_listing_version():
    topic = TopicFactory()
    assert Post.objects.listing_version(topic=topic.pk) == "-:-"
    assert Topic.objects.filter(pk=topic.pk).page_version().endswith(":-:-")


def test_the_site_stamp_moves_when_touched():
    before = SiteStamp.current()
    SiteStamp.touch("menus")
    after = SiteStamp.current()
    assert after != before != "" and after != "-"
    assert SiteStamp.current() == after
