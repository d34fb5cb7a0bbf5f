"""Network addresses and browser strings are kept COMMENTS_KEEP_NETWORK_DATA_DAYS
days, then cleared by `manage.py clear_network_data`, run from cron: only old
rows, the rest of the comment kept, idempotent, batched, exit 0."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def run(*args):
    out = io.StringIO()
    call_command("clear_network_data", *args, stdout=out)
    return out.getvalue()


def aged(post, days, delta=dt.timedelta(0), **fields):
    return CommentFactory(
        post=post,
        created_at=timezone.now() - dt.timedelta(days=days) + delta,
        ip_address="203.0.113.9",
        user_agent="Mozilla/5.0 (old browser)",
        **fields,
    )


def test_only_comments_older_than_the_setting_lose_their_network_data(post, settings):
    settings.COMMENTS_KEEP_NETWORK_DATA_DAYS = 90
    old = aged(post, 90, -MINUTE, approved=True)  # a minute past the limit
    young = aged(post, 90, +MINUTE)  # a minute short of it
    recent = aged(post, 1)

    output = run()

    old.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    # Everything else about it stays: who, what, where, its status.
    assert (old.name, old.email, old.text, old.status, old.post_id) == (
        old.name, old.email, old.text, Comment.Status.APPROVED, post.pk,
    )  # fmt: skip
    for kept in (young, recent):
        kept.refresh_from_db()
        assert (kept.ip_address, kept.user_agent) == ("203.0.113.9", "Mozilla/5.0 (old browser)")
    assert "Cleared the network address and browser of 1 comment posted before" in output
    assert "(kept: the last 90 days)" in output


def test_a_second_run_clears_nothing_and_says_so(post):
    aged(post, 200)
    aged(post, 100)

    first, second = run(), run()

    assert "of 2 comments" in first
    assert "of 0 comments" in second
    assert not Comment.objects.filter(ip_address__isnull=False).exists()


def test_a_comment_with_only_one_of_the_two_is_cleared_too_and_one_with_neither_not_counted(
    post,
):
    long_ago = timezone.now() - dt.timedelta(days=100)
    CommentFactory(post=post, created_at=long_ago, ip_address=None)  # a browser only
    CommentFactory(post=post, created_at=long_ago, user_agent="")  # an address only
    CommentFactory(post=post, created_at=long_ago, ip_address=None, user_agent="")

    assert "of 2 comments " in run()
    assert not Comment.objects.exclude(user_agent="").exists()
    assert not Comment.objects.filter(ip_address__isnull=False).exists()


def test_the_setting_and_the_option_choose_the_age(post, settings):
    settings.COMMENTS_KEEP_NETWORK_DATA_DAYS = 30
    aged(post, 31)
    aged(post, 10)

    assert "of 1 comment " in run()
    assert "of 1 comment " in run("--days", "5")
    assert "of 0 comments" in run("--days", "0")  # everything but the newest moment


def test_it_works_in_batches_of_one_short_query_each(post):
    for days in range(100, 107):
        aged(post, days)

    with CaptureQueriesContext(connection) as queries:
        output = run("--batch-size", "3")

    assert "of 7 comments" in output
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3  # 3 + 3 + 1
    # Nothing but the updates touches the comments (other apps' retention,
    # core.retention, runs its own queries after them).
    on_comments = [q["sql"] for q in queries if "comments_comment" in q["sql"]]
    assert on_comments == updates
    assert not Comment.objects.filter(ip_address__isnull=False).exists()


@pytest.mark.parametrize("args", [["--days", "-1"], ["--batch-size", "0"], ["--days", "x"]])
def test_nonsense_options_are_refused_with_a_message(args):
    with pytest.raises(CommandError):
        run(*args)
