"""The container files run the stack DESIGN.md promises.

docker-compose.yml is read with PyYAML (merge keys included, as Compose reads them) and
its variables are interpolated by Compose's rules; the Dockerfile's instructions are read
as Docker reads them (continuation lines joined). Their commands are then run here: the
image's default command serves and passes the image's health check, the web health
check passes against a live server, each Celery worker answers its own health check,
and the compose environment loads the settings it is meant to. ``docker compose config``
cross-checks the reading when the Compose plugin is installed (an optional tool: the
one test that needs it skips without it).
"""

from __future__ import annotations

import graphlib
import json
import os
import re
import runpy
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from gunicorn.config import Config as GunicornConfig

from tests.conftest import require_services

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
DOCKERIGNORE = ROOT / ".dockerignore"
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
README = ROOT / "README.md"
VENV_BIN = str(Path(sys.executable).parent)

APP_SERVICES = ("migrate", "web", "worker", "webhook-worker", "beat")
ALL_SERVICES = ("postgres", "redis", *APP_SERVICES)
# What an operator exports before `docker compose up` (README): only the required secret.
OPERATOR_ENV = {"SECRET_KEY": "compose-test-secret-" + "k" * 40}
START_TIMEOUT = 60  # seconds for a server or worker to come up on a busy machine


# --- reading the files as Docker does --------------------------------------------------------


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


_VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?::([-?])([^}]*))?\})")


def interpolate(value: str, environ: Mapping[str, str]) -> str:
    """Compose's substitution: ``$$``, ``${NAME}``, ``${NAME:-default}``, ``${NAME:?error}``."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            return "$"
        name, operator, argument = match.group(2), match.group(3), match.group(4)
        current = environ.get(name, "")
        if current:
            return current
        if operator == "?":
            raise ValueError(f"{name}: {argument}")
        return argument if operator == "-" else ""

    return _VARIABLE.sub(replace, value)


def service_env(compose: dict, service: str, environ: Mapping[str, str] = OPERATOR_ENV) -> dict:
    raw = compose["services"][service].get("environment", {})
    return {name: interpolate(str(value), environ) for name, value in raw.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` in order, continuation lines joined, comments dropped."""
    lines = [
        line
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = "\n".join(lines).replace("\\\n", " ")
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            name, _, arguments = line.strip().partition(" ")
            instructions.append((name.upper(), arguments.strip()))
    return instructions


def dockerfile(name: str) -> list[str]:
    return [
        arguments for instruction, arguments in dockerfile_instructions() if instruction == name
    ]


def image_env() -> dict[str, str]:
    """What the image's ``ENV`` instructions set."""
    env: dict[str, str] = {}
    for arguments in dockerfile("ENV"):
        for word in shlex.split(arguments):
            name, _, value = word.partition("=")
            env[name] = value
    return env


def image_command() -> list[str]:
    (cmd,) = dockerfile("CMD")
    return json.loads(cmd)


def image_healthcheck() -> list[str]:
    """The exec-form command of ``HEALTHCHECK … CMD [...]``."""
    (healthcheck,) = dockerfile("HEALTHCHECK")
    return json.loads(healthcheck.partition(" CMD ")[2])


def container_env(service: str, **overrides: str) -> dict[str, str]:
    """The environment a container of ``service`` starts with, run on this machine: the
    image's ENV, then the service's, then ``overrides`` (local addresses for the
    compose hostnames ``postgres`` and ``redis``, which do not resolve here)."""
    env = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ
    }
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    env.update(image_env())
    env.update(service_env(load_compose(), service))
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)  # what `docker stop` sends
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


# --- docker-compose.yml: the services and how they start ---------------------------------------


def test_compose_declares_exactly_the_stack(compose):
    assert set(compose["services"]) == set(ALL_SERVICES)
    assert set(compose["volumes"]) == {"postgres-data", "redis-data", "media-data"}
    # Only the web port is published; PostgreSQL and Redis (local-only password) are not.
    published = {name: svc["ports"] for name, svc in compose["services"].items() if "ports" in svc}
    assert published == {"web": ["8000:8000"]}


def test_every_app_service_runs_the_image_with_the_same_environment(compose):
    shared = compose["x-app"]
    for service in APP_SERVICES:
        definition = compose["services"][service]
        assert definition["build"] == ".", service
        assert definition["image"] == shared["image"], service
        assert definition["environment"] == shared["environment"], service
    envs = [service_env(compose, service) for service in APP_SERVICES]
    assert all(env == envs[0] for env in envs)


