"""Slow clients: two idle connections hold both of gunicorn's sync workers;
with nginx in front (which reads each request whole before passing it on)
they hold nothing and a reader is answered at once.

Real sockets against the production set `make serve` starts (conftest.site).
"""

import contextlib
import http.client
import socket
import ssl
import time

import pytest

POST_PATH = "/blog/glutamine-and-gut-health/"
# Half of a request's headers: the blank line that ends them never comes.
HALF_HEADERS = b"GET /blog/?slow-headers HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"
# Complete headers, then 10 of the 1,000 bytes of body announced.
HALF_BODY = (
    b"POST /blog/?slow-body HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
    b"name=slow&"
)


@contextlib.contextmanager
def idle_clients(open_socket, payloads):
    """Connections that send a payload, then nothing, until the block ends."""
    sockets = []
    try:
        for payload in payloads:
            sock = open_socket()
            sockets.append(sock)
            sock.sendall(payload)
        time.sleep(0.5)  # each is now with a worker (gunicorn) or buffered (nginx)
        yield
    finally:
        for sock in sockets:
            sock.close()


def plain_socket(port):
    return lambda: socket.create_connection(("127.0.0.1", port), timeout=10)


def tls_socket(site):
    context = site.tls_context()

    def connect():
        raw = socket.create_connection(("127.0.0.1", site.https_port), timeout=10)
        return context.wrap_socket(raw, server_hostname="127.0.0.1")

    return connect


def test_two_idle_connections_hold_both_gunicorn_workers(site):
    """The problem, shown on gunicorn alone (2 sync workers)."""
    with idle_clients(plain_socket(site.app_port), [HALF_HEADERS, HALF_HEADERS]):
        reader = http.client.HTTPConnection("127.0.0.1", site.app_port, timeout=3)
        reader.request("GET", POST_PATH, headers={"Host": "127.0.0.1"})
        with pytest.raises(TimeoutError):
            reader.getresponse()
        reader.close()
    # Once they go, gunicorn answers again: they were the cause.
    reader = http.client.HTTPConnection("127.0.0.1", site.app_port, timeout=10)
    reader.request("GET", POST_PATH, headers={"Host": "127.0.0.1"})
    assert reader.getresponse().status in {200, 301}
    reader.close()


def test_behind_nginx_idle_connections_do_not_hold_a_reader(site):
    slow = [HALF_HEADERS] * 10 + [HALF_BODY] * 10
    with idle_clients(tls_socket(site), slow):
        started = time.monotonic()
        response, body = site.get(POST_PATH)
        elapsed = time.monotonic() - started
    assert response.status == 200
    assert b"Glutamine" in body
    assert elapsed < 2.0, f"the reader waited {elapsed:.2f} s"
    # Unfinished requests never reached gunicorn.
    gunicorn_log = (site.run_dir.parent / "gunicorn-access.log").read_text()
    assert POST_PATH in gunicorn_log
    assert "slow-headers" not in gunicorn_log
    assert "slow-body" not in gunicorn_log


def test_nginx_closes_a_connection_whose_headers_never_end(site):
    """client_header_timeout: an idle half request is dropped, not kept forever."""
    sock = tls_socket(site)()
    try:
        sock.sendall(HALF_HEADERS)
        sock.settimeout(20)
        started = time.monotonic()
        try:
            data = sock.recv(1024)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        waited = time.monotonic() - started
    finally:
        sock.close()
    assert data == b""  # closed without an answer
    assert 8 < waited < 15, f"closed after {waited:.1f} s (client_header_timeout is 10 s)"
