"""Static and media files come from nginx, off disk; gunicorn never sees them.

Against the production set `make serve` starts (conftest.site): collectstatic
with WhiteNoise's manifest storage (hashed, compressed names) in STATIC_ROOT,
and in MEDIA_ROOT the uploads conftest.MEDIA_FILES puts there.
"""

import gzip
import re

import pytest

YEAR = "public, max-age=31536000, immutable"


def gunicorn_log(site):
    return (site.run_dir.parent / "gunicorn-access.log").read_text()


def test_hashed_static_files_come_from_nginx_with_a_year_of_cache(site):
    response, page = site.get("/blog/")
    assert response.status == 200
    urls = re.findall(r'"(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', page.decode())
    assert len(urls) >= 2, "the page links its hashed stylesheets and scripts"
    for url in urls:
        response, body = site.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200, url
        assert response.headers["Cache-Control"] == YEAR
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # WhiteNoise's precompressed copy, sent as is (gzip_static).
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body)
    assert "GET /blog/ " in gunicorn_log(site)
    assert "/static/" not in gunicorn_log(site)


def test_unhashed_static_names_are_cached_for_an_hour_only(site):
    response, body = site.get("/static/bootstrap/css/bootstrap.min.css")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["Content-Type"] == "text/css"
    assert b"Bootstrap" in body


def test_a_missing_static_file_is_nginx_s_404(site):
    response, _ = site.get("/static/nothing-here.0123456789ab.css")
    assert response.status == 404
    assert "/static/nothing-here" not in gunicorn_log(site)


def test_an_uploaded_image_is_served_as_an_image_that_runs_nothing(site):
    response, body = site.get("/media/uploads/photo.png")
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Content-Disposition"] is None
    # Public pictures, shown by feed readers and mail too: said so explicitly.
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert body.startswith(b"\x89PNG")


@pytest.mark.parametrize("name", ["uploads/page.html", "uploads/drawing.svg"])
def test_an_upload_that_could_carry_script_is_only_ever_a_download(site, name):
    response, body = site.get(f"/media/{name}")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == "attachment"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/../site.sqlite3",
        "/media/..%2fsite.sqlite3",
        "/media/uploads/..%2f..%2fsite.sqlite3",
        "/media../site.sqlite3",
        "/static/../site.sqlite3",
        "/static..%2fsite.sqlite3",
    ],
)
def test_files_beside_the_media_and_static_folders_are_out_of_reach(site, path):
    """site.sqlite3 sits in the folder that holds media/ and static/."""
    response, body = site.get(path)
    assert b"SQLite format" not in body
    assert response.status in {400, 404}


def test_media_accepts_no_writes(site):
    response, _ = site.get("/media/uploads/photo.png", method="PUT")
    assert response.status == 405
