"""The shared page cache in nginx, and its contract with Django.

Through the real nginx configuration (deploy/nginx/) in front of a stand-in
app (standin_app.py) that sends the headers Django sends: a shareable page
(`Cache-Control: public, max-age=0, s-maxage=1, stale-if-error=60` and an
ETag) is answered by nginx for one to two seconds; after that, the next
request revalidates it with its ETag before anyone gets it, so a new version
reaches the next reader within two seconds however long the page was quiet.
A stale copy is served only while the app cannot answer, and only within its
stale-if-error. A response marked private, no-store or no-cache, or setting a
cookie, or asking for longer than one second, is never stored; a reader with
a session or a message never gets, nor leaves, a shared copy.

nginx's clock is the test's (stack.NginxClock): ``standin.clock.advance(2)``
makes every copy two seconds older instead of waiting. Each test uses its own
query string: its own entry in nginx's cache.
"""

import json
import threading
import uuid

import pytest

from .standin_app import failure_file, version_file

SHAREABLE = "public, max-age=0, s-maxage=1, stale-if-error=60"
QUIET_SECONDS = 600


def fresh(path):
    """The path with a query string no other request used: a new cache entry."""
    return f"{path}?t={uuid.uuid4().hex[:12]}"


def reached_app(standin, url):
    """The requests for this URL that got through nginx to the app."""
    path, _, query = url.partition("?")
    log = standin.standin_dir / "requests.log"
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return [r for r in records if r["path"] == path and r["query"] == query]


def get(standin, url, **headers):
    response, body = standin.get(url, headers=headers)
    return response.status, response.headers, body.decode()


def set_version(standin, path, version):
    (standin.standin_dir / version_file(path)).write_text(str(version))


@pytest.fixture
def failing(standin):
    """failing(path, how): the stand-in fails on that path ("die", "500"...)
    until the test ends."""
    made = []

    def fail(path, how):
        target = standin.standin_dir / failure_file(path)
        target.write_text(how)
        made.append(target)

    yield fail
    for target in made:
        target.unlink(missing_ok=True)


def test_a_shareable_page_is_answered_by_nginx_for_its_second(standin):
    url = fresh("/blog/shared/")
    status, headers, first = get(standin, url)
    assert status == 200
    assert headers["X-Cache"] == "MISS"
    # Browsers keep nothing fresh (they revalidate); nginx keeps it a second.
    assert headers["Cache-Control"] == SHAREABLE
    assert headers["ETag"] == '"blog-shared-v1"'
    answers = [get(standin, url) for _ in range(5)]
    assert [h["X-Cache"] for _, h, _ in answers] == ["HIT"] * 5
    assert {body for _, _, body in answers} == {first}
    assert len(reached_app(standin, url)) == 1


def test_after_its_seconds_the_copy_is_revalidated_before_it_is_answered(standin):
    url = fresh("/blog/shared/")
    _, headers, first = get(standin, url)
    etag = headers["ETag"]
    standin.clock.advance(2)  # s-maxage=1: fresh for 1 to 2 s (nginx counts whole seconds)
    status, headers, body = get(standin, url)
    # This reader's request asked the app first (a 304: nothing rendered).
    assert status == 200
    assert headers["X-Cache"] == "REVALIDATED"
    assert body == first
    assert len(reached_app(standin, url)) == 2
    assert reached_app(standin, url)[1]["if_none_match"] == etag
    _, headers, body = get(standin, url)
    assert headers["X-Cache"] == "HIT"
    assert body == first
    assert len(reached_app(standin, url)) == 2


def test_a_new_version_reaches_the_next_reader_within_two_seconds(standin):
    """What an approved comment does to a post page behind nginx."""
    path = "/blog/shared-too/"
    url = fresh(path)
    _, _, first = get(standin, url)
    assert "version 1 " in first
    set_version(standin, path, 2)
    _, headers, body = get(standin, url)
    assert headers["X-Cache"] == "HIT" and body == first  # the held copy, for now
    standin.clock.advance(2)
    _, headers, body = get(standin, url)
    assert headers["X-Cache"] == "EXPIRED"
    assert "version 2 " in body


def test_the_first_reader_after_a_quiet_spell_gets_the_current_version(standin):
    """The copy of the previous visit, ten minutes old, is never handed out."""
    path = "/blog/shared-too/"
    url = fresh(path)
    set_version(standin, path, 3)
    get(standin, url)
    standin.clock.advance(QUIET_SECONDS)
    set_version(standin, path, 4)
    _, headers, body = get(standin, url)
    assert headers["X-Cache"] == "EXPIRED"
    assert "version 4 " in body


def test_a_browser_revalidating_gets_a_304_from_nginx(standin):
    url = fresh("/blog/shared/")
    _, headers, _ = get(standin, url)
    response, body = standin.get(url, headers={"If-None-Match": headers["ETag"]})
    assert response.status == 304
    assert body == b""
    assert len(reached_app(standin, url)) == 1


