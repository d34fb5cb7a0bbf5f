"""TLS with the self-signed certificate, http:// redirected to https://, and
Host handling: only the configured names reach Django, with the public port.

Against the production set `make serve` starts (conftest.site).
"""

import http.client
import re
import socket
import ssl

import pytest

POST_PATH = "/blog/glutamine-and-gut-health/"


def test_the_site_answers_over_tls_with_its_certificate(site):
    connection = site.https()
    connection.request("GET", POST_PATH)
    response = connection.getresponse()
    assert response.status == 200
    assert connection.sock.version() in {"TLSv1.2", "TLSv1.3"}
    assert "Glutamine" in response.read().decode()
    connection.close()


def test_a_client_that_does_not_trust_the_certificate_refuses_it(site):
    connection = http.client.HTTPSConnection(
        "127.0.0.1", site.https_port, context=ssl.create_default_context(), timeout=10
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        connection.request("GET", "/blog/")
    connection.close()


def test_django_sees_https_and_sends_secure_cookies(site):
    # SECURE_SSL_REDIRECT is on: a Django that thought it was on http would redirect.
    response, _ = site.get("/admin/login/")
    assert response.status == 200
    cookies = response.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)


@pytest.mark.parametrize("path", ["/", "/blog/?page=2", "/admin/login/?next=/admin/"])
def test_plain_http_redirects_to_https(site, path):
    connection = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"{site.origin}{path}"
    connection.close()


def _answer(connection, host):
    """The status nginx answers with, or "dropped" when it closes the connection
    without a word (its 444)."""
    try:
        if host is None:
            connection.putrequest("GET", "/blog/", skip_host=True)
            connection.endheaders()
        else:
            connection.request("GET", "/blog/", headers={"Host": host})
        response = connection.getresponse()
        return response.status
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return "dropped"
    finally:
        connection.close()


@pytest.mark.parametrize("host", ["not-allowed.example", "127.0.0.2", "blog.example.com"])
def test_unknown_hosts_get_no_answer_on_either_port(site, host):
    https = site.https()
    plain = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
    assert _answer(https, host) == "dropped"
    assert _answer(plain, host) == "dropped"


def test_a_request_without_host_is_refused_on_either_port(site):
    https = site.https()
    plain = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
    assert _answer(https, None) == 400  # nginx's own: HTTP/1.1 requires a Host
    assert _answer(plain, None) == 400


@pytest.mark.parametrize("path", ["/sitemap.xml", POST_PATH])
def test_a_made_up_port_in_host_never_reaches_django(site, path):
    """Absolute links carry the public origin, never a port the client named
    (the sitemap renders its links from the request, per Host)."""
    response, body = site.get(path, headers={"Host": "127.0.0.1:31337"})
    assert response.status == 200
    page = body.decode()
    assert "31337" not in page
    assert f"{site.origin}{POST_PATH}" in page
    # and nothing poisoned was kept for the next reader
    response, body = site.get(path)
    assert "31337" not in body.decode()


def test_the_http2_protocol_is_offered(site):
    context = site.tls_context()
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", site.https_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            assert sock.selected_alpn_protocol() == "h2"


def test_a_crawler_follows_robots_to_the_sitemap_index_and_its_files(site):
    """Through nginx, by the public origin only (a made-up port in Host is
    never in what it reads)."""
    response, body = site.get("/robots.txt", headers={"Host": "127.0.0.1:31337"})
    assert response.status == 200
    index_url = f"{site.origin}/sitemap-index.xml"
    assert f"Sitemap: {index_url}" in body.decode().splitlines()
    response, body = site.get("/sitemap-index.xml", headers={"Host": "127.0.0.1:31337"})
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/xml"
    listed = re.findall(r"<loc>([^<]+)</loc>", body.decode())
    assert listed == [f"{site.origin}/sitemap.xml"]
    response, body = site.get(listed[0].removeprefix(site.origin))
    assert response.status == 200 and f"{site.origin}{POST_PATH}" in body.decode()
