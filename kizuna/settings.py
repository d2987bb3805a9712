"""Kizuna settings: one module, read from environment variables.

Every knob an operator may turn is an environment variable documented in
docs/configuration.md. Defaults are for a developer's machine; production is
`DJANGO_DEBUG=0` plus a SECRET_KEY and ALLOWED_HOSTS.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG=0: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
        )
    SECRET_KEY = "dev-only-insecure-key-for-local-development-kizuna-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",
    "kizuna.core",
    "kizuna.accounts",
    "kizuna.partners",
    "kizuna.billing",
    "kizuna.community",
    "kizuna.connectors",
    "kizuna.directory",
    "kizuna.insights",
    "kizuna.advisories",
    "kizuna.integrations",
    "kizuna.outreach",
    "kizuna.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kizuna.core.request_context.RequestContextMiddleware",
    "kizuna.core.input_guard.RejectNulMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kizuna.accounts.middleware.RequireOTPVerificationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

if not DEBUG:
    # Serves collected static files (run `manage.py collectstatic`) with far-future caching.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "kizuna.urls"
WSGI_APPLICATION = "kizuna.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "kizuna.site.context_processors.branding",
            ],
        },
    },
]


# Database: SQLite file by default, so a fresh machine needs no server.
def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'kizuna.sqlite3'}"
    config = dict(dj_database_url.parse(url, conn_max_age=0 if "sqlite" in url else 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on the busy timeout instead of failing
        # with "database is locked" half-way through a transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
        Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalization: Japanese first, English available, times shown in Tokyo.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kizuna@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions and cookies.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form gets the branded page that says what to do (reload), in the visitor's language.
CSRF_FAILURE_VIEW = "kizuna.site.errors.csrf_failure"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if envbool("SECURE_PROXY_SSL_HEADER", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: everything from our own origin; nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # plotly.js (the copy inside the plotly package, on the insights pages) creates two
        # <style> elements of fixed content: an empty one it fills through the CSSOM, and its
        # own rules. Their hashes let exactly those in; the screenshot suite
        # (site/tests/test_screenshots.py) fails on a console error if a new plotly changes them.
        "style-src": [
            SELF,
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
            "'sha256-V2sIX92Uh6ZaGSFTKMHghsB85b9toJtmazgG09AI2uk='",
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Permissions Policy: browser features Kizuna never uses are denied to every page (and to
# anything a page might embed). Only names Chromium and Firefox recognize, since an unknown
# one is a console error in every browser tab.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Background work: the database queue (tests switch to the immediate backend).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
KIZUNA_WORKER_STALE_AFTER_S = envint("KIZUNA_WORKER_STALE_AFTER_S", 120)
# A consumer that fails on an event retries it after BASE seconds, doubling up to MAX.
KIZUNA_CONSUMER_RETRY_BASE_S = envint("KIZUNA_CONSUMER_RETRY_BASE_S", 30)
KIZUNA_CONSUMER_RETRY_MAX_S = envint("KIZUNA_CONSUMER_RETRY_MAX_S", 3600)
# Domain events older than this are pruned from the outbox, and so from the change feed.
KIZUNA_EVENT_RETENTION_DAYS = envint("KIZUNA_EVENT_RETENTION_DAYS", 90)

# File imports (core.imports): uploads run as import jobs in the worker.
KIZUNA_IMPORT_MAX_UPLOAD_BYTES = envint("KIZUNA_IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
KIZUNA_IMPORT_REPORT_MAX_LINES = envint("KIZUNA_IMPORT_REPORT_MAX_LINES", 10_000)
# Zip bombs: a Slack export may expand to at most this many bytes, each member at most
# this many times its compressed size.
KIZUNA_IMPORT_ZIP_MAX_BYTES = envint("KIZUNA_IMPORT_ZIP_MAX_BYTES", 2 * 1024 * 1024 * 1024)
KIZUNA_IMPORT_ZIP_MAX_RATIO = envint("KIZUNA_IMPORT_ZIP_MAX_RATIO", 200)

# Webhooks: each attempt's timeout, and a factor on the retry schedule (benchmarks shorten it).
KIZUNA_WEBHOOK_TIMEOUT_S = float(os.environ.get("KIZUNA_WEBHOOK_TIMEOUT_S", "15"))
KIZUNA_WEBHOOK_RETRY_SCALE = float(os.environ.get("KIZUNA_WEBHOOK_RETRY_SCALE", "1"))
# Where the destinations' SDKs send their calls: the vendors' hosts, a local fake in tests.
KIZUNA_HUBSPOT_HOST = os.environ.get("KIZUNA_HUBSPOT_HOST", "https://api.hubapi.com")
# A Salesforce destination's instance URL must be a host under one of these domains (staff
# enter it: Kizuna calls no other host with the org's credentials).
KIZUNA_SALESFORCE_DOMAINS = envlist(
    "KIZUNA_SALESFORCE_DOMAINS", "salesforce.com,force.com,salesforce.mil,sfcrmproducts.cn"
)
# Destination run rows (the run log on each destination's page) older than this are pruned.
KIZUNA_DESTINATION_RUN_RETENTION_DAYS = envint("KIZUNA_DESTINATION_RUN_RETENTION_DAYS", 30)
KIZUNA_FREEE_API_URL = os.environ.get("KIZUNA_FREEE_API_URL", "https://api.freee.co.jp")
KIZUNA_FREEE_TOKEN_URL = os.environ.get(
    "KIZUNA_FREEE_TOKEN_URL", "https://accounts.secure.freee.co.jp/public_api/token"
)
# BI destinations with a folder target write under this directory, never elsewhere.
KIZUNA_BI_EXPORT_ROOT = Path(os.environ.get("KIZUNA_BI_EXPORT_ROOT", BASE_DIR / "var" / "bi"))

# Branding: one deployment serves one ecosystem.
KIZUNA_ECOSYSTEM_NAME = os.environ.get("KIZUNA_ECOSYSTEM_NAME", "Kizuna")
KIZUNA_BRAND_COLOR = os.environ.get("KIZUNA_BRAND_COLOR", "#c2410c")
KIZUNA_LOGO_URL = os.environ.get("KIZUNA_LOGO_URL", "")
KIZUNA_TAGLINE = os.environ.get("KIZUNA_TAGLINE", "")

# Connector credentials are stored encrypted with a key derived from this (or SECRET_KEY).
# Set it separately so rotating SECRET_KEY does not make stored credentials unreadable.
KIZUNA_CREDENTIALS_KEY = os.environ.get("KIZUNA_CREDENTIALS_KEY", "")

# Networks the SSRF guard lets Kizuna fetch from although they are not public (comma-separated
# CIDRs, e.g. 127.0.0.0/8 for tests and benchmarks). Empty in production: check --deploy warns.
KIZUNA_SSRF_ALLOWED_NETWORKS = envlist("KIZUNA_SSRF_ALLOWED_NETWORKS", "")

# Security policies.
KIZUNA_STAFF_REQUIRE_TOTP = envbool("KIZUNA_STAFF_REQUIRE_TOTP", not DEBUG)
KIZUNA_LOGIN_ATTEMPTS_PER_EMAIL = envint("KIZUNA_LOGIN_ATTEMPTS_PER_EMAIL", 5)
KIZUNA_LOGIN_ATTEMPTS_PER_IP = envint("KIZUNA_LOGIN_ATTEMPTS_PER_IP", 30)
KIZUNA_LOGIN_LOCKOUT_S = envint("KIZUNA_LOGIN_LOCKOUT_S", 15 * 60)
# Monitors sending "Authorization: Bearer <this>" to /healthz get its details (empty: staff only).
KIZUNA_HEALTHZ_TOKEN = os.environ.get("KIZUNA_HEALTHZ_TOKEN", "")


def envnetworks(name: str) -> list[str]:
    networks = envlist(name, "")
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or CIDR networks, not {network!r}"
            ) from None
    return networks


# The client address (audit log, per-IP limits; kizuna.core.request_context.client_ip):
# the forwarding header is believed only from these proxies; empty = REMOTE_ADDR only.
KIZUNA_TRUSTED_PROXIES = envnetworks("KIZUNA_TRUSTED_PROXIES")
KIZUNA_CLIENT_IP_HEADER = os.environ.get("KIZUNA_CLIENT_IP_HEADER", "X-Forwarded-For")
OTP_TOTP_ISSUER = KIZUNA_ECOSYSTEM_NAME

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.tasks": {"level": "INFO"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
# Bounded limit/offset (kizuna.core.pagination): the maximum page size is 100.
NINJA_PAGINATION_CLASS = "kizuna.core.pagination.LimitOffsetPagination"

# Partner program (docs/partners.md).
# Verified achievements a badge needs for its levels: badge, silver, gold.
KIZUNA_BADGE_LEVEL_THRESHOLDS = [int(n) for n in envlist("KIZUNA_BADGE_LEVEL_THRESHOLDS", "1,3,10")]
# Achievements completed longer ago than this no longer count towards badges.
KIZUNA_BADGE_WINDOW_DAYS = envint("KIZUNA_BADGE_WINDOW_DAYS", 3 * 365)
# A profile its owner has not reviewed for this long is flagged stale.
KIZUNA_PROFILE_STALE_AFTER_DAYS = envint("KIZUNA_PROFILE_STALE_AFTER_DAYS", 365)
# A partner leaving the program gives this much notice; it stays listed and billed to the end
# of the month in which the notice runs out (docs/partners.md, "Leaving the program").
KIZUNA_PROGRAM_EXIT_NOTICE_DAYS = envint("KIZUNA_PROGRAM_EXIT_NOTICE_DAYS", 30)
# Partner applications accepted per client address per hour, and per contact email per day.
KIZUNA_APPLICATIONS_PER_HOUR_PER_IP = envint("KIZUNA_APPLICATIONS_PER_HOUR_PER_IP", 5)
KIZUNA_APPLICATIONS_PER_DAY_PER_EMAIL = envint("KIZUNA_APPLICATIONS_PER_DAY_PER_EMAIL", 3)
# Points in the rolling window needed for Bronze, Silver, Gold, Platinum.
KIZUNA_RANK_THRESHOLDS = [int(n) for n in envlist("KIZUNA_RANK_THRESHOLDS", "10,30,60,100")]
KIZUNA_RANK_WINDOW_DAYS = envint("KIZUNA_RANK_WINDOW_DAYS", 365)
# Days between the notice of a coming demotion and the demotion itself.
KIZUNA_RANK_GRACE_DAYS = envint("KIZUNA_RANK_GRACE_DAYS", 60)
KIZUNA_EVANGELIST_TERM_DAYS = envint("KIZUNA_EVANGELIST_TERM_DAYS", 365)
# Evidence files of one achievement: the size of each and how many.
KIZUNA_EVIDENCE_MAX_BYTES = envint("KIZUNA_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
KIZUNA_EVIDENCE_MAX_FILES = envint("KIZUNA_EVIDENCE_MAX_FILES", 10)
# Partner images: the largest upload of a logo and of a screenshot of published work, and
# how many screenshots a partner's public page shows (docs/partners.md, "Logo and work images").
KIZUNA_LOGO_MAX_BYTES = envint("KIZUNA_LOGO_MAX_BYTES", 2 * 1024 * 1024)
KIZUNA_WORK_IMAGE_MAX_BYTES = envint("KIZUNA_WORK_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
KIZUNA_WORK_IMAGES_MAX = envint("KIZUNA_WORK_IMAGES_MAX", 6)
# Billing: the bank statement CSV layout, a preset name or JSON {"date","payer","amount"}.
KIZUNA_BILLING_BANK_CSV = os.environ.get("KIZUNA_BILLING_BANK_CSV", "jp_internet_bank")
# The TrueType font embedded in invoice PDFs (CFF/OpenType outlines cannot be embedded).
KIZUNA_INVOICE_FONT_PATH = os.environ.get(
    "KIZUNA_INVOICE_FONT_PATH", str(BASE_DIR / "kizuna" / "billing" / "fonts" / "ipaexg.ttf")
)

# Security advisories (docs/advisories.md). Identifiers take OSV's `x_` prefix for a database
# of our own; affected packages are named in this OSV ecosystem, the product by this name.
KIZUNA_ADVISORY_ID_PREFIX = os.environ.get("KIZUNA_ADVISORY_ID_PREFIX", "x_KIZUNA")
KIZUNA_ADVISORY_ECOSYSTEM = os.environ.get("KIZUNA_ADVISORY_ECOSYSTEM", "Packagist")
KIZUNA_ADVISORY_PRODUCT_PACKAGE = os.environ.get(
    "KIZUNA_ADVISORY_PRODUCT_PACKAGE", "ec-cube/ec-cube"
)
# Days after release by which targeted partners must acknowledge and deal with their sites.
KIZUNA_ADVISORY_DEADLINE_DAYS = {
    severity: envint(f"KIZUNA_ADVISORY_DEADLINE_DAYS_{severity.upper()}", days)
    for severity, days in {"critical": 3, "high": 7, "medium": 30, "low": 90, "none": 90}.items()
}
KIZUNA_ADVISORY_ACK_LINK_MAX_AGE_DAYS = envint("KIZUNA_ADVISORY_ACK_LINK_MAX_AGE_DAYS", 30)
# /.well-known/security.txt (RFC 9116): a contact address besides the report form.
KIZUNA_SECURITY_CONTACT_EMAIL = os.environ.get("KIZUNA_SECURITY_CONTACT_EMAIL", "")
KIZUNA_SECURITY_TXT_VALID_DAYS = envint("KIZUNA_SECURITY_TXT_VALID_DAYS", 180)

# Directory (docs/directory.md). Ranking weights: each component scores 0-1000 points and
# is multiplied by its weight; set any of them with KIZUNA_DIRECTORY_WEIGHT_<NAME>.
KIZUNA_DIRECTORY_WEIGHTS = {
    name: envint(f"KIZUNA_DIRECTORY_WEIGHT_{name.upper()}", default)
    for name, default in {
        "text": 3,
        "evidence": 3,
        "rank": 1,
        "responsiveness": 1,
        "reviews": 1,
        "freshness": 1,
    }.items()
}
# Recommended leads only: points (x 1000 for a full match) for partners whose stated focus
# (注力分野) covers the badges a lead asks for. Search ranking never uses it (rule 8's spirit:
# what a partner says it wants is not evidence).
KIZUNA_RECOMMENDATION_FOCUS_WEIGHT = envint("KIZUNA_RECOMMENDATION_FOCUS_WEIGHT", 2)
# Points taken off a profile its owner has not reviewed in time (partners' stale_since).
KIZUNA_DIRECTORY_STALE_PENALTY = envint("KIZUNA_DIRECTORY_STALE_PENALTY", 2000)
# A rating counts as this many reviews of the prior mean (Bayesian average).
KIZUNA_DIRECTORY_REVIEW_PRIOR_COUNT = envint("KIZUNA_DIRECTORY_REVIEW_PRIOR_COUNT", 5)
KIZUNA_DIRECTORY_REVIEW_PRIOR_MEAN = float(
    os.environ.get("KIZUNA_DIRECTORY_REVIEW_PRIOR_MEAN", "3.5")
)
# Hours a partner has to accept or decline a lead before it expires (and moves on).
KIZUNA_LEAD_EXPIRY_HOURS = envint("KIZUNA_LEAD_EXPIRY_HOURS", 72)
KIZUNA_LEAD_MAX_PARTNERS = envint("KIZUNA_LEAD_MAX_PARTNERS", 3)
# Lead form limits (token buckets): requests per hour per client IP and per contact email.
KIZUNA_LEADS_PER_HOUR_PER_IP = envint("KIZUNA_LEADS_PER_HOUR_PER_IP", 10)
KIZUNA_LEADS_PER_HOUR_PER_EMAIL = envint("KIZUNA_LEADS_PER_HOUR_PER_EMAIL", 5)
# Public search API: requests per minute per client IP.
KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE = envint("KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE", 120)
