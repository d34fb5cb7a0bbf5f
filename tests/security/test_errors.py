"""The 500 page tells the reader something went wrong, and nothing else."""

import pytest
from django.conf import settings
from django.test import Client, override_settings

from .urls import SECRET_IN_EXCEPTION


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.security.urls", DEBUG=False)
def test_500_page_leaks_no_traceback_settings_or_exception():
    client = Client(raise_request_exception=False)
    response = client.get("/__broken__/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    for leak in [
        SECRET_IN_EXCEPTION,
        "RuntimeError",
        "Traceback",
        "tests/security/urls.py",
        "SECRET_KEY",
        settings.SECRET_KEY,
        "DATABASES",
        "INSTALLED_APPS",
        "django.",
    ]:
        assert leak not in page, leak
    # The error page is under the same protections as every other page.
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_404_page_does_not_list_the_url_patterns(client):
    page = client.get("/no-such-page/").content.decode()
    assert "admin/" not in page
    assert "URLconf" not in page
