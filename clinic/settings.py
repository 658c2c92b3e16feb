"""Settings for clinic-intake, read from the environment (see .env.example).

A malformed value raises ImproperlyConfigured naming the variable (clinic/env.py). Outside
debug the app refuses to start without a real secret key.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clinic.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_INSECURE_KEY_PREFIX = "django-insecure-"
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
# Whether the key came from the environment. Command-line tools (migrate, makemigrations,
# screen) run without one; serving requests does not: clinic/wsgi.py and clinic/asgi.py refuse
# to start outside debug without a real key (clinic.env.require_secret_key_to_serve).
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY:
    SECRET_KEY = (
        _INSECURE_KEY_PREFIX + "development-only-key-never-used-in-production"
        if DEBUG
        else secrets.token_urlsafe(50)  # a throwaway key for tools; never used to serve
    )
elif not DEBUG and (SECRET_KEY.startswith(_INSECURE_KEY_PREFIX) or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "clinic.admin_site.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # PostgreSQL's index expressions (the trigram search indexes, clinic/pg_indexes.py); on
    # SQLite it only registers lookups that nothing uses.
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clinic",
    "intake",
    "screening",
    # Notifications and the task queue (issue 15).
    "django_q",
    "screening.notify",
]

MIDDLEWARE = [
    # Outermost: whatever the app or a library set, no response names the server software.
    "clinic.middleware.NoServerHeaderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, renewing the idle limit at most once a minute (clinic/sessions.py).
    "clinic.sessions.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.middleware.SessionLimitsMiddleware",
    # Clinicians and admins reach nothing but the second-factor pages until it is verified.
    "clinic.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the site-wide header built once (clinic/middleware.py).
    "clinic.middleware.CSPMiddleware",
    # Axes last, as its documentation asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.roles",
                "clinic.context_processors.clinic_identity",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# One transaction per request: a view that fails half-way leaves nothing half-written.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections: a worker keeps its connection for a minute instead of opening one per
# request (issue 13); Django checks it is alive before reusing it. 0 closes it after each request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
# The few statements every step POST runs are prepared once per PostgreSQL session
# (clinic/prepared.py). Off behind a pooler that hands each transaction another session
# (PgBouncer in transaction mode).
CLINIC_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer rather than failing at once when two requests write together.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "clinic.User"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out account/address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's roles with the user (clinic/backends.py).
    "clinic.backends.UserWithRolesBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: 5 failed logins for the same account from the same address lock that pair out
# for the cool-off time (django-axes).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the e-mail address as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Failures are counted on the account, not on its spelling: "Lock@Sec.Test" and
# "lock@sec.test" are one account (clinic.lockout.axes_username case-folds the address), on
# the site's login, the admin's login and the second-factor page alike.
AXES_USERNAME_CALLABLE = "clinic.lockout.axes_username"
# A correct password alone does not wipe the count: a staff member's failures (wrong
# passwords and wrong codes) are reset only once the second factor is verified, a patient's
# at a successful sign-in (clinic.lockout.reset_failures, called from clinic.signals).
AXES_RESET_ON_SUCCESS = False
# Never stored with a failed attempt.
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "token", "code"]
# Axes logs the username (an e-mail address) of every failure: its logger is kept at ERROR
# below so that nothing identifying reaches the logs; the attempts stay in the database.
AXES_VERBOSE = False

# Second factor for clinicians and admins (django-otp): a TOTP authenticator app, and
# one-time recovery codes for when the phone is lost.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", "clinic-intake")
MFA_RECOVERY_CODES = 10

# Sessions live in the database (server-side). Idle timeout: 30 minutes, sliding: a request
# renews the row's expiry once it is a minute old (clinic/sessions.py; renewing it on every
# request cost every page a second transaction). Absolute limit: 12 hours from login,
# enforced by clinic.middleware.SessionLimitsMiddleware.
SESSION_ENGINE = "clinic.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30, minimum=1) * 60
SESSION_RENEW_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False  # clinic.sessions.SessionMiddleware decides when to renew
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_HOURS", default=12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A stale token (signed in again in another tab) gets a friendly page, never Django's raw
# 403; a patient's step post is read back there and can be saved after signing in (docs/intake.md).
CSRF_FAILURE_VIEW = "intake.views.csrf_failure"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("DJANGO_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG and env.bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: everything from our own origin, no inline script, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-us"
# The clinic's own time zone decides the assessment date of an intake.
TIME_ZONE = env.str("DJANGO_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
_MANIFEST_STATIC = env.bool("DJANGO_MANIFEST_STATIC", default=not DEBUG)
# collectstatic writes here in production; development and tests serve from the finders.
STATIC_ROOT = BASE_DIR / "staticfiles" if _MANIFEST_STATIC else None
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm registry at setup (`npm ci`), never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _MANIFEST_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
# Without a collectstatic run (development, tests), whitenoise serves from the finders.
WHITENOISE_USE_FINDERS = not _MANIFEST_STATIC

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

_email = env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
if not DEBUG and EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    # The console prints password-reset and confirmation links where anyone reading the
    # server's output could use them.
    raise ImproperlyConfigured("EMAIL_URL=consolemail:// is for development only (DJANGO_DEBUG=true).")
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", "clinic-intake <no-reply@localhost>")
# Who receives urgent safety and medical alerts by e-mail (comma-separated); clinicians see
# them in the queue in any case. This seeds the alert addresses at the first `migrate`; after
# that an admin keeps them in the back office (notify.AlertRecipient).
CLINIC_ALERT_EMAILS = env.list("CLINIC_ALERT_EMAILS", default=[])
# The clinic as the patient's copy of their intake names it (the PDF's contact details).
CLINIC_NAME = env.str("CLINIC_NAME", "The clinic")
CLINIC_PHONE = env.str("CLINIC_PHONE", "")
# The clinic's identity on every patient page and e-mail (issue 12). An admin may set each of
# these in the back office (Clinic identity); a field left blank there falls back to these.
# Address and hours: lines separated by "|" (e.g. "12 Main Street|Springfield, IL 62701").
CLINIC_ADDRESS = env.str("CLINIC_ADDRESS", "")
CLINIC_HOURS = env.str("CLINIC_HOURS", "")
# The confirmation page's promise: the clinic contacts the patient within this many business days.
CLINIC_REVIEW_DAYS = env.int("CLINIC_REVIEW_DAYS", default=2, minimum=1)
# The header's logo when the admin uploaded none: a PNG, JPEG or WebP file of at most 512 KB
# (clinic/logo.py checks it once per process; a file that fails is logged and not shown).
CLINIC_LOGO_FILE = env.str("CLINIC_LOGO_FILE", "")
# The canonical base of the FHIR exports' own code systems and questionnaire
# (screening/fhir.py). A canonical URL names; it need not resolve. Set it once and keep it:
# an EHR stores codes under it.
FHIR_CANONICAL_BASE = env.str("FHIR_CANONICAL_BASE", "https://clinic-intake.example.org/fhir").rstrip("/")

# --- Notifications and the task queue (issue 15) -----------------------------------------------
# The absolute address of the app, for links in e-mails (urgent alerts, reminders). Required
# outside debug (`check --deploy` reports it missing).
CLINIC_SITE_URL = env.str("CLINIC_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if CLINIC_SITE_URL:
    _site = urlsplit(CLINIC_SITE_URL)
    if _site.scheme not in {"http", "https"} or not _site.netloc or _site.query or _site.fragment:
        raise ImproperlyConfigured(
            f"CLINIC_SITE_URL={CLINIC_SITE_URL!r} is not a site address such as https://intake.example-clinic.org."
        )
# Draft reminders: the first after this many days without activity, the second after the
# longer wait, then no more.
CLINIC_REMINDER_FIRST_DAYS = env.int("CLINIC_REMINDER_FIRST_DAYS", default=2, minimum=1)
CLINIC_REMINDER_SECOND_DAYS = env.int("CLINIC_REMINDER_SECOND_DAYS", default=7, minimum=1)
if CLINIC_REMINDER_SECOND_DAYS <= CLINIC_REMINDER_FIRST_DAYS:
    raise ImproperlyConfigured(
        f"CLINIC_REMINDER_SECOND_DAYS={CLINIC_REMINDER_SECOND_DAYS} must be more than "
        f"CLINIC_REMINDER_FIRST_DAYS={CLINIC_REMINDER_FIRST_DAYS}."
    )
# A failed e-mail is tried again after 1, 2, 4 … minutes (at most 30 between tries), this
# many times in all before it is marked failed.
CLINIC_NOTIFY_MAX_ATTEMPTS = env.int("CLINIC_NOTIFY_MAX_ATTEMPTS", default=12, minimum=1)
# An SMTP server that does not answer within this many seconds counts as a failed attempt
# (Django's default is to wait for ever, which would stall the worker).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=10, minimum=1)
# /healthz reports the worker as late when it has not been seen for this long.
CLINIC_WORKER_LATE_SECONDS = env.int("CLINIC_WORKER_LATE_SECONDS", default=300, minimum=60)
# The task queue (django-q2). "orm": the database is the queue, no other service needed;
# redis://host:6379/0 (or rediss://) uses an existing Redis; the worker is `manage.py qcluster`.
_TASK_BROKER = env.str("CLINIC_TASK_BROKER", "orm")
Q_CLUSTER: dict[str, object] = {
    "name": "clinic-intake",
    "workers": env.int("CLINIC_TASK_WORKERS", default=2, minimum=1),
    # A task that runs longer is stopped; an unacknowledged one is handed out again after
    # `retry` seconds. Our tasks retry themselves with backoff, so a failure is acknowledged.
    "timeout": 60,
    "retry": 120,
    "ack_failures": True,
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 500,
    "label": "Task queue",
}
if _TASK_BROKER == "orm":
    Q_CLUSTER["orm"] = "default"
elif _TASK_BROKER.startswith(("redis://", "rediss://")):
    Q_CLUSTER["redis"] = _TASK_BROKER
else:
    raise ImproperlyConfigured(
        f"CLINIC_TASK_BROKER={_TASK_BROKER!r} is not a task broker: use orm or redis://host:6379/0."
    )
# --- end of notifications and the task queue ----------------------------------------------------

# Logs carry no names, e-mail addresses or answers: request paths use opaque ids only, and
# django.request (which logs the path and status of errors) goes to stderr without bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "ERROR"},
    },
}
