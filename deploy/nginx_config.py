"""glutablog's nginx configuration, rendered from the templates in deploy/nginx/.

Production (Debian's nginx; the file goes in nginx's http block)::

    python3 deploy/nginx_config.py site --server-name blog.example.com \\
        --upstream 127.0.0.1:8000 \\
        --static-root /srv/glutablog/staticfiles --media-root /srv/glutablog/media \\
        --cache-dir /var/cache/nginx/glutablog \\
        --certificate /etc/letsencrypt/live/blog.example.com/fullchain.pem \\
        --certificate-key /etc/letsencrypt/live/blog.example.com/privkey.pem \\
        > /etc/nginx/conf.d/glutablog.conf
    nginx -t && systemctl reload nginx

A run from this checkout (`make serve`, tests/production, `make bench`) uses
``write_local()``: the same site file plus a main file that keeps every path
under one run folder, and a self-signed certificate (``self_signed_certificate``).

Standard library only, so it runs on a server without the project's virtualenv.
"""

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "nginx"
SITE_TEMPLATE = TEMPLATES / "glutablog.conf.in"
MAIN_TEMPLATE = TEMPLATES / "nginx.conf.in"
MIME_TYPES = "/etc/nginx/mime.types"  # Debian's nginx-common
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
# Characters that would end a directive, start a block or a variable, or break quoting.
UNSAFE = re.compile(r'[\s"\'\\;{}$#]')
SERVER_NAME = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9*][A-Za-z0-9.*-]*)$")
UPSTREAM = re.compile(r"^(unix:/[^\s;{}$\"']+|[A-Za-z0-9.-]+:\d+|\[[0-9A-Fa-f:.]+\]:\d+)$")
# An object store's bucket as nginx reaches it: http://host:port/bucket.
MEDIA_STORE = re.compile(r"^http://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d+/[a-z0-9][a-z0-9.-]*$")
LISTEN = re.compile(r"^(\[[0-9A-Fa-f:.]+\]:\d+|[A-Za-z0-9.-]+:\d+|\d+)$")


class ConfigError(ValueError):
    pass


def find_nginx():
    """The nginx binary (NGINX_BINARY, PATH, or Debian's /usr/sbin/nginx), or None."""
    candidates = [os.environ.get("NGINX_BINARY"), shutil.which("nginx"), "/usr/sbin/nginx"]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _path(value, what):
    text = str(value)
    if not text or UNSAFE.search(text):
        raise ConfigError(f"{what}: {text!r} is empty or holds a character nginx would misread")
    return text


def _listen_lines(addresses, options):
    lines = []
    for address in addresses:
        if not LISTEN.match(address):
            raise ConfigError(f"listen address {address!r} is not PORT, HOST:PORT or [IPv6]:PORT")
        lines.append(f"    listen {address}{options};")
    return "\n".join(lines)


