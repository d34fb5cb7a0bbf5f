"""X-Forwarded-For and X-Forwarded-Proto through nginx, with the settings
`make serve` uses (TRUSTED_PROXY_COUNT=1, BEHIND_TLS_PROXY=on).

Readers connect from their own loopback addresses (127.0.0.5, 127.0.0.6):
nginx sees those, gunicorn sees only nginx (127.0.0.1). The admin login
lockout (django-axes, AXES_FAILURE_LIMIT=3 here) records the address Django
took for each failure, so the database shows which one it was.
"""

import re
import sqlite3
from http.cookies import SimpleCookie
from urllib.parse import urlencode

READER = "127.0.0.5"
SOMEONE_ELSE = "127.0.0.6"


def failed_login(site, source, username, forged):
    """One wrong password for ``username`` from ``source``, claiming ``forged``."""
    connection = site.https(source=source)
    try:
        connection.request("GET", "/admin/login/", headers={"X-Forwarded-For": forged})
        response = connection.getresponse()
        page = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": username, "password": "wrong"}
        connection.request(
            "POST",
            "/admin/login/?next=/admin/",
            body=urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken'].value}",
                "Origin": site.origin,
                "Referer": f"{site.origin}/admin/login/",
                "X-Forwarded-For": forged,
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def recorded_addresses(site, username):
    database = site.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT ip_address FROM axes_accessattempt WHERE username = ?", [username]
        ).fetchall()
    return {address for (address,) in rows}


def test_django_takes_the_address_nginx_saw_not_one_the_client_forged(site):
    forgeries = ["203.0.113.7", SOMEONE_ELSE, "198.51.100.1, 10.0.0.1"]
    statuses = [failed_login(site, READER, "rosalind", forged) for forged in forgeries]
    # 200: the login form again, with its error. Not 403: Django saw https and
    # the reader's own origin (Host and X-Forwarded-Proto from nginx).
    assert statuses[0] == 200
    assert recorded_addresses(site, "rosalind") == {READER}


def test_a_forged_address_neither_escapes_a_lockout_nor_locks_out_someone_else(site):
    for n in range(3):
        failed_login(site, READER, "grace", forged=f"203.0.113.{n + 1}")
    # Locked out, whatever address the reader now claims.
    assert failed_login(site, READER, "grace", forged="198.51.100.99") == 429
    assert failed_login(site, READER, "grace", forged=SOMEONE_ELSE) == 429
    # The reader's forgeries did not lock out the address they named.
    assert failed_login(site, SOMEONE_ELSE, "grace", forged=READER) == 200
    assert recorded_addresses(site, "grace") == {READER, SOMEONE_ELSE}
