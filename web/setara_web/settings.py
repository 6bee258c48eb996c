"""Settings of the Setara web platform, read from the environment.

Defaults are embedded and safe: a SQLite file under ``SETARA_DATA_DIR`` (zero setup), DEBUG off,
secure cookies, a strict Content-Security-Policy, Argon2 password hashing. Set ``DATABASE_URL``
(``postgres://user:pass@host/db``) for PostgreSQL. Every variable is listed in docs/deploy.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SETARA_DATA_DIR", BASE_DIR.parent / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SETARA_SECRET_KEY, or a random key kept in the data folder (created once, mode 0600)."""
    if key := os.environ.get("SETARA_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# The key of beneficiary pseudonyms (HMAC of the NIK, at least 32 bytes); derived from SECRET_KEY
# when unset, so changing SECRET_KEY then changes every pseudonym.
BENEFICIARY_KEY = os.environ.get("SETARA_BENEFICIARY_KEY", "")
DEBUG = env_bool("SETARA_DEBUG", False)
ALLOWED_HOSTS = env_list("SETARA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("SETARA_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "agencies",
    "audit",
    "datasets",
    "analyses",
    "programmes",
    "monitoring",
    "services",
    "api",
    # After the apps: analyses' db_worker (job recovery, docs/deploy.md) replaces the plain one.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "setara_web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "setara_web.middleware.UploadLimitMiddleware",  # 413 before anything reads the body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "setara_web.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "setara_web.urls"
WSGI_APPLICATION = "setara_web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context.memberships",
            ],
        },
    },
]

# --- Database: a SQLite file by default, PostgreSQL (or any dj-database-url URL) when set.
# SQLite runs as an embedded server database: WAL (readers never wait for the writer), a busy
# timeout of 20 s, and write transactions that take the lock at BEGIN (IMMEDIATE) so they wait
# instead of failing; no transaction is held while files are read or statistics computed.
# Connections are kept for 60 s between requests on both engines: opening a SQLite connection
# (Django's functions, the PRAGMAs) cost 2.6 ms of CPU, a quarter of a token API list request;
# a kept connection holds no transaction between requests (autocommit).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'setara.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache shared by the web workers and the task worker: rendered result pages and charts.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": DATA_DIR / "cache",
        "TIMEOUT": 7 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# --- Background tasks: Django's task framework with the database-backed worker (db_worker).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SETARA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Passwords and sessions.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SETARA_SESSION_SECONDS", 8 * 3600))
# Login throttling, counted from the audit trail over a sliding window (docs/deploy.md):
# LIMIT failed logins for one username lock that username; ADDRESS_LIMIT failures from one
# address make that address careful: only accounts without a failure in the window may still
# sign in from it, so a correct password of a user who has not failed is never refused.
LOGIN_FAILURE_LIMIT = int(os.environ.get("SETARA_LOGIN_FAILURE_LIMIT", 5))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SETARA_LOGIN_ADDRESS_FAILURE_LIMIT", 50))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("SETARA_LOGIN_FAILURE_WINDOW", 15 * 60))
# The client address: REMOTE_ADDR, unless a trusted reverse proxy sets a header (for example
# X-Forwarded-For); then the address TRUSTED_PROXY_COUNT entries from the right of that header.
TRUSTED_PROXY_HEADER = os.environ.get("SETARA_TRUSTED_PROXY_HEADER", "").strip()
TRUSTED_PROXY_COUNT = int(os.environ.get("SETARA_TRUSTED_PROXY_COUNT", 1))

# --- Background jobs: a running job renews its lease (heartbeat) every HEARTBEAT seconds; one
# whose lease is older than LEASE seconds lost its worker and is retried until it has been
# tried MAX_ATTEMPTS times, then failed with the reason. The worker looks every RECOVERY seconds.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("SETARA_JOB_HEARTBEAT_SECONDS", 15))
JOB_LEASE_SECONDS = float(os.environ.get("SETARA_JOB_LEASE_SECONDS", 120))
JOB_MAX_ATTEMPTS = int(os.environ.get("SETARA_JOB_MAX_ATTEMPTS", 2))
# Seconds HiGHS may search for a siting scenario's proven optimum before reporting the gap.
SITING_TIME_LIMIT = float(os.environ.get("SETARA_SITING_TIME_LIMIT", 60))
JOB_RECOVERY_SECONDS = float(os.environ.get("SETARA_JOB_RECOVERY_SECONDS", 60))

# --- Transport security. SETARA_HTTPS=0 only for a loopback demo over plain HTTP.
HTTPS = env_bool("SETARA_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "setara_web.errors.csrf_failure"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SETARA_SSL_REDIRECT", False)
if env_bool("SETARA_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SETARA_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SETARA_HSTS_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- Languages: Bahasa Indonesia and English, chosen per user (Profile.language).
LANGUAGE_CODE = os.environ.get("SETARA_LANGUAGE", "id")
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("SETARA_TIME_ZONE", "Asia/Jakarta")
USE_TZ = True

# --- Static files, served by the application itself (WhiteNoise), no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("SETARA_MANIFEST_STATIC", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()

# --- Uploads: streamed to disk, limited in size on every path (413), stored as Parquet.
STORAGE_DIR = DATA_DIR / "files"
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = ["setara_web.middleware.LimitedUploadHandler"]
MAX_UPLOAD_BYTES = int(float(os.environ.get("SETARA_MAX_UPLOAD_MB", 2048)) * 1024 * 1024)
# A request may exceed the file limit by this much (form fields and multipart boundaries).
UPLOAD_FORM_ALLOWANCE = 64 * 1024
# Input limits, checked from each file's header or metadata before it is read (docs/deploy.md);
# the defaults are setara.limits.ReadLimits' (a test keeps them equal).
MAX_COLUMNS = int(os.environ.get("SETARA_MAX_COLUMNS", 5_000))
MAX_CELLS = int(os.environ.get("SETARA_MAX_CELLS", 250_000_000))
MAX_EXPANDED_MB = int(os.environ.get("SETARA_MAX_EXPANDED_MB", 4_096))
# Files younger than this are never removed by cleanup_files (an upload may be in flight).
CLEANUP_GRACE_SECONDS = int(os.environ.get("SETARA_CLEANUP_GRACE_SECONDS", 3600))
# db_worker removes orphaned files at start and this often (0: only `manage.py cleanup_files`).
CLEANUP_INTERVAL_SECONDS = float(os.environ.get("SETARA_CLEANUP_INTERVAL_SECONDS", 3600))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SETARA_LOG_LEVEL", "WARNING")},
    # fpdf2 reports every SVG element it does not draw (titles, patterns) in PDFs.
    "loggers": {"fpdf": {"level": "ERROR"}},
}
