"""Settings for the test suite: the real settings with test-only speed-ups.

The environment still decides the database (SQLite by default, PostgreSQL
when DATABASE_URL is set, as in CI) so business rules are tested on the
engine production uses.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)

from config.settings import *  # noqa: E402, F403

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Argon2 is the production hasher; a fast one keeps thousands of logins cheap.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SITE_URL = "http://testserver"
# Tests decide per test whether a broker exists; by default tasks run inline.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "en"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
LOGGING = {**LOGGING, "loggers": {"axes": {"level": "WARNING"}}}  # noqa: F405
# Live-server request threads must not keep connections open past a request,
# or the test database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
