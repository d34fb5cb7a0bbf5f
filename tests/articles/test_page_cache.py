"""Anonymous readers get cached post pages: the same bytes for everyone, never stale."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from articles import publishing
from articles.models import Post
from core import build
from core.models import SiteStamp
from tests.articles.factories import (
    DisclaimerFactory,
    PostDisclaimerFactory,
    PostFactory,
    ReferenceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HIT_QUERIES = 2  # the site-wide stamp, the post's version


@pytest.fixture
def post():
    post = PostFactory(body="Claim.[1]")
    ReferenceFactory(post=post, title="The original study")
    return Post.objects.get(pk=post.pk)


def test_a_cache_hit_costs_two_small_queries(client, post, django_assert_num_queries):
    first = client.get(post.get_absolute_url())

    with django_assert_num_queries(HIT_QUERIES):
        second = client.get(post.get_absolute_url())

    assert second.status_code == 200
    assert first["ETag"] == second["ETag"]
    assert "The original study" in second.text


def test_every_anonymous_reader_gets_the_same_bytes_and_etag(post):
    readers = [Client() for _ in range(3)]

    answers = [reader.get(post.get_absolute_url()) for reader in readers]

    assert len({answer.content for answer in answers}) == 1
    assert len({answer["ETag"] for answer in answers}) == 1
    for answer in answers:
        assert not answer.cookies  # nothing personal: no CSRF cookie, no session
        assert "csrfmiddlewaretoken" not in answer.text


def test_a_shared_cache_may_keep_the_page_a_moment_and_browsers_revalidate(client, post):
    response = client.get(post.get_absolute_url())

    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=0" in cache_control
    # One second in a shared cache (nginx counts whole seconds: one to two),
    # and stale copies only while the site fails to answer, for a bounded time.
    assert "s-maxage=1," in cache_control
    assert f"stale-if-error={settings.PAGE_CACHE_STALE_IF_ERROR_SECONDS}" in cache_control
    assert "stale-while-revalidate" not in cache_control
    assert "Cookie" in response["Vary"]


def test_revalidation_answers_304_without_a_body(client, post):
    first = client.get(post.get_absolute_url())

    again = Client().get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def _edit_first_reference(post):
    reference = post.references.first()
    reference.title = "A corrected title"
    reference.save()


def _rename_author(post):
    post.author.first_name = "Renamed"
    post.author.save()


@pytest.mark.parametrize(
    "change",
    [
        lambda post: ReferenceFactory(post=post, title="A newer study"),
        _edit_first_reference,
        lambda post: PostDisclaimerFactory(post=post, disclaimer=DisclaimerFactory()),
        lambda post: Post.objects.filter(pk=post.pk).mark_pages_changed(),
        lambda post: setattr(post, "title", "A retitled post") or post.save(),
        _rename_author,
    ],
    ids=[
        "reference added",
        "reference edited",
        "disclaimer added",
        "pages marked changed",
        "post saved",
        "author renamed",
    ],
)
def test_any_change_shows_at_once(client, post, change):
    first = client.get(post.get_absolute_url())

    change(post)
    second = client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]


def test_the_author_renamed_is_on_the_cached_page(client, post):
    client.get(post.get_absolute_url())

    _rename_author(post)

    assert "by Renamed " in client.get(post.get_absolute_url()).text


def test_an_author_logging_in_does_not_change_their_pages(client, post):
    first = client.get(post.get_absolute_url())

    post.author.save(update_fields=["last_login"])

    assert client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_disclaimer_text_change_reaches_the_page(client, post):
    disclaimer = DisclaimerFactory(text="Old wording.")
    PostDisclaimerFactory(post=post, disclaimer=disclaimer)
    assert "Old wording." in client.get(post.get_absolute_url()).text

    disclaimer.text = "New wording."
    disclaimer.save()

    assert "New wording." in client.get(post.get_absolute_url()).text


def test_unpublished_post_is_not_served_from_the_cache(client, post):
    assert client.get(post.get_absolute_url()).status_code == 200

    publishing.unpublish(Post.objects.filter(pk=post.pk))

    assert client.get(post.get_absolute_url()).status_code == 404


# --- the host ----------------------------------------------------------------


def test_a_forged_host_never_reaches_the_page(client, post):
    # Allowed, but not the site's address: the canonical link stays SITE_URL's.
    poisoned = client.get(post.get_absolute_url(), HTTP_HOST="localhost:31337")
    page = Client().get(post.get_absolute_url()).text

    for text in (poisoned.text, page):
        assert f'href="{settings.SITE_URL}{post.get_absolute_url()}"' in text
        assert "31337" not in text


@pytest.mark.parametrize("warm", [True, False], ids=["cache hit", "cache miss"])
def test_an_unknown_host_is_a_400_even_on_a_cache_hit(client, post, warm):
    if warm:
        client.get(post.get_absolute_url())

    response = Client().get(post.get_absolute_url(), HTTP_HOST="not-allowed.example")

    assert response.status_code == 400


# --- cheap bypasses -------------------------------------------------------------


def test_tracking_parameters_are_served_from_the_cache(client, post, django_assert_num_queries):
    plain = client.get(post.get_absolute_url())
    url = post.get_absolute_url() + "?utm_source=newsletter&utm_medium=email&fbclid=abc"

    with django_assert_num_queries(HIT_QUERIES):
        tracked = Client().get(url)

    assert tracked.status_code == 200
    assert tracked.content == plain.content


@pytest.mark.parametrize("query", ["?zz=1", "?zz=2&q=%00%ff", "?s=glutamine&amp=1", "?page"])
def test_unknown_parameters_are_served_the_shared_page_not_a_render_each(
    client, post, django_assert_num_queries, query
):
    """`?zz=N` with a new N each time cost a full render, for anyone, without
    limit: now every such address gets the shared page from the cache."""
    plain = client.get(post.get_absolute_url())

    with django_assert_num_queries(HIT_QUERIES):
        response = Client().get(post.get_absolute_url() + query)

    assert response.status_code == 200
    assert response.content == plain.content  # the page reads right, its links as always
    assert response["ETag"] == plain["ETag"]
    assert "public" in response["Cache-Control"]
    assert f'<link rel="canonical" href="{settings.SITE_URL}{post.get_absolute_url()}">' in (
        response.text
    )


def test_a_page_rendered_with_unknown_parameters_carries_none_of_them(client, post):
    """The first reader of a version may come with junk in the address: the
    page stored for everyone is the plain page all the same."""
    first = Client().get(post.get_absolute_url() + "?zz=%22%3E%3Cscript%3E")

    assert first.status_code == 200
    assert "zz=" not in first.text and "<script>" not in first.text.split("</header>")[0]
    assert client.get(post.get_absolute_url()).content == first.content


def test_a_made_up_session_cookie_gets_the_cached_page_and_is_dropped(
    client, post, django_assert_num_queries
):
    Client().get(post.get_absolute_url())  # someone filled the cache
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32

    with django_assert_num_queries(HIT_QUERIES + 1):  # + looking the session up
        response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""  # deleted
    assert settings.SESSION_COOKIE_NAME not in client.cookies or not (
        client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    with django_assert_num_queries(HIT_QUERIES):
        assert client.get(post.get_absolute_url()).status_code == 200


def test_a_reader_with_a_real_session_gets_a_page_of_their_own(client, post):
    session = SessionStore()
    session["comments_awaiting"] = [1]
    session.create()
    client.get(post.get_absolute_url())
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    response = client.get(post.get_absolute_url())

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
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
        "ETag",
        "Content-Type",
    ]:
        assert hit[header] == miss[header], header


def test_the_cache_middleware_leaves_other_pages_alone(client, post):
    client.get(post.get_absolute_url())

    assert client.get(post.get_absolute_url() + "extra/").status_code == 404
    assert client.get("/admin/login/").status_code == 200


def test_the_build_id_follows_the_code(tmp_path):
    (tmp_path / "app").mkdir()
    module = tmp_path / "app" / "models.py"
    module.write_text("def ama(): return 'old'\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("x = 1\n")
    before = build.compute(tmp_path)

    (tmp_path / "tests" / "test_x.py").write_text("x = 2\n")  # not deployed code
    assert build.compute(tmp_path) == before

    module.write_text("def ama(): return 'new'\n")
    assert build.compute(tmp_path) != before
    assert build.compute(tmp_path, extra="2") != build.compute(tmp_path)


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


def test_a_user_who_is_not_an_author_changes_no_page(client, post):
    first = client.get(post.get_absolute_url())

    UserFactory(first_name="Someone").save()

    assert client.get(post.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_site_wide_change_renders_every_stored_page_again(client, post):
    client.get(post.get_absolute_url())

    SiteStamp.touch("navigation")
    with CaptureQueriesContext(connection) as rendered:
        client.get(post.get_absolute_url())

    assert len(rendered) > HIT_QUERIES  # not served from the stored copy
