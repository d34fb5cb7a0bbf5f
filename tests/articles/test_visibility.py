"""Who sees which post: published and due for everyone, the rest for staff only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Post
from tests.articles.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_published_is_published_and_due():
    public = PostFactory()
    PostFactory(draft=True)
    PostFactory(scheduled=True)
    PostFactory(draft=True, scheduled=True)

    assert list(Post.objects.published()) == [public]


def test_a_scheduled_post_becomes_public_when_its_time_passes(client):
    post = PostFactory(publish_at=timezone.now() + dt.timedelta(seconds=60))
    assert client.get(post.get_absolute_url()).status_code == 404

    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("traits", [{"draft": True}, {"scheduled": True}])
def test_drafts_and_future_posts_are_404_for_readers(client, traits):
    post = PostFactory(title="Secret plans", **traits)

    response = client.get(post.get_absolute_url())

    assert response.status_code == 404
    assert b"Secret plans" not in response.content


@pytest.mark.parametrize("traits", [{"draft": True}, {"scheduled": True}])
def test_drafts_and_future_posts_stay_out_of_index_and_feed(client, traits):
    PostFactory(title="Secret plans", **traits)

    for url in ["/blog/", "/blog/feed/", "/sitemap.xml"]:
        response = client.get(url)
        assert response.status_code == 200
        assert b"Secret plans" not in response.content, url


def test_logged_in_non_staff_user_cannot_preview(client, django_user_model):
    post = PostFactory(draft=True)
    client.force_login(django_user_model.objects.create_user("reader", password="x"))

    assert client.get(post.get_absolute_url()).status_code == 404


def test_editor_previews_a_draft_marked_as_such_and_never_cached(editor_client):
    post = PostFactory(draft=True, title="Work in progress")

    response = editor_client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert "This is a draft; readers cannot see it." in response.text
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in response.text


def test_a_draft_preview_has_no_empty_date_and_leads_back_to_the_admin(editor_client):
    """Found in the editor's journey: a draft never published has no date, and
    its preview's byline began with a stray "· by"."""
    post = PostFactory(draft=True, publish_at=None)

    page = editor_client.get(post.get_absolute_url()).text

    assert "Not published yet" in page
    assert "<time" not in page.split('id="post-title"')[1].split("</header>")[0]
    assert f'href="{reverse("admin:articles_post_change", args=[post.pk])}"' in page


def test_moderator_previews_a_scheduled_post(moderator_client):
    post = PostFactory(scheduled=True)

    response = moderator_client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert "This post is scheduled for" in response.text


def test_unknown_slug_is_the_sites_404_page(client):
    response = client.get("/blog/no-such-post/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="/blog/"' in response.text


def test_root_redirects_to_the_blog(client):
    response = client.get("/")
    assert response.status_code == 301  # for good: the home is the blog
    assert response["Location"] == "/blog/"


def test_publish_and_unpublish_many_posts():
    draft = PostFactory(draft=True)
    future_draft = PostFactory(draft=True, scheduled=True)

    assert (
        len(publishing.publish(Post.objects.filter(pk__in=[draft.pk, future_draft.pk])).changed)
        == 2
    )
    assert set(Post.objects.published()) == {draft}  # the future one waits for its time
    assert set(Post.objects.scheduled()) == {future_draft}

    assert len(publishing.unpublish(Post.objects.all()).changed) == 2
    assert not Post.objects.published().exists()
