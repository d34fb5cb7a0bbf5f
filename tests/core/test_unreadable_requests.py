"""A request whose body or query string is in a character set the site cannot
read gets the site's 400 page, with the usual security headers and one log
line, never a server error: on every kind of address (the comment form, the
admin's login, the blog, the sitemap, a site page, the deletion form).

Django refuses a urlencoded body in anything but UTF-8 with ``BadRequest``
each time ``request.POST`` is read, and its CSRF check and error views read it
again: the 400 became a 500 (and, under gunicorn, hundreds of log lines).
"""

import logging

import pytest
from django.test import Client, override_settings

from tests.articles.factories import PostFactory
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db

URLENCODED = "application/x-www-form-urlencoded"
# Character sets a form body cannot be read in: known but not UTF-8 (Django
# refuses them), unknown, or not text encodings at all.
ODD_CONTENT_TYPES = [
    f"{URLENCODED}; charset=latin-1",
    f"{URLENCODED}; charset=iso-8859-1",
    f"{URLENCODED}; charset=utf-7",
    f"{URLENCODED}; charset=utf-16",
    f"{URLENCODED}; charset=nonsense",
    f"{URLENCODED}; charset=base64",
    f'{URLENCODED}; charset=""',
    "multipart/form-data; boundary=x; charset=rot13",
    "text/plain; charset=hex",
    # multipart without a usable boundary: Django's parser refuses the body
    "multipart/form-data",
    "multipart/form-data; boundary=",
    'multipart/form-data; boundary="\u00e9\u00e9"',
]
BODY = "name=Caf\u00e9&text=cr\u00e8me&email=a%40example.com".encode("latin-1")


def addresses():
    post = PostFactory()
    page = PageFactory()
    return {
        "comment form": f"/comments/post/{post.pk}/",
        "admin login": "/admin/login/",
        "blog": "/blog/",
        "sitemap": "/sitemap.xml",
        "post": post.get_absolute_url(),
        "site page": page.get_absolute_url(),
        "deletion form": "/comments/delete/",
    }


@pytest.fixture
def browser():
    """A browser with a made-up CSRF cookie, answers as the server sends them."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = "madeup" * 5 + "xx"
    return client


def assert_sites_400(response):
    assert response.status_code == 400, response.status_code
    html = response.text
    assert "The request could not be read" in html
    assert "Skip to content" in html and 'aria-label="Main"' in html  # the site's look
    assert "Traceback" not in html and "BadRequest" not in html
    # the usual security headers
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.fixture
def django_log(caplog):
    """caplog, hearing the ``django`` loggers too: settings.LOGGING stops them
    from propagating to the root logger, where caplog listens."""
    logger = logging.getLogger("django")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


@override_settings(DEBUG=False)
@pytest.mark.parametrize("content_type", ODD_CONTENT_TYPES)
def test_a_post_in_an_odd_charset_is_the_sites_400_everywhere(
    browser, content_type, django_log, input_cases
):
    caplog = django_log
    for name, path in addresses().items():
        input_cases(1)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = browser.generic("POST", path, BODY, content_type=content_type)
        assert_sites_400(response)
        lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(lines) == 1, (name, [r.getMessage() for r in lines])
        assert lines[0].getMessage() == f"Bad Request: {path}"
        assert not lines[0].exc_info  # a line, not a traceback


@override_settings(DEBUG=False)
@pytest.mark.parametrize("charset", ["latin-1", "nonsense", "utf-7x"])
def test_a_get_with_an_unknown_or_odd_charset_is_a_400_not_a_500(browser, charset, input_cases):
    input_cases(1)
    # An unknown charset is refused whatever the method: Django would decode
    # the query string with whatever it falls back to.
    response = browser.get(
        "/blog/?utm_source=caf%C3%A9", CONTENT_TYPE=f"text/plain; charset={charset}"
    )
    if charset == "latin-1":  # a text encoding, and a GET: nothing to refuse
        assert response.status_code == 200
    else:
        assert_sites_400(response)


@override_settings(DEBUG=False)
@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", "utf_8"])
def test_a_form_in_utf_8_by_any_of_its_names_is_read(client, charset, input_cases):
    input_cases(1)
    response = client.post(
        "/comments/delete/",
        "email=reader%40example.com",
        content_type=f"{URLENCODED}; charset={charset}",
    )
    assert response.status_code == 302  # the deletion request went through


@override_settings(DEBUG=False)
def test_the_400_page_needs_no_database(rf, django_assert_num_queries):
    from core.views import bad_request

    with django_assert_num_queries(0):
        response = bad_request(rf.post("/", "a=1", content_type=URLENCODED))
    assert response.status_code == 400
    assert b"The request could not be read" in response.content
