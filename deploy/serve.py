"""`make serve`: the production set on this machine, on loopback ports.

    gunicorn (glutablog/gunicorn.conf.py)      a unix socket in the run folder (or --app-port), 2 sync workers
    nginx (deploy/nginx/, as in production)    https://127.0.0.1:8443/   self-signed certificate
                                               http://127.0.0.1:8080/ -> redirects to https
    the task worker (manage.py db_worker)      sends the mail requests queued (TASKS_BACKEND=database)

Production settings (DEBUG off unless set; SECRET_KEY from the environment or
.env), with what this topology implies forced: TRUSTED_PROXY_COUNT=1 (nginx
appends the client's address to X-Forwarded-For) and BEHIND_TLS_PROXY=on
(nginx says https in X-Forwarded-Proto). First `collectstatic` and `migrate`
(--skip-setup leaves them out).

gunicorn listens on a unix socket in the run folder, which only this user
(and so nginx, run as this user) can open: nothing but nginx can reach it,
so nobody can send it a made-up X-Forwarded-For. --app-port binds it to a
loopback port instead (the tests that speak to gunicorn itself use it).

nginx runs as the current user with its pid, logs, temporary files, cache and
certificate under --run-dir (var/serve/, gitignored). Ctrl-C (or SIGTERM)
stops them all; if one exits, the others are stopped too. The task worker runs
unless TASKS_BACKEND=immediate is set (or --app serves a stand-in). tests/production starts
this same command, on free ports, with a stand-in WSGI app for some tests
(--app) and the real site for the others.
"""

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from deploy import nginx_config  # noqa: E402 (the checkout's root is on the path first)


def say(message):
    print(f"serve: {message}", flush=True)


class Stop(Exception):
    """Ctrl-C or SIGTERM: stop both."""


