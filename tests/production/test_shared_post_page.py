"""The real post page behind nginx: Django keeps the page cache contract
(deploy/nginx/glutablog.conf.in), nginx shares the page, and an approved
comment reaches every reader within seconds.

Against the production set `make serve` starts (conftest.site).
"""

import re
import time

from .helpers import manage

POST_PATH = "/blog/glutamine-and-gut-health/"
# What a moderator's approval does, through the one path every approval takes.
APPROVE = """
from django.contrib.auth import get_user_model
from articles.models import Post
from comments.models import Comment
moderator, _ = get_user_model().objects.get_or_create(username="nginx-test-moderator")
comment = Comment.objects.create(
    post=Post.objects.get(slug="glutamine-and-gut-health"),
    name="Nginx Reader", email="reader@example.com", text="{text}",
)
Comment.objects.filter(pk=comment.pk).approve(by=moderator)
"""


def shared_seconds(cache_control):
    match = re.search(r"(?:^|[\s,])s-maxage=(\d+)\s*(?:,|$)", cache_control)
    return int(match.group(1)) if match else None


def test_the_anonymous_post_page_keeps_the_contract_and_nginx_shares_it(site):
    site.get(POST_PATH)
    response, body = site.get(POST_PATH)
    assert response.status == 200
    cache_control = response.headers["Cache-Control"]
    assert shared_seconds(cache_control) in {1, 2}, cache_control
    assert re.search(r"(^|[\s,])max-age=0(\s*,|$)", cache_control), cache_control
    assert not {"private", "no-store", "no-cache"} & set(re.split(r"[\s,=]+", cache_control))
    assert response.headers["ETag"]
    assert response.headers["Set-Cookie"] is None
    assert response.headers["Expires"] is None
    assert response.headers["X-Cache"] in {"HIT", "UPDATING"}
    assert b"Glutamine" in body


def test_a_reader_with_a_session_gets_their_own_page_past_the_cache(site):
    response, _ = site.get(POST_PATH, headers={"Cookie": "sessionid=made-up"})
    assert response.status == 200
    assert response.headers["X-Cache"] == "BYPASS"


def test_an_approved_comment_reaches_readers_behind_nginx_within_seconds(site):
    response, _ = site.get(POST_PATH)
    seconds = shared_seconds(response.headers["Cache-Control"])
    text = f"Approved while nginx held the page {time.time_ns()}"
    site.get(POST_PATH)  # held by nginx now
    result = manage("shell", "-c", APPROVE.format(text=text), env=site.env)
    assert result.returncode == 0, result.stderr
    approved = time.monotonic()
    deadline = approved + seconds + 4
    while time.monotonic() < deadline:
        _, body = site.get(POST_PATH)
        if text.encode() in body:
            break
        time.sleep(0.1)
    waited = time.monotonic() - approved
    assert text.encode() in body, f"not shown after {waited:.1f} s"
    # nginx counts whole seconds: a copy is fresh for s-maxage to s-maxage + 1 s.
    assert waited <= seconds + 1.5, f"shown after {waited:.1f} s (s-maxage={seconds})"
