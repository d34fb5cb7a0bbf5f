"""Cross-site protection from the request's own headers (core.security), case by case."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core.security import cross_origin_refusal, same_origin_required

SITE = "http://testserver"


def post(**headers):
    return RequestFactory().post("/form/", {"text": "hello"}, **headers)


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({"HTTP_SEC_FETCH_SITE": "same-origin"}, False),
        ({"HTTP_SEC_FETCH_SITE": "none"}, False),  # typed by the user, a bookmark
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, True),
        ({"HTTP_SEC_FETCH_SITE": "same-site"}, True),  # another subdomain is another site
        ({"HTTP_SEC_FETCH_SITE": "CROSS-SITE"}, True),
        ({"HTTP_SEC_FETCH_SITE": "nonsense"}, True),
        # Sec-Fetch-Site wins over Origin, both ways.
        ({"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": SITE}, True),
        ({"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "https://evil.example"}, False),
        # No Sec-Fetch-Site (an older browser): the Origin decides.
        ({"HTTP_ORIGIN": SITE}, False),
        ({"HTTP_ORIGIN": "HTTP://TESTSERVER"}, False),
        ({"HTTP_ORIGIN": "https://evil.example"}, True),
        ({"HTTP_ORIGIN": "http://testserver.evil.example"}, True),
        ({"HTTP_ORIGIN": "https://testserver"}, True),  # another scheme is another origin
        ({"HTTP_ORIGIN": "null"}, True),  # sandboxed frames, data: pages
        # Neither (an empty Origin counts as none, as in Go): not a browser,
        # so not a forged request.
        ({"HTTP_ORIGIN": ""}, False),
        ({}, False),
    ],
)
def test_each_case(headers, refused):
    assert bool(cross_origin_refusal(post(**headers))) is refused


def test_site_url_and_trusted_origins_are_accepted(settings):
    settings.SITE_URL = "https://blog.example.com"
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.blog.example.com"]

    for origin in ["https://blog.example.com", "https://www.blog.example.com"]:
        assert cross_origin_refusal(post(HTTP_ORIGIN=origin)) == ""


def test_safe_methods_are_never_refused():
    request = RequestFactory().get("/form/", HTTP_SEC_FETCH_SITE="cross-site")

    assert cross_origin_refusal(request) == ""


def test_the_decorator_answers_with_the_refusal_and_exempts_the_token_check():
    calls = []

    def refused(request, reason):
        return HttpResponse(f"refused: {reason}", status=403)

    @same_origin_required(refused=refused)
    def view(request):
        calls.append(request)
        return HttpResponse("ok")

    assert view(post(HTTP_SEC_FETCH_SITE="cross-site")).status_code == 403
    assert not calls
    assert view(post(HTTP_SEC_FETCH_SITE="same-origin")).status_code == 200
    assert view.csrf_exempt is True
