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

The cluster (`make cluster`, docs/operations.md): --app-nodes N starts N
gunicorn app servers, each its own process on its own loopback port
(--app-port and the ports after it, or --app-ports), with its own temporary
and media folders under the run folder and nothing else on disk in common;
nginx balances over them; one task worker. SIGHUP restarts the app servers
one at a time (a rolling deploy onto the code now on disk; each stops
gracefully, SIGTERM, and answers again before the next stops). Media go to an S3-compatible
object store: the bucket AWS_STORAGE_BUCKET_NAME names, or (when none is set,
or with --object-store moto) moto's standalone S3 server started here on
--moto-port with its bucket created, which nginx serves read-only under
/media/. PostgreSQL and Redis are DATABASE_URL's and CACHE_URL's: with
several servers they must be shared ones (SQLite or a local-memory cache
would give each server its own data).
"""

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from deploy import nginx_config  # noqa: E402 (the checkout's root is on the path first)


def say(message):
    print(f"serve: {message}", flush=True)


# The first app server's port when --app-nodes asks for several and no --app-port.
CLUSTER_FIRST_PORT = 8001
MOTO_BUCKET = "glutablog-media"


class Stop(Exception):
    """Ctrl-C or SIGTERM: stop both."""


def _stop(signum, frame):
    raise Stop()


_roll = {"asked": False}


def _ask_roll(signum, frame):
    """SIGHUP: restart the app servers one at a time (main's loop does it)."""
    _roll["asked"] = True


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument(
        "--app-port",
        type=int,
        help="gunicorn on this loopback port instead of a unix socket in the run folder",
    )
    parser.add_argument(
        "--app-nodes",
        type=int,
        default=1,
        help="N app servers (gunicorn processes) on ports --app-port, --app-port + 1, ...",
    )
    parser.add_argument(
        "--app-ports", help="the app servers' ports, comma-separated (instead of --app-nodes)"
    )
    parser.add_argument(
        "--object-store",
        choices=("auto", "moto", "none"),
        default="auto",
        help="moto: start moto's S3 server for media; auto: moto for a cluster "
        "without AWS_STORAGE_BUCKET_NAME",
    )
    parser.add_argument("--moto-port", type=int, default=8190)
    parser.add_argument("--host", default="127.0.0.1", help="the loopback address for all three")
    parser.add_argument("--run-dir", type=Path, default=BASE_DIR / "var" / "serve")
    parser.add_argument(
        "--access-log", default="/dev/stdout", help="nginx's access log (default: this terminal)"
    )
    parser.add_argument("--nginx-workers", default="1")
    parser.add_argument("--app", help="another WSGI app for gunicorn (MODULE:CALLABLE)")
    parser.add_argument("--skip-setup", action="store_true", help="no collectstatic, no migrate")
    args = parser.parse_args(argv)
    if args.app_ports:
        args.app_ports = [int(port) for port in args.app_ports.split(",")]
    elif args.app_nodes > 1:
        first = args.app_port or CLUSTER_FIRST_PORT
        args.app_ports = [first + number for number in range(args.app_nodes)]
    elif args.app_port:
        args.app_ports = [args.app_port]
    else:
        args.app_ports = []  # one server, on the run folder's unix socket
    if args.app_ports:
        args.app_port = args.app_ports[0]
    return args


def is_cluster(args):
    return len(args.app_ports) > 1


def wants_moto(args, env):
    if args.object_store == "auto":
        return is_cluster(args) and not env.get("AWS_STORAGE_BUCKET_NAME")
    return args.object_store == "moto"


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


def read_settings(env, *names):
    """The values of these settings (``settings.<name>`` expressions), as
    Django reads them from the environment and .env, each as text. Read in a
    process of its own: serve itself never imports the settings."""
    code = "from django.conf import settings\n" + "".join(
        f"print(settings.{name})\n" for name in names
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
    return result.stdout.split("\n")[: len(names)]


def refuse_unshared(env):
    """Several app servers need one database and one cache they all reach:
    SQLite (a file of one machine) or a local-memory cache (one per process)
    would give each server data of its own. Read from the settings (the
    environment or .env)."""
    engine, cache = read_settings(
        env, "DATABASES['default']['ENGINE']", "CACHES['default']['BACKEND']"
    )
    if "postgresql" not in engine:
        sys.exit("serve: a cluster needs PostgreSQL, shared by its servers: set DATABASE_URL")
    if "redis" not in cache.lower():
        sys.exit("serve: a cluster needs Redis, shared by its servers: set CACHE_URL")


def node_env(env, args, number, port):
    """App server ``number``'s environment: its own port, temporary folder and
    MEDIA_ROOT under the run folder (which stay empty when media go to the
    object store: the cluster tests check), its own access log."""
    node_dir = args.run_dir.resolve() / f"node-{number}"
    for sub in ("tmp", "media"):
        (node_dir / sub).mkdir(parents=True, exist_ok=True)
    env = dict(env)
    env["GUNICORN_BIND"] = f"{args.host}:{port}"
    env["TMPDIR"] = str(node_dir / "tmp")
    env["MEDIA_ROOT"] = str(node_dir / "media")
    if env.get("GUNICORN_ACCESSLOG") not in (None, "", "-"):
        env["GUNICORN_ACCESSLOG"] = f"{env['GUNICORN_ACCESSLOG']}.node-{number}"
    return env


def moto_env(env, args):
    """What the app servers need to store media in moto's bucket, and to link
    it through nginx (https://host:port/media/...)."""
    env = dict(env)
    env["AWS_STORAGE_BUCKET_NAME"] = MOTO_BUCKET
    env["AWS_S3_ENDPOINT_URL"] = f"http://{args.host}:{args.moto_port}"
    env["AWS_S3_CUSTOM_DOMAIN"] = f"{args.host}:{args.https_port}/media"
    env["AWS_S3_REGION_NAME"] = "us-east-1"
    # Readers fetch the files unsigned (through nginx): the objects are public.
    env.setdefault("AWS_DEFAULT_ACL", "public-read")
    env.setdefault("AWS_ACCESS_KEY_ID", "moto")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "moto")
    return env


def create_bucket(env):
    """The bucket in the freshly started moto server (boto3, as django-storages)."""
    code = (
        "import os, boto3; "
        "boto3.client('s3', endpoint_url=os.environ['AWS_S3_ENDPOINT_URL'], "
        "region_name='us-east-1').create_bucket(Bucket=os.environ['AWS_STORAGE_BUCKET_NAME'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"serve: cannot create the bucket:\n{result.stderr}")


def app_socket(args):
    return args.run_dir.resolve() / "gunicorn.sock"


def app_address(args):
    """gunicorn's bind address: the run folder's socket, or a loopback port."""
    if args.app_ports:
        return f"{args.host}:{args.app_ports[0]}"
    return f"unix:{app_socket(args)}"


def app_addresses(args):
    """nginx's upstream servers: every app server's address."""
    if args.app_ports:
        return [f"{args.host}:{port}" for port in args.app_ports]
    return [app_address(args)]


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
    static_root, media_root, passkey_origin = read_settings(
        env, "STATIC_ROOT", "MEDIA_ROOT", "OTP_WEBAUTHN_ALLOWED_ORIGINS[0]"
    )
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


# How long an app server gets to stop: gunicorn's graceful_timeout (as long as
# a request may take: glutablog/gunicorn.conf.py) and a margin.
APP_STOP_SECONDS = 45


def stop(process, name, sig, wait=30):
    """Signal ``process`` and wait up to ``wait`` seconds; then kill it."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop within {wait} s: killed")
            process.kill()
            process.wait(timeout=10)


def roll(args, nodes, gunicorn_command, children, app_servers):
    """A rolling restart (SIGHUP): each app server in turn is stopped
    gracefully (it finishes its requests while nginx sends new ones to the
    others), started again on the code now on disk (a new BUILD_ID), and
    waited for before the next one stops. docs/operations.md."""
    say("rolling restart: one app server at a time")
    for index, (name, node_environment, port) in enumerate(nodes):
        old = app_servers[index]
        stop(old, name, signal.SIGTERM, APP_STOP_SECONDS)
        new = subprocess.Popen(gunicorn_command, cwd=BASE_DIR, env=node_environment)
        app_servers[index] = new
        children[:] = [
            (name, new, sig) if process is old else (child, process, sig)
            for child, process, sig in children
        ]
        if is_cluster(args):
            pid_file = Path(node_environment["TMPDIR"]).parent / "gunicorn.pid"
            pid_file.write_text(f"{new.pid}\n")
        wait_for_http(new, args.host, port, name, unix_socket=None if port else app_socket(args))
        say(f"{name} restarted")
    say("rolling restart done")


def main(argv=None):
    args = parse_args(argv)
    # Set for SIGINT too: a shell starting this in the background leaves
    # SIGINT ignored, and Ctrl-C on the process group must still stop it here.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _ask_roll)
    nginx = nginx_config.find_nginx()
    if nginx is None:
        sys.exit(
            "serve: nginx is not installed. Debian: apt-get install nginx (as .ci/run does); "
            "or set NGINX_BINARY."
        )
    env = environment(args)
    if is_cluster(args):
        refuse_unshared(env)
    children = []
    app_servers = []
    try:
        media_store = None
        if wants_moto(args, env):
            env = moto_env(env, args)
            moto = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", args.host, "-p", str(args.moto_port)],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            children.append(("moto", moto, signal.SIGTERM))
            wait_for_http(moto, args.host, args.moto_port, "moto")
            create_bucket(env)
            media_store = f"{env['AWS_S3_ENDPOINT_URL']}/{env['AWS_STORAGE_BUCKET_NAME']}"
        # Three Django processes that need nothing of each other: side by side.
        with ThreadPoolExecutor() as pool:
            steps = []
            if not args.skip_setup:
                say("collectstatic, migrate ...")
                steps = [
                    pool.submit(manage, env, "collectstatic", "--noinput", "-v0"),
                    pool.submit(manage, env, "migrate", "--noinput", "-v0"),
                ]
            settings_read = pool.submit(django_settings, env)
            for step in steps:
                step.result()  # manage()'s exit, if it failed, is raised here
            static_root, media_root, passkey_origin = settings_read.result()
        run_dir = args.run_dir.resolve()
        run_dir.mkdir(parents=True, exist_ok=True)
        if not args.app_ports:
            # The socket's folder is this user's alone: only nginx (this user) connects.
            run_dir.chmod(0o700)
            app_socket(args).unlink(missing_ok=True)  # left by a set that was killed
        certificate, key = nginx_config.self_signed_certificate(run_dir / "tls")
        main_conf = nginx_config.write_local(
            run_dir,
            workers=args.nginx_workers,
            access_log=args.access_log,
            server_names=[args.host, "localhost"],
            upstream=app_addresses(args),
            static_root=static_root,
            media_root=media_root,
            media_store=media_store,
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
        if is_cluster(args):
            nodes = [
                (
                    f"app server {number} ({args.host}:{port})",
                    node_env(env, args, number, port),
                    port,
                )
                for number, port in enumerate(args.app_ports, start=1)
            ]
        else:
            nodes = [("gunicorn", env, args.app_port)]
        for name, node_environment, _ in nodes:
            gunicorn = subprocess.Popen(gunicorn_command, cwd=BASE_DIR, env=node_environment)
            children.append((name, gunicorn, signal.SIGTERM))
            app_servers.append(gunicorn)
            if is_cluster(args):
                # Which process is which server, for whoever stops one by hand
                # (and the test that kills one under load).
                pid_file = Path(node_environment["TMPDIR"]).parent / "gunicorn.pid"
                pid_file.write_text(f"{gunicorn.pid}\n")
        for (name, _, port), (_, gunicorn, _) in zip(nodes, children[-len(nodes) :], strict=True):
            wait_for_http(
                gunicorn,
                args.host,
                port,
                name,
                unix_socket=None if port else app_socket(args),
            )
        nginx_process = subprocess.Popen(nginx_config.nginx_command(nginx, main_conf))
        children.append(("nginx", nginx_process, signal.SIGTERM))
        # The task worker: sends the mail that requests queued (SIGTERM lets it
        # finish the task it is running).
        if env["TASKS_BACKEND"] == "database" and not args.app:
            # task_worker: db_worker that first queues again what an earlier
            # run of this same id left unfinished (a killed worker).
            worker_command = [
                sys.executable, "manage.py", "task_worker", "--no-reload",
                "--worker-id", "serve-worker",
            ]  # fmt: skip
            worker = subprocess.Popen(worker_command, cwd=BASE_DIR, env=env)
            children.append(("task worker", worker, signal.SIGTERM))
        wait_for_port(nginx_process, args.host, args.https_port, "nginx")
        say(
            f"glutablog at https://{args.host}:{args.https_port}/ (nginx, self-signed: {certificate})"
        )
        say(
            f"http://{args.host}:{args.http_port}/ redirects there; "
            f"gunicorn on {', '.join(app_addresses(args))}"
        )
        if media_store:
            say(f"media in moto's bucket {media_store}, served under /media/ by nginx")
        # Passkeys belong to SITE_URL's host (localhost for a loopback address:
        # browsers take no IP address), and a browser offers them only on a
        # page whose certificate it trusts: docs/operations.md#staff-accounts.
        say(
            f"passkeys: open {passkey_origin}/ in a browser that trusts {certificate} "
            "(Chromium: --ignore-certificate-errors-spki-list="
            f"{nginx_config.spki_sha256(certificate)})"
        )
        say(f"nginx's files in {run_dir}; Ctrl-C stops them all")
        lost = set()
        while True:
            if _roll["asked"]:
                _roll["asked"] = False
                roll(args, nodes, gunicorn_command, children, app_servers)
            for name, process, _ in children:
                if process.poll() is None or process.pid in lost:
                    continue
                if is_cluster(args) and process in app_servers:
                    # One app server down is what a cluster is for: nginx
                    # sends its readers to the others. With all of them
                    # down nginx stays, as in production: readers get
                    # stale copies and its page that hands back what they
                    # typed, not a refused connection.
                    say(f"{name} exited with {process.returncode}; the others go on")
                    lost.add(process.pid)
                    if all(server.poll() is not None for server in app_servers):
                        say("every app server has exited: nginx answers with its own page")
                    continue
                say(f"{name} exited with {process.returncode}: stopping")
                return 1
            time.sleep(0.5)
    except Stop:
        say("stopping ...")
        return 0
    finally:
        for name, process, sig in reversed(children):
            stop(process, name, sig, APP_STOP_SECONDS if process in app_servers else 30)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Stop:  # during collectstatic or migrate
        sys.exit("serve: stopped before starting")
