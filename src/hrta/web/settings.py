"""Django settings, read from the environment.

HRTA_DATA_DIR        where the SQLite databases and generated keys live (default ./var)
DATABASE_URL         the answers database (default: SQLite in HRTA_DATA_DIR)
CONTACTS_DATABASE_URL the contact-details database (default: a second SQLite file)
HRTA_SECRET_KEY      Django's secret key (default: generated once into HRTA_DATA_DIR)
HRTA_CONTACTS_KEY    Fernet key that encrypts contact details (default: generated once)
HRTA_DEBUG           1 for development error pages
HRTA_ALLOWED_HOSTS   comma-separated host names (default: localhost names)
HRTA_SUPPRESS_BELOW  smallest count shown in filtered dashboard views (default 5)
HRTA_LOGIN_FAILURE_LIMIT, HRTA_LOGIN_LOCKOUT_MINUTES  failed sign-ins per username and client
                     address before a pause, and the first pause (5, 15); each further
                     failure doubles the pause, up to HRTA_LOGIN_LOCKOUT_MAX_MINUTES (1440)
HRTA_LOGIN_IP_FAILURE_LIMIT  failed sign-ins per client address before a pause (20; 0: off)
HRTA_TRUSTED_PROXIES reverse proxies (addresses or networks, comma-separated) whose
                     X-Forwarded-For and X-Forwarded-Proto are believed (default: none)
HRTA_HTTPS           1 when visitors reach the site over HTTPS: secure cookies and HSTS
                     (HRTA_SECURE_COOKIES=1 is the older name); HRTA_HSTS_SECONDS (1 year)
HRTA_RESUME_DAYS     days a resume link stays valid (default 60)
HRTA_AUDIT_LOG       a file the audit log is also appended to, one JSON line per entry
HRTA_SHARED_DIR      files every server and worker must see: task results (reports) and
                     media (default HRTA_DATA_DIR/shared; on several servers, a shared mount)
HRTA_TASK_LEASE      seconds a worker's hold on a task lasts unrenewed before another worker
                     takes the task over (default 30)
HRTA_TASK_ATTEMPTS   how often a task is tried, counting retries (default 3)
HRTA_TASK_RESULT_DAYS days a task's result file is kept (default 7)
HRTA_PREPARE_FINDINGS 0 to not queue a wave's Findings and charts after new data (default 1:
                     the first person to look does not wait for them)
HRTA_FINDINGS_EVERY  at most one such refresh per wave this many seconds after the last
                     one ended, however many answers come in meanwhile (default 10)
HRTA_IMPORT_TASK_BYTES uploads larger than this many bytes are imported by a worker, with
                     progress on a task page (default 2 MB); smaller ones in the request
HRTA_EMAIL_URL       where e-mail goes: smtp://USER:PASSWORD@HOST:587 (STARTTLS), smtps://…:465
                     (TLS from the start), smtp+insecure://HOST:25 (no encryption, for a relay
                     on the same machine), or console:// (printed, the default)
HRTA_EMAIL_HOST, HRTA_EMAIL_PORT, HRTA_EMAIL_USER, HRTA_EMAIL_PASSWORD, HRTA_EMAIL_TLS
                     the same as separate settings (TLS: starttls, ssl or none; default
                     starttls), used when HRTA_EMAIL_URL is not set
HRTA_EMAIL_FROM      the sender address (default hrta@localhost)
HRTA_EMAIL_TIMEOUT   seconds to wait for the mail server (default 10)
HRTA_EMAIL_RATE      invitations and reminders sent at most this fast, e.g. 60/minute (the
                     default), 2/second, 500/hour: counted over every worker
HRTA_EMAIL_ATTEMPTS  how often one invitation or reminder is tried in all (default 3)
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# The light home of the default (hrta.analysis.suppression names the same value): the
# settings load for every management command, which should not wait for Polars.
from hrta.defaults import DEFAULT_THRESHOLD
from hrta.files import write_text_atomic
from hrta.web.datadir import make_private
from hrta.web.invitations.pace import parse_rate
from hrta.web.mailconfig import attempts as email_attempts
from hrta.web.mailconfig import email_settings

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("HRTA_DATA_DIR", "var")).resolve()
# Before any database or key in it is opened: see hrta.web.datadir.
make_private(DATA_DIR, ("static",))


def _generated(name: str, make: Callable[[], str]) -> str:
    """A secret kept in DATA_DIR, created on first use, readable by the owner only."""
    path = DATA_DIR / name
    if not path.exists():
        write_text_atomic(path, make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("HRTA_SECRET_KEY") or _generated(
    "secret_key", lambda: secrets.token_urlsafe(50))
CONTACTS_KEY = os.environ.get("HRTA_CONTACTS_KEY") or _generated(
    "contacts.key", lambda: Fernet.generate_key().decode())
try:
    Fernet(CONTACTS_KEY)
except ValueError:
    # Checked at start-up: a mistyped key would otherwise surface only when the first
    # respondent leaves an address, as a failed page.
    raise ImproperlyConfigured(
        "HRTA_CONTACTS_KEY is not a valid key: it must be 32 bytes in URL-safe base64 "
        "(44 characters), as made by `python -c \"from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())\"`") from None
DEBUG = os.environ.get("HRTA_DEBUG") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "HRTA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "hrta.web.accounts",
    "hrta.web.surveys",
    "hrta.web.contacts",
    "hrta.web.mail",
    "hrta.web.invitations",
    "hrta.web.assessment",
    "hrta.web.staff",
    "hrta.web.assistance",
    "hrta.web.coding",
    "django_tasks",
    "django_tasks_db",
    "hrta.web.tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their long cache lifetimes and need no policy.
    "hrta.web.security.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hrta.web.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hrta.web.urls"
WSGI_APPLICATION = "hrta.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database(url: str | None, sqlite_name: str) -> dj_database_url.DBConfig:
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / sqlite_name),
            # WAL lets readers (the dashboard) work while respondents write; a busy timeout
            # makes concurrent writers wait instead of failing.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {
    "default": _database(os.environ.get("DATABASE_URL"), "hrta.sqlite3"),
    # Contact details live in a database of their own so that no query can join them to
    # answers; see hrta.web.contacts.
    "contacts": _database(os.environ.get("CONTACTS_DATABASE_URL"), "contacts.sqlite3"),
}
DATABASE_ROUTERS = ["hrta.web.contacts.routers.ContactsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGIN_FAILURE_LIMIT = int(os.environ.get("HRTA_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("HRTA_LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_LOCKOUT_MAX_MINUTES = int(os.environ.get("HRTA_LOGIN_LOCKOUT_MAX_MINUTES", "1440"))
# Failed sign-ins from one client address, whatever the username (0: no address limit).
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("HRTA_LOGIN_IP_FAILURE_LIMIT",
                                            str(4 * LOGIN_FAILURE_LIMIT)))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# The web's own catalogue, then the one for checks shared with the command line (import
# errors, catalog checks: hrta.web.inputerrors), which makemessages here does not see.
LOCALE_PATHS = [PACKAGE_DIR / "locale", PACKAGE_DIR.parent / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# USWDS and axe-core come from npm (package.json at the project root), installed by the set-up.
_NODE_MODULES = Path(os.environ.get("HRTA_NODE_MODULES", PACKAGE_DIR.parents[2] / "node_modules"))
# A folder, or (prefix, folder) for files served under a prefix.
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [PACKAGE_DIR / "static"]
_USWDS = _NODE_MODULES / "@uswds" / "uswds" / "dist"
if _USWDS.is_dir():
    # What the pages load: the compiled CSS and JS and the fonts and images the CSS asks
    # for; not the Sass sources (see hrta.web.assets for the icons left out).
    STATICFILES_DIRS += [(f"uswds/{part}", _USWDS / part) for part in ("css", "js", "fonts", "img")]
STATICFILES_FINDERS = ["hrta.web.assets.AssetFinder",
                       "django.contrib.staticfiles.finders.AppDirectoriesFinder"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"


def _networks(variable: str) -> list[str]:
    """Addresses or networks, comma-separated. Each is checked here: a typo must stop the
    app with a clear message, not quietly trust nobody."""
    found = []
    for item in os.environ.get(variable, "").split(","):
        text = item.strip()
        if not text:
            continue
        try:
            found.append(str(ipaddress.ip_network(text, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{variable}: {text!r} is not an IP address or network (write e.g. "
                "10.0.0.5 or 10.0.0.0/24, comma-separated)") from None
    return found


# Reverse proxies whose X-Forwarded-For names the client (hrta.web.audit.client_address,
# for the sign-in lockout and the audit log); `hrta serve` also hands them to gunicorn,
# which then believes their X-Forwarded-Proto. Anyone can send those headers, so from any
# other address they are ignored.
HRTA_TRUSTED_PROXIES = _networks("HRTA_TRUSTED_PROXIES")
# Visitors come over HTTPS (a proxy ends TLS and says so with X-Forwarded-Proto): cookies
# are sent over HTTPS only, and pages reached over HTTPS tell browsers to use nothing else.
HTTPS = "1" in (os.environ.get("HRTA_HTTPS"), os.environ.get("HRTA_SECURE_COOKIES"))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HRTA_HSTS_SECONDS", "31536000")) if HTTPS else 0
# Every page's scripts, styles, images and fonts come from hrta's own static files: no
# inline script or style, no other site, no plugin, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF], "script-src": [SELF], "style-src": [SELF],
    "img-src": [SELF, "data:"], "font-src": [SELF], "connect-src": [SELF],
    "object-src": [NONE], "base-uri": [NONE], "frame-ancestors": [NONE],
    "form-action": [SELF],
}}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Slow work runs as tasks on the database (hrta.web.tasks): no broker, and several servers
# and workers share it. The Findings and dashboards are cached in the database too, so
# every server reads what one worked out; only the ResponseSet each filter starts from is
# kept in a process ("local"), under a key that changes with the wave's data.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "hrta_cache", "OPTIONS": {"MAX_ENTRIES": 2000}},
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
              "OPTIONS": {"MAX_ENTRIES": 20}},
}
HRTA_SHARED_DIR = Path(os.environ.get("HRTA_SHARED_DIR") or DATA_DIR / "shared").resolve()
MEDIA_ROOT = HRTA_SHARED_DIR / "media"
HRTA_TASK_LEASE = float(os.environ.get("HRTA_TASK_LEASE", "30"))
HRTA_TASK_ATTEMPTS = int(os.environ.get("HRTA_TASK_ATTEMPTS", "3"))
HRTA_TASK_RESULT_DAYS = int(os.environ.get("HRTA_TASK_RESULT_DAYS", "7"))
HRTA_PREPARE_FINDINGS = os.environ.get("HRTA_PREPARE_FINDINGS", "1") != "0"
HRTA_FINDINGS_EVERY = float(os.environ.get("HRTA_FINDINGS_EVERY", "10"))
HRTA_IMPORT_TASK_BYTES = int(os.environ.get("HRTA_IMPORT_TASK_BYTES", str(2 * 1024 * 1024)))
IMPORT_MAX_BYTES = int(os.environ.get("HRTA_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))

SUPPRESS_BELOW = int(os.environ.get("HRTA_SUPPRESS_BELOW", DEFAULT_THRESHOLD))
RESUME_DAYS = int(os.environ.get("HRTA_RESUME_DAYS", "60"))
# Each audit entry is also appended to this file as a JSON line, to ship elsewhere.
AUDIT_LOG_FILE = os.environ.get("HRTA_AUDIT_LOG", "")

# E-mail: printed to the console unless a mail server is configured (hrta.web.mailconfig).
_EMAIL = email_settings(os.environ)
EMAIL_BACKEND = _EMAIL.backend
EMAIL_HOST = _EMAIL.host
EMAIL_PORT = _EMAIL.port
EMAIL_HOST_USER = _EMAIL.user
EMAIL_HOST_PASSWORD = _EMAIL.password
EMAIL_USE_TLS = _EMAIL.starttls
EMAIL_USE_SSL = _EMAIL.ssl
EMAIL_TIMEOUT = _EMAIL.timeout
DEFAULT_FROM_EMAIL = SERVER_EMAIL = _EMAIL.sender
# Invitations and reminders: at most this many messages per second, minute or hour, over
# every worker; each message tried at most HRTA_EMAIL_ATTEMPTS times (hrta.web.invitations).
HRTA_EMAIL_RATE = parse_rate(os.environ.get("HRTA_EMAIL_RATE", "60/minute"))
HRTA_EMAIL_ATTEMPTS = email_attempts(os.environ)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Django logs the path of every 404, e.g. an expired resume link's: see hrta.web.accesslog.
    "filters": {"resume_codes": {"()": "hrta.web.accesslog.ScrubResumeCodes"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["resume_codes"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A worker says what it takes, what it puts back and when it cannot reach the database.
    "loggers": {"hrta.worker": {"level": "INFO"}, "hrta.web.tasks": {"level": "INFO"}},
}
