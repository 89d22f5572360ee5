"""The container files describe the stack DESIGN.md promises.

No Docker engine runs in the test environment and PyYAML is not a
dependency, so docker-compose.yml is read with a small indentation-based
reader that is enough for the block style the file is written in (two-space
indents, one key per line). The health-check commands are real Python: they
are executed here against a live server.
"""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config as GunicornConfig

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
DOCKERIGNORE = ROOT / ".dockerignore"
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
SETTINGS = ROOT / "config" / "settings.py"

APP_SERVICES = ("migrate", "web", "worker", "webhook-worker", "beat")
ALL_SERVICES = ("postgres", "redis", *APP_SERVICES)


# --- a minimal reader for the compose file's block style --------------------------------


def _strip_comment(line: str) -> str:
    """Drop a trailing ` # comment` outside quotes (enough for this file)."""
    quote = None
    for index, char in enumerate(line):
        if char in "\"'" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and (index == 0 or line[index - 1] == " "):
            return line[:index].rstrip()
    return line.rstrip()


def _lines(text: str) -> list[str]:
    return [stripped for line in text.splitlines() if (stripped := _strip_comment(line)).strip()]


def _children(lines: list[str]) -> dict[str, list[str]]:
    """Map each key at the block's own indent to its value lines (the rest of its line + body)."""
    if not lines:
        return {}
    indent = len(lines[0]) - len(lines[0].lstrip())
    children: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        depth = len(line) - len(line.lstrip())
        assert depth >= indent, f"unexpected dedent in compose block: {line!r}"
        if depth == indent:
            match = re.fullmatch(r"\s*([A-Za-z0-9_.<-]+):(?:\s+(.*))?", line)
            assert match, f"not a `key:` line: {line!r}"
            current = children.setdefault(match.group(1), [])
            # An anchor (`key: &name`) labels the block below; it is not its value.
            if match.group(2) and not match.group(2).startswith("&"):
                current.append(" " * (indent + 2) + match.group(2))
        else:
            assert current is not None
            current.append(line)
    return children


def _block(lines: list[str], *path: str) -> list[str]:
    for key in path:
        children = _children(lines)
        assert key in children, f"docker-compose.yml: {'.'.join(path)} is missing"
        lines = children[key]
    return lines


def _scalar(lines: list[str], *path: str) -> str:
    value = _block(lines, *path)
    assert len(value) == 1, f"{'.'.join(path)} is not a single value: {value}"
    return value[0].strip().strip('"')


def _flow_list(lines: list[str], *path: str) -> list[str]:
    """A `["a", "b"]` flow sequence of double-quoted strings (valid JSON as written)."""
    value = _scalar_raw(lines, *path)
    assert value.startswith("["), f"{'.'.join(path)} should be a [...] list, got {value!r}"
    return json.loads(value)


def _scalar_raw(lines: list[str], *path: str) -> str:
    value = _block(lines, *path)
    assert len(value) == 1, f"{'.'.join(path)} is not a single value: {value}"
    return value[0].strip()


