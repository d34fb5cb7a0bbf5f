"""The shipped nginx configuration as production renders it (deploy/nginx_config.py).

The production file must load inside Debian's own /etc/nginx/nginx.conf (the
http block it is included in, with Debian's gzip, ssl_protocols... already
set there); the renderer refuses values nginx would misread.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import nginx_config

from .helpers import BASE_DIR
from .servers import require_nginx

DEBIAN_MAIN = Path("/etc/nginx/nginx.conf")


def production_site(tmp_path, **overrides):
    certificate, key = nginx_config.self_signed_certificate(tmp_path / "tls")
    options = {
        "server_names": ["blog.example.com", "www.blog.example.com"],
        "upstream": "127.0.0.1:8000",
        "static_root": tmp_path / "staticfiles",
        "media_root": tmp_path / "media",
        "cache_dir": tmp_path / "cache",
        "certificate": certificate,
        "certificate_key": key,
        "access_log": tmp_path / "glutablog.access.log",
    }
    options.update(overrides)
    return nginx_config.site_config(**options)


@pytest.mark.parametrize("access_log", ["a file", "off"])
def test_the_production_file_loads_inside_debian_s_nginx_conf(tmp_path, access_log):
    """With an access log, or with none (``--access-log off``: nginx's
    ``access_log off;`` takes no format)."""
    nginx = require_nginx()
    assert DEBIAN_MAIN.is_file(), "Debian's nginx package installs /etc/nginx/nginx.conf"
    site = tmp_path / "glutablog.conf"
    if access_log == "off":
        site.write_text(production_site(tmp_path, access_log="off"))
        assert "access_log off;" in site.read_text()
    else:
        site.write_text(production_site(tmp_path))
    main = DEBIAN_MAIN.read_text()
    # Debian's file, with its own logs and pid moved out of the system's way,
    # and conf.d/ holding only our file (the default site is removed in production).
    main = re.sub(r"(?m)^(\s*)pid .*;", rf"\1pid {tmp_path}/nginx.pid;", main)
    main = re.sub(r"(?m)^(\s*)error_log .*;", rf"\1error_log {tmp_path}/error.log;", main)
    main = re.sub(r"(?m)^(\s*)access_log .*;", rf"\1access_log {tmp_path}/access.log;", main)
    main = main.replace("include /etc/nginx/conf.d/*.conf;", f"include {site};")
    main = main.replace("include /etc/nginx/sites-enabled/*;", "")
    (tmp_path / "nginx.conf").write_text(main)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_production_answers_on_443_and_80_with_no_port_in_links(tmp_path):
    site = production_site(tmp_path)
    assert "listen 443 ssl http2;" in site
    assert "listen [::]:443 ssl http2 default_server;" in site
    assert "return 301 https://$host$request_uri;" in site
    assert "proxy_set_header Host $host;" in site
    assert "server_name blog.example.com www.blog.example.com;" in site
    assert "@" not in re.sub(r"(?m)#.*$", "", site)


def test_a_local_run_carries_its_https_port(tmp_path):
    site = production_site(
        tmp_path, http_listen=["127.0.0.1:8080"], https_listen=["127.0.0.1:8443"], https_port=8443
    )
    assert "return 301 https://$host:8443$request_uri;" in site
    assert "proxy_set_header Host $host:8443;" in site


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("static_root", "/srv/static; include /etc/passwd"),
        ("media_root", "/srv/$uri"),
        ("media_root", "/srv/my media"),
        ("certificate", '/etc/"cert'),
        ("server_names", ["blog.example.com; return 200"]),
        ("server_names", []),
        ("upstream", "127.0.0.1:8000; evil"),
        ("http_listen", ["80 default_server"]),
    ],
)
def test_values_nginx_would_misread_are_refused(tmp_path, option, value):
    with pytest.raises(nginx_config.ConfigError):
        production_site(tmp_path, **{option: value})


def test_a_template_name_left_unfilled_is_an_error():
    with pytest.raises(nginx_config.ConfigError, match="SERVER_NAME"):
        nginx_config.fill("server_name @SERVER_NAME@;", {})


def test_the_command_prints_the_production_file(tmp_path):
    certificate, key = nginx_config.self_signed_certificate(tmp_path / "tls")
    result = subprocess.run(
        [sys.executable, "deploy/nginx_config.py", "site", "--server-name", "blog.example.com",
         "--static-root", "/srv/glutablog/staticfiles", "--media-root", "/srv/glutablog/media",
         "--certificate", str(certificate), "--certificate-key", str(key)],
        cwd=BASE_DIR, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "alias /srv/glutablog/staticfiles/;" in result.stdout
    assert "server 127.0.0.1:8000 fail_timeout=0;" in result.stdout
