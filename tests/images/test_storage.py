"""Where uploads are stored: the file system by default, S3-compatible object
storage when configured (checked in a fresh process, as a deployment starts;
no request reaches any storage service), and the CSP that goes with each."""

import json

import pytest

from tests.production.helpers import manage, production_env

SHOW = (
    "import json; from django.conf import settings; "
    "from django.core.files.storage import default_storage as s; "
    "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'], "
    "'origin': settings.MEDIA_ORIGIN, "
    "'img_src': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], "
    "'url': s.url('images/2026/11/abc-480w.jpg')}))"
)
FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "test-key-id", "AWS_SECRET_ACCESS_KEY": "test-secret"}


def configured(**env):
    result = manage("shell", "-c", SHOW, env=production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_media_are_files_under_media_root_served_from_this_site():
    found = configured()
    assert found["backend"] == "django.core.files.storage.FileSystemStorage"
    assert found["url"] == "/media/images/2026/11/abc-480w.jpg"
    assert found["origin"] == ""
    assert found["img_src"] == ["'self'", "data:"]


def test_s3_with_a_custom_domain_serves_plain_addresses_from_that_host():
    found = configured(
        AWS_STORAGE_BUCKET_NAME="glutablog-media",
        AWS_S3_CUSTOM_DOMAIN="media.example.com",
        **FAKE_KEYS,
    )
    assert found["backend"] == "storages.backends.s3.S3Storage"
    assert found["url"] == "https://media.example.com/images/2026/11/abc-480w.jpg"
    assert found["img_src"] == ["'self'", "data:", "https://media.example.com"]


def test_another_s3_service_uses_path_style_addresses_on_its_endpoint():
    found = configured(
        AWS_STORAGE_BUCKET_NAME="media",
        AWS_S3_ENDPOINT_URL="https://objects.example.net:9000",
        **FAKE_KEYS,
    )
    # Never signed: the address is stored in rendered posts and must not expire.
    assert found["url"] == "https://objects.example.net:9000/media/images/2026/11/abc-480w.jpg"
    assert found["origin"] == "https://objects.example.net:9000"
    assert "https://objects.example.net:9000" in found["img_src"]


def test_aws_itself_gets_a_fixed_bucket_address():
    found = configured(
        AWS_STORAGE_BUCKET_NAME="shop-media", AWS_S3_REGION_NAME="eu-west-1", **FAKE_KEYS
    )
    assert found["url"] == (
        "https://shop-media.s3.eu-west-1.amazonaws.com/images/2026/11/abc-480w.jpg"
    )


@pytest.mark.django_db
def test_the_sites_csp_allows_images_from_this_site_only_by_default(client):
    header = client.get("/blog/")["Content-Security-Policy"]
    assert "img-src 'self' data:;" in header + ";"


def test_another_s3_service_behind_a_domain_of_its_own_stores_there_and_links_the_domain():
    """R2 with a public domain, or the cluster's bucket behind nginx
    (deploy.serve --app-nodes): files go to the endpoint, addresses name the domain."""
    show = SHOW.replace("'url':", "'endpoint': s.endpoint_url, 'url':")
    result = manage(
        "shell",
        "-c",
        show,
        env=production_env(
            AWS_STORAGE_BUCKET_NAME="media",
            AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
            AWS_S3_CUSTOM_DOMAIN="127.0.0.1:8443/media",
            **FAKE_KEYS,
        ),
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["endpoint"] == "http://127.0.0.1:9000"
    assert found["url"] == "https://127.0.0.1:8443/media/images/2026/11/abc-480w.jpg"
    assert found["img_src"] == ["'self'", "data:", "https://127.0.0.1:8443"]
