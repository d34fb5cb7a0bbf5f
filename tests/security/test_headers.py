"""Security headers on public pages, the admin, errors and static files."""

import pytest
from django.test import override_settings

PAGES = ["/blog/", "/admin/login/", "/no-such-page/"]


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_csp_allows_no_inline_or_foreign_script(client, path):
    directives = csp_directives(client.get(path))
    scripts = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert all(source in {"'self'"} or source.startswith("'nonce-") for source in scripts)
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


@pytest.mark.django_db
def test_no_hsts_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/blog/", secure=True)


@pytest.mark.django_db
@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SECURE_SSL_REDIRECT=True,
)
def test_production_sends_hsts_over_https_and_redirects_plain_http(client):
    response = client.get("/blog/", secure=True)
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    plain = client.get("/blog/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")


def test_media_served_in_development_say_who_may_embed_them(settings, tmp_path):
    """As nginx says it in production (tests/production/test_nginx_files.py)."""
    from django.test import RequestFactory

    from core.views import media

    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    response = media(RequestFactory().get("/media/photo.png"), "photo.png", document_root=tmp_path)

    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_development_urls_serve_media_through_that_view(settings):
    import importlib

    from django.urls import clear_url_caches, resolve

    import glutablog.urls
    from core.views import media

    settings.DEBUG = True
    try:
        importlib.reload(glutablog.urls)
        clear_url_caches()
        assert resolve("/media/images/photo.png").func is media
    finally:
        settings.DEBUG = False
        importlib.reload(glutablog.urls)
        clear_url_caches()