def test_readers_arriving_during_a_slow_revalidation_never_get_the_old_copy(standin):
    path = "/blog/slow-to-revalidate/"  # the app takes 1.5 s to answer a revalidation
    url = fresh(path)
    set_version(standin, path, 5)
    get(standin, url)
    set_version(standin, path, 6)
    standin.clock.advance(2)
    results = []

    def read():
        _, headers, body = get(standin, url)
        results.append((headers["X-Cache"], body))

    readers = [threading.Thread(target=read) for _ in range(6)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=15)
    assert len(results) == 6
    assert all("version 6 " in body for _, body in results), results
    assert not {"STALE", "UPDATING"} & {cache for cache, _ in results}


def test_while_the_app_cannot_answer_a_stale_copy_is_served_for_a_bounded_time(standin, failing):
    path = "/blog/fails-when-told/"
    url = fresh(path)
    _, _, first = get(standin, url)
    failing(path, "die")  # a crashed worker: nginx gets no answer (its 502)
    standin.clock.advance(2)
    status, headers, body = get(standin, url)
    assert (status, headers["X-Cache"], body) == (200, "STALE", first)
    # stale-if-error=60: a minute after the copy expired, the failure shows.
    standin.clock.advance(60)
    status, headers, _ = get(standin, url)
    assert status == 502
    assert headers["X-Cache"] != "STALE"


@pytest.mark.parametrize("status", ["404", "410", "500", "503"])
def test_an_answer_of_the_app_is_passed_on_never_replaced_by_a_stale_copy(
    standin, failing, status
):
    """An unpublished post (404), a deleted page (410), an error page the app
    rendered: the reader gets what the app says now, not the page of before."""
    path = "/blog/fails-when-told/"
    url = fresh(path)
    get(standin, url)
    failing(path, status)
    standin.clock.advance(2)
    answer, headers, body = get(standin, url)
    assert answer == int(status)
    assert headers["X-Cache"] != "STALE"
    assert f"failed with {status}" in body


@pytest.mark.parametrize(
    "path",
    [
        "/blog/personal/",  # Django's never_cache
        "/blog/private-with-s-maxage/",
        "/blog/no-store-with-s-maxage/",
        "/blog/no-cache-with-s-maxage/",
        "/blog/cookie-with-s-maxage/",
        "/blog/an-hour/",  # s-maxage=3600: longer than the site promises
        "/blog/two-seconds/",  # a copy fresh for up to 3 s: still too long
        "/blog/max-age-only/",
        "/blog/no-header/",
        "/blog/accel-expires-then-private/",
        # Meant as shareable, but nginx 1.22 reads Expires first: never stored.
        "/blog/expires-then-s-maxage/",
    ],
)
def test_a_response_not_marked_shareable_is_never_stored(standin, path):
    url = fresh(path)
    answers = [get(standin, url) for _ in range(3)]
    assert [status for status, _, _ in answers] == [200] * 3
    assert "HIT" not in {headers["X-Cache"] for _, headers, _ in answers}
    assert len({body for _, _, body in answers}) == 3  # three renders
    assert len(reached_app(standin, url)) == 3


@pytest.mark.parametrize("cookie", ["sessionid=abc123", "messages=W1siX19qc29uX21lc3NhZ2UiXV0"])
def test_a_reader_with_a_session_or_a_message_bypasses_the_cache(standin, cookie):
    url = fresh("/blog/shared/")
    _, _, shared = get(standin, url)
    status, headers, own = get(standin, url, Cookie=f"csrftoken=x; {cookie}")
    assert status == 200
    assert headers["X-Cache"] == "BYPASS"
    assert cookie in own  # rendered for them
    _, headers, again = get(standin, url)
    assert headers["X-Cache"] == "HIT"
    assert again == shared  # their page was not stored for others
    assert len(reached_app(standin, url)) == 2


def test_a_page_rendered_for_a_session_is_never_given_to_others(standin):
    url = fresh("/blog/shared/")
    _, _, own = get(standin, url, Cookie="sessionid=abc123")
    _, headers, other = get(standin, url)
    assert headers["X-Cache"] == "MISS"
    assert "abc123" not in other
    assert len(reached_app(standin, url)) == 2


def test_other_cookies_do_not_defeat_the_cache(standin):
    url = fresh("/blog/shared/")
    _, _, first = get(standin, url)
    _, headers, body = get(standin, url, Cookie="csrftoken=x; theme=dark")
    assert headers["X-Cache"] == "HIT"
    assert body == first


def test_a_page_that_varies_on_cookie_is_stored_once_per_cookie_header(standin):
    """Why a shareable page must not send Vary: Cookie: every reader with a
    cookie of their own (csrftoken, a preference) would miss the shared copy."""
    url = fresh("/blog/varies-on-cookie/")
    statuses = [get(standin, url, Cookie=f"csrftoken=reader{n}")[1]["X-Cache"] for n in range(3)]
    assert statuses == ["MISS", "MISS", "MISS"]
    assert get(standin, url, Cookie="csrftoken=reader1")[1]["X-Cache"] == "HIT"
    assert len(reached_app(standin, url)) == 3
