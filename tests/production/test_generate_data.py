"""generate_data: many posts and comments, shaped like real ones."""

from io import StringIO

import pytest
from django.core.management import call_command
from reversion.models import Version

from articles.models import Post
from comments.models import Comment, fingerprint
from tests.articles.factories import TopicFactory


@pytest.fixture
def generated(db):
    out = StringIO()
    call_command("generate_data", posts=60, comments=1000, batch_size=250, stdout=out)
    return out.getvalue()


def test_prints_progress_and_a_summary(generated):
    assert "comments: 250 / 1,000 (25%)" in generated
    assert "comments: 1,000 / 1,000 (100%)" in generated
    assert "Generated 60 posts and 1,000 comments" in generated


def test_posts_are_public_rendered_and_some_have_references_and_a_disclaimer(generated):
    posts = Post.objects.published().filter(slug__startswith="generated-")
    assert posts.count() == 60
    with_references = posts.filter(references__isnull=False).distinct()
    assert 0 < with_references.count() < 60
    assert 0 < posts.filter(disclaimers__isnull=False).distinct().count() < 60
    post = with_references.first()
    assert 'href="#ref-1"' in post.body_html
    assert post.render().html == post.body_html  # stored rendering matches a fresh one


def test_comments_are_mostly_approved_some_pending_and_spread_over_posts(generated):
    assert Comment.objects.count() == 1000
    approved = Comment.objects.approved().count()
    pending = Comment.objects.pending().count()
    assert approved >= 850
    assert 30 <= pending <= 150
    assert Comment.objects.values("post").distinct().count() == Post.objects.published().count()
    comment = Comment.objects.approved().first()
    assert comment.fingerprint == fingerprint(comment.text)
    assert comment.status_changed_at is not None


def test_the_post_page_shows_generated_comments(generated, client):
    post = Post.objects.published().filter(slug__startswith="generated-").first()
    comment = Comment.objects.approved().filter(post=post).first()
    pending = Comment.objects.pending().filter(post=post).first()
    page = client.get(post.get_absolute_url()).content.decode()
    assert comment.name in page
    if pending is not None:
        assert pending.email not in page


def test_runs_again_without_clashing(generated):
    call_command("generate_data", posts=5, comments=10, stdout=StringIO())
    assert Post.objects.filter(slug__startswith="generated-").count() == 65


def test_generated_posts_are_published_by_the_rules_with_a_revision_each(db):
    """generate_data publishes through articles.publishing like every other
    door: once the site has topics, each post is filed under one, and each
    gets a revision of its own."""
    topics = TopicFactory.create_batch(2)
    call_command("generate_data", posts=6, comments=0, stdout=StringIO())
    posts = Post.objects.published().filter(slug__startswith="generated-")
    assert posts.count() == 6
    assert all(post.topics.count() == 1 for post in posts)
    assert {topic for post in posts for topic in post.topics.all()} == set(topics)
    for post in posts:
        assert Version.objects.get_for_object(post).count() == 1


def test_the_review_rule_holds_generated_posts_back_and_says_why(db, settings):
    settings.MEDICAL_REVIEW_REQUIRED = True
    out = StringIO()
    call_command("generate_data", posts=4, comments=0, stdout=out)
    assert not Post.objects.published().filter(slug__startswith="generated-").exists()
    assert Post.objects.filter(slug__startswith="generated-").count() == 4
    assert "4 posts stay drafts" in out.getvalue()
    assert "approved medical review" in out.getvalue()
