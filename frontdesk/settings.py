"""Frontdesk settings: one module, driven by FRONTDESK_* environment variables.

Every variable is documented in docs/configuration.md. The defaults give the
embedded shape (SQLite under var/, in-process worker, local memory cache);
setting FRONTDESK_DATABASE_URL and FRONTDESK_REDIS_URL gives the scaled shape.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from frontdesk.core.config import env_bool, env_int, env_list, env_str, install_secret
from frontdesk.core.db_pool import keep_reconnecting

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("FRONTDESK_VAR_DIR", str(BASE_DIR.parent / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database and task queue live here

# The public default of earlier releases: refused wherever it is configured (frontdesk.core.checks).
INSECURE_DEFAULT_SECRET_KEY = "frontdesk-embedded-insecure-default-key-change-me"
# FRONTDESK_SECRET_KEY, or this install's own key made on first start in var/ (never a public
# default). The scaled shape requires the variable: every node must sign with the same key.
SECRET_KEY_FROM_ENV = bool(env_str("FRONTDESK_SECRET_KEY", ""))
SECRET_KEY = env_str("FRONTDESK_SECRET_KEY", "") or install_secret(VAR_DIR)
DEBUG = env_bool("FRONTDESK_DEBUG", False)
EMBEDDED = not os.environ.get("FRONTDESK_DATABASE_URL")
ALLOWED_HOSTS = env_list("FRONTDESK_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if EMBEDDED else [])
CSRF_TRUSTED_ORIGINS = env_list("FRONTDESK_CSRF_TRUSTED_ORIGINS", [])
HOST = env_str("FRONTDESK_HOST", "127.0.0.1")
PORT = env_int("FRONTDESK_PORT", 8000)
PUBLIC_URL = env_str(
    "FRONTDESK_PUBLIC_URL", f"http://{'localhost' if HOST in ('127.0.0.1', '0.0.0.0') else HOST}:{PORT}"
)

# every channel app under frontdesk/channels/ (a package with an apps.py) is installed: adding a
# channel adds its folder and edits nothing here (see docs/development.md)
CHANNEL_APPS = sorted(f"frontdesk.channels.{p.parent.name}" for p in (BASE_DIR / "channels").glob("*/apps.py"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API reference UI from local static files, never a CDN
    "channels",
    "huey.contrib.djhuey",
    "frontdesk.core",
    "frontdesk.accounts",
    "frontdesk.brands",
    "frontdesk.fields",
    "frontdesk.customers",
    "frontdesk.tickets",
    *CHANNEL_APPS,
    "frontdesk.notifications",
    "frontdesk.workspace",
    "frontdesk.ops",
]

MIDDLEWARE = [
    "frontdesk.core.middleware.ServerTimingMiddleware",
    "frontdesk.core.middleware.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "frontdesk.core.middleware.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "frontdesk.workspace.middleware.ViewerTimezoneMiddleware",
    "frontdesk.workspace.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "frontdesk.urls"
ASGI_APPLICATION = "frontdesk.asgi.application"
WSGI_APPLICATION = None

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
                "frontdesk.workspace.context.workspace",
            ],
        },
    }
]

# --- database -------------------------------------------------------------
DATABASE_URL = os.environ.get("FRONTDESK_DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A connection pool per process (psycopg_pool). Under ASGI Django's persistent connections
        # are per request context and leak until garbage-collected, so CONN_MAX_AGE stays 0.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("FRONTDESK_DB_POOL_SIZE", 8),
            "timeout": env_int("FRONTDESK_DB_POOL_TIMEOUT", 10),
            # Reconnect within ~2 s of PostgreSQL's return however long it was down: retry chains
            # end after 3 s and are restarted at once while requests wait (frontdesk.core.db_pool).
            # Stale idle connections are dropped by frontdesk.core.unavailable, not CONN_HEALTH_CHECKS.
            "reconnect_timeout": 3,
            "reconnect_failed": keep_reconnecting,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "frontdesk.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536;"
                ),
            },
        }
    }
# Tests point the suite at PostgreSQL with this variable (see tests/conftest.py).
_test_db = os.environ.get("FRONTDESK_TEST_DATABASE_URL_ACTIVE")
if _test_db:
    DATABASES = {"default": dj_database_url.parse(_test_db)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, channels, background work ---------------------------------------
REDIS_URL = os.environ.get("FRONTDESK_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "frontdesk.core.resilient_cache.ResilientRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}}}
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
else:
    # Embedded: files under the var dir, so every process on the machine (the server, `mail ingest`
    # from cron, `mail listen`, a second web process) sees an invalidation at once (decision 0009).
    CACHES = {"default": {"BACKEND": "frontdesk.core.file_cache.FileCache",
                          "LOCATION": str(VAR_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 20000}}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

HUEY_IMMEDIATE = env_bool("FRONTDESK_HUEY_IMMEDIATE", False)
# Received mail is processed before the receiver answers (as the tests do), not just after.
INTAKE_IMMEDIATE = env_bool("FRONTDESK_INTAKE_IMMEDIATE", HUEY_IMMEDIATE)
# N: a receiver's stored mail is processed by N child processes (other cores), each sender's mail
# by one, not by a thread of its own (ADR 0014, 0015); 0: by a thread. SQLite has one writer, so
# a second process would only wait for it. One on PostgreSQL: on two cores a second child shares
# them with the receiver and the database, and measured slower (ADR 0015).
INTAKE_PROCESSES = env_int("FRONTDESK_INTAKE_PROCESSES", int(DATABASES["default"]["ENGINE"].endswith("postgresql")))
# Tasks return nothing anyone reads: results are not stored (they would pile up in Redis).
# A task name a consumer does not know is kept and retried, never dropped (frontdesk.core.queue).
HUEY: dict[str, Any]
if REDIS_URL:
    HUEY = {
        "huey_class": "frontdesk.core.queue.RedisHuey",
        "name": "frontdesk",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "results": False,
        "consumer": {"workers": env_int("FRONTDESK_WORKER_THREADS", 4), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "frontdesk.core.queue.SqliteHuey",
        "name": "frontdesk",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "results": False,
        "consumer": {"workers": env_int("FRONTDESK_WORKER_THREADS", 2), "worker_type": "thread"},
    }

# --- auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["frontdesk.accounts.auth.EmailBackend"]
# Argon2id at m=32 MiB, t=2, p=1 (above OWASP's minimum; see frontdesk/accounts/hashers.py); hashes stored
# with other parameters, or with PBKDF2, are re-hashed at the next sign-in.
PRODUCTION_PASSWORD_HASHERS = [
    "frontdesk.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_HASHERS = list(PRODUCTION_PASSWORD_HASHERS)
if env_bool("FRONTDESK_TEST_FAST_HASHER", False):  # set by the test suite only
    PASSWORD_HASHERS = ["frontdesk.testing.hashers.FastArgon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "workspace:login"
# sessions read from the cache (local memory embedded, Redis at scale) and written through to the
# database, which stays the record: a cold or unavailable cache falls back to it
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("FRONTDESK_SECURE_COOKIES", not EMBEDDED)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Sign-in throttle: failures allowed per (account, client address) and per client address.
LOGIN_FAILURES_PER_ACCOUNT_AND_IP = env_int("FRONTDESK_LOGIN_FAILURES_PER_ACCOUNT_AND_IP", 5)
LOGIN_FAILURES_PER_IP = env_int("FRONTDESK_LOGIN_FAILURES_PER_IP", 50)
LOGIN_THROTTLE_SECONDS = env_int("FRONTDESK_LOGIN_THROTTLE_SECONDS", 900)

# --- API ------------------------------------------------------------------
API_RATE_LIMIT_PER_MINUTE = env_int("FRONTDESK_API_RATE_LIMIT_PER_MINUTE", 600)
API_MAX_BODY_BYTES = env_int("FRONTDESK_API_MAX_BODY_BYTES", 1_048_576)
MAX_ATTACHMENT_BYTES = env_int("FRONTDESK_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
IDEMPOTENCY_TTL_HOURS = env_int("FRONTDESK_IDEMPOTENCY_TTL_HOURS", 24)

# --- files ----------------------------------------------------------------
MEDIA_ROOT = env_str("FRONTDESK_MEDIA_ROOT", str(VAR_DIR / "files"))
UPLOAD_PENDING_QUOTA_BYTES = env_int("FRONTDESK_UPLOAD_PENDING_QUOTA_BYTES", 100 * 1024 * 1024)
UPLOAD_PENDING_QUOTA_CUSTOMER_BYTES = env_int("FRONTDESK_UPLOAD_PENDING_QUOTA_CUSTOMER_BYTES", 40 * 1024 * 1024)
STATIC_URL = "/static/"
STATIC_ROOT = env_str("FRONTDESK_STATIC_ROOT", str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it; files come from the finders
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files from the app folders directly (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env_str("FRONTDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- email channel -----------------------------------------------------------
EMAIL_MAX_MESSAGE_BYTES = env_int("FRONTDESK_EMAIL_MAX_MESSAGE_BYTES", 30 * 1024 * 1024)  # raw mail over HTTP
EMAIL_BURST_LIMIT = env_int("FRONTDESK_EMAIL_BURST_LIMIT", 20)  # messages from one sender …
EMAIL_BURST_WINDOW_MINUTES = env_int("FRONTDESK_EMAIL_BURST_WINDOW_MINUTES", 10)  # … within this window
EMAIL_ACK_WINDOW_MINUTES = env_int("FRONTDESK_EMAIL_ACK_WINDOW_MINUTES", 60)  # one acknowledgement per window
# attachments of one outgoing reply, in total; the rest are named in the body instead
EMAIL_MAX_OUTBOUND_ATTACHMENT_BYTES = env_int("FRONTDESK_EMAIL_MAX_OUTBOUND_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# how long a worker's claim on an outgoing mail lasts: a killed worker's sends are retried after it
EMAIL_SEND_LEASE_SECONDS = env_int("FRONTDESK_EMAIL_SEND_LEASE_SECONDS", 300)
# the site's default SMTP server, for mailboxes without one of their own (a local MTA by default)
EMAIL_HOST = env_str("FRONTDESK_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("FRONTDESK_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("FRONTDESK_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("FRONTDESK_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("FRONTDESK_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("FRONTDESK_SMTP_SSL", False)
EMAIL_TIMEOUT = env_int("FRONTDESK_SMTP_TIMEOUT", 30)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set FRONTDESK_SMTP_STARTTLS or FRONTDESK_SMTP_SSL, not both.")

# --- search ---------------------------------------------------------------
# PostgreSQL text search configuration: "simple" works for every language; "english", "german", …
# add stemming for one language. Changing it needs `frontdesk manage search_rebuild`.
SEARCH_TS_CONFIG = env_str("FRONTDESK_SEARCH_TS_CONFIG", "simple")

# --- events ---------------------------------------------------------------
EVENTS_MAX_DEPTH = env_int("FRONTDESK_EVENTS_MAX_DEPTH", 8)
EVENTS_MAX_ATTEMPTS = env_int("FRONTDESK_EVENTS_MAX_ATTEMPTS", 8)

# --- security headers -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("FRONTDESK_BEHIND_PROXY", False) else None
# Proxies whose X-Forwarded-For / X-Forwarded-Proto the server believes (addresses or CIDR ranges);
# empty: believe none. The throttles count the client address this yields.
TRUSTED_PROXIES = env_list("FRONTDESK_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
# HTTPS only: redirect plain HTTP (load balancer health checks on /healthz stay reachable) and tell
# browsers to use HTTPS for this long (HSTS). Off by default: a browser keeps HSTS for the whole
# period, so switch it on once HTTPS works.
SECURE_SSL_REDIRECT = env_bool("FRONTDESK_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("FRONTDESK_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FRONTDESK_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("FRONTDESK_HSTS_PRELOAD", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("FRONTDESK_LOG_LEVEL", "WARNING")},
}