def test_web_and_worker_keep_uploads_and_trello_imports_on_one_shared_volume(compose):
    """A Trello board uploaded to web is imported by a worker (large boards) from the same
    folder; attachments written by web are served by any web process."""
    env = service_env(compose, "web")
    for service in ("web", "worker"):
        mounts = {
            mount.split(":")[1]: mount.split(":")[0]
            for mount in compose["services"][service]["volumes"]
        }
        for folder in (env["MEDIA_ROOT"], env["TRELLO_IMPORT_DIR"]):
            assert any(folder == target or folder.startswith(target + "/") for target in mounts), (
                service,
                folder,
            )
            assert all(mounts[t] == "media-data" for t in mounts if folder.startswith(t)), service


EXPECTED_DEPENDS_ON = {
    "migrate": {"postgres": "service_healthy"},
    "web": {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
        "redis": "service_healthy",
    },
    "worker": {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
        "redis": "service_healthy",
    },
    "webhook-worker": {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
        "redis": "service_healthy",
    },
    "beat": {"migrate": "service_completed_successfully", "redis": "service_healthy"},
}


def test_app_services_wait_for_migrations_and_healthy_dependencies(compose):
    depends_on = {
        name: {target: rule["condition"] for target, rule in svc.get("depends_on", {}).items()}
        for name, svc in compose["services"].items()
        if svc.get("depends_on")
    }
    assert depends_on == EXPECTED_DEPENDS_ON


def test_every_awaited_condition_can_come_true(compose):
    services = compose["services"]
    for name, targets in EXPECTED_DEPENDS_ON.items():
        for target, condition in targets.items():
            check = services[target].get("healthcheck", {})
            if condition == "service_healthy":
                # A dependency without a health check never becomes healthy: `up` would hang.
                assert check.get("test"), (name, target)
                assert not check.get("disable"), (name, target)
            else:
                # A one-off that restarts after it exits never "completes successfully".
                assert services[target]["restart"] == "no", (name, target)
    order = list(graphlib.TopologicalSorter(EXPECTED_DEPENDS_ON).static_order())  # no cycle
    assert order.index("migrate") < min(order.index(app) for app in APP_SERVICES[1:])


def test_long_running_app_services_check_their_own_health(compose):
    services = compose["services"]
    web_test = services["web"]["healthcheck"]["test"]
    assert web_test[:3] == ["CMD", "python", "-c"], "an exec-form Python probe (no curl)"
    for worker in ("worker", "webhook-worker"):
        test = services[worker]["healthcheck"]["test"]
        assert test[0] == "CMD-SHELL", worker
        assert "inspect ping" in test[1], worker
    # Beat serves nothing and answers no ping; migrate exits: the image's HTTP check
    # could never pass in them, so they turn it off.
    for one_off in ("beat", "migrate"):
        assert services[one_off]["healthcheck"] == {"disable": True}, one_off