def fill(template, values):
    """The template with every @NAME@ replaced; a missing or unused name is an error."""
    names = set(PLACEHOLDER.findall(template))
    missing = names - values.keys()
    unused = values.keys() - names
    if missing or unused:
        raise ConfigError(f"template names missing: {sorted(missing)}, unused: {sorted(unused)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def _media_source(media_root, media_store):
    """The /media/ location's source: the folder, or the bucket (read only)."""
    if media_store is None:
        return f"        alias {_path(Path(media_root), 'media root').rstrip('/')}/;"
    if not MEDIA_STORE.match(media_store):
        raise ConfigError(f"media store {media_store!r} is not http://HOST:PORT/bucket")
    _, _, host, bucket = media_store.split("/")
    # Only objects, by name: no listing of the bucket, and no query string
    # (which would reach S3's sub-resources: ?acl, ?list-type, ?versions...).
    return "\n".join(
        [
            "        location = /media/ { return 404; }",
            "        limit_except GET { deny all; }",
            f"        rewrite ^/media/(.+)$ /{bucket}/$1? break;",
            f"        proxy_pass http://{host};",
            f"        proxy_set_header Host {host};",
            '        proxy_set_header Authorization "";',
            '        proxy_set_header Cookie "";',
            "        proxy_hide_header Set-Cookie;",
            "        proxy_hide_header x-amz-id-2;",
            "        proxy_hide_header x-amz-request-id;",
            "        proxy_hide_header x-amzn-requestid;",
            "        proxy_hide_header x-amz-sdk-checksum-algorithm;",
            "        proxy_hide_header x-amz-content-sha256;",
            "        proxy_hide_header x-amz-checksum-crc32;",
            "        proxy_hide_header Access-Control-Allow-Origin;",
            "        proxy_hide_header Cache-Control;",
            "        proxy_hide_header Content-Security-Policy;",
            "        proxy_hide_header Content-Disposition;",
            "        proxy_hide_header X-Content-Type-Options;",
            "        proxy_hide_header Cross-Origin-Resource-Policy;",
        ]
    )


def site_config(
    *,
    server_names,
    upstream,
    static_root,
    media_root,
    cache_dir,
    certificate,
    certificate_key,
    http_listen=("80", "[::]:80"),
    https_listen=("443", "[::]:443"),
    https_port=443,
    access_log="/var/log/nginx/glutablog.access.log",
    media_store=None,
):
    """The site file (deploy/nginx/glutablog.conf.in) for these names and paths.

    ``upstream`` is one app server's address or a list of them (nginx balances
    over them). ``media_store``, an object store's bucket as
    ``http://host:port/bucket``, serves /media/ from there instead of from
    ``media_root`` (the cluster of `deploy.serve --app-nodes`).

    ``https_port`` is the port readers use for https (443 in production): the
    redirect and the Host header given to Django carry it when it is not 443.
    """
    for name in server_names:
        if not SERVER_NAME.match(name):
            raise ConfigError(f"server name {name!r} is not a host name or address")
    if not server_names:
        raise ConfigError("at least one server name is needed")
    upstreams = [upstream] if isinstance(upstream, str) else list(upstream)
    if not upstreams:
        raise ConfigError("at least one upstream is needed")
    for address in upstreams:
        if not UPSTREAM.match(address):
            raise ConfigError(f"upstream {address!r} is not HOST:PORT or unix:/path")
    https_port = int(https_port)
    values = {
        "SERVER_NAME": " ".join(server_names),
        "UPSTREAM_SERVERS": "\n".join(
            f"    server {address} fail_timeout=0;" for address in upstreams
        ),
        "STATIC_ROOT": _path(Path(static_root), "static root").rstrip("/"),
        "MEDIA_SOURCE": _media_source(media_root, media_store),
        "CACHE_DIR": _path(cache_dir, "cache folder"),
        "CERTIFICATE": _path(certificate, "certificate"),
        "CERTIFICATE_KEY": _path(certificate_key, "certificate key"),
        # "access_log off;" takes no format: nginx refuses "off glutablog".
        "ACCESS_LOG": (
            "off"
            if access_log in (None, "off")
            else f"{_path(access_log, 'access log')} glutablog"
        ),
        "HTTP_LISTEN": _listen_lines(http_listen, ""),
        "HTTP_LISTEN_DEFAULT": _listen_lines(http_listen, " default_server"),
        "HTTPS_LISTEN": _listen_lines(https_listen, " ssl http2"),
        "HTTPS_LISTEN_DEFAULT": _listen_lines(https_listen, " ssl http2 default_server"),
        "HTTPS_PORT_SUFFIX": "" if https_port == 443 else f":{https_port}",
    }
    return fill(SITE_TEMPLATE.read_text(), values)


def main_config(*, run_dir, site_conf, error_log, workers="auto", mime_types=MIME_TYPES):
    """The main file for a run from this checkout: everything under ``run_dir``.

    Run by root (as in a container), nginx would start its workers as
    ``nobody``; the ``user`` line keeps them the current user's.
    """
    if os.geteuid() == 0:
        import grp
        import pwd

        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    else:
        user = "# (not root: the workers run as the current user)"
    values = {
        "USER": user,
        "WORKER_PROCESSES": str(workers),
        "RUN_DIR": _path(run_dir, "run folder"),
        "ERROR_LOG": _path(error_log, "error log"),
        "MIME_TYPES": _path(mime_types, "mime types"),
        "SITE_CONF": _path(site_conf, "site file"),
    }
    return fill(MAIN_TEMPLATE.read_text(), values)


def self_signed_certificate(directory, names=("localhost", "127.0.0.1", "::1")):
    """(certificate, key) in ``directory``, made with openssl if not there yet.

    For loopback runs only: browsers warn about it, and tests trust it
    explicitly (``ssl.create_default_context(cafile=certificate)``).
    """
    directory = Path(directory)
    certificate, key = directory / "cert.pem", directory / "key.pem"
    if certificate.is_file() and key.is_file():
        return certificate, key
    if shutil.which("openssl") is None:
        raise ConfigError(
            "openssl is needed for the self-signed certificate (apt-get install openssl)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    alt_names = ",".join(
        f"IP:{name}" if re.match(r"^[0-9.:]+$", name) else f"DNS:{name}" for name in names
    )
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-days", "365",
        "-nodes", "-keyout", str(key), "-out", str(certificate),
        "-subj", "/CN=glutablog local", "-addext", f"subjectAltName={alt_names}",
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    key.chmod(0o600)
    return certificate, key


def spki_sha256(certificate):
    """base64(SHA-256) of the certificate's public key (its SubjectPublicKeyInfo):
    what Chromium's ``--ignore-certificate-errors-spki-list`` takes to count
    this one self-signed certificate as valid, as passkeys need."""
    public_key = subprocess.run(
        ["openssl", "x509", "-in", str(certificate), "-noout", "-pubkey"],
        check=True, capture_output=True, timeout=30,
    ).stdout  # fmt: skip
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "DER"],
        input=public_key, check=True, capture_output=True, timeout=30,
    ).stdout  # fmt: skip
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def write_local(run_dir, *, workers="auto", access_log=None, **site):
    """Render both files for a run under ``run_dir``; returns the main file's path.

    ``site`` takes site_config()'s arguments; the cache folder defaults to
    ``run_dir/cache``. Creates the run folder's logs/, temp/ and cache/.
    """
    run_dir = Path(run_dir).resolve()
    for sub in ("logs", "temp", "cache"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    site.setdefault("cache_dir", run_dir / "cache")
    site_conf = run_dir / "glutablog.conf"
    site_conf.write_text(
        site_config(access_log=access_log or run_dir / "logs" / "access.log", **site)
    )
    main_conf = run_dir / "nginx.conf"
    main_conf.write_text(
        main_config(
            run_dir=run_dir,
            site_conf=site_conf,
            error_log=run_dir / "logs" / "error.log",
            workers=workers,
        )
    )
    return main_conf


def nginx_command(nginx, main_conf, *extra):
    """The command line running (or with "-t", testing) a local configuration."""
    main_conf = Path(main_conf)
    run_dir = main_conf.parent
    return [
        nginx, "-p", str(run_dir), "-c", str(main_conf),
        "-e", str(run_dir / "logs" / "error.log"), *extra,
    ]  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    site = commands.add_parser("site", help="print the site file for nginx's conf.d/")
    site.add_argument("--server-name", action="append", required=True, dest="server_names")
    site.add_argument(
        "--upstream", default="127.0.0.1:8000", help="gunicorn's HOST:PORT or unix:/path"
    )
    site.add_argument("--static-root", required=True, help="STATIC_ROOT (collectstatic's output)")
    site.add_argument("--media-root", required=True, help="MEDIA_ROOT")
    site.add_argument("--cache-dir", default="/var/cache/nginx/glutablog")
    site.add_argument("--certificate", required=True)
    site.add_argument("--certificate-key", required=True)
    site.add_argument("--http-listen", action="append", help="default: 80 and [::]:80")
    site.add_argument("--https-listen", action="append", help="default: 443 and [::]:443")
    site.add_argument("--https-port", type=int, default=443, help="the port readers use for https")
    site.add_argument("--access-log", default="/var/log/nginx/glutablog.access.log")
    certificate = commands.add_parser("certificate", help="make a self-signed certificate")
    certificate.add_argument("directory")
    args = parser.parse_args(argv)
    try:
        if args.command == "certificate":
            for path in self_signed_certificate(args.directory):
                print(path)
            return 0
        options = vars(args)
        del options["command"]
        options["http_listen"] = options["http_listen"] or ("80", "[::]:80")
        options["https_listen"] = options["https_listen"] or ("443", "[::]:443")
        sys.stdout.write(site_config(**options))
    except ConfigError as error:
        sys.exit(f"nginx_config: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
