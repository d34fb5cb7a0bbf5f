"""The lists of posts a reader browses: the index in keyset ("older than")
pages, the date archives by year and month, the archive beside every list,
and how they are cached."""

import base64
import datetime as dt
import re
import struct

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import publishing
from articles.models import Post
from core.paginators import KeysetPaginator
from tests.articles.factories import PostFactory

from .test_admin import ADD_URL, post_data

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


def titles(response):
    return re.findall(r'class="stretched-link[^"]*">([^<]+)</a>', response.text)


def older_link(response):
    found = re.search(r'href="(\?before=[^"]+)" rel="next"', response.text)
    return found and found.group(1)


def read_all_pages(client, path, between=None):
    """Every title a reader sees following "Older posts" from ``path`` to the end;
    ``between(n)`` runs after page n is read."""
    seen, url, n = [], path, 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        seen += titles(response)
        n += 1
        if between:
            between(n)
        link = older_link(response)
        url = path + link if link else None
        assert n < 50
    return seen


# --- the date archives ------------------------------------------------------------


@pytest.fixture
def dated_posts():
    return {
        "march": PostFactory(title="Glutamine in March", publish_at=at(2026, 3, 12, 9)),
        "march_late": PostFactory(title="Late in March", publish_at=at(2026, 3, 30, 9)),
        "february": PostFactory(title="Fiber in February", publish_at=at(2026, 2, 20, 9)),
        "old": PostFactory(title="Hydration in 2025", publish_at=at(2025, 12, 15, 9)),
        "draft": PostFactory(title="Draft in March", publish_at=at(2026, 3, 5), draft=True),
    }


def test_the_year_archive_lists_its_months_with_counts_and_its_posts(client, dated_posts):
    response = client.get("/blog/2026/")

    assert response.status_code == 200
    assert "<h1" in response.text and "Posts of 2026" in response.text
    html = response.text
    assert '<a href="/blog/2026/03/">March</a> <span class="text-body-secondary">(2 posts)' in html
    assert (
        '<a href="/blog/2026/02/">February</a> <span class="text-body-secondary">(1 post)' in html
    )
    assert titles(response) == ["Late in March", "Glutamine in March", "Fiber in February"]
    assert "Hydration in 2025" not in html.split('class="archive-nav"')[0]


def test_the_month_archive_lists_its_posts_only(client, dated_posts):
    response = client.get("/blog/2026/03/")

    assert response.status_code == 200
    assert "March 2026" in response.text
    assert titles(response) == ["Late in March", "Glutamine in March"]
    assert 'href="/blog/2026/"' in response.text  # up to the year


def test_drafts_and_scheduled_posts_are_in_no_archive(client, dated_posts):
    future = timezone.now() + dt.timedelta(days=400)
    PostFactory(title="Scheduled far ahead", publish_at=future)

    pages = [client.get(url).text for url in ("/blog/", "/blog/2026/", "/blog/2026/03/")]

    for html in pages:
        assert "Draft in March" not in html
        assert "Scheduled far ahead" not in html
        assert f'href="/blog/{future.year}/"' not in html
    assert client.get(f"/blog/{future.year}/{future.month:02d}/").status_code == 404


def test_the_index_links_the_archive_by_year_and_month(client, dated_posts):
    html = client.get("/blog/").text

    nav = html.split('aria-labelledby="archive-heading"')[1].split("</nav>")[0]
    assert re.findall(r'href="([^"]+)"', nav) == [
        "/blog/2026/",
        "/blog/2026/03/",
        "/blog/2026/02/",
        "/blog/2025/",
        "/blog/2025/12/",
    ]
    assert "(2)" in nav  # March's count


def test_the_archive_marks_the_month_being_read(client, dated_posts):
    html = client.get("/blog/2026/03/").text

    assert '<a href="/blog/2026/03/" aria-current="page">March</a>' in html


@pytest.mark.parametrize(
    "path",
    [
        "/blog/0/",
        "/blog/0000/",
        "/blog/0999/",
        "/blog/99999999999/",
        "/blog/99999999999/03/",
        "/blog/9999/",
        "/blog/2026/00/",
        "/blog/2026/13/",
        "/blog/2026/3/",
        "/blog/2026/03a/",
        "/blog/2026/003/",
        "/blog/2026/-1/",
        "/blog/2026/%00/",
        "/blog/2024/",  # no posts that year
        "/blog/2026/04/",  # nor that month
        "/blog/2026/03/?before=x",
    ],
)
def test_junk_years_and_months_are_404_never_500(client, dated_posts, path):
    assert client.get(path).status_code == 404