def _stop(signum, frame):
    raise Stop()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument(
        "--app-port",
        type=int,
        help="gunicorn on this loopback port instead of a unix socket in the run folder",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the loopback address for all three")
    parser.add_argument("--run-dir", type=Path, default=BASE_DIR / "var" / "serve")
    parser.add_argument(
        "--access-log", default="/dev/stdout", help="nginx's access log (default: this terminal)"
    )
    parser.add_argument("--nginx-workers", default="1")
    parser.add_argument("--app", help="another WSGI app for gunicorn (MODULE:CALLABLE)")
    parser.add_argument("--skip-setup", action="store_true", help="no collectstatic, no migrate")
    return parser.parse_args(argv)


def environment(args):
    env = dict(os.environ)
    env.setdefault("DEBUG", "off")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("SITE_URL", f"https://{args.host}:{args.https_port}")
    # A year of HSTS for "localhost" would make this browser refuse plain
    # http://localhost:8000 (`make run`) for a year; production keeps its own.
    env.setdefault("SECURE_HSTS_SECONDS", "0")
    env["TRUSTED_PROXY_COUNT"] = "1"
    env["BEHIND_TLS_PROXY"] = "on"
    env["GUNICORN_BIND"] = app_address(args)
    env.setdefault("FORWARDED_ALLOW_IPS", "127.0.0.1")
    if args.app:
        env["GUNICORN_CHECK_SERVICES"] = "off"
    # Mail goes through the database to the task worker started beside gunicorn.
    env.setdefault("TASKS_BACKEND", "database")
    return env


def app_socket(args):
    return args.run_dir.resolve() / "gunicorn.sock"


def app_address(args):
    """gunicorn's bind address: the run folder's socket, or a loopback port."""
    if args.app_port:
        return f"{args.host}:{args.app_port}"
    return f"unix:{app_socket(args)}"


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix socket (gunicorn's), for the start-up check."""

    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(str(self.path))


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"serve: manage.py {' '.join(args)} failed:\n{result.stderr or result.stdout}")
    return result.stdout


def django_settings(env):
    """STATIC_ROOT, MEDIA_ROOT and the origin passkeys belong to, as the
    settings (environment, .env) give them."""
    code = (
        "from django.conf import settings; print(settings.STATIC_ROOT); "
        "print(settings.MEDIA_ROOT); print(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=dict(env, DJANGO_SETTINGS_MODULE="glutablog.settings"),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"serve: cannot read the settings:\n{result.stderr.strip().splitlines()[-1]}")
    static_root, media_root, passkey_origin = result.stdout.split("\n")[:3]
    return Path(static_root), Path(media_root), passkey_origin


def wait_for_http(process, host, port, name, timeout=90, unix_socket=None):
    """Until something answers HTTP on host:port or the unix socket (any
    status), or the process ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"serve: {name} exited with {process.returncode} while starting")
        if unix_socket is not None:
            connection = UnixHTTPConnection(unix_socket, timeout=5)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=5)
        try:
            connection.request("GET", "/", headers={"Host": host})
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    sys.exit(f"serve: {name} did not answer on {host}:{port} within {timeout} s")


def wait_for_port(process, host, port, name, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"serve: {name} exited with {process.returncode} while starting")
        try:
            socket.create_connection((host, port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"serve: {name} did not listen on {host}:{port} within {timeout} s")


def stop(process, name, sig):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop within 30 s: killed")
            process.kill()
            process.wait(timeout=10)


def main(argv=None):
    args = parse_args(argv)
    # Set for SIGINT too: a shell starting this in the background leaves
    # SIGINT ignored, and Ctrl-C on the process group must still stop it here.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    nginx = nginx_config.find_nginx()
    if nginx is None:
        sys.exit(
            "serve: nginx is not installed. Debian: apt-get install nginx (as .ci/run does); "
            "or set NGINX_BINARY."
        )
    env = environment(args)
    if not args.skip_setup:
        say("collectstatic, migrate ...")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "migrate", "--noinput", "-v0")
    static_root, media_root, passkey_origin = django_settings(env)
    run_dir = args.run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    if not args.app_port:
        # The socket's folder is this user's alone: only nginx (this user) connects.
        run_dir.chmod(0o700)
        app_socket(args).unlink(missing_ok=True)  # left by a set that was killed
    certificate, key = nginx_config.self_signed_certificate(run_dir / "tls")
    main_conf = nginx_config.write_local(
        run_dir,
        workers=args.nginx_workers,
        access_log=args.access_log,
        server_names=[args.host, "localhost"],
        upstream=app_address(args),
        static_root=static_root,
        media_root=media_root,
        certificate=certificate,
        certificate_key=key,
        http_listen=[f"{args.host}:{args.http_port}"],
        https_listen=[f"{args.host}:{args.https_port}"],
        https_port=args.https_port,
    )
    check = subprocess.run(
        nginx_config.nginx_command(nginx, main_conf, "-t", "-q"),
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        sys.exit(f"serve: nginx refuses {main_conf}:\n{check.stderr}")

    gunicorn_command = [sys.executable, "-m", "gunicorn", "-c", "glutablog/gunicorn.conf.py"]
    if args.app:
        gunicorn_command.append(args.app)
    children = []
    try:
        gunicorn = subprocess.Popen(gunicorn_command, cwd=BASE_DIR, env=env)
        children.append(("gunicorn", gunicorn, signal.SIGTERM))
        wait_for_http(
            gunicorn,
            args.host,
            args.app_port,
            "gunicorn",
            unix_socket=None if args.app_port else app_socket(args),
        )
        nginx_process = subprocess.Popen(nginx_config.nginx_command(nginx, main_conf))
        children.append(("nginx", nginx_process, signal.SIGTERM))
        # The task worker: sends the mail that requests queued (SIGTERM lets it
        # finish the task it is running).
        if env["TASKS_BACKEND"] == "database" and not args.app:
            worker_command = [sys.executable, "manage.py", "db_worker", "--no-reload"]
            worker = subprocess.Popen(worker_command, cwd=BASE_DIR, env=env)
            children.append(("task worker", worker, signal.SIGTERM))
        wait_for_port(nginx_process, args.host, args.https_port, "nginx")
        say(
            f"glutablog at https://{args.host}:{args.https_port}/ (nginx, self-signed: {certificate})"
        )
        say(
            f"http://{args.host}:{args.http_port}/ redirects there; gunicorn on {app_address(args)}"
        )
        # Passkeys belong to SITE_URL's host (localhost for a loopback address:
        # browsers take no IP address), and a browser offers them only on a
        # page whose certificate it trusts: docs/operations.md#staff-accounts.
        say(
            f"passkeys: open {passkey_origin}/ in a browser that trusts {certificate} "
            "(Chromium: --ignore-certificate-errors-spki-list="
            f"{nginx_config.spki_sha256(certificate)})"
        )
        say(f"nginx's files in {run_dir}; Ctrl-C stops them all")
        while True:
            for name, process, _ in children:
                if process.poll() is not None:
                    say(f"{name} exited with {process.returncode}: stopping")
                    return 1
            time.sleep(0.5)
    except Stop:
        say("stopping ...")
        return 0
    finally:
        for name, process, sig in reversed(children):
            stop(process, name, sig)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Stop:  # during collectstatic or migrate
        sys.exit("serve: stopped before starting")