def _settings_under(env: dict[str, str]) -> dict:
    """Load config.settings and the gunicorn config in a fresh process under ``env``;
    report the settings that matter and every environment variable they read."""
    script = """
import json, os, runpy
read = set()

class Recording(dict):
    def __getitem__(self, name):
        read.add(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        read.add(name)
        return super().get(name, default)

    def __contains__(self, name):
        read.add(name)
        return super().__contains__(name)

os.environ = Recording(os.environ)  # before django-environ keeps a reference to it
from django.conf import settings
runpy.run_path("config/gunicorn.conf.py")
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATABASE": [db["ENGINE"], db["HOST"], db["NAME"]],
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "SITE_URL": settings.SITE_URL,
    "TIME_ZONE": settings.TIME_ZONE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "read": sorted(read),
}))
"""
    result = subprocess.run(  # noqa: S603 - our interpreter and our own script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_the_compose_environment_configures_the_app_as_intended(compose):
    env = container_env("web")
    loaded = _settings_under(env)
    assert loaded["DEBUG"] is False
    assert loaded["DATABASE"] == ["django.db.backends.postgresql", "postgres", "internboard"]
    assert loaded["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False, "background work goes to the workers"
    assert loaded["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1"]
    assert loaded["SITE_URL"] == "http://localhost:8000"
    assert loaded["TIME_ZONE"] == "Europe/Moscow"
    # Plain HTTP on localhost: HTTPS-only behaviour is off, and no proxy header is trusted.
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["CSRF_COOKIE_SECURE"] is False
    assert loaded["SECURE_PROXY_SSL_HEADER"] is None
    # A variable nothing reads (a typo, a removed setting) would be silently ignored.
    unread = set(service_env(compose, "web")) - set(loaded["read"])
    assert not unread, f"docker-compose.yml sets {sorted(unread)} but nothing reads them"


def test_compose_refuses_to_start_without_a_secret_key(compose):
    with pytest.raises(ValueError, match="SECRET_KEY"):
        service_env(compose, "web", environ={})
    # Operators may override the defaults, e.g. from a .env file next to the compose file.
    overridden = service_env(compose, "web", {**OPERATOR_ENV, "ALLOWED_HOSTS": "board.example.org"})
    assert overridden["ALLOWED_HOSTS"] == "board.example.org"


def _docker_compose() -> tuple[list[str], list[str]]:
    """The Compose command and the arguments that make ``config`` print JSON or YAML.

    The Compose v2 plugin (``docker compose``) prints JSON on request; Debian's
    ``docker-compose`` (v1, which ``.ci/run`` installs) prints YAML. Both
    resolve the file without a Docker engine.
    """
    docker = shutil.which("docker")
    if docker is not None:
        version = subprocess.run(  # noqa: S603 - a fixed command
            [docker, "compose", "version"], capture_output=True, timeout=30, check=False
        )
        if version.returncode == 0:
            return [docker, "compose"], ["--format", "json"]
    legacy = shutil.which("docker-compose")
    if legacy is not None:
        return [legacy], []
    if require_services():
        pytest.fail(
            "REQUIRE_SERVICES is set but neither `docker compose` nor docker-compose is installed"
        )
    pytest.skip("needs Docker Compose (`docker compose` or docker-compose; .ci/run installs it)")


def test_docker_compose_reads_the_file_as_these_tests_do(compose, tmp_path):
    compose_command, output_format = _docker_compose()
    command = [*compose_command, "--file", str(COMPOSE), "config", *output_format]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **OPERATOR_ENV}
    result = subprocess.run(  # noqa: S603 - a fixed command
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)  # JSON is YAML too
    assert set(resolved["services"]) == set(ALL_SERVICES)
    for service in APP_SERVICES:
        assert resolved["services"][service]["environment"] == service_env(compose, service)
    worker_test = resolved["services"]["worker"]["healthcheck"]["test"]
    if not output_format:  # v1 prints `$$` escapes as written; v2 resolves them to `$`
        worker_test = [part.replace("$$", "$") for part in worker_test]
    assert worker_test[1] == interpolate(
        compose["services"]["worker"]["healthcheck"]["test"][1], {}
    )

    env.pop("SECRET_KEY")
    refused = subprocess.run(  # noqa: S603 - a fixed command
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr


# --- the health checks, run ------------------------------------------------------------------


def _run_probe(argv: list[str], url: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run an exec-form Python health check with its :8000 address pointed at ``url``."""
    assert argv[:2] == ["python", "-c"], argv
    code = argv[2]
    assert "http://127.0.0.1:8000/" in code
    return subprocess.run(  # noqa: S603 - our interpreter and our own file's command
        [sys.executable, "-c", code.replace("http://127.0.0.1:8000", url)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _image_check() -> list[str]:
    return image_healthcheck()


def _web_check() -> list[str]:
    return load_compose()["services"]["web"]["healthcheck"]["test"][1:]  # after "CMD"


CHECKS = pytest.mark.parametrize(
    "check", [_image_check, _web_check], ids=["image-healthz", "web-readyz"]
)


@CHECKS
@pytest.mark.django_db(transaction=True)
def test_health_checks_pass_with_a_host_that_allowed_hosts_accepts(check, live_server, settings):
    settings.ALLOWED_HOSTS = ["board.example.org"]
    env = {"ALLOWED_HOSTS": "*, .board.example.org,other.example.org"}
    result = _run_probe(check(), live_server.url, env)
    assert result.returncode == 0, result.stderr


@CHECKS
@pytest.mark.django_db(transaction=True)
def test_health_checks_fail_when_the_server_refuses(check, live_server, settings):
    settings.ALLOWED_HOSTS = ["board.example.org"]
    result = _run_probe(check(), live_server.url, {"ALLOWED_HOSTS": "elsewhere.example.org"})
    assert result.returncode != 0
    assert "HTTP Error 400" in result.stderr


def test_the_image_command_serves_and_passes_the_image_health_check(tmp_path):
    port = free_port()
    env = container_env(
        "web",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",  # /healthz touches no database
        REDIS_URL="",
        # Gunicorn ranks GUNICORN_CMD_ARGS above the config file: a free local port and one
        # worker instead of 0.0.0.0:8000, everything else as the image runs it.
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port} --workers 1",
    )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - the image's own command
            image_command(), cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT  # the check's start period, generously
        while True:
            assert server.poll() is None, log.read_text(errors="replace")[-3000:]
            probe = _run_probe(image_healthcheck(), f"http://127.0.0.1:{port}", env)
            if probe.returncode == 0:
                break
            assert time.monotonic() < deadline, probe.stderr + log.read_text(errors="replace")
            time.sleep(0.5)
    finally:
        stop(server)


def _hostname_check(compose: dict, service: str, timeout: int | None = None) -> str:
    command = interpolate(compose["services"][service]["healthcheck"]["test"][1], {})
    if timeout is not None:
        # Only to keep the expected failure short; the command is otherwise as written.
        command = command.replace("--timeout 10", f"--timeout {timeout}")
    return command


@pytest.mark.parametrize(
    ("service", "other"), [("worker", "webhook-worker"), ("webhook-worker", "worker")]
)
def test_each_celery_worker_answers_its_own_health_check(
    compose, redis_url, tmp_path, service, other
):
    # In a container $HOSTNAME is the host name, which is what Celery puts in the node name.
    env = container_env(
        service,
        REDIS_URL=redis_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",  # a ping touches no database
        HOSTNAME=socket.gethostname(),
    )
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(  # noqa: S603 - the service's own command
            compose["services"][service]["command"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while " ready." not in log.read_text(errors="replace"):
            assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)

        def check(command: str) -> subprocess.CompletedProcess:
            return subprocess.run(  # noqa: S603 - CMD-SHELL runs its command with /bin/sh -c
                ["/bin/sh", "-c", command],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )

        own = check(_hostname_check(compose, service))
        assert own.returncode == 0, own.stdout + own.stderr
        # The other worker's check names the other node: this worker must not satisfy it.
        assert check(_hostname_check(compose, other, timeout=2)).returncode != 0
    finally:
        stop(worker)


# --- Dockerfile --------------------------------------------------------------------------


def _gunicorn_arguments(argv: list[str]) -> dict:
    """What gunicorn makes of a command line (program name dropped)."""
    assert Path(argv[0]).name == "gunicorn", argv
    parser = GunicornConfig(usage="%(prog)s [OPTIONS] [APP_MODULE]").parser()
    return vars(parser.parse_args(argv[1:]))


def _readme_gunicorn_command() -> list[str]:
    (line,) = [
        line
        for line in README.read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*\S*gunicorn config\.wsgi", line)
    ]
    return shlex.split(line.split("#")[0])


def test_the_image_and_web_service_run_the_gunicorn_command_the_readme_shows(compose):
    readme = _gunicorn_arguments(_readme_gunicorn_command())
    assert readme["config"] == "config/gunicorn.conf.py"
    assert readme["args"] == ["config.wsgi:application"]
    assert _gunicorn_arguments(image_command()) == readme
    assert _gunicorn_arguments(compose["services"]["web"]["command"]) == readme


def test_the_image_serves_as_an_unprivileged_user():
    names = [name for name, _ in dockerfile_instructions()]
    users = dockerfile("USER")
    assert users, "the image must switch to an unprivileged user"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert max(i for i, name in enumerate(names) if name == "USER") < names.index("CMD")


def test_the_image_bakes_in_no_secret():
    assert "SECRET_KEY" not in image_env()
    for instruction in ("ARG", "LABEL"):
        for arguments in dockerfile(instruction):
            assert "SECRET_KEY" not in arguments, f"{instruction} {arguments}"


def _build_context(destination: Path) -> None:
    """Copy what ``docker build`` would send: the tree minus what .dockerignore excludes."""
    patterns = _dockerignore_patterns()
    for directory, subdirectories, files in os.walk(ROOT):
        relative = Path(directory).relative_to(ROOT).as_posix()
        prefix = "" if relative == "." else relative + "/"
        subdirectories[:] = [d for d in subdirectories if not _ignored(prefix + d, patterns)]
        for name in files:
            if not _ignored(prefix + name, patterns):
                target = destination / prefix / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(directory) / name, target)


def test_the_image_build_steps_succeed_on_the_build_context(tmp_path):
    """The RUN steps after ``COPY . .`` (translations, static files), run as Docker runs
    them on what the build context holds; dependencies come from this environment."""
    instructions = dockerfile_instructions()
    copied = instructions.index(("COPY", ". ."))
    steps = [arguments for name, arguments in instructions[copied:] if name == "RUN"]
    assert steps, "the image builds nothing after copying the code"
    context = tmp_path / "app"
    _build_context(context)
    env = {"PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", ""), **image_env()}
    for step in steps:
        result = subprocess.run(  # noqa: S603 - the Dockerfile's own step, by the shell as Docker does
            ["/bin/sh", "-c", step],
            cwd=context,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"RUN {step}\n{result.stderr[-3000:]}"
    assert (context / "locale" / "ru" / "LC_MESSAGES" / "django.mo").stat().st_size > 0
    manifest = json.loads((context / "staticfiles" / "staticfiles.json").read_text())
    assert "css/app.css" in manifest["paths"]


# --- .dockerignore: what goes into the build context -------------------------------------------


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; ``!`` re-includes; a pattern that
    matches a directory excludes everything under it; ``**`` spans directories."""

    def regex(pattern: str) -> re.Pattern:
        parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/"))
        translated = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
        return re.compile("".join(translated.get(part, re.escape(part)) for part in parts))

    prefixes = ["/".join(path.split("/")[: n + 1]) for n in range(path.count("/") + 1)]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        compiled = regex(pattern.removeprefix("!"))
        if any(compiled.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


def _dockerignore_patterns() -> list[str]:
    return [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_the_build_context_holds_what_the_build_needs_and_no_local_state():
    patterns = _dockerignore_patterns()
    needed = [
        "requirements.txt",
        "manage.py",
        "config/settings.py",
        "config/gunicorn.conf.py",
        "tasks/services.py",
        "locale/ru/LC_MESSAGES/django.po",
        "templates/base.html",
        "static/css/app.css",
    ]
    for path in needed:
        assert (ROOT / path).exists(), path  # keep the list honest
        assert not _ignored(path, patterns), f"{path} is needed by the build but ignored"
    local_state = [
        ".git/HEAD",
        ".venv/bin/python",
        ".env",
        "db.sqlite3",
        "tasks/__pycache__/services.cpython-312.pyc",
        "locale/ru/LC_MESSAGES/django.mo",
        "staticfiles/staticfiles.json",
    ]
    for path in local_state:
        assert _ignored(path, patterns), f"{path} would be sent to the build"


# --- no outside hosts ------------------------------------------------------------------------

ALLOWED_URL_PREFIXES = (
    "postgres://internboard:internboard@postgres:5432/",
    "redis://redis:6379/",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
)


@pytest.mark.parametrize("path", [DOCKERFILE, COMPOSE, DOCKERIGNORE, GUNICORN_CONF])
def test_container_files_name_no_outside_host(path):
    # The product runs without any outside service (DESIGN.md): no index, mirror or URL.
    text = path.read_text(encoding="utf-8")
    for url in re.findall(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"\]\)}]*", text):
        assert url.startswith(ALLOWED_URL_PREFIXES), f"{path.name} names {url}"
    assert not re.search(r"index-url|find-links|trusted-host", text), path.name


def test_images_come_without_a_registry_host(compose):
    images = dockerfile("FROM") + [
        svc["image"] for name, svc in compose["services"].items() if "build" not in svc
    ]
    assert len(images) == 3
    for image in images:
        first = image.split("/")[0]
        assert "/" not in image or not ("." in first or ":" in first), image


# --- config/gunicorn.conf.py ----------------------------------------------------------------


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


def test_the_stop_grace_periods_outlast_gunicorns_graceful_timeout(compose, monkeypatch):
    conf = _gunicorn(monkeypatch)
    grace = compose["services"]["web"]["stop_grace_period"]
    assert int(grace.removesuffix("s")) > conf["graceful_timeout"]
