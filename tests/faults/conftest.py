"""Throwaway services for the fault suite: break them without touching the shared ones.

- ``redis_server``: a private ``redis-server`` on a port from REDIS_PORTS, which a
  test may ``stop()``, ``freeze()`` (SIGSTOP: the socket accepts, nothing answers)
  and ``thaw()``;
- ``postgres_cluster``: a private PostgreSQL cluster (``initdb`` in a temporary
  directory, trust authentication) on a port from POSTGRES_PORTS, which a test
  may ``restart()``;
- ``web_server``: the real WSGI application under gunicorn (one sync worker,
  persistent database connections, as production runs it) on a Unix socket.

Without the server binaries the tests skip with the reason, or fail under
``REQUIRE_SERVICES=1`` (CI: ``.ci/run`` installs them).
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import require_services

ROOT = Path(__file__).resolve().parents[2]
REDIS_PORTS = range(6390, 6400)
POSTGRES_PORTS = range(5440, 5450)
START_TIMEOUT = 20.0  # seconds for a service to answer after start
REQUEST_TIMEOUT = 10.0  # seconds: far past any bound a test asserts, far below a hang


def _missing(what: str, hint: str) -> None:
    if require_services():
        pytest.fail(f"REQUIRE_SERVICES is set but {what} is not installed ({hint})")
    pytest.skip(f"needs {what} ({hint}; .ci/run installs it)")


def _free_port(candidates: range) -> int:
    """The first port of ``candidates`` nothing listens on (the suite's own range)."""
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {candidates.start}-{candidates.stop - 1} for a throwaway service")


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# --- Redis ------------------------------------------------------------------------------


@dataclass
class RedisServer:
    binary: str
    port: int
    directory: str
    process: subprocess.Popen | None = None
    frozen: bool = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.2)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our binary, fixed arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=START_TIMEOUT, what=f"redis-server on {self.port}")

    def freeze(self) -> None:
        """SIGSTOP: connections are still accepted by the kernel, but nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        if self.process is not None and self.frozen:
            self.process.send_signal(signal.SIGCONT)
            self.frozen = False

    def stop(self) -> None:
        if self.process is None:
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("the redis-server binary", "apt-get install redis-server")
    with tempfile.TemporaryDirectory(prefix="ib-fault-redis-") as directory:
        server = RedisServer(binary=binary, port=_free_port(REDIS_PORTS), directory=directory)
        server.start()
        try:
            yield server
        finally:
            server.stop()


# --- PostgreSQL ------------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    """The server binaries: Debian keeps them out of PATH, under /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = [
        Path(path).parent
        for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if Path(path).parts[-3].isdigit()
    ]
    return max(versions, key=lambda bin_dir: int(bin_dir.parent.name), default=None)


@dataclass
class PostgresCluster:
    bin: Path
    port: int
    directory: Path
    as_user: list[str] = field(default_factory=list)  # runuser prefix when we are root

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        result = subprocess.run(  # noqa: S603 - the cluster's own binaries, fixed arguments
            [*self.as_user, str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check and result.returncode != 0:
            log = self.directory / "log"
            server_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            pytest.fail(f"{tool} {' '.join(args)} failed:\n{result.stderr}\n{server_log}")

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )

    def pg_ctl(self, action: str, *args: str, check: bool = True) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-l", str(self.directory / "log"),
            "-o", options, "-w", "-t", "30", *args, check=check,
        )  # fmt: skip

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self) -> None:
        """A fast restart: the server ends every session, as an administrator's restart does."""
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "immediate", check=False)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        _missing("the PostgreSQL server binaries (initdb, pg_ctl)", "apt-get install postgresql")
    as_user: list[str] = []
    directory = Path(tempfile.mkdtemp(prefix="ib-fault-pg-"))
    if os.geteuid() == 0:
        # The server refuses to run as root; Debian's package creates this user.
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(directory)
            _missing("a 'postgres' system user", "apt-get install postgresql")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = PostgresCluster(
        bin=bin_dir, port=_free_port(POSTGRES_PORTS), directory=directory, as_user=as_user
    )
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


# --- The application under gunicorn -----------------------------------------------------


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class WebServer:
    socket_path: str
    process: subprocess.Popen
    log: Path

    def request(
        self, method: str, path: str, *, token: str = "", body: dict | None = None
    ) -> Response:
        """One request on a fresh connection, timed; a hang fails at REQUEST_TIMEOUT."""
        connection = UnixHTTPConnection(self.socket_path, timeout=REQUEST_TIMEOUT)
        headers = {"Host": "localhost"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            connection.request(method, path, body=data, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        except TimeoutError:
            pytest.fail(f"{method} {path} got no answer within {REQUEST_TIMEOUT} s")
        finally:
            connection.close()
        return Response(answer.status, content, time.monotonic() - started)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production process (config.settings, DEBUG off), no test switches."""
    dropped = {"DJANGO_SETTINGS_MODULE", "DEBUG", "REDIS_URL", "DATABASE_URL", "SECRET_KEY"}
    env = {name: value for name, value in os.environ.items() if name not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="fault-suite-secret-" + "s" * 40,
        ALLOWED_HOSTS="localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def run_manage_script(script: str, env: dict[str, str]) -> str:
    """Run ``script`` in a fresh Django process with ``env``; its stdout."""
    prelude = "import django; django.setup()\n"
    result = subprocess.run(  # noqa: S603 - our interpreter and our own script
        [sys.executable, "-c", prelude + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


@contextlib.contextmanager
def serve(env: dict[str, str]) -> Iterator[WebServer]:
    """gunicorn with one sync worker: one process, one persistent database connection."""
    with tempfile.TemporaryDirectory(prefix="ib-fault-web-") as directory:
        socket_path = str(Path(directory) / "web.sock")
        log = Path(directory) / "gunicorn.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
                [
                    sys.executable, "-m", "gunicorn", "config.wsgi:application",
                    "--bind", f"unix:{socket_path}", "--workers", "1",
                    "--worker-class", "sync", "--timeout", "60",
                ],
                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )  # fmt: skip
        server = WebServer(socket_path=socket_path, process=process, log=log)

        def ready() -> bool:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited at start:\n{server.log_tail()}")
            try:
                return server.request("GET", "/healthz").status == 200
            except OSError:
                return False

        try:
            wait_until(ready, timeout=START_TIMEOUT, what="gunicorn to serve /healthz")
            yield server
        finally:
            # SIGQUIT: gunicorn's quick shutdown, which also ends a worker stuck in a call.
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
