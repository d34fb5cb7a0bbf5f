"""glutablog settings: one module, read from the environment (or a `.env` file).

With no environment at all it runs for development: SQLite, local-memory
cache, console email, DEBUG on and a development-only secret key. Production
sets SECRET_KEY, DEBUG=off, ALLOWED_HOSTS, DATABASE_URL, CACHE_URL, EMAIL_URL
and CSRF_TRUSTED_ORIGINS (see docs/settings.md for the whole table).
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A `.env` beside manage.py is read if present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

# The development key is only ever used with DEBUG on: production must set one.
if "SECRET_KEY" in env:
    SECRET_KEY = env.str("SECRET_KEY")
elif DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
else:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off glutablog refuses to start "
        "without a secret key: set SECRET_KEY in the environment or in .env "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The site's address as readers reach it: every absolute URL (canonical links,
# feeds, the sitemap, links in emails) is made from it, never from the Host
# header a request happens to send. Production must set it.
if "SITE_URL" in env:
    SITE_URL = env.str("SITE_URL")
elif DEBUG:
    SITE_URL = "http://127.0.0.1:8000"
else:
    raise ImproperlyConfigured(
        "SITE_URL is not set. With DEBUG off glutablog needs the address readers use, "
        "such as SITE_URL=https://blog.example.com (canonical links, feeds and emails "
        "are made from it)."
    )
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname or _site.path not in ("", "/"):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} is not a site address: give the scheme and host only, "
        "such as https://blog.example.com"
    )
SITE_URL = f"{_site.scheme}://{_site.netloc}"

INSTALLED_APPS = [
    # django.contrib.admin, its default site checking every changelist's
    # query string (core.changelists.CheckedAdminSite).
    "core.admin_config.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    # Staff's second factor: django-otp's devices and its TOTP plugin, passkeys
    # (django-otp-webauthn), and our recovery codes and pages (accounts).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    # Revisions of posts (with their references and disclaimers) and site
    # pages: history, compare, revert and recover in the admin.
    "reversion",
    # Tasks: Django 6's framework backported (django_tasks) and its database
    # backend (django_tasks_db: the queue table, its admin and `db_worker`).
    "django_tasks",
    "django_tasks_db",
    # Shared machinery (Markdown, page cache, paginators, operations commands).
    "core",
    # The image library; articles uses it, it knows no other app of ours.
    "images",
    "articles",
    "comments",
    # Readers who follow by email (it knows articles and core, nothing else).
    "newsletter",
    "pages",
    "accounts",
]

MIDDLEWARE = [
    # /healthz and /readyz for probes, before anything else (core.health).
    "core.health.HealthMiddleware",
    # Permissions-Policy on every response, static files and cached pages too.
    "core.middleware.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Response headers for every answer, cached pages included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A body in a character set that cannot be read: the site's 400, before
    # anything reads it; a database too busy to answer: the site's 503; a
    # number beyond the database's range: the site's 400.
    "core.middleware.UnreadableRequestMiddleware",
    "core.middleware.QueryErrorMiddleware",
    # Anonymous readers of registered pages are answered here, before
    # sessions, authentication and routing (see core.page_cache).
    "core.page_cache.CachedPageMiddleware",
    # Who the client is (its address and rate-limit key, core.client_ip),
    # worked out once for every view behind the page cache: request.client.
    "core.client_ip.ClientMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A method the page does not take (a POST to a read-only page): 405 with
    # Allow, in the site's look, before the CSRF check would refuse it as 403.
    "core.methods.AllowedMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which device verified the session (django-otp), then the gate: a staff
    # member who gave only a password reaches the second step and nothing else.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "glutablog.urls"
WSGI_APPLICATION = "glutablog.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite is tuned for a real site: WAL journal (readers never wait for the
# writer), a busy timeout instead of "database is locked", and IMMEDIATE
# transactions so a writer takes its lock at BEGIN rather than failing on
# upgrade half-way through.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON;"
    ),
}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    # Keep the connection: opening one (and running the PRAGMAs) per request
    # costs more than most pages.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3 with Django's own connection pool.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "pool",
        {
            "min_size": 1,
            "max_size": env.int("DATABASE_POOL_MAX", default=8),
            # A request waits this long for a connection, then fails cleanly.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10),
        },
    )
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
    # No request waits on PostgreSQL longer than gunicorn lets a worker live
    # (GUNICORN_TIMEOUT, 30 s): a lock not granted within DATABASE_LOCK_TIMEOUT
    # seconds, or a statement still running after DATABASE_STATEMENT_TIMEOUT,
    # is cancelled, and the reader gets the 503 "busy, try again" page (the
    # comment form hands the text back) instead of a worker killed mid-request.
    # 0 turns a limit off (a long migration: DATABASE_STATEMENT_TIMEOUT=0).
    DATABASE_LOCK_TIMEOUT = env.float("DATABASE_LOCK_TIMEOUT", default=10)
    DATABASE_STATEMENT_TIMEOUT = env.float("DATABASE_STATEMENT_TIMEOUT", default=20)
    _worker_timeout = env.int("GUNICORN_TIMEOUT", default=30)
    for _name, _seconds in [
        ("DATABASE_LOCK_TIMEOUT", DATABASE_LOCK_TIMEOUT),
        ("DATABASE_STATEMENT_TIMEOUT", DATABASE_STATEMENT_TIMEOUT),
    ]:
        if _seconds < 0 or (_worker_timeout and _seconds >= _worker_timeout):
            raise ImproperlyConfigured(
                f"{_name}={_seconds:g} must be 0 (off) or shorter than gunicorn's worker "
                f"timeout (GUNICORN_TIMEOUT={_worker_timeout}): a request waiting longer "
                "would be killed with its worker instead of answered."
            )
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        option
        for option in [
            DATABASES["default"]["OPTIONS"].get("options", ""),  # ?options= in DATABASE_URL
            f"-c lock_timeout={int(DATABASE_LOCK_TIMEOUT * 1000)}",
            f"-c statement_timeout={int(DATABASE_STATEMENT_TIMEOUT * 1000)}",
        ]
        if option
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "DATABASE_TEST_NAME", default="test_glutablog"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The search documents (articles/search.py) are derived data: never dumped.
DATABASE_ROUTERS = ["articles.search.SearchDocumentsRouter"]

# --- Cache ----------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://glutablog")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A cache outage must degrade, not hang: short socket timeouts.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    )
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="glutablog"))

# --- Email ----------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="glutablog <blog@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Tasks: mail off the request path ------------------------------------------
# Every email is queued as a task after the data it speaks of is committed
# (core.mail). "immediate" runs it at once in the same process (development,
# tests); "database" stores it in the database for the worker
# (`manage.py db_worker`, started by `make serve` beside gunicorn). Moving to
# Django 6 is a change of import: django_tasks -> django.tasks.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="immediate" if DEBUG else "database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={TASKS_BACKEND!r} is not a task backend: use {' or '.join(TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
# A mail the server refuses is tried again, up to MAIL_SEND_ATTEMPTS times in
# all, after MAIL_RETRY_DELAY_SECONDS, then four times as long each time
# (1, 4, 16, 64 minutes by default); the last failure is logged as an error
# and kept as a failed task.
MAIL_SEND_ATTEMPTS = env.int("MAIL_SEND_ATTEMPTS", default=5)
MAIL_RETRY_DELAY_SECONDS = env.int("MAIL_RETRY_DELAY_SECONDS", default=60)
# At most one email of one kind (a deletion link, an approval notice, the
# moderators' new-comment notice) to one address in this many minutes, however
# many clients ask (core.mail.first_mail_to; 0: no limit).
MAIL_PER_ADDRESS_MINUTES = env.int("MAIL_PER_ADDRESS_MINUTES", default=10)

# --- Auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Signing in with a passkey alone (beside the password form).
    "django_otp_webauthn.backends.WebAuthnBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Staff's second factor (docs/security.md#two-factor-sign-in): "required" (the
# default with DEBUG off) leads every staff member to a passkey or an
# authenticator app right after the password, and to enrol first if they have
# none; "optional" (the default with DEBUG on, so `make run`'s demo accounts
# sign in with a password) asks only those who enrolled. The deploy check
# warns unless it is required.
STAFF_TWO_FACTOR = env.str("STAFF_TWO_FACTOR", default="optional" if DEBUG else "required")
if STAFF_TWO_FACTOR not in ("required", "optional"):
    raise ImproperlyConfigured(f"STAFF_TWO_FACTOR={STAFF_TWO_FACTOR!r}: use required or optional.")
# A browser that gave a code may skip the second step for this many days (a
# signed cookie bound to the user, the device and their password; 0: never).
STAFF_TWO_FACTOR_REMEMBER_DAYS = env.int("STAFF_TWO_FACTOR_REMEMBER_DAYS", default=0)
# Authenticator apps: the name they show, wrong codes slowed down (1, 2, 4 ...
# seconds per device, on top of the lockout below), keys hidden in the admin.
OTP_TOTP_ISSUER = env.str("BLOG_TITLE", default="glutablog")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys belong to SITE_URL's host: a passkey made for another origin is
# refused. Browsers take no IP address as a passkey's site, and plain http only
# at localhost: a loopback SITE_URL (http://127.0.0.1:8000 in development,
# https://127.0.0.1:8443 with `make serve`) makes its passkeys at localhost on
# the same scheme and port (open the site there to use them).
_passkey_origin = SITE_URL
if _site.hostname in ("127.0.0.1", "::1", "localhost"):
    _passkey_origin = f"{_site.scheme}://localhost{f':{_site.port}' if _site.port else ''}"
OTP_WEBAUTHN_RP_ID = urlsplit(_passkey_origin).hostname
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = [_passkey_origin]
# An http SITE_URL elsewhere (a test server on the network) runs without passkeys.
SILENCED_SYSTEM_CHECKS = (
    []
    if _passkey_origin.startswith("https:") or "localhost" in _passkey_origin
    else ["otp_webauthn.E031"]
)
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "django_otp_webauthn"

# Admin login guessing: lock a user name + address after a few failures, for
# a finite cool-off. The client address is REMOTE_ADDR unless the deployment
# says how many proxies in front of it append to X-Forwarded-For
# (TRUSTED_PROXY_COUNT): see core/client_ip.py. A forged X-Forwarded-For
# from the internet cannot pick the address. (django-ipware is not installed,
# so axes' own AXES_IPWARE_* settings would be ignored.)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A sign-in clears the count only once it is whole, second step included
# (accounts.factors.signed_in_fully): never on a correct password alone.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# Wrong second-factor codes count here too (accounts.factors.count_failure);
# what they were is never stored with the attempt.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")


def _bootstrap_dir():
    # Bootstrap comes from the xstatic-bootstrap package: no CDN, no Node build.
    import xstatic.pkg.bootstrap

    return ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)


STATICFILES_DIRS.append(_bootstrap_dir())
STORAGES = {
    # Uploaded images: MEDIA_ROOT on this machine, or object storage (below).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0
# Files served at the site's root (favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "public"
# In development (and tests) files come straight from the apps and packages.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Media in S3-compatible object storage (django-storages), so that several app
# servers share the uploads: set AWS_STORAGE_BUCKET_NAME (and for a service
# other than AWS, AWS_S3_ENDPOINT_URL). Credentials come from the usual
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role), read by
# boto3 itself. The bucket's objects must be publicly readable: addresses are
# stored in rendered posts, so they are plain (never signed, never expiring).
# MEDIA_ORIGIN is where readers' browsers fetch media from: added to the CSP's
# img-src and to the addresses editors' Markdown may show images from.
MEDIA_ORIGIN = ""
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _s3_endpoint = env.str("AWS_S3_ENDPOINT_URL", default="")
    _s3_domain = env.str("AWS_S3_CUSTOM_DOMAIN", default="")
    _s3_region = env.str("AWS_S3_REGION_NAME", default="")
    if not _s3_domain and not _s3_endpoint:
        # AWS itself: a fixed, unsigned virtual-host address.
        _s3_domain = (
            f"{AWS_STORAGE_BUCKET_NAME}.s3.{_s3_region}.amazonaws.com"
            if _s3_region
            else f"{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"
        )
    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": env.str("AWS_DEFAULT_ACL", default=None),
        # Names are unique and files never change: cache for a year.
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    if _s3_region:
        _s3_options["region_name"] = _s3_region
    if _s3_endpoint:
        # Another S3 service (MinIO, Ceph, R2, moto...): path-style addresses
        # on its endpoint, https://endpoint/bucket/name.
        _s3_options["endpoint_url"] = _s3_endpoint
        _s3_options["addressing_style"] = "path"
        MEDIA_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(_s3_endpoint))
    if _s3_domain:
        # Readers fetch the files from this host (a CDN, the service's public
        # domain, or nginx in front of the bucket), whatever endpoint stores them.
        _s3_options["custom_domain"] = _s3_domain
        MEDIA_ORIGIN = f"https://{_s3_domain.split('/')[0]}"
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}

# Uploaded images (images/processing.py): larger files or more pixels are
# refused at upload (the pixel limit stops decompression bombs: a small file
# that decodes to gigabytes of memory).
IMAGES_MAX_UPLOAD_MB = env.int("IMAGES_MAX_UPLOAD_MB", default=10)
# What an upload costs its worker grows with its pixels (images.processing):
# 25 megapixels (a 6000 × 4000 camera) is what two gunicorn workers can afford
# at once on a small server (docs/performance.md, "What an upload costs").
IMAGES_MAX_PIXELS = env.int("IMAGES_MAX_PIXELS", default=25_000_000)

# --- Security ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A form refused by the CSRF check gets the site's 403 page, saying what to do.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Content-Security-Policy (django-csp 4): everything from our own origin, no
# inline scripts anywhere (public site and admin).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The Django admin sets a few style attributes; styles cannot run code.
        "style-src": ["'self'", "'unsafe-inline'"],
        # Bootstrap's CSS draws small icons as data: SVG images (the checkbox
        # tick, the invalid-field mark, the phone menu button); uploaded images
        # come from this site or the media host.
        "img-src": ["'self'", "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Permissions-Policy (core.middleware): the browser features no page of the
# site uses, denied to its pages and to anything embedded in them. Only
# features Chromium knows everywhere are named: it logs a warning for any
# other on every page (Linux builds know neither bluetooth nor web-share;
# tests/browser/test_headers.py checks).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera",
        "display-capture", "encrypted-media", "fullscreen", "gamepad", "geolocation",
        "gyroscope", "hid", "idle-detection", "local-fonts", "magnetometer", "microphone",
        "midi", "payment", "picture-in-picture",
        "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking",
    )
}  # fmt: skip
# Passkeys (staff sign-in) on the site's own pages, never in anything embedded.
PERMISSIONS_POLICY["publickey-credentials-create"] = ["self"]
PERMISSIONS_POLICY["publickey-credentials-get"] = ["self"]

# --- Crispy forms -----------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Blog -------------------------------------------------------------------
BLOG_TITLE = env.str("BLOG_TITLE", default="glutablog")
BLOG_POSTS_PER_PAGE = env.int("BLOG_POSTS_PER_PAGE", default=4)
# What a feed item carries: the post's summary and a link (off, the default:
# readers come to the page for the rest and the comments), or the whole body
# (on). Either way, the post's references and disclaimers follow.
FEEDS_FULL_CONTENT = env.bool("FEEDS_FULL_CONTENT", default=False)
# Paths /robots.txt asks crawlers to keep out of: the admin. Not the search
# results: they carry noindex, which a crawler reads only if it may fetch the
# page (a blocked address can still be indexed bare, from links to it).
ROBOTS_DISALLOW = env.list("ROBOTS_DISALLOW", default=["/admin/"])
# What search engines and link previews say of the site (meta description,
# Open Graph) and who publishes it (the posts' JSON-LD publisher).
BLOG_DESCRIPTION = env.str(
    "BLOG_DESCRIPTION", default="Health writing with references from our team."
)
BLOG_PUBLISHER_NAME = env.str("BLOG_PUBLISHER_NAME", default=BLOG_TITLE)
BLOG_PUBLISHER_LOGO = env.str("BLOG_PUBLISHER_LOGO", default="img/logo.png")  # a static file
# Medical review: a post last reviewed longer ago than this many months (or
# never) is "review due"; with MEDICAL_REVIEW_REQUIRED on, only a post a
# reviewer approved can be published (articles.models.review).
MEDICAL_REVIEW_MONTHS = env.int("MEDICAL_REVIEW_MONTHS", default=12)
MEDICAL_REVIEW_REQUIRED = env.bool("MEDICAL_REVIEW_REQUIRED", default=False)
# Change to drop every cached page at once (the deployed code, templates and
# requirements are part of the cache key already: core.build).
PAGE_CACHE_VERSION = env.str("PAGE_CACHE_VERSION", default="1")
# A shared cache in front (nginx, a CDN) keeps an anonymous page one second
# (core.page_cache.SHARED_SECONDS) and may serve it this many seconds longer
# only while the site fails to answer (a connection error or a timeout:
# `stale-if-error`). Never while the site answers: a change, an unpublished
# post or a deleted comment reaches readers within two seconds.
PAGE_CACHE_STALE_IF_ERROR_SECONDS = env.int("PAGE_CACHE_STALE_IF_ERROR_SECONDS", default=60)
if PAGE_CACHE_STALE_IF_ERROR_SECONDS < 0:
    raise ImproperlyConfigured(
        "PAGE_CACHE_STALE_IF_ERROR_SECONDS must be 0 or more (0: never a stale copy)."
    )

# --- Search -----------------------------------------------------------------
# Results per page of /blog/search/, and searches per client address in any
# sixty seconds (0: no limit; counted in the cache, like the comment limit).
SEARCH_RESULTS_PER_PAGE = env.int("SEARCH_RESULTS_PER_PAGE", default=10)
SEARCH_RATE_LIMIT_PER_MINUTE = env.int("SEARCH_RATE_LIMIT_PER_MINUTE", default=30)
# At most this many results are counted and shown (the best ones).
SEARCH_MAX_RESULTS = env.int("SEARCH_MAX_RESULTS", default=200)
# PostgreSQL looks for them among this many candidates (the newest posts
# holding the wanted words), checks phrases and -words on those only and
# ranks them: the cost of a word found on every post stops growing with the posts.
SEARCH_RANK_CANDIDATES = env.int("SEARCH_RANK_CANDIDATES", default=5000)

# --- References -------------------------------------------------------------
# Previews and imports of pasted BibTeX/RIS per editor in any sixty seconds
# (0: no limit; counted in the cache, like the search limit).
REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE = env.int(
    "REFERENCE_IMPORT_RATE_LIMIT_PER_MINUTE", default=10
)

# --- Comments ---------------------------------------------------------------
# Comments close by themselves this many days after a post is published
# (0: never; a post can always close its own comments in the admin).
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=0)
# More links than this in one comment sends it to spam.
COMMENTS_MAX_LINKS = env.int("COMMENTS_MAX_LINKS", default=2)
# Comments (sent forms, valid or not) per client address per minute; 0: no limit.
# Counted in the cache, so set CACHE_URL (Redis) when running several processes.
COMMENTS_RATE_LIMIT_PER_MINUTE = env.int("COMMENTS_RATE_LIMIT_PER_MINUTE", default=5)
# A comment form (its signed token) older than this asks the reader to send it
# again, their text kept; a cached post page is rendered again at half of it.
COMMENTS_FORM_MAX_AGE_HOURS = env.int("COMMENTS_FORM_MAX_AGE_HOURS", default=24)
# Once a post's page has changed (a comment approved, the post edited), forms
# shown on the older page are still taken for this long.
COMMENTS_FORM_VERSION_GRACE_MINUTES = env.int("COMMENTS_FORM_VERSION_GRACE_MINUTES", default=60)
COMMENTS_MAX_LENGTH = env.int("COMMENTS_MAX_LENGTH", default=3000)
# Who hears about new comments waiting in the queue, besides the active
# members of the Moderators group who have an email address.
COMMENTS_NOTIFY_EMAILS = env.list("COMMENTS_NOTIFY_EMAILS", default=[])
# Approve a new comment at once when the browser sending it proved its email
# address (it opened the link in the approval notice mailed there) and the
# address already has an approved comment (spam rules, the blocklist and the
# robot traps still win). See comments/trust.py.
COMMENTS_TRUST_RETURNING = env.bool("COMMENTS_TRUST_RETURNING", default=False)
# How long a browser that opened that link stays trusted for the address.
COMMENTS_TRUST_DAYS = env.int("COMMENTS_TRUST_DAYS", default=365)
# How long the emailed link that confirms a deletion request stays good.
COMMENTS_DELETION_LINK_HOURS = env.int("COMMENTS_DELETION_LINK_HOURS", default=24)
# Network addresses and browser strings of comments older than this are
# cleared by `manage.py clear_network_data` (run it daily from cron).
COMMENTS_KEEP_NETWORK_DATA_DAYS = env.int("COMMENTS_KEEP_NETWORK_DATA_DAYS", default=90)

# --- Newsletter -------------------------------------------------------------
# The subscribe form: forms sent per client address per minute (0: no limit).
NEWSLETTER_RATE_LIMIT_PER_MINUTE = env.int("NEWSLETTER_RATE_LIMIT_PER_MINUTE", default=5)
# At most one confirmation email per address in this many minutes.
NEWSLETTER_CONFIRMATION_MINUTES = env.int("NEWSLETTER_CONFIRMATION_MINUTES", default=60)
# How long the emailed confirmation link stays good.
NEWSLETTER_CONFIRMATION_HOURS = env.int("NEWSLETTER_CONFIRMATION_HOURS", default=48)
# Subscriptions never confirmed are deleted after this many days.
NEWSLETTER_PENDING_DAYS = env.int("NEWSLETTER_PENDING_DAYS", default=7)
# A post is emailed to its subscribers when it is published (or comes due).
NEWSLETTER_SEND_ON_PUBLISH = env.bool("NEWSLETTER_SEND_ON_PUBLISH", default=True)
# The email carries the post's full text (on) or its summary and a link (off).
NEWSLETTER_FULL_TEXT = env.bool("NEWSLETTER_FULL_TEXT", default=False)
# Emails sent over one SMTP connection, in one transaction, by one task.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=100)
# A batch a worker took this long ago and did not finish (the worker was
# killed) is taken again by the next.
NEWSLETTER_CLAIM_MINUTES = env.int("NEWSLETTER_CLAIM_MINUTES", default=10)
# An address that reads unsubscribe requests by email (the mailto: in
# List-Unsubscribe); empty: the https one-click address alone.
NEWSLETTER_UNSUBSCRIBE_EMAIL = env.str("NEWSLETTER_UNSUBSCRIBE_EMAIL", default="")

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # A line per task run is the worker's business (db_worker sets its own
        # level); in the web processes only failures are worth a line.
        "django_tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The BibTeX/RIS readers warn about every entry they cannot read (two
        # lines each: 61,500 lines for one paste of 180 KB). The editor is told
        # about each entry, and the import logs one line of its own
        # (articles.bibliography.log_import): only the libraries' errors here.
        "bibtexparser": {"level": "ERROR"},
        "pylatexenc": {"level": "ERROR"},
    },
}
