"""Gunicorn settings for the container image.

Used as `gunicorn config.wsgi:application -c config/gunicorn.conf.py`, the
image's default command. Read from the environment, like the Django settings:

- ``WEB_CONCURRENCY``: worker processes; default ``2 * cores + 1``, capped at
  ``MAX_DEFAULT_WORKERS`` (a container often sees every core of the host, not
  its CPU quota, and each worker holds a whole Django process in memory).
- ``FORWARDED_ALLOW_IPS``: addresses or networks of the reverse proxy whose
  ``X-Forwarded-*`` headers gunicorn trusts (comma separated, CIDR allowed);
  default loopback only. Prefer the proxy's network over ``*``.
- ``GUNICORN_TIMEOUT`` / ``GUNICORN_GRACEFUL_TIMEOUT``: seconds before a silent
  worker is killed / that workers get to finish requests on shutdown. Keep
  the container's stop grace period above the graceful timeout.
- ``LOG_LEVEL``: shared with Django's logging (``INFO`` by default).

A malformed value stops gunicorn at start with a sentence naming the variable.
"""

from __future__ import annotations

import os

MAX_DEFAULT_WORKERS = 8


def _int_from_env(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"Environment variable {name} must be an integer, got {raw!r}.") from None
    if value < minimum:
        raise ValueError(f"Environment variable {name} must be at least {minimum}, got {value}.")
    return value


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours cpusets (docker --cpuset-cpus)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


wsgi_app = "config.wsgi:application"
bind = "0.0.0.0:8000"  # noqa: S104 - inside a container; the compose file decides what is published
workers = _int_from_env("WEB_CONCURRENCY", default_workers(_available_cores()), minimum=1)
worker_class = "sync"

timeout = _int_from_env("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = _int_from_env("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = 5  # a reverse proxy in front reuses connections

# Recycle workers now and then so a slow leak cannot grow without bound;
# the jitter keeps them from restarting all at once.
max_requests = _int_from_env("GUNICORN_MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = max_requests // 10

# Which proxies may tell gunicorn the client's scheme and address. Django
# decides HTTPS separately, through USE_X_FORWARDED_PROTO in config/settings.py.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to stdout/stderr, where the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# The worker heartbeat file on tmpfs, as gunicorn advises for containers: a
# disk-backed /tmp can stall workers. Only a heartbeat lives there.
_SHM = "/dev/shm"  # noqa: S108 - heartbeat file only, no data
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM

# No runtime control socket (gunicornc): nothing in the container uses it, and
# the app user's home is not writable.
control_socket_disable = True
