"""gunicorn is reachable only by the proxy in front of it.

Behind nginx, Django takes the client's address from X-Forwarded-For
(TRUSTED_PROXY_COUNT=1). Whoever reaches gunicorn itself writes that header
and picks the address every rate limit counts: searches sent straight to
gunicorn's port with a made-up address escaped the search limit (34 of 34).
So `make serve` puts gunicorn on a unix socket in a folder only its user
(and nginx, run as that user) can open, and gunicorn refuses to listen on
every interface while a proxy is trusted.
"""

import importlib.util
import os
import stat
import subprocess
import sys

import pytest

from .helpers import BASE_DIR, production_env
from .servers import free_ports


def gunicorn_conf():
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", BASE_DIR / "glutablog" / "gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("address", "open_to_all"),
    [
        ("0.0.0.0:8000", True),
        ("[::]:8000", True),
        (":8000", True),
        ("*:8000", True),
        ("127.0.0.1:8000", False),
        ("[::1]:8000", False),
        ("10.0.0.5:8000", False),  # a private interface: the operator's firewall
        ("unix:/run/glutablog/gunicorn.sock", False),
    ],
)
def test_which_bind_addresses_listen_on_every_interface(address, open_to_all):
    assert gunicorn_conf().open_to_all(address) is open_to_all


@pytest.mark.parametrize("everywhere", ["0.0.0.0", "[::]"])
def test_gunicorn_refuses_every_interface_while_a_proxy_is_trusted(everywhere):
    [port] = free_ports(1)
    env = production_env(
        TRUSTED_PROXY_COUNT="1",
        GUNICORN_BIND=f"{everywhere}:{port}",
        GUNICORN_CHECK_SERVICES="off",
    )
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "glutablog/gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "listens on every interface while TRUSTED_PROXY_COUNT" in result.stderr


def test_make_serve_puts_gunicorn_where_only_nginx_reaches_it(stack):
    run_dir = stack.run_dir
    socket_path = run_dir / "gunicorn.sock"
    assert stack.app_port is None
    assert stat.S_ISSOCK(os.stat(socket_path).st_mode)
    # The folder is its user's alone: nobody else may even look up the socket.
    assert stat.S_IMODE(os.stat(run_dir).st_mode) == 0o700
    # And the site answers through nginx, which reaches it there.
    response, _ = stack.get("/blog/")
    assert response.status == 200