def test_months_follow_the_sites_time_zone(client, settings):
    """23:30 UTC on 31 March is 01:30 on 1 April in Berlin (summer time): with
    TIME_ZONE=Europe/Berlin the post is April's, as its date on the card says."""
    PostFactory(title="Near midnight", publish_at=at(2026, 3, 31, 23, 30))

    assert titles(client.get("/blog/2026/03/")) == ["Near midnight"]
    assert client.get("/blog/2026/04/").status_code == 404

    settings.TIME_ZONE = "Europe/Berlin"
    cache.clear()  # the code's version is the same; only the setting changed

    april = client.get("/blog/2026/04/")
    assert titles(april) == ["Near midnight"]
    assert "April 1, 2026" in april.text
    assert client.get("/blog/2026/03/").status_code == 404


def test_a_new_years_eve_post_is_in_the_sites_year(client, settings):
    settings.TIME_ZONE = "America/New_York"
    PostFactory(title="Eve", publish_at=at(2026, 1, 1, 3))  # 22:00 on 31 December in New York

    assert titles(client.get("/blog/2025/12/")) == ["Eve"]
    assert client.get("/blog/2026/").status_code == 404


# --- a slug of digits would be an archive's address --------------------------------


def test_a_title_of_digits_gets_a_slug_that_is_no_archive(client):
    post = PostFactory(title="2026", slug="")

    assert post.slug == "post-2026"
    assert client.get("/blog/post-2026/").status_code == 200


def test_an_editor_cannot_give_a_post_a_slug_of_digits(editor_client, editor):
    data = post_data(editor, body="Magnesium may help.", slug="2026")

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["slug"]
    assert "A slug of digits only would be the address of a date archive" in errors[0]
    assert "post-2026" in errors[0]
    assert not Post.objects.exists()


def test_a_slug_of_digits_is_refused_by_the_model():
    post = PostFactory.build(slug="123", author=PostFactory().author)

    with pytest.raises(ValidationError) as raised:
        post.full_clean()

    assert "slug" in raised.value.message_dict


# --- keyset pages -------------------------------------------------------------------


def make_posts(count, start=None, prefix="Post"):
    start = start or timezone.now() - dt.timedelta(hours=1)
    return [
        PostFactory(title=f"{prefix} {i:02d}", publish_at=start - dt.timedelta(days=i))
        for i in range(count)
    ]


def test_the_index_pages_older_posts_by_cursor(client, settings):
    make_posts(settings.BLOG_POSTS_PER_PAGE + 2)
    per_page = settings.BLOG_POSTS_PER_PAGE

    first = client.get("/blog/")
    second = client.get("/blog/" + older_link(first))

    assert titles(first) == [f"Post {i:02d}" for i in range(per_page)]
    assert titles(second) == [f"Post {per_page:02d}", f"Post {per_page + 1:02d}"]
    assert older_link(second) is None
    assert 'href="/blog/">Newest posts</a>' in second.text
    assert "Posts from" in second.text.split("</title>")[0]
    assert '<meta name="robots" content="noindex, follow">' in second.text
    assert "noindex" not in first.text


def test_keyset_pagination_never_repeats_or_skips_a_post_while_posts_are_published_between_pages(
    client, settings
):
    settings.BLOG_POSTS_PER_PAGE = 3
    originals = make_posts(10)
    scheduled = PostFactory(
        title="Was scheduled", publish_at=timezone.now() + dt.timedelta(hours=1)
    )

    def publish_more(page_number):
        # After each page: a new post on top, and a scheduled one coming due.
        PostFactory(title=f"Fresh {page_number}", publish_at=timezone.now())
        if page_number == 2:
            Post.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now())

    seen = read_all_pages(client, "/blog/", between=publish_more)

    assert seen == [post.title for post in originals]


def test_posts_of_the_same_moment_are_each_shown_once(client, settings):
    settings.BLOG_POSTS_PER_PAGE = 2
    moment = timezone.now() - dt.timedelta(days=1)
    posts = [PostFactory(title=f"Same {i}", publish_at=moment) for i in range(5)]

    seen = read_all_pages(client, "/blog/")

    assert sorted(seen) == sorted(post.title for post in posts)
    assert len(seen) == 5


def test_archives_are_paged_by_cursor_too(client, settings):
    settings.BLOG_POSTS_PER_PAGE = 2
    march = [
        PostFactory(title=f"March {day:02d}", publish_at=at(2026, 3, day, 9))
        for day in range(1, 6)
    ]
    PostFactory(title="April", publish_at=at(2026, 4, 1, 9))
    PostFactory(title="February", publish_at=at(2026, 2, 27, 9))

    seen = read_all_pages(client, "/blog/2026/03/")

    assert seen == [post.title for post in reversed(march)]


