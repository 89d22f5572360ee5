"""Internboard settings, read from the environment only.

With no environment at all the app runs in development-friendly defaults
except DEBUG: SQLite in the project folder, Celery tasks executed in-process,
local-memory cache, emails printed to the console. Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS (README lists every
variable). A malformed value stops the process at start with a sentence that
names the variable.
"""

from __future__ import annotations

import tempfile
import zoneinfo
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _read(name: str, cast, default):
    """Read one variable, turning a parse failure into a clear start-up error."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(
            f"Environment variable {name} has a bad value: {error}"
        ) from error


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name: str, default: bool) -> bool:
    """A strict boolean: django-environ would read a typo like "ture" as False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(
            f"Environment variable {name} has a bad value: {raw!r} is not one of "
            "1/0, true/false, yes/no, on/off."
        )
    return value in _TRUE


def _database(name: str, default: str) -> dict:
    config = _read(name, env.db_url, default)
    if config.get("ENGINE") not in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }:
        raise ImproperlyConfigured(
            f"Environment variable {name} has a bad value: use postgres://… or sqlite:///…"
        )
    return config


DEBUG: bool = _bool("DEBUG", False)

SECRET_KEY: str = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(set DEBUG=1 for local development, or provide a long random SECRET_KEY)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS: list[str] = _read(
    "ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS: list[str] = _read("CSRF_TRUSTED_ORIGINS", env.list, [])

# Absolute base URL used in links that leave the request cycle (emails sent
# from Celery, webhooks): no request is there to build it from.
SITE_URL: str = _read("SITE_URL", env.url, "http://127.0.0.1:8000").geturl().rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "teams",
    "projects",
    "integrations",
    "tasks",
    "analytics",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.context",  # header links registered by the apps
                "notifications.context_processors.bell",  # the header's bell (no query)
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": _database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
DATABASES["default"].setdefault("CONN_MAX_AGE", _read("DB_CONN_MAX_AGE", env.int, 60))
# A kept connection may have died meanwhile (a database restart or failover):
# check it with a cheap query before a request reuses it, and reconnect,
# rather than answer that request a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite holds connections per thread; keeping them open brings nothing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif _bool("DB_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, and statements prepared on a connection's
    # second run of them: PostgreSQL then plans a hot statement once per kept
    # connection, not on every request. Planning the board's and a move's joined,
    # permission-filtered reads took longer than running them (2 ms against
    # 0.2 ms; docs/performance.md). Behind a pooler in transaction mode that
    # cannot keep prepared statements (PgBouncer without max_prepared_statements),
    # set DB_PREPARED_STATEMENTS=0.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=1
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------------
REDIS_URL: str = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")

# Every Redis call gives up quickly: a stopped Redis refuses at once, but a
# frozen or unreachable one would hold a request for as long as the socket
# waits. Each caller degrades instead (the cache answers as empty, the
# throttle lets requests through, a failed publish is left to the outbox
# sweeps), so an outage costs a request at most these timeouts.
REDIS_SOCKET_TIMEOUT = 0.5  # seconds; Redis normally answers in well under 1 ms
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "internboard",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The in-memory transport ignores the host, but kombu warns "No hostname was
# supplied" on every pooled connection to a URL without one (eager tasks still
# take a producer from the pool), so the fallback names one.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Without a broker, tasks run in-process at .delay() time, so a fresh machine
# needs nothing but Python; errors propagate to the caller like any bug would.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A worker that dies mid-task leaves the message to be delivered again; tasks
# are written to be idempotent, so running twice is safe, losing one is not.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Webhook deliveries wait on other people's servers: they get their own queue
# so a slow receiver never delays e-mails or event dispatch. A worker started
# without -Q consumes both; docker-compose runs one worker per queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {
    "celery": {"exchange": "celery", "routing_key": "celery"},
    "webhooks": {"exchange": "webhooks", "routing_key": "webhooks"},
}
CELERY_TASK_ROUTES = {"integrations.tasks.webhook_deliver_task": {"queue": "webhooks"}}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # Bounded publishes (the worker's BRPOP loop is not subject to these; kombu
    # watches it with its own health check).
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    # One connection attempt when a publish needs one: kombu's default sleeps
    # 2 s before its first retry. Workers and beat reconnect under their own
    # policy (broker_connection_max_retries), which this does not change.
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
# A publish is tried once: config.queueing.enqueue logs a failure and the
# outbox sweeps send the work later. Celery's default retries (with the
# timeouts above, per attempt) kept a response waiting after its commit.
CELERY_TASK_PUBLISH_RETRY = False
# The worker heartbeat in the dependency report (/statusz) lives in config.health.
CELERY_IMPORTS = ["config.health"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "config-worker-heartbeat": {
        "task": "config.health.worker_heartbeat_task",
        "schedule": timedelta(seconds=30),
        "options": {"expires": 30},  # a late heartbeat is a wrong one: drop it
    },
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions_task",
        "schedule": timedelta(hours=24),
    },
    "integrations-sweep-outbox": {
        "task": "integrations.tasks.outbox_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "integrations-prune-outbox": {
        "task": "integrations.tasks.outbox_prune_task",
        "schedule": timedelta(hours=24),
    },
    "accounts-sweep-outgoing-email": {
        "task": "accounts.tasks.outgoing_email_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # Stale analytics keys whose coalesced message was lost (broker down).
    "analytics-recompute-pending": {
        "task": "analytics.tasks.analytics_recompute_task",
        "schedule": timedelta(minutes=1),
    },
    # The nightly full rebuild (03:00 UTC), a safety net under the incremental path.
    "analytics-nightly-rebuild": {
        "task": "analytics.tasks.analytics_rebuild_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # Due-tomorrow and overdue notices: hourly, so each recipient gets theirs once
    # a day in the morning of their own time zone (the job itself is idempotent).
    "notifications-due-dates": {
        "task": "notifications.tasks.notifications_due_task",
        "schedule": crontab(minute=5),
    },
}

# --- Auth -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before checking them.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # set-password links for new participants

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one
# username from one address, that pair is locked for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = _read("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=_read("AXES_COOLOFF_MINUTES", env.int, 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Reverse proxies in front (each appends to X-Forwarded-For): the client is the
# AXES_PROXY_COUNT-th address from the right; 0 = use the socket address only.
AXES_IPWARE_PROXY_COUNT = _read("AXES_PROXY_COUNT", env.int, 0)
if AXES_IPWARE_PROXY_COUNT < 0:
    raise ImproperlyConfigured("AXES_PROXY_COUNT must be 0 or a positive number of proxies.")
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.login_client_address"

# --- REST API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.BearerTokenAuthentication",
        "accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],  # bounds nesting depth
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["config.api_filters.FilterBackend"],  # strict ids, booleans
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["config.api.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": _read("API_THROTTLE_RATE", env.str, "1200/hour")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Internboard API",
    "DESCRIPTION": (
        "REST API v1 for integrations. Authenticate with a personal API token: "
        "`Authorization: Bearer <token>` (create one at /settings/tokens/). "
        'Errors are JSON: `{"detail": message, "code": name}`: `detail` in the user\'s '
        "language, `code` a stable English name; plus `errors` per field for validation "
        "and `current` on a 409. This schema is the same English one whoever asks "
        "(`?lang=ru`: a copy with translated descriptions)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.stable_names",
        "config.api.add_error_responses",
    ],
    "DEFAULT_GENERATOR_CLASS": "config.api_generator.SchemaGenerator",
    # Enum component names pinned to their choices: a new field of the same name
    # with other choices cannot take (and so rename) one of these.
    "ENUM_NAME_OVERRIDES": {
        "CategoryEnum": "projects.models.ColumnCategory",
        "PriorityEnum": "tasks.models.Priority",
        "RoleEnum": "teams.models.Role",
        "DecisionEnum": "tasks.models.ReviewDecision",
        "PreferredLanguageEnum": "accounts.models.Language",
    },
}

# Webhooks: deliveries to loopback, private, link-local or metadata addresses
# are refused unless this is on (tests and local development only).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: bool = _bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = 5
# The longest one delivery attempt may take from connect to last byte: a
# receiver trickling bytes is cut off here and cannot hold a worker.
WEBHOOK_DEADLINE_SECONDS: float = _read("WEBHOOK_DEADLINE_SECONDS", env.float, 10.0)
if WEBHOOK_DEADLINE_SECONDS <= 0:
    raise ImproperlyConfigured("Environment variable WEBHOOK_DEADLINE_SECONDS must be positive.")
WEBHOOK_MAX_ATTEMPTS = 8

# --- Analytics ----------------------------------------------------------------------
# A burst of events within this many seconds shares one recompute.
ANALYTICS_COALESCE_SECONDS = 2
# The longest period the analytics API and pages accept, in days.
ANALYTICS_MAX_RANGE_DAYS = 400
# At-risk interns: no board activity for this many working days; a task
# waiting in review longer than this many days; last week's throughput below
# this share of their own average over the weeks before.
ANALYTICS_IDLE_WORKING_DAYS = 3
ANALYTICS_REVIEW_WAIT_DAYS = 2
ANALYTICS_THROUGHPUT_DROP = 0.5

# --- Notifications ------------------------------------------------------------------
# Notification e-mails to one person within this many seconds go out as one e-mail.
# In-process mode (no broker) has no delayed tasks, so there they go out at once.
NOTIFICATION_EMAIL_BATCH_SECONDS: int = _read(
    "NOTIFICATION_EMAIL_BATCH_SECONDS", env.int, 0 if CELERY_TASK_ALWAYS_EAGER else 180
)
if not 0 <= NOTIFICATION_EMAIL_BATCH_SECONDS <= 3600:
    raise ImproperlyConfigured(
        "Environment variable NOTIFICATION_EMAIL_BATCH_SECONDS must be between 0 and 3600."
    )
# Due-date notices go out from this hour on (0-23), in each recipient's time zone.
NOTIFICATION_DUE_HOUR: int = _read("NOTIFICATION_DUE_HOUR", env.int, 8)
if not 0 <= NOTIFICATION_DUE_HOUR <= 23:
    raise ImproperlyConfigured("Environment variable NOTIFICATION_DUE_HOUR must be 0 to 23.")

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE: str = env.str("TIME_ZONE", default="Europe/Moscow")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known time zone.") from error

# --- Static files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# Uploads (CSV imports) are small; cap what a request may carry.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Trello board exports (tasks.trello): the cap is checked before a byte is parsed;
# uploads wait between preview and import in this directory (web and worker must share it).
TRELLO_IMPORT_MAX_BYTES: int = _read("TRELLO_IMPORT_MAX_BYTES", env.int, 50 * 1024 * 1024)
TRELLO_IMPORT_DIR = Path(
    _read("TRELLO_IMPORT_DIR", env.str, str(Path(tempfile.gettempdir()) / "internboard-trello"))
)
if TRELLO_IMPORT_MAX_BYTES < 1:
    raise ImproperlyConfigured("TRELLO_IMPORT_MAX_BYTES must be a positive number of bytes.")
# The CSV task import (tasks.transfer): the largest file, in bytes, and most data rows
# (each row goes through task_create in the request: about 13 queries a row).
TASK_IMPORT_MAX_BYTES: int = _read("TASK_IMPORT_MAX_BYTES", env.int, 5 * 1024 * 1024)
TASK_IMPORT_MAX_ROWS: int = _read("TASK_IMPORT_MAX_ROWS", env.int, 2000)
# One file per upload request (task attachments); larger files go to a temporary file.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Attachments --------------------------------------------------------------------
# Files on tasks live in the default storage: MEDIA_ROOT on the local disk, or
# an S3-compatible bucket when ATTACHMENTS_S3_BUCKET is set (credentials from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by boto3 itself). MEDIA_URL
# is never routed: files go out only through tasks' permission-checking views.
MEDIA_ROOT = Path(_read("MEDIA_ROOT", env.str, str(BASE_DIR / "media")))
ATTACHMENT_MAX_BYTES: int = _read("ATTACHMENT_MAX_BYTES", env.int, 20 * 1024 * 1024)
if ATTACHMENT_MAX_BYTES <= 0:
    raise ImproperlyConfigured("Environment variable ATTACHMENT_MAX_BYTES must be positive.")
# The most all attachments of one project may hold together; 0 means no quota.
ATTACHMENT_PROJECT_QUOTA_BYTES: int = _read("ATTACHMENT_PROJECT_QUOTA_BYTES", env.int, 0)
if ATTACHMENT_PROJECT_QUOTA_BYTES < 0:
    raise ImproperlyConfigured(
        "Environment variable ATTACHMENT_PROJECT_QUOTA_BYTES must be 0 (no quota) or positive."
    )
ATTACHMENTS_S3_BUCKET: str = env.str("ATTACHMENTS_S3_BUCKET", default="")
if ATTACHMENTS_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            # Any S3-compatible store (MinIO, Ceph, a cloud's S3): its URL and region.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "location": env.str("ATTACHMENTS_S3_PREFIX", default=""),
            "file_overwrite": False,
            # Objects stay private: nothing links to the bucket, the app streams them.
            "default_acl": None,
            "querystring_auth": True,
        },
    }

# --- Email ----------------------------------------------------------------------------
EMAIL_BACKEND: str = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST: str = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT: int = _read("EMAIL_PORT", env.int, 25)
EMAIL_HOST_USER: str = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD: str = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS: bool = _bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL: bool = _bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="Internboard <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers ------------------------------------------------------------
# Scripts and styles only from our own static files: templates carry no
# inline <script>, no style= and no on* attributes. htmx would inject an inline
# indicator style; base.html turns that off through its htmx-config meta tag.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _bool("USE_X_FORWARDED_PROTO", False) else None
)
# Production (DEBUG off) defaults to HTTPS everywhere; each can be turned off
# explicitly, e.g. SECURE_SSL_REDIRECT=0 when a proxy already redirects.
SECURE_SSL_REDIRECT: bool = _bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE: bool = _bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE: bool = _bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS: int = _read("SECURE_HSTS_SECONDS", env.int, 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS: bool = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD: bool = _bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^statusz$"]

# --- Logging ------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # In-process tasks would log a line per task inside every request.
    "loggers": {"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {},
}

# In development WhiteNoise serves straight from the app folders (no
# collectstatic needed); production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
