"""generate_data --bulk: the data made in bulk (100,000 posts in minutes) is
what the site would have stored had each post been saved and published one
by one, and the site shows it the same way: pages, search, admin lists."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Post, reading_minutes
from comments.models import Comment, fingerprint
from tests.articles.factories import TopicFactory

pytestmark = pytest.mark.django_db

POSTS, COMMENTS = 12, 600


@pytest.fixture
def topics(db):
    return TopicFactory.create_batch(2)


@pytest.fixture
def generated(topics):
    out = StringIO()
    call_command(
        "generate_data", posts=POSTS, comments=COMMENTS, batch_size=250, bulk=True, stdout=out
    )
    return out.getvalue()


def generated_posts():
    return Post.objects.filter(slug__startswith="generated-").order_by("pk")


def search_document(post):
    """The post's row in the search table, as the database stores it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT search_vector::text FROM articles_post_search WHERE rowid = %s", [post.pk]
            )
        else:
            cursor.execute(
                "SELECT title, summary, body, refs FROM articles_post_search WHERE rowid = %s",
                [post.pk],
            )
        return cursor.fetchone()


def test_prints_progress_and_a_summary(generated):
    assert "Posts: 12 (bulk)" in generated
    assert "comments: 600 / 600 (100%)" in generated
    assert f"Generated {POSTS} posts and {COMMENTS} comments" in generated


def test_posts_are_published_filed_and_dated_as_publishing_them_would(generated, topics):
    posts = generated_posts()
    assert posts.count() == POSTS
    assert Post.objects.published().filter(slug__startswith="generated-").count() == POSTS
    for post in posts.prefetch_related("topics"):
        assert post.publish_at is not None and post.publish_at <= timezone.now()
        assert [t.pk for t in post.topics.all()] in ([topics[0].pk], [topics[1].pk])
    assert 0 < posts.filter(references__isnull=False).distinct().count() < POSTS
    assert 0 < posts.filter(disclaimers__isnull=False).distinct().count() < POSTS


def test_what_bulk_stored_is_what_saving_each_post_stores(generated):
    """Post.save derives the rendering, the reading time and the search
    document again: they come out as the bulk path stored them."""
    for post in generated_posts().filter(pk__in=generated_posts().values("pk")[:4]):
        stored = (post.body_html, post.reading_minutes, search_document(post))
        assert stored[2] is not None
        post.save()
        post.refresh_from_db()
        assert (post.body_html, post.reading_minutes, search_document(post)) == stored
        assert post.reading_minutes == reading_minutes(post.body_html)


def test_search_finds_generated_posts(generated, client):
    post = generated_posts().filter(references__isnull=False).first()
    assert post in Post.objects.search(post.title)
    assert Post.objects.search("evidence plain words").count() == POSTS
    page = client.get(reverse("articles:search"), {"q": f'"{post.title}"'})
    assert page.status_code == 200
    assert post.get_absolute_url() in page.content.decode()


def test_comments_are_mixed_and_dated_after_their_post(generated):
    assert Comment.objects.count() == COMMENTS
    assert Comment.objects.approved().count() >= 0.85 * COMMENTS
    assert 0.03 * COMMENTS <= Comment.objects.pending().count() <= 0.15 * COMMENTS
    assert Comment.objects.spam().exists() and Comment.objects.rejected().exists()
    assert Comment.objects.values("post").distinct().count() == Post.objects.published().count()
    now = timezone.now()
    for comment in Comment.objects.select_related("post"):
        assert comment.post.publish_at < comment.created_at < now
        assert comment.fingerprint == fingerprint(comment.text)
        if comment.status == Comment.Status.PENDING:
            assert comment.status_changed_at is None and comment.status_changed_by_id is None
        else:
            assert comment.created_at <= comment.status_changed_at < now
            assert comment.status_changed_by_id is not None


def test_the_post_page_and_the_index_show_them(generated, client):
    pending = Comment.objects.pending().select_related("post").first()
    post = pending.post
    approved = Comment.objects.approved().filter(post=post).first()
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert post.title in html and approved.name in html and approved.email not in html
    assert pending.name not in html or pending.name == approved.name
    cited = generated_posts().filter(references__isnull=False).first()
    assert 'href="#ref-1"' in client.get(cited.get_absolute_url()).content.decode()
    newest = Post.objects.published().order_by("-publish_at", "-pk").first()
    index = client.get(reverse("articles:index"))
    assert index.status_code == 200 and newest.title in index.content.decode()


def test_the_admin_lists_count_them(generated, admin_client):
    posts = admin_client.get(reverse("admin:articles_post_changelist"))
    assert posts.status_code == 200
    assert posts.context["cl"].result_count == Post.objects.count()
    queue = admin_client.get(reverse("admin:comments_comment_changelist"), {"status": "pending"})
    assert queue.status_code == 200
    assert queue.context["cl"].result_count == Comment.objects.pending().count()
    post = generated_posts().first()
    change = admin_client.get(reverse("admin:articles_post_change", args=[post.pk]))
    assert change.status_code == 200
    history = admin_client.get(reverse("admin:articles_post_history", args=[post.pk]))
    assert history.status_code == 200  # no revision yet: the history starts at the next save


def test_the_comments_indexes_are_all_back_after_a_bulk_load(topics):
    def indexes():
        return {
            (name, tuple(spec["columns"]), spec["orders"] and tuple(spec["orders"]))
            for name, spec in connection.introspection.get_constraints(
                connection.cursor(), Comment._meta.db_table
            ).items()
            if spec["index"]
        }

    before = indexes()
    call_command("generate_data", posts=3, comments=50, bulk=True, stdout=StringIO())
    assert indexes() == before


def test_the_review_rule_holds_bulk_posts_back_and_says_why(db, settings):
    settings.MEDICAL_REVIEW_REQUIRED = True
    out = StringIO()
    call_command("generate_data", posts=4, comments=0, bulk=True, stdout=out)
    assert not Post.objects.published().filter(slug__startswith="generated-").exists()
    assert generated_posts().count() == 4
    assert "4 posts stay drafts" in out.getvalue()
    assert "approved medical review" in out.getvalue()
