"""The status rules and the bulk decisions: who, when, the history log, and a
fixed number of queries whatever the selection."""

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from articles.models import Post
from comments.models import Comment

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_a_new_comment_is_pending():
    assert CommentFactory.build().status == Comment.Status.PENDING
    assert Comment._meta.get_field("status").default == Comment.Status.PENDING


def test_approved_is_the_only_public_status(post):
    comments = {status: CommentFactory(post=post, status=status) for status in Comment.Status}

    assert list(Comment.objects.approved()) == [comments[Comment.Status.APPROVED]]
    assert list(Comment.objects.pending()) == [comments[Comment.Status.PENDING]]
    assert list(Comment.objects.rejected()) == [comments[Comment.Status.REJECTED]]
    assert list(Comment.objects.spam()) == [comments[Comment.Status.SPAM]]


def test_the_public_thread_leaves_out_replies_under_hidden_comments(post, moderator):
    hidden = CommentFactory(post=post)
    reply = Comment.objects.create(
        post=post, parent=hidden, name="Staff", email="s@example.com", text="r",
        status=Comment.Status.APPROVED, is_staff_reply=True,
    )  # fmt: skip

    assert Comment.objects.public_thread(post) == []
    assert reply.is_public


@pytest.mark.parametrize(
    ("method", "status"),
    [
        ("approve", Comment.Status.APPROVED),
        ("reject", Comment.Status.REJECTED),
        ("mark_spam", Comment.Status.SPAM),
    ],
)
def test_each_decision_records_who_and_when_and_writes_the_history(
    post, moderator, method, status
):
    comments = CommentFactory.create_batch(3, post=post)
    before = timezone.now()

    changed = getattr(Comment.objects.filter(post=post), method)(by=moderator)

    assert changed == 3
    for comment in Comment.objects.all():
        assert comment.status == status
        assert comment.status_changed_by == moderator
        assert before <= comment.status_changed_at <= timezone.now()
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment), user=moderator
    )
    assert sorted(int(e.object_id) for e in entries) == sorted(c.pk for c in comments)
    assert {e.action_flag for e in entries} == {CHANGE}
    assert {e.get_change_message() for e in entries} == {f"Status changed to {status.label}."}


def test_a_comment_already_in_that_status_is_left_alone(post, moderator, editor):
    earlier = timezone.now() - dt.timedelta(days=1)
    done = CommentFactory(
        post=post, approved=True, status_changed_by=editor, status_changed_at=earlier
    )
    waiting = CommentFactory(post=post)

    assert Comment.objects.all().approve(by=moderator) == 1

    done.refresh_from_db()
    assert (done.status_changed_by, done.status_changed_at) == (editor, earlier)
    assert Comment.objects.get(pk=waiting.pk).status_changed_by == moderator
    assert LogEntry.objects.count() == 1


def test_an_empty_selection_only_reads(moderator, django_assert_num_queries):
    # Savepoint, read, release: nothing to change, nothing written.
    with django_assert_num_queries(3):
        assert Comment.objects.all().approve(by=moderator) == 0
    assert not LogEntry.objects.exists()


# Savepoint, read, update, history log, [post pages whose public thread
# changed,] release. Rejecting pending comments changes no public page.
@pytest.mark.parametrize(("method", "queries"), [("approve", 6), ("reject", 5), ("mark_spam", 5)])
def test_bulk_decisions_cost_the_same_queries_for_1_and_50_comments(
    post, moderator, method, queries, django_assert_num_queries
):
    ContentType.objects.get_for_model(Comment)  # warm the content type cache
    other = Post.objects.get(pk=CommentFactory(approved=True).post_id)
    CommentFactory(post=post)
    few = Comment.objects.filter(pk__in=Comment.objects.filter(post=post).values("pk"))
    with django_assert_num_queries(queries):
        assert getattr(few, method)(by=moderator) == 1

    many = CommentFactory.create_batch(25, post=post) + CommentFactory.create_batch(
        25, post=other, status=Comment.Status.PENDING
    )
    selection = Comment.objects.filter(pk__in=[c.pk for c in many])
    with django_assert_num_queries(queries):
        assert getattr(selection, method)(by=moderator) == 50


def test_withdrawing_approved_comments_from_many_posts_costs_six_queries(
    moderator, django_assert_num_queries
):
    ContentType.objects.get_for_model(Comment)
    CommentFactory.create_batch(30, approved=True)  # thirty posts

    with django_assert_num_queries(6):
        assert Comment.objects.all().reject(by=moderator) == 30


def test_approving_tells_the_post_page_it_changed(post, moderator):
    comment = CommentFactory(post=post)
    before = Post.objects.get(pk=post.pk).page_changed_at

    Comment.objects.filter(pk=comment.pk).approve(by=moderator)

    assert Post.objects.get(pk=post.pk).page_changed_at > before


def test_rejecting_a_pending_comment_leaves_the_post_page_alone(post, moderator):
    comment = CommentFactory(post=post)
    before = Post.objects.get(pk=post.pk).page_changed_at

    Comment.objects.filter(pk=comment.pk).reject(by=moderator)

    assert Post.objects.get(pk=post.pk).page_changed_at == before


def test_a_staff_reply_is_approved_and_signed_by_the_moderator(post, moderator):
    comment = CommentFactory(post=post, approved=True)

    reply = comment.reply("Thanks for asking.", by=moderator)

    assert reply.is_public and reply.is_staff_reply
    assert (reply.parent, reply.post, reply.user) == (comment, post, moderator)
    assert reply.name == moderator.get_full_name()
    assert reply.status_changed_by == moderator


def test_replying_to_a_pending_comment_approves_it_with_a_record(post, moderator):
    comment = CommentFactory(post=post)

    comment.reply("Answered.", by=moderator)

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.status_changed_by == moderator
    assert LogEntry.objects.filter(object_id=str(comment.pk)).exists()


def test_only_staff_replies_have_a_parent(post):
    from django.db import IntegrityError

    parent = CommentFactory(post=post)
    with pytest.raises(IntegrityError):
        CommentFactory(post=post, parent=parent, is_staff_reply=False)
