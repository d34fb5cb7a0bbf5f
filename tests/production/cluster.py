"""The cluster of issue 19 on loopback, for tests/production/test_cluster.py:
what `make cluster` starts (deploy/serve.py --app-nodes 2): two gunicorn app
servers on ports of their own, nginx balancing over them, one task worker,
moto's S3 server for media, on a PostgreSQL database of its own, Redis, and
mail to the test's SMTP sink (stack.Sink).

* ``start_cluster()``: the cluster, started once per session; a ``Cluster``
  knows each server's port, the run folder and the environment.
* ``start_standin_cluster()``: two app servers running the stand-in app
  (standin_app.py) under the real gunicorn.conf.py and nginx: a cluster that
  starts in seconds, for the tests that stop and restart its servers.
* ``Browser``: a person's HTTP client, with its cookies, speaking to nginx
  (https) or straight to one app server (plain http on loopback, with the
  headers nginx would add), logging in and sending forms as a browser does.
"""

import http.client
import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import lxml.html
from django_otp.oath import TOTP

from .helpers import production_env
from .servers import Served, free_ports, serve
from .stack import REDIS_URL, postgres_database

BUCKET = "glutablog-media"  # deploy.serve.MOTO_BUCKET


# The last time step each account's code was given for: the site takes no
# code twice, so each sign-in gives the next one.
_LAST_STEPS = {}


def app_code(username, key):
    """The next code the account's authenticator app shows (django-otp's TOTP)."""
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time()
    step = max(totp.t(), _LAST_STEPS.get(username, -1) + 1)
    _LAST_STEPS[username] = step
    totp.time = step * totp.step
    return f"{totp.token():06d}"


@dataclass
class Cluster:
    served: Served
    app_ports: list
    moto_port: int

    @property
    def env(self):
        return self.served.env

    @property
    def run_dir(self):
        return self.served.run_dir

    def node_dirs(self):
        """Each app server's own folders (deploy.serve.node_env): tmp/ and media/."""
        return [self.run_dir / f"node-{n}" for n in range(1, len(self.app_ports) + 1)]

    def browser(self, node=None, client="127.0.0.1"):
        """A browser through nginx (``node`` None) or straight to app server
        ``node`` (0, 1, ...), seen by the site as coming from ``client``."""
        return Browser(self, node, client)


@contextmanager
def start_cluster(tmp: Path, sink, nodes=2, **settings):
    """The cluster on free ports, on a new PostgreSQL database; stopped after."""
    https_port, http_port, moto_port, *app_ports = free_ports(3 + nodes)
    with postgres_database("glutablog_cluster") as database_url:
        env = production_env(
            DATABASE_URL=database_url,
            CACHE_URL=REDIS_URL,
            CACHE_KEY_PREFIX=f"cluster-{uuid.uuid4().hex[:10]}",
            EMAIL_URL=sink.url,
            SITE_URL=f"https://127.0.0.1:{https_port}",
            CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https_port}",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            STATIC_ROOT=str(tmp / "static"),
            # What deploy.serve --object-store moto sets for the servers, set
            # here too so that manage.py run by the tests stores in the same bucket.
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{moto_port}",
            AWS_S3_CUSTOM_DOMAIN=f"127.0.0.1:{https_port}/media",
            AWS_S3_REGION_NAME="us-east-1",
            AWS_DEFAULT_ACL="public-read",
            AWS_ACCESS_KEY_ID="moto",
            AWS_SECRET_ACCESS_KEY="moto",
            # Commands run by the tests write nowhere the servers look.
            MEDIA_ROOT=str(tmp / "manage-media"),
            WEB_CONCURRENCY="2",
            LOG_LEVEL="WARNING",
            **settings,
        )
        served = serve(
            tmp / "run",
            env,
            "--app-ports", ",".join(map(str, app_ports)),
            "--object-store", "moto", "--moto-port", str(moto_port),
            ports=(https_port, http_port, None),
            tcp_app=False,
        )  # fmt: skip
        try:
            yield Cluster(served, app_ports, moto_port)
        finally:
            served.stop()


@contextmanager
def start_standin_cluster(tmp: Path):
    """Two app servers of the stand-in app behind nginx, on the run folder's
    unix socket; yields the Served and the two app ports. The stand-in writes
    its request log (and reads its build) in ``tmp``."""
    ports = free_ports(2)
    env = production_env(
        STANDIN_DIR=str(tmp),
        # Read, never opened: deploy.serve asks a cluster for shared services.
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused",
        CACHE_URL=REDIS_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp / "static"),
        WEB_CONCURRENCY="2",
    )
    served = serve(
        tmp / "run",
        env,
        "--app-ports", ",".join(map(str, ports)),
        "--app", "tests.production.standin_app:application",
        "--skip-setup", "--object-store", "none",
        tcp_app=False,
    )  # fmt: skip
    try:
        yield served, ports
    finally:
        served.stop()


class Browser:
    """Cookies, forms and logins, over http.client, to nginx or one app server."""

    def __init__(self, cluster, node, client):
        self.cluster = cluster
        self.node = node
        self.client = client
        self.cookies = {}

    @property
    def origin(self):
        return self.cluster.served.origin

    def _connection(self):
        if self.node is None:
            return self.cluster.served.https(timeout=30)
        return http.client.HTTPConnection(
            "127.0.0.1", self.cluster.app_ports[self.node], timeout=30
        )

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body) of one request; cookies kept."""
        headers = dict(headers or {})
        if self.node is not None:
            # What nginx tells gunicorn (deploy/nginx/glutablog.conf.in).
            headers.update(
                {
                    "Host": urlsplit(self.origin).netloc,
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": self.client,
                }
            )
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, data

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, fields, headers=None):
        body = urlencode(fields, doseq=True)
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
                "Sec-Fetch-Site": "same-origin",
                **(headers or {}),
            },
        )

    def form(self, path, form_id):
        """(action, fields) of the form ``form_id`` on a page, as a browser
        would send it unchanged (lxml's form_values: checked boxes, selected
        options, no file)."""
        status, _, page = self.get(path)
        assert status == 200, (path, status)
        [form] = lxml.html.fromstring(page).xpath(f'//form[@id="{form_id}"]')
        fields = {}
        for name, value in form.form_values():
            fields.setdefault(name, []).append(value)
        return form.get("action") or path, fields

    def log_in(self, username, password, app_key):
        """The admin's two steps: the password form, then a code from the
        authenticator app whose (hex) key is ``app_key``."""
        action, fields = self.form("/admin/login/", "login-form")
        fields.update(username=[username], password=[password])
        status, headers, _ = self.post("/admin/login/", fields)
        assert status == 302, f"{username} not logged in ({status})"
        status, headers, page = self.get("/admin/two-factor/verify/?next=/admin/")
        assert status == 200, f"no second step for {username} ({status})"
        [form] = lxml.html.fromstring(page).xpath('//form[.//input[@name="code"]]')
        fields = dict(form.form_values())
        fields["code"] = app_code(username, app_key)
        status, headers, _ = self.post("/admin/two-factor/verify/", fields)
        assert status == 302 and headers.get("Location") == "/admin/", (
            f"{username}'s code was refused ({status})"
        )
        return self

    def csrf_token(self, path):
        _, _, page = self.get(path)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
