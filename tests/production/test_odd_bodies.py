"""Bodies in odd character sets, through real sockets to gunicorn (behind
nginx, and straight to gunicorn): the site's 400 page with its security
headers and one log line, where gunicorn answered a bare "Internal Server
Error" with no headers and hundreds of log lines.

Against the production set `make serve` starts (conftest.site).
"""

import http.client
import re
import time

import pytest

POST_PATH = "/blog/glutamine-and-gut-health/"
BODY = "name=Caf\u00e9&text=cr\u00e8me".encode("latin-1")
CONTENT_TYPES = [
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-7",
    "application/x-www-form-urlencoded; charset=nonsense",
    "multipart/form-data; boundary=",
    "text/plain; charset=base64",
]


def comment_path(site):
    _, page = site.get(POST_PATH)
    return re.search(rb'action="(/comments/post/\d+/)"', page).group(1).decode()


def log_lines_during(site, send):
    before = len(site.log().splitlines())
    result = send()
    time.sleep(0.3)  # the worker's log line reaches the file
    return result, site.log().splitlines()[before:]


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_an_odd_charset_is_the_sites_400_through_nginx_and_gunicorn(
    site, content_type, input_cases
):
    paths = [comment_path(site), "/admin/login/", "/blog/", "/sitemap.xml", POST_PATH]
    for path in paths:
        input_cases(1)
        headers = {"Content-Type": content_type, "Cookie": "csrftoken=" + "madeup" * 5 + "xx"}
        (response, body), lines = log_lines_during(
            site,
            lambda path=path, headers=headers: site.get(path, headers, method="POST", body=BODY),
        )
        assert response.status == 400, (path, response.status, body[:300])
        assert b"The request could not be read" in body and b"Skip to content" in body
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Content-Security-Policy" in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert [line for line in lines if "Bad Request" in line] == [
            line for line in lines if line.strip()
        ], lines
        assert len(lines) == 1, lines


def test_a_query_string_in_a_charset_django_chokes_on_is_a_400_from_gunicorn(site, input_cases):
    input_cases(1)
    # Straight to gunicorn (nginx in front says https): Django decoded the
    # query string with the declared charset while building its request.
    connection = http.client.HTTPConnection("127.0.0.1", site.app_port, timeout=10)
    try:
        connection.request(
            "GET",
            "/blog/?utm_source=%E9",
            headers={
                "Host": "127.0.0.1",
                "X-Forwarded-Proto": "https",
                "Content-Type": "text/plain; charset=base64",
            },
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 400, body[:300]
    assert b"The request could not be read" in body
    assert response.headers["X-Frame-Options"] == "DENY"
