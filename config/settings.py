"""Wayhome settings: one file, every operator choice read from ``WAYHOME_*`` variables.

See docs/operations.md for the list of variables. ``WAYHOME_PRODUCTION=1`` turns on the production
mode: secrets must come from the environment, HTTPS-only cookies, HSTS, MFA required, and
``manage.py check --deploy --fail-level WARNING`` is clean.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config import env
from wayhome.people import matching as _matching

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.get_str("VAR_DIR") or BASE_DIR / "var")

PRODUCTION = env.get_bool("PRODUCTION", False)
DEBUG = env.get_bool("DEBUG", False) and not PRODUCTION

_dev_secrets = None if PRODUCTION else env.dev_secrets(VAR_DIR / "dev-secrets.json")
SECRET_KEY = env.secret("SECRET_KEY", production=PRODUCTION, fallback=_dev_secrets)

# Personal data encryption (wayhome.core.crypto). "kid:key,kid:key": the first key encrypts, all
# keys decrypt. Keys are 32 bytes, URL-safe base64.
ENCRYPTION_KEYS = env.secret("ENCRYPTION_KEYS", production=PRODUCTION, fallback=_dev_secrets)
# Master key of the blind indexes; one key per purpose is derived from it (HKDF).
BLIND_INDEX_KEY = env.secret("BLIND_INDEX_KEY", production=PRODUCTION, fallback=_dev_secrets)
# Key of the audit trail's hash chain (HMAC-SHA256).
AUDIT_KEY = env.secret("AUDIT_KEY", production=PRODUCTION, fallback=_dev_secrets)

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "wayhome.core",
    "wayhome.accounts",
    "wayhome.audit",
    "wayhome.people",
    "wayhome.cases",
    "wayhome.consent",
    "wayhome.eligibility",
    "wayhome.assessments",
    "wayhome.safety",
    "wayhome.movements",
    "wayhome.reintegration",
    "wayhome.portal",
    "wayhome.feedback",
    "wayhome.surveys",
    "wayhome.reporting",
    "wayhome.imports",
    "wayhome.exports",
    "wayhome.protection",
    "wayhome.retention",
    "wayhome.api",
]

MIDDLEWARE = [
    "wayhome.core.middleware.RequestIdMiddleware",
    "wayhome.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wayhome.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the accounts middleware: the session timeout tells the user why they were signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wayhome.accounts.middleware.SessionTimeoutMiddleware",
    "wayhome.accounts.middleware.MfaRequiredMiddleware",
    "wayhome.accounts.middleware.StaffOnlyMiddleware",
    "wayhome.accounts.middleware.CurrentOfficeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "wayhome.api.middleware.ApiErrorShapeMiddleware",
    "wayhome.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Selects written in Python, the rest through Django's form templates (wayhome/core/renderers.py).
FORM_RENDERER = "wayhome.core.renderers.FastSelectRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wayhome" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wayhome.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.get_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'wayhome.sqlite3'}",
        conn_max_age=env.get_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL connection pool (psycopg-pool) in each process, on when WAYHOME_DB_POOL_MAX is set:
# Django then requires CONN_MAX_AGE 0 (a connection goes back to the pool after each request).
DB_POOL_MAX = env.get_int("DB_POOL_MAX", 0)
if DB_POOL_MAX > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(env.get_int("DB_POOL_MIN", 2), DB_POOL_MAX),
        "max_size": DB_POOL_MAX,
        "timeout": env.get_int("DB_POOL_TIMEOUT", 10),  # seconds a request waits for a connection
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# MFA: TOTP for every signed-in user when required (always in production mode).
REQUIRE_MFA = env.get_bool("REQUIRE_MFA", PRODUCTION)

# Duplicate detection (wayhome.people): the score at or above which a record is shown as a
# possible duplicate, and how many years back "assisted before" looks.
DUPLICATE_THRESHOLD = float(
    env.get_str("DUPLICATE_THRESHOLD") or _matching.DEFAULT_THRESHOLD  # a plain module: no Django
)
ASSISTED_LOOKBACK_YEARS = env.get_int("ASSISTED_LOOKBACK_YEARS", 5)
# Bulk import (wayhome.imports): the largest file accepted, in bytes, and the most data rows.
IMPORT_MAX_BYTES = env.get_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.get_int("IMPORT_MAX_ROWS", 100_000)
# Exports (wayhome.exports): hours a file is kept, exports a user may ask for per hour, rows
# read per query and rows between two progress updates.
EXPORT_TTL_HOURS = env.get_int("EXPORT_TTL_HOURS", 24)
EXPORTS_PER_HOUR = env.get_int("EXPORTS_PER_HOUR", 10)
EXPORT_CHUNK_ROWS = env.get_int("EXPORT_CHUNK_ROWS", 2000)
# Lists count matching rows up to this many and then say "more than" (wayhome/core/paging.py).
LIST_COUNT_CAP = env.get_int("LIST_COUNT_CAP", 10_000)
# Bulk-access alerts (wayhome.protection.alerts): this many different person records opened by
# one user within ACCESS_ALERT_MINUTES, or this many exports within ACCESS_ALERT_EXPORT_HOURS.
ACCESS_ALERT_RECORDS = env.get_int("ACCESS_ALERT_RECORDS", 50)
ACCESS_ALERT_MINUTES = env.get_int("ACCESS_ALERT_MINUTES", 10)
ACCESS_ALERT_EXPORTS = env.get_int("ACCESS_ALERT_EXPORTS", 5)
ACCESS_ALERT_EXPORT_HOURS = env.get_int("ACCESS_ALERT_EXPORT_HOURS", 24)
# People's requests about their data (wayhome.protection): days from receipt to the answer's due
# date; the folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf for the subject-access PDF.
DATA_REQUEST_DAYS = env.get_int("DATA_REQUEST_DAYS", 30)
PDF_FONT_DIR = env.get_str("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
EXPORT_PROGRESS_ROWS = env.get_int("EXPORT_PROGRESS_ROWS", 1000)

# Travel (wayhome.movements): voluntariness is re-confirmed at most this many days before
# departure; a fitness-to-travel check counts if made at most this many days before departure;
# a consulate request without an answer after this many days is reminded.
RECONFIRM_WITHIN_DAYS = env.get_int("RECONFIRM_WITHIN_DAYS", 3)
FITNESS_VALID_DAYS = env.get_int("FITNESS_VALID_DAYS", 3)
DOCUMENT_ANSWER_DAYS = env.get_int("DOCUMENT_ANSWER_DAYS", 14)
# Reintegration (wayhome.reintegration): a plan is due this many days after arrival; a partner
# that has not answered a referral after REFERRAL_ANSWER_DAYS is reminded, and the referral is
# escalated to the office's programme managers REFERRAL_ESCALATE_DAYS after the reminder.
PLAN_DUE_DAYS = env.get_int("PLAN_DUE_DAYS", 30)
REFERRAL_ANSWER_DAYS = env.get_int("REFERRAL_ANSWER_DAYS", 7)
REFERRAL_ESCALATE_DAYS = env.get_int("REFERRAL_ESCALATE_DAYS", 7)
# The public portal (wayhome.portal, wayhome.feedback): requests per client address (and per
# reference code for status checks) in a window; proxies trusted to give the client's address in
# X-Forwarded-For; feedback to be answered within FEEDBACK_DUE_DAYS (triage may set another date).
PROXY_COUNT = env.get_int("PROXY_COUNT", 0)
PUBLIC_FORM_LIMIT = env.get_int("PUBLIC_FORM_LIMIT", 10)  # submissions an hour
STATUS_CHECK_LIMIT = env.get_int("STATUS_CHECK_LIMIT", 10)  # checks an hour
PUBLIC_API_READ_LIMIT = env.get_int("PUBLIC_API_READ_LIMIT", 600)  # public API reads an hour
# Searches by name or date of birth one signed-in user may make in an hour (pages and API).
SEARCH_LIMIT = env.get_int("SEARCH_LIMIT", 300)
FEEDBACK_DUE_DAYS = env.get_int("FEEDBACK_DUE_DAYS", 14)
# Surveys (wayhome.surveys): a follow-up is overdue this many days after its due date.
SURVEY_WINDOW_DAYS = env.get_int("SURVEY_WINDOW_DAYS", 30)
# Statistics (wayhome.reporting): a published cell counts 0 or at least DISCLOSURE_K people;
# DISCLOSURE_K_SENSITIVE for victims of trafficking, children and health needs. Never below 3.
DISCLOSURE_K = max(3, env.get_int("DISCLOSURE_K", 5))
DISCLOSURE_K_SENSITIVE = max(DISCLOSURE_K, env.get_int("DISCLOSURE_K_SENSITIVE", 10))
OTP_TOTP_ISSUER = "Wayhome"

# Login throttling (django-axes): failures are counted per account, not per address, so that an
# attack on one account locks that account without locking out an office behind one NAT address.
AXES_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.get_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "wayhome.accounts.throttling.lockout_username"
# axes warns when the address is not part of the lockout. That is deliberate: a whole office, a
# reception centre or a mobile network shares one address, and an attacker there must lock only
# the account attacked, not everyone else (docs/security.md, "Login throttling").
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "password"]

# Sessions: an idle timeout and an absolute one (accounts.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.get_int("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.get_int("SESSION_MAX_HOURS", 10))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_NAME = "__Host-wayhome_session" if PRODUCTION else "wayhome_session"
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_NAME = "__Host-csrftoken" if PRODUCTION else "csrftoken"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Security headers. CSP is strict: no inline scripts or styles anywhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.get_bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.get_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.get_bool("HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registered domain and every subdomain to HTTPS in browsers
        # for months, and is hard to undo: the operator opts in (WAYHOME_HSTS_PRELOAD=1) for a
        # domain they control entirely, so Django's reminder about it is silenced until then.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    # Load balancers and Prometheus reach each app server directly on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
if env.get_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "wayhome" / "locale"]
TIME_ZONE = env.get_str("TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "wayhome" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    # Large files (imports, exports): encrypted by wayhome.core.blobs before they are stored.
    "blobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "blobs", "directory_permissions_mode": 0o700},
    },
}
# S3-compatible object storage for the blobs (django-storages) when WAYHOME_S3_BUCKET is set.
# Objects are private (no ACL is sent: the bucket's own, which must block public access).
if env.get_str("S3_BUCKET"):
    STORAGES["blobs"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.get_str("S3_BUCKET"),
            "endpoint_url": env.get_str("S3_ENDPOINT_URL") or None,
            "region_name": env.get_str("S3_REGION") or None,
            "access_key": env.get_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env.get_str("S3_SECRET_ACCESS_KEY") or None,
            "location": env.get_str("S3_PREFIX") or "",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = not PRODUCTION

TASKS = {
    "default": {
        "BACKEND": env.get_str("TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
    }
}

# Prometheus /metrics (wayhome.core.metrics): served only to requests bearing this token.
METRICS_TOKEN = env.get_str("METRICS_TOKEN") or ""
# The bench harness's bare view (/bench/bare), registered only when this is on.
WAYHOME_BENCH = env.get_bool("BENCH", False)

# E-mail (notifications through the task queue; they carry case references, never names).
# Without WAYHOME_EMAIL_HOST, mails are written to the console (make run) instead of being sent.
EMAIL_HOST = env.get_str("EMAIL_HOST") or ""
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.get_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env.get_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env.get_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL") or "wayhome@localhost"

# Logging: plain lines with the request id; values of personal data are never logged.
LOG_LEVEL = env.get_str("LOG_LEVEL") or "INFO"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "wayhome.core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# Audit: how many events the auditor's page shows at once.
AUDIT_PAGE_SIZE = 50
