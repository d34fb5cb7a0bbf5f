"""Anonymous readers get cached post pages, revalidated by ETag, never stale."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from articles.models import Post
from tests.articles.factories import (
    DisclaimerFactory,
    PostDisclaimerFactory,
    PostFactory,
    ReferenceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    post = PostFactory(body="Claim.[1]")
    ReferenceFactory(post=post, title="The original study")
    return Post.objects.get(pk=post.pk)


def test_second_anonymous_view_costs_one_query(client, post, django_assert_num_queries):
    first = client.get(post.get_absolute_url())

    with django_assert_num_queries(1):
        second = client.get(post.get_absolute_url())

    assert second.status_code == 200
    assert first["ETag"] == second["ETag"]
    assert "The original study" in second.text


def test_revalidation_answers_304_without_a_body(client, post):
    first = client.get(post.get_absolute_url())
    assert first["ETag"] and first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]

    again = client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


def test_etag_is_per_reader(client, post):
    first = client.get(post.get_absolute_url())
    other = client.__class__()

    response = other.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert response.status_code == 200  # another reader's cached copy is not ours


def _edit_first_reference(post):
    reference = post.references.first()
    reference.title = "A corrected title"
    reference.save()


@pytest.mark.parametrize(
    "change",
    [
        lambda post: ReferenceFactory(post=post, title="A newer study"),
        _edit_first_reference,
        lambda post: PostDisclaimerFactory(post=post, disclaimer=DisclaimerFactory()),
        lambda post: Post.objects.filter(pk=post.pk).page_changed(),
        lambda post: setattr(post, "title", "A retitled post") or post.save(),
    ],
    ids=["reference added", "reference edited", "disclaimer added", "page_changed", "post saved"],
)
def test_any_change_shows_at_once(client, post, change):
    first = client.get(post.get_absolute_url())

    change(post)
    second = client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]


def test_disclaimer_text_change_reaches_the_page(client, post):
    disclaimer = DisclaimerFactory(text="Old wording.")
    PostDisclaimerFactory(post=post, disclaimer=disclaimer)
    assert "Old wording." in client.get(post.get_absolute_url()).text

    disclaimer.text = "New wording."
    disclaimer.save()

    assert "New wording." in client.get(post.get_absolute_url()).text


def test_unpublished_post_is_not_served_from_the_cache(client, post):
    assert client.get(post.get_absolute_url()).status_code == 200

    Post.objects.filter(pk=post.pk).unpublish()

    assert client.get(post.get_absolute_url()).status_code == 404


def test_reader_with_a_session_gets_a_fresh_render(client, post):
    client.get(post.get_absolute_url())
    client.cookies[settings.SESSION_COOKIE_NAME] = "some-session"

    response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert "ETag" not in response


def test_a_broken_cache_still_serves_the_page(client, post):
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=broken):
        response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert "The original study" in response.text


def test_fast_version_lookup_agrees_with_the_queryset():
    from core.page_cache import page_version

    public = PostFactory()
    draft = PostFactory(draft=True)
    scheduled = PostFactory(scheduled=True)

    assert page_version(public.slug) == Post.objects.filter(pk=public.pk).page_version()
    assert page_version(draft.slug) is None
    assert page_version(scheduled.slug) is None
    assert page_version("no-such-post") is None


def test_a_cache_hit_carries_the_same_headers_as_a_fresh_render(client, post):
    miss = client.get(post.get_absolute_url())
    hit = Client().get(post.get_absolute_url())

    for header in [
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Cache-Control",
        "Vary",
    ]:
        assert hit[header] == miss[header], header
    new_cookie, fresh_cookie = hit.cookies["csrftoken"], miss.cookies["csrftoken"]
    for attribute in ["httponly", "samesite", "secure", "path", "max-age"]:
        assert new_cookie[attribute] == fresh_cookie[attribute], attribute


def test_a_returning_reader_keeps_their_csrf_cookie_on_a_cache_hit(client, post):
    client.get(post.get_absolute_url())
    cookie = client.cookies["csrftoken"].value

    again = client.get(post.get_absolute_url())

    # Renewed (Django re-sends it to extend its life) but never replaced:
    # forms in the reader's other open tabs keep working.
    assert again.cookies["csrftoken"].value == cookie
    assert client.cookies["csrftoken"].value == cookie


def test_the_cache_middleware_leaves_other_pages_alone(client, post):
    client.get(post.get_absolute_url())

    assert client.get(post.get_absolute_url() + "extra/").status_code == 404
    assert client.get("/blog/").status_code == 200
    assert "ETag" not in client.get("/blog/")


def test_csrf_tokens_of_cached_pages_are_fresh_and_well_formed(rf):
    from django.middleware.csrf import CSRF_ALLOWED_CHARS

    from core.page_cache import csrf_token

    request = rf.get("/")
    first, second = csrf_token(request), csrf_token(request)

    assert first != second  # a new mask every time (BREACH)
    assert len(first) == 64 and set(first) <= set(CSRF_ALLOWED_CHARS)
    assert len(request.META["CSRF_COOKIE"]) == 32
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_csrf_characters_are_drawn_uniformly():
    from collections import Counter

    from django.middleware.csrf import CSRF_ALLOWED_CHARS

    from core import page_cache

    kept = bytes(range(256)).translate(page_cache._CSRF_TABLE, page_cache._CSRF_DROPPED)

    assert Counter(kept.decode()) == dict.fromkeys(CSRF_ALLOWED_CHARS, 4)


def test_editing_a_disclaimers_text_costs_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    disclaimer = DisclaimerFactory(text="Old wording.")
    posts = [PostFactory(body="Claim. [†]") for _ in range(10)]
    for post in posts:
        PostDisclaimerFactory(post=post, disclaimer=disclaimer)
    before = client.get(posts[0].get_absolute_url())

    disclaimer.text = "New wording."
    with django_assert_num_queries(3):  # read the old marker, save, mark pages changed
        disclaimer.save()

    after = client.get(posts[0].get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "New wording." in after.text


def test_changing_a_disclaimers_marker_relinks_the_bodies():
    disclaimer = DisclaimerFactory(marker="†")
    post = PostFactory(body="Claim. [‡]")
    PostDisclaimerFactory(post=post, disclaimer=disclaimer)
    post.refresh_from_db()
    assert "#disclaimer-1" not in post.body_html

    disclaimer.marker = "‡"
    disclaimer.save()

    post.refresh_from_db()
    assert 'href="#disclaimer-1"' in post.body_html
