"""Settings come from the environment; bad values stop the process with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-" + "k" * 50,
    "ALLOWED_HOSTS": "internboard.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The parent's test-only switches must not leak into a "production" process.
    dropped = {"DEBUG", "SECRET_KEY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_with_debug_off_stops_with_a_clear_message():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "Environment variable DEBUG has a bad value"),
        ("DATABASE_URL", "nosuchdb://x", "Environment variable DATABASE_URL has a bad value"),
        ("REDIS_URL", "http://127.0.0.1:6379", "REDIS_URL must start with redis://"),
        ("TIME_ZONE", "Mars/Olympus", "is not a known time zone"),
        ("EMAIL_PORT", "twenty-five", "Environment variable EMAIL_PORT has a bad value"),
    ],
)
def test_bad_environment_values_stop_at_start_naming_the_variable(name, value, message):
    result = manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_defaults_need_no_environment_for_development():
    result = manage("check", env={"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_production_redis_settings_bound_every_wait_and_degrade():
    script = (
        "from django.conf import settings as s; "
        "c = s.CACHES['default']; "
        "print(c['BACKEND'], c['OPTIONS']['socket_timeout'], "
        "c['OPTIONS']['socket_connect_timeout'], s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )
    result = manage(
        "shell", "-c", script, env={**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    )
    assert result.returncode == 0, result.stderr
    backend, read_timeout, connect_timeout, health_checks = result.stdout.splitlines()[-1].split()
    assert backend == "config.cache.FailOpenRedisCache"
    assert 0 < float(read_timeout) <= 1
    assert 0 < float(connect_timeout) <= 1
    assert health_checks == "True"  # a kept connection is checked before a request reuses it