@pytest.fixture(scope="module")
def compose() -> list[str]:
    return _lines(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Join continuation lines so each instruction is one line.
    return DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")


def _instructions(dockerfile: str, name: str) -> list[str]:
    return [
        line.strip()[len(name) :].strip()
        for line in dockerfile.splitlines()
        if line.strip().upper().startswith(name + " ")
    ]


def test_the_reader_sees_what_the_file_says():
    lines = _lines(
        "x-a: &a\n  build: .\nservices:\n  one:\n    <<: *a\n"
        '    command: ["run", "it"] # a comment\n    healthcheck:\n      test: ["CMD", "x"]\n'
    )
    assert _scalar(lines, "x-a", "build") == "."
    assert _flow_list(lines, "services", "one", "command") == ["run", "it"]
    assert _scalar(lines, "services", "one", "<<") == "*a"
    assert _flow_list(lines, "services", "one", "healthcheck", "test") == ["CMD", "x"]
    with pytest.raises(AssertionError, match="missing"):
        _block(lines, "services", "two")


# --- docker-compose.yml -----------------------------------------------------------------


def test_compose_declares_exactly_the_stack(compose):
    assert set(_children(_block(compose, "services"))) == set(ALL_SERVICES)
    assert set(_children(_block(compose, "volumes"))) == {"postgres-data", "redis-data"}


def test_postgres_is_version_15_with_a_volume_and_pg_isready(compose):
    assert _scalar(compose, "services", "postgres", "image") == "postgres:15"
    assert any(
        "postgres-data:/var/lib/postgresql/data" in line
        for line in _block(compose, "services", "postgres", "volumes")
    )
    test = _flow_list(compose, "services", "postgres", "healthcheck", "test")
    assert test[:2] == ["CMD", "pg_isready"]
    environment = _children(_block(compose, "services", "postgres", "environment"))
    assert {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"} <= set(environment)
    assert "ports" not in _children(_block(compose, "services", "postgres"))


def test_redis_is_version_7_with_redis_cli_ping(compose):
    assert _scalar(compose, "services", "redis", "image") == "redis:7"
    test = _flow_list(compose, "services", "redis", "healthcheck", "test")
    assert test == ["CMD", "redis-cli", "ping"]
    assert "ports" not in _children(_block(compose, "services", "redis"))


def test_app_services_share_the_x_app_anchor(compose):
    assert re.search(r"^x-app: &app$", COMPOSE.read_text(encoding="utf-8"), re.MULTILINE)
    assert _scalar(compose, "x-app", "build") == "."
    for service in APP_SERVICES:
        assert _scalar(compose, "services", service, "<<") == "*app", service
        # Nothing overrides the shared image or environment per service.
        assert "build" not in _children(_block(compose, "services", service)), service
        assert "environment" not in _children(_block(compose, "services", service)), service


def test_app_environment_points_at_the_compose_services(compose):
    env = {
        key: value[0].strip().strip('"')
        for key, value in _children(_block(compose, "x-app", "environment")).items()
    }
    assert env["DATABASE_URL"] == "postgres://internboard:internboard@postgres:5432/internboard"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "SECRET_KEY must be required"
    assert env["DEBUG"] == "0"
    assert env["ALLOWED_HOSTS"] == "${ALLOWED_HOSTS:-localhost,127.0.0.1}"
    assert "SITE_URL" in env
    # Plain HTTP on localhost: HTTPS-only behaviour is switched off explicitly.
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        assert env[name] == "0", name


def test_every_compose_variable_is_one_the_settings_read(compose):
    settings_source = SETTINGS.read_text(encoding="utf-8")
    gunicorn_source = GUNICORN_CONF.read_text(encoding="utf-8")
    for name in _children(_block(compose, "x-app", "environment")):
        assert f'"{name}"' in settings_source or f'"{name}"' in gunicorn_source, (
            f"{name} is set in docker-compose.yml but nothing reads it"
        )


def test_migrate_is_a_one_off_after_postgres_is_healthy(compose):
    assert _flow_list(compose, "services", "migrate", "command") == [
        "python",
        "manage.py",
        "migrate",
        "--noinput",
    ]
    assert _scalar(compose, "services", "migrate", "restart") == "no"
    assert (
        _scalar(compose, "services", "migrate", "depends_on", "postgres", "condition")
        == "service_healthy"
    )


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_processes_wait_for_migrations_and_the_broker(compose, service):
    depends = ("services", service, "depends_on")
    assert _scalar(compose, *depends, "migrate", "condition") == "service_completed_successfully"
    assert _scalar(compose, *depends, "redis", "condition") == "service_healthy"


def test_web_runs_gunicorn_on_port_8000_and_checks_readyz(compose):
    command = _flow_list(compose, "services", "web", "command")
    assert command[:2] == ["gunicorn", "config.wsgi:application"]
    assert "config/gunicorn.conf.py" in command
    assert [line.strip() for line in _block(compose, "services", "web", "ports")] == [
        '- "8000:8000"'
    ]
    test = _flow_list(compose, "services", "web", "healthcheck", "test")
    assert test[:3] == ["CMD", "python", "-c"]
    assert "/readyz" in test[3]


def test_worker_and_beat_run_celery(compose):
    assert _flow_list(compose, "services", "worker", "command") == [
        "celery",
        "-A",
        "config",
        "worker",
        "-Q",
        "celery",
        "-l",
        "info",
    ]
    # Webhook deliveries have their own queue and worker (issue 7, item 15).
    webhooks = _flow_list(compose, "services", "webhook-worker", "command")
    assert webhooks[:6] == ["celery", "-A", "config", "worker", "-Q", "webhooks"]
    webhook_test = _flow_list(compose, "services", "webhook-worker", "healthcheck", "test")
    assert "inspect ping --destination webhooks@" in webhook_test[1]
    beat = _flow_list(compose, "services", "beat", "command")
    assert beat[:6] == ["celery", "-A", "config", "beat", "-l", "info"]
    # The image's /app is read-only to the app user; the schedule lives in /tmp.
    assert beat[6:] == ["--schedule", "/tmp/celerybeat-schedule"]  # noqa: S108


def test_worker_has_its_own_health_check_and_beat_opts_out(compose):
    # Both inherit the image's HTTP /healthz check, which cannot pass without gunicorn.
    worker_test = _flow_list(compose, "services", "worker", "healthcheck", "test")
    assert worker_test[0] == "CMD-SHELL"
    assert "inspect ping" in worker_test[1]
    assert _scalar(compose, "services", "beat", "healthcheck", "disable") == "true"


# --- Dockerfile ---------------------------------------------------------------------


def test_dockerfile_base_image_and_port(dockerfile):
    assert _instructions(dockerfile, "FROM") == ["python:3.12-slim"]
    assert _instructions(dockerfile, "EXPOSE") == ["8000"]


def test_dockerfile_installs_pinned_requirements_without_cache(dockerfile):
    runs = _instructions(dockerfile, "RUN")
    assert any("pip install --no-cache-dir -r requirements.txt" in run for run in runs)


def test_dockerfile_compiles_translations_and_collects_static(dockerfile):
    runs = _instructions(dockerfile, "RUN")
    assert any("pybabel compile --domain django --directory locale" in run for run in runs)
    collect = [run for run in runs if "collectstatic --noinput" in run]
    assert len(collect) == 1
    assert "DEBUG=0" in collect[0]
    assert "SECRET_KEY=" in collect[0], "settings refuse to load without SECRET_KEY"


def test_dockerfile_bakes_in_no_secret(dockerfile):
    for instruction in ("ENV", "ARG", "LABEL"):
        for value in _instructions(dockerfile, instruction):
            assert "SECRET_KEY" not in value, f"{instruction} {value}"


def test_dockerfile_runs_as_a_non_root_user(dockerfile):
    users = _instructions(dockerfile, "USER")
    assert users, "the image must switch to an unprivileged user"
    assert users[-1].split(":")[0] not in {"root", "0"}
    # The switch happens before the command that serves traffic.
    assert dockerfile.rindex("\nUSER ") < dockerfile.rindex("\nCMD ")


def test_dockerfile_default_command_is_gunicorn_with_its_config(dockerfile):
    (cmd,) = _instructions(dockerfile, "CMD")
    assert json.loads(cmd) == [
        "gunicorn",
        "config.wsgi:application",
        "--config",
        "config/gunicorn.conf.py",
    ]


def test_dockerfile_health_check_probes_healthz_with_python(dockerfile):
    (healthcheck,) = _instructions(dockerfile, "HEALTHCHECK")
    command = json.loads(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2]


# --- no outside hosts ---------------------------------------------------------------

ALLOWED_URL_PREFIXES = (
    "postgres://internboard:internboard@postgres:5432/",
    "redis://redis:6379/",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
)


@pytest.mark.parametrize("path", [DOCKERFILE, COMPOSE, DOCKERIGNORE, GUNICORN_CONF])
def test_container_files_name_no_outside_host(path):
    text = path.read_text(encoding="utf-8")
    for url in re.findall(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"\]\)}]*", text):
        assert url.startswith(ALLOWED_URL_PREFIXES), f"{path.name} names {url}"
    assert not re.search(r"index-url|find-links|trusted-host", text), path.name


def test_images_come_without_a_registry_host(dockerfile, compose):
    images = _instructions(dockerfile, "FROM") + [
        _scalar(compose, "services", service, "image") for service in ALL_SERVICES[:2]
    ]
    for image in images:
        first = image.split("/")[0]
        assert "/" not in image or not ("." in first or ":" in first), image


# --- .dockerignore ------------------------------------------------------------------------


def test_dockerignore_keeps_local_state_and_build_outputs_out():
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".env", "db.sqlite3", "staticfiles", "**/*.mo"} <= patterns
    assert "**/__pycache__" in patterns
    # ...and never what the build needs.
    needed = {"requirements.txt", "manage.py", "config", "locale", "static", "templates"}
    assert not needed & patterns


# --- config/gunicorn.conf.py -------------------------------------------------------------


def _gunicorn(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "GUNICORN_TIMEOUT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults(monkeypatch):
    conf = _gunicorn(monkeypatch)
    assert conf["bind"] == "0.0.0.0:8000"  # noqa: S104
    assert conf["wsgi_app"] == "config.wsgi:application"
    assert 1 <= conf["workers"] <= conf["MAX_DEFAULT_WORKERS"]
    assert conf["accesslog"] == "-"
    assert conf["graceful_timeout"] > 0
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_gunicorn_default_workers_follow_cores_with_a_cap(monkeypatch):
    conf = _gunicorn(monkeypatch)
    assert conf["default_workers"](1) == 3
    assert conf["default_workers"](2) == 5
    assert conf["default_workers"](64) == conf["MAX_DEFAULT_WORKERS"]


def test_gunicorn_reads_the_environment(monkeypatch):
    conf = _gunicorn(
        monkeypatch, WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="10.0.0.0/8", LOG_LEVEL="WARNING"
    )
    assert conf["workers"] == 3
    assert conf["forwarded_allow_ips"] == "10.0.0.0/8"
    assert conf["loglevel"] == "warning"


@pytest.mark.parametrize("value", ["many", "0", "-2"])
def test_gunicorn_refuses_a_bad_worker_count_naming_it(monkeypatch, value):
    with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
        _gunicorn(monkeypatch, WEB_CONCURRENCY=value)


def test_every_gunicorn_setting_is_one_gunicorn_knows(monkeypatch):
    # Gunicorn ignores unknown names in a config file, so a typo would pass silently.
    conf = _gunicorn(monkeypatch)
    names = {
        name
        for name, value in conf.items()
        if name.islower() and not name.startswith("_") and isinstance(value, str | int | float)
    }
    assert {"bind", "workers", "accesslog", "forwarded_allow_ips"} <= names
    assert names <= set(GunicornConfig().settings), names - set(GunicornConfig().settings)


# --- the health-check commands, run against a live server ---------------------------------


def _probe(command: str, live_server_url: str) -> None:
    """Run a health-check one-liner against the live server instead of :8000."""
    assert "http://127.0.0.1:8000/" in command
    code = command.replace("http://127.0.0.1:8000", live_server_url)
    exec(compile(code, "<healthcheck>", "exec"), {})  # noqa: S102 - our own file's command


def _image_healthcheck() -> str:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    (healthcheck,) = _instructions(dockerfile, "HEALTHCHECK")
    return json.loads(healthcheck[healthcheck.index("CMD") + 3 :].strip())[2]


def _web_healthcheck() -> str:
    lines = _lines(COMPOSE.read_text(encoding="utf-8"))
    return _flow_list(lines, "services", "web", "healthcheck", "test")[3]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "command", [_image_healthcheck, _web_healthcheck], ids=["healthz", "readyz"]
)
def test_health_checks_send_a_host_that_allowed_hosts_accepts(
    command, live_server, settings, monkeypatch
):
    settings.ALLOWED_HOSTS = ["board.example.org"]
    monkeypatch.setenv("ALLOWED_HOSTS", "*, .board.example.org,other.example.org")
    _probe(command(), live_server.url)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "command", [_image_healthcheck, _web_healthcheck], ids=["healthz", "readyz"]
)
def test_health_checks_fail_when_the_server_refuses(command, live_server, settings, monkeypatch):
    from urllib.error import HTTPError

    settings.ALLOWED_HOSTS = ["board.example.org"]
    monkeypatch.setenv("ALLOWED_HOSTS", "elsewhere.example.org")
    with pytest.raises(HTTPError) as raised:
        _probe(command(), live_server.url)
    assert raised.value.code == 400
