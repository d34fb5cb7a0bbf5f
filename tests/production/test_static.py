"""collectstatic with WhiteNoise's compressed manifest storage (DEBUG off)."""

import json

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_bootstrap_is_collected_hashed_and_compressed(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    hashed = manifest["bootstrap/css/bootstrap.min.css"]
    assert hashed != "bootstrap/css/bootstrap.min.css"
    assert hashed.startswith("bootstrap/css/bootstrap.min.")
    assert (collected / hashed).is_file()
    assert (collected / f"{hashed}.gz").is_file()


@pytest.mark.django_db
def test_pages_link_hashed_files_that_whitenoise_serves_for_a_year(collected):
    from articles.models import Post  # noqa: F401 (the index renders without posts)

    with override_settings(
        STATIC_ROOT=collected,
        STORAGES=MANIFEST_STORAGES,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        WHITENOISE_MAX_AGE=31536000,
    ):
        client = Client()  # a new handler: WhiteNoise reads STATIC_ROOT at start
        page = client.get("/blog/").content.decode()
        manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
        url = "/static/" + manifest["bootstrap/css/bootstrap.min.css"]
        assert url in page
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "max-age=31536000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
