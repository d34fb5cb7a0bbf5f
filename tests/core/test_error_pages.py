"""The 403, 404 and 500 pages have the site's look and say what to do next;
the 500 page needs neither the database nor a request to be shown."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_the_500_page_needs_no_database_no_request_and_no_context(django_assert_num_queries):
    # As django.views.defaults.server_error renders it: no request, no context.
    with django_assert_num_queries(0):
        html = render_to_string("500.html")

    assert '<html lang="en">' in html
    assert "/static/css/site.css" in html and "/static/bootstrap/css/bootstrap.min.css" in html
    assert "<script" not in html
    assert "Please try again in a minute" in html
    assert '<a class="btn btn-primary" href="/blog/">Back to the blog</a>' in html
    assert 'id="main"' in html and "Skip to content" in html


@override_settings(DEBUG=False)
def test_a_form_refused_by_the_csrf_check_gets_the_sites_403_saying_what_to_do():
    browser = Client(enforce_csrf_checks=True)
    browser.get("/comments/delete/")
    browser.cookies.clear()  # the form's cookie is gone (cleared, or blocked)

    response = browser.post("/comments/delete/", {"email": "reader@example.com"})

    assert response.status_code == 403
    html = response.text
    assert "Skip to content" in html and 'aria-label="Main"' in html  # the site's look
    assert "Go back, reload the page and send the form again." in html
    assert "CSRF" not in html  # Django's words for developers are not shown


@override_settings(DEBUG=False)
def test_the_404_page_says_what_to_do_next(client):
    response = client.get("/blog/no-such-post/")

    assert response.status_code == 404
    assert "check it for a typing mistake" in response.text
    assert '<meta name="robots" content="noindex">' in response.text
