"""The cluster's configuration (deploy.serve --app-nodes, issue 19): nginx
balances over every app server and serves media from the object store's
bucket read-only; a cluster refuses to start on data one server alone has."""

import subprocess
import sys

import pytest

from deploy import nginx_config

from .helpers import BASE_DIR, production_env
from .servers import require_nginx


def local_site(tmp_path, **site):
    certificate, key = nginx_config.self_signed_certificate(tmp_path / "tls")
    return nginx_config.write_local(
        tmp_path / "run",
        server_names=["127.0.0.1"],
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
        certificate=certificate,
        certificate_key=key,
        http_listen=["127.0.0.1:18080"],
        https_listen=["127.0.0.1:18443"],
        **site,
    )


def test_nginx_balances_over_every_app_server_and_reads_media_from_the_bucket(tmp_path):
    nginx = require_nginx()
    main_conf = local_site(
        tmp_path,
        upstream=["127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003"],
        media_store="http://127.0.0.1:8190/glutablog-media",
    )
    site = (main_conf.parent / "glutablog.conf").read_text()

    for port in (8001, 8002, 8003):
        assert f"    server 127.0.0.1:{port} fail_timeout=0;" in site
    media = site[site.index("location /media/ {") :]
    assert "limit_except GET { deny all; }" in media  # no writes to the bucket
    assert "location = /media/ { return 404; }" in media  # no listing of it
    # Object names only: the query string (S3's ?acl, ?list-type...) is dropped.
    assert "rewrite ^/media/(.+)$ /glutablog-media/$1? break;" in media
    assert "alias" not in media.split("}\n}")[0]
    check = subprocess.run(
        nginx_config.nginx_command(nginx, main_conf, "-t", "-q"), capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("upstream", []),
        ("upstream", ["127.0.0.1:8001", "127.0.0.1:8002; evil"]),
        ("media_store", "http://127.0.0.1:8190/bucket; evil"),
        ("media_store", "https://objects.example.net/bucket/extra"),
    ],
)
def test_a_bad_upstream_or_media_store_is_refused(tmp_path, name, value):
    options = {"upstream": "127.0.0.1:8001", name: value}
    with pytest.raises(nginx_config.ConfigError):
        local_site(tmp_path, **options)


@pytest.mark.parametrize(
    ("database", "cache", "refusal"),
    [
        (None, "redis://127.0.0.1:6379/12", "needs PostgreSQL"),
        ("postgres://postgres@127.0.0.1:5432/test", "locmemcache://", "needs Redis"),
    ],
)
def test_a_cluster_refuses_data_only_one_server_would_have(tmp_path, database, cache, refusal):
    env = production_env(DATABASE_URL=database, CACHE_URL=cache)
    result = subprocess.run(
        [sys.executable, "-m", "deploy.serve", "--app-nodes", "2", "--run-dir", str(tmp_path)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert refusal in result.stderr
