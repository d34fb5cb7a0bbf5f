"""/healthz and /readyz (core.health): cheap, never cached, answered before
the host check and the https redirect (a probe calls gunicorn by its own
address over plain http); /readyz only while the database and the cache
answer."""

from unittest import mock

import pytest
from django.db import OperationalError

PROBE = {"HTTP_HOST": "10.0.0.7:8001"}  # not in ALLOWED_HOSTS: a probe's own address


@pytest.fixture
def production_like(settings):
    settings.ALLOWED_HOSTS = ["blog.example.com"]
    settings.SECURE_SSL_REDIRECT = True


def test_healthz_answers_without_reading_anything(client, production_like):
    # No database in this test: a query would raise.
    response = client.get("/healthz", **PROBE)

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_answers_while_the_database_and_the_cache_answer(
    client, production_like, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get("/readyz", **PROBE)

    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_refuses_while_the_database_does_not_answer(client, production_like):
    with mock.patch("core.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/readyz", **PROBE)

    assert response.status_code == 503
    assert response.content == b"not ready: database not answering\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_refuses_while_the_cache_does_not_answer(client, production_like):
    down = mock.Mock(**{"get.side_effect": ConnectionError("Error 111 connecting to redis")})
    with mock.patch("core.health.cache", down):
        response = client.get("/readyz", **PROBE)

    assert response.status_code == 503
    assert response.content == b"not ready: cache not answering\n"


@pytest.mark.django_db
def test_other_methods_and_paths_go_on_to_the_site(client):
    assert client.post("/healthz").status_code != 200
    assert client.get("/healthz/").status_code == 404