def test_a_numbered_page_of_the_old_index_leads_to_the_same_posts(client, settings):
    make_posts(settings.BLOG_POSTS_PER_PAGE * 2 + 1)

    second = client.get("/blog/?page=2")
    first = client.get("/blog/?page=1")

    assert first.status_code == 302 and first["Location"] == "/blog/"
    assert second.status_code == 302
    assert (
        client.get(second["Location"]).text
        == client.get("/blog/" + older_link(client.get("/blog/"))).text
    )


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "", "4", "26", "99999999999999999999", "2.5", "٣", "1e3"]
)
def test_numbered_pages_beyond_the_first_few_or_junk_are_404(client, settings, page):
    make_posts(settings.BLOG_POSTS_PER_PAGE * 2 + 1)  # three pages

    assert client.get("/blog/", {"page": page}).status_code == 404


def _signed(micros, pk):
    """A cursor signed with the site's key, as if the site had made it."""
    paginator = KeysetPaginator(Post.objects.none(), 1)
    payload = struct.pack(">qQ", micros, pk)
    return base64.urlsafe_b64encode(payload + paginator._mac(payload)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "abc",
        "A" * 32,  # the right length, not signed
        "!" * 32,  # not base64
        "é" * 32,  # not ASCII
        "A" * 31 + "=",
        "A" * 10_000,
        "AAZF-dYDpAAAAAAAAAAABF_OXfBAkMXs",  # signed by another key
        "' OR 1=1 --",
    ],
)
def test_hostile_cursors_are_404(client, cursor):
    make_posts(6)

    assert client.get("/blog/", {"before": cursor}).status_code == 404
    assert client.get("/blog/2026/", {"before": cursor}).status_code == 404


@pytest.mark.parametrize(
    "micros", [2**63 - 1, -(2**63), 0], ids=["far future", "far past", "1970"]
)
def test_signed_cursors_out_of_any_range_are_404(client, micros):
    make_posts(6)

    assert client.get("/blog/", {"before": _signed(micros, 2**64 - 1)}).status_code == 404


def test_two_cursors_and_other_parameters(client):
    make_posts(6)
    link = older_link(client.get("/blog/"))
    cursor = link.split("=", 1)[1]

    assert client.get(f"/blog/?before=junk&before={cursor}").status_code == 200  # the last wins
    assert client.get(f"/blog/?before={cursor}&utm_source=x").status_code == 200


# --- fixed queries, the page cache -------------------------------------------------


@pytest.mark.parametrize("path", ["/blog/", "/blog/2026/", "/blog/2026/03/"])
def test_list_pages_cost_the_same_queries_with_1_and_20_posts(
    client, path, django_assert_num_queries
):
    PostFactory(publish_at=at(2026, 3, 1, 9))
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200

    for day in range(2, 22):
        PostFactory(publish_at=at(2026, 3, day, 9))
    cache.clear()
    with django_assert_num_queries(len(one)):
        response = client.get(path)
    assert len(titles(response)) == 4


def test_a_deep_page_costs_what_the_first_costs(client, settings, django_assert_num_queries):
    settings.BLOG_POSTS_PER_PAGE = 2
    make_posts(30)
    with CaptureQueriesContext(connection) as first:
        response = client.get("/blog/")
    # (read now: the next request empties the connection's query log)
    first_count = len(first)
    offsets = [q["sql"] for q in first.captured_queries if "OFFSET" in q["sql"].upper()]
    url = "/blog/"
    for _ in range(10):
        url = "/blog/" + older_link(client.get(url))

    cache.clear()
    with django_assert_num_queries(first_count) as captured:
        deep = client.get(url)

    assert deep.status_code == 200 and response.status_code == 200
    offsets += [q["sql"] for q in captured.captured_queries if "OFFSET" in q["sql"].upper()]
    assert offsets == []


HIT_QUERIES = 2  # the site-wide stamp; the newest change and the newest due post, in one


@pytest.mark.parametrize("path", ["/blog/", "/blog/2026/", "/blog/2026/03/"])
def test_list_pages_come_from_the_cache_in_two_small_queries(
    client, path, django_assert_num_queries
):
    PostFactory(publish_at=at(2026, 3, 1, 9))
    first = client.get(path)

    with django_assert_num_queries(HIT_QUERIES):
        again = client.get(path)

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert "public" in again["Cache-Control"]


