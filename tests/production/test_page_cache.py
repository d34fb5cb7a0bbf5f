"""The shared page cache in nginx, and its contract with Django.

Through the real nginx configuration (deploy/nginx/) in front of a stand-in
app (standin_app.py) that sends the headers Django must send: a shareable
page (`Cache-Control: max-age=0, s-maxage=1` and an ETag) is answered by
nginx for one to two seconds, then revalidated with its ETag while readers
keep getting the held copy; a response marked private, no-store or no-cache,
or setting a cookie, or asking for longer than two seconds, is never stored;
a reader with a session or a message never gets, nor leaves, a shared copy.

Each test uses its own query string: its own entry in nginx's cache.
"""

import json
import threading
import time
import uuid

import pytest

from .standin_app import version_file

SHAREABLE = "max-age=0, s-maxage=1"


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


def wait_until(condition, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_shareable_page_is_answered_by_nginx_for_its_second(standin):
    url = fresh("/blog/shared/")
    started = time.monotonic()
    status, headers, first = get(standin, url)
    assert status == 200
    assert headers["X-Cache"] == "MISS"
    # Browsers keep nothing fresh (they revalidate); nginx keeps it a second.
    assert headers["Cache-Control"] == SHAREABLE
    assert headers["ETag"] == '"blog-shared-v1"'
    answers = [get(standin, url) for _ in range(5)]
    assert time.monotonic() - started < 1.0, "too slow to observe the first second"
    assert [h["X-Cache"] for _, h, _ in answers] == ["HIT"] * 5
    assert {body for _, _, body in answers} == {first}
    assert len(reached_app(standin, url)) == 1


def test_after_its_seconds_the_copy_is_revalidated_with_the_etag(standin):
    url = fresh("/blog/shared/")
    _, headers, first = get(standin, url)
    etag = headers["ETag"]
    time.sleep(2.2)  # s-maxage=1: fresh for 1 to 2 s (nginx counts whole seconds)
    status, headers, body = get(standin, url)
    # This reader gets the held copy at once; nginx asks the app in the background.
    assert status == 200
    assert headers["X-Cache"] in {"STALE", "UPDATING"}
    assert body == first
    assert wait_until(lambda: len(reached_app(standin, url)) == 2)
    revalidation = reached_app(standin, url)[1]
    assert revalidation["if_none_match"] == etag  # the app answered 304: nothing rendered
    _, headers, body = get(standin, url)
    assert headers["X-Cache"] == "HIT"
    assert body == first
    assert len(reached_app(standin, url)) == 2


def test_a_new_version_reaches_readers_within_two_seconds(standin):
    """What an approved comment does to a post page behind nginx."""
    url = fresh("/blog/shared-too/")
    _, _, first = get(standin, url)
    assert "version 1 " in first
    (standin.standin_dir / version_file("/blog/shared-too/")).write_text("2")
    changed = time.monotonic()
    _, headers, body = get(standin, url)
    assert headers["X-Cache"] == "HIT" and body == first  # still the held copy, for now
    seen = []

    def new_version_seen():
        _, _, body = get(standin, url)
        seen.append(time.monotonic() - changed)
        return "version 2 " in body

    assert wait_until(new_version_seen, timeout=4.0)
    assert seen[-1] <= 3.0, f"the new version took {seen[-1]:.2f} s to show"


def test_a_browser_revalidating_gets_a_304_from_nginx(standin):
    url = fresh("/blog/shared/")
    _, headers, _ = get(standin, url)
    response, body = standin.get(url, headers={"If-None-Match": headers["ETag"]})
    assert response.status == 304
    assert body == b""
    assert len(reached_app(standin, url)) == 1


def test_while_one_request_revalidates_the_others_get_the_held_copy(standin):
    url = fresh("/blog/slow-to-revalidate/")  # the app takes 1.5 s to answer a revalidation
    _, _, first = get(standin, url)
    time.sleep(2.2)
    results = []

    def read():
        started = time.monotonic()
        _, headers, body = get(standin, url)
        results.append((time.monotonic() - started, headers["X-Cache"], body))

    readers = [threading.Thread(target=read) for _ in range(6)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=10)
    assert len(results) == 6
    assert {body for _, _, body in results} == {first}
    assert {status for _, status, _ in results} <= {"STALE", "UPDATING", "HIT"}
    slowest = max(seconds for seconds, _, _ in results)
    assert slowest < 1.2, f"a reader waited {slowest:.2f} s for the revalidation"
    assert wait_until(lambda: len(reached_app(standin, url)) == 2, timeout=4)
    time.sleep(0.3)
    assert len(reached_app(standin, url)) == 2  # one revalidation for all six readers


@pytest.mark.parametrize(
    "path",
    [
        "/blog/personal/",  # Django's never_cache
        "/blog/private-with-s-maxage/",
        "/blog/no-store-with-s-maxage/",
        "/blog/no-cache-with-s-maxage/",
        "/blog/cookie-with-s-maxage/",
        "/blog/an-hour/",  # s-maxage=3600: longer than the site promises
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
