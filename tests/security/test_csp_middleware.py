"""The CSP header is built once per process, and per-view policies still win."""

from csp.decorators import csp_update
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import CachedCSPMiddleware


def plain_view(request):
    return HttpResponse("ok")


@csp_update({"img-src": ["https://images.example"]})
def widened_view(request):
    return HttpResponse("ok")


def run(view):
    request = RequestFactory().get("/")
    middleware = CachedCSPMiddleware(view)
    return middleware(request)


def test_plain_responses_share_one_policy():
    CachedCSPMiddleware._built.clear()
    first, second = run(plain_view), run(plain_view)

    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    assert "script-src 'self'" in first["Content-Security-Policy"]
    assert (
        "unsafe-inline"
        not in first["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )


def test_a_per_view_policy_is_not_replaced_by_the_cached_one():
    run(plain_view)

    response = run(widened_view)

    assert "https://images.example" in response["Content-Security-Policy"]
    assert "https://images.example" not in run(plain_view)["Content-Security-Policy"]