def test_a_cursor_page_is_cached_too(client, django_assert_num_queries):
    make_posts(6)
    url = "/blog/" + older_link(client.get("/blog/"))
    client.get(url)

    with django_assert_num_queries(HIT_QUERIES):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        lambda post: PostFactory(title="Newly out", publish_at=at(2026, 3, 20, 9)),
        lambda post: publishing.unpublish(Post.objects.filter(pk=post.pk)),
        lambda post: post.delete(),
        lambda post: setattr(post, "title", "Retitled") or post.save(),
        lambda post: setattr(post.author, "first_name", "Renamed") or post.author.save(),
    ],
    ids=["published", "unpublished", "deleted", "edited", "author renamed"],
)
@pytest.mark.parametrize("path", ["/blog/", "/blog/2026/", "/blog/2026/03/"])
def test_a_cached_list_shows_every_change_of_its_posts(client, path, change):
    post = PostFactory(title="First", publish_at=at(2026, 3, 10, 9))
    PostFactory(title="Second", publish_at=at(2026, 3, 5, 9))
    before = client.get(path)

    change(post)
    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code in (200, 404)
    assert after.content != before.content


@pytest.mark.parametrize("path", ["/blog/", "/blog/2026/", "/blog/2026/03/"])
def test_a_scheduled_post_shows_in_the_cached_lists_when_it_comes_due(client, path):
    PostFactory(title="Already out", publish_at=at(2026, 3, 1, 9))
    due = PostFactory(title="Coming soon", publish_at=timezone.now() + dt.timedelta(hours=1))
    assert "Coming soon" not in client.get(path).text

    # Its time passes (nothing is saved: no signal, no page_changed_at).
    Post.objects.filter(pk=due.pk).update(publish_at=at(2026, 3, 2, 9))

    assert "Coming soon" in client.get(path).text


# --- the sitemap ---------------------------------------------------------------------


def test_the_sitemap_lists_the_year_and_month_archives(client, dated_posts, settings):
    xml = client.get("/sitemap.xml").text

    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    archives = [loc for loc in locations if re.search(r"/blog/\d{4}/(\d\d/)?$", loc)]
    assert archives == [
        f"{settings.SITE_URL}/blog/2026/",
        f"{settings.SITE_URL}/blog/2026/03/",
        f"{settings.SITE_URL}/blog/2026/02/",
        f"{settings.SITE_URL}/blog/2025/",
        f"{settings.SITE_URL}/blog/2025/12/",
    ]
    for url in archives:
        assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200


def test_the_cached_sitemap_gains_a_month_when_its_first_post_comes_due(client, dated_posts):
    due = PostFactory(publish_at=timezone.now() + dt.timedelta(minutes=1))
    month = timezone.localtime(due.publish_at).strftime("/blog/%Y/%m/</loc>")
    assert month not in client.get("/sitemap.xml").text

    # Its time comes (nothing is saved: no signal, no page_changed_at).
    Post.objects.filter(pk=due.pk).update(publish_at=timezone.now())

    assert month in client.get("/sitemap.xml").text


# --- the archive's months are counted once per change --------------------------------


def grouped_queries(captured):
    return [q for q in captured.captured_queries if "GROUP BY" in q["sql"].upper()]


def test_the_archive_is_counted_once_per_change_of_the_posts(client):
    PostFactory(publish_at=at(2026, 3, 1, 9))
    with CaptureQueriesContext(connection) as first:
        client.get("/blog/")
    counted_first = len(grouped_queries(first))
    with CaptureQueriesContext(connection) as other_page:
        client.get("/blog/2026/")  # not cached yet, the months are
    counted_again = len(grouped_queries(other_page))

    PostFactory(publish_at=at(2026, 4, 1, 9))
    with CaptureQueriesContext(connection) as after_change:
        response = client.get("/blog/2026/")

    assert (counted_first, counted_again, len(grouped_queries(after_change))) == (1, 0, 1)
    assert 'href="/blog/2026/04/"' in response.text


def test_a_deleted_post_leaves_the_archive_at_once(client):
    PostFactory(title="Alone in February", publish_at=at(2026, 2, 1, 9))
    march = PostFactory(title="March", publish_at=at(2026, 3, 1, 9))
    assert 'href="/blog/2026/03/"' in client.get("/blog/").text

    march.delete()

    html = client.get("/blog/").text
    assert 'href="/blog/2026/03/"' not in html and 'href="/blog/2026/02/"' in html
    assert client.get("/blog/2026/03/").status_code == 404


def test_the_lists_work_without_a_cache(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    PostFactory(title="Still listed", publish_at=at(2026, 3, 1, 9))

    for path in ("/blog/", "/blog/2026/", "/blog/2026/03/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Still listed" in response.text
        assert 'href="/blog/2026/03/"' in response.text
