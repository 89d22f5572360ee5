"""Benchmark the board as production serves it: `python manage.py bench_board` (`make bench`).

Seeds three boards of 100, 500 and 2,000 cards over five columns through the
services (labels, assignees, due dates, comments and checklists on some
cards) on the configured database, serves the app with gunicorn and DEBUG
off on a free local port (``config.bench_settings``: production settings
plus the floor views), and prints one table: median and p95 latency, bytes
and queries for each request the board makes, with the plain-Django floor
measured in the same run (a bare view; a minimal template rendering the
same cards from one query) and each figure as a ratio to it.

Latency is measured over HTTP from this process, the requests of each round
interleaved so that noise from other processes spreads over all of them.
Query counts are measured in-process (Django's test client with the same
URLs), since gunicorn's workers cannot report them. A command, not a test:
the numbers depend on the machine.

The bench boards (cohort ``Bench cohort (bench_board)``) are kept between
runs so a second run skips seeding; ``--reseed`` rebuilds them.
"""

from __future__ import annotations

import datetime
import functools
import gzip
import html
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import User
from accounts.services import api_token_create
from config.celery import app as celery_app
from projects.models import Column, Project
from projects.services import project_create
from tasks import services
from tasks.demo import bench_cohort_drop
from tasks.models import Priority, Task
from teams.models import Cohort, Membership, Role, Team

COHORT = "Bench cohort (bench_board)"
SIZES = (100, 500, 2000)
KEYS = {100: "BBA", 500: "BBB", 2000: "BBC"}
BENCH_USER = "bench-board-intern"
BASE_DIR = Path(settings.BASE_DIR)

# Issue 10's targets, each judged as a ratio to the floor of the same run. The
# issue gave most in milliseconds, measured on a machine whose bare view took
# ISSUE_BARE_MS: each becomes that many bare views, so a slower or faster
# machine is judged alike. Board rows compare with the floor template.
ISSUE_BARE_MS = 1.7
ISSUE_FLOOR_2000_MS = 253  # the floor template with all 2,000 cards, in the issue's run
TARGETS: dict[str, float] = {
    "board": 1.5,  # at 100 and 500 cards; at 2,000 see TARGET_FIRST_PAINT_2000
    "board_all": 2.0,  # all cards through the lazy pages, per card, against the floor's
    "move": 15 / ISSUE_BARE_MS,
    "api_move": 10 / ISSUE_BARE_MS,
    "dialog": 20 / ISSUE_BARE_MS,
    "api_list": 25 / ISSUE_BARE_MS,
    "poll": 5 / ISSUE_BARE_MS,
}
TARGET_FIRST_PAINT_2000 = 60 / ISSUE_FLOOR_2000_MS  # first paint ≤ 60 ms at 2,000 cards
MAX_QUERIES = {"board": 12, "move": 10, "api_move": 10}
MAX_MOVE_KB = 5
ISSUE_THROUGHPUT = 60  # requests/s, board of 500 cards, at the issue's bare view
# Kanboard 1.2.53 in the issue's run (ms, board open): the board must be 3× faster.
KANBOARD_MS = {100: 43, 500: 174}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Row:
    """One line of the table: timings (ms), bytes and queries of one kind of request."""

    name: str
    floor: str = "bare"  # which floor it is compared with: "bare" or "board"
    times: list[float] = field(default_factory=list)
    size: int = 0
    gzip_size: int = 0  # what the same body weighs gzipped (level 6), for the record
    queries: int | None = None
    target: float | None = None  # the highest ratio to its floor that meets issue 10
    max_queries: int | None = None
    max_kb: float | None = None

    def verdict(self, ratio: float) -> str:
        """``≤ target`` and whether this row meets it (time, queries and size alike)."""
        if self.target is None and self.max_queries is None and self.max_kb is None:
            return ""
        holds = (
            (self.target is None or ratio <= self.target)
            and (self.max_queries is None or (self.queries or 0) <= self.max_queries)
            and (self.max_kb is None or self.size / 1024 <= self.max_kb)
        )
        shown = f"≤ {self.target:.2f} " if self.target is not None else ""
        return f"{shown}{'yes' if holds else 'NO'}"


def wrk_requests_per_second(output: str) -> float:
    """The ``Requests/sec`` of wrk's report; an error when any answer was not a success
    (a throughput of error pages would flatter the board)."""
    failed = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    if failed:
        raise RuntimeError(f"wrk: {failed.group(1)} answers were not a success")
    errors = re.search(r"Socket errors:.*", output)
    if errors:
        raise RuntimeError(f"wrk: {errors.group(0)}")
    rate = re.search(r"Requests/sec:\s*([0-9.]+)", output)
    if rate is None:
        raise RuntimeError(f"wrk printed no Requests/sec: {output[-300:]}")
    return float(rate.group(1))


class Http:
    """A tiny HTTP client: one request per connection, as gunicorn's sync workers answer."""

    def __init__(self, port: int, cookie: str, csrf: str, token: str) -> None:
        self.port = port
        self.cookie = cookie
        self.csrf = csrf
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        *,
        htmx: bool = False,
        api: bool = False,
        body: dict | None = None,
    ) -> tuple[float, int, bytes, dict[str, str]]:
        headers = {"Host": "127.0.0.1"}
        payload = None
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
            if body is not None:
                payload = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        else:
            headers["Cookie"] = self.cookie
            if htmx:
                headers["HX-Request"] = "true"
            if body is not None:
                payload = "&".join(f"{k}={v}" for k, v in body.items()).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["X-CSRFToken"] = self.csrf
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        conn.close()
        return elapsed, response.status, data, dict(response.getheaders())


class Command(BaseCommand):
    help = "Seed boards of 100/500/2,000 cards, serve with gunicorn (DEBUG off), time the board."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=15, help="measured rounds per board")
        parser.add_argument("--reseed", action="store_true", help="rebuild the bench boards")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")

    def handle(self, *args, rounds: int, reseed: bool, workers: int, **options) -> None:
        started = time.perf_counter()
        if reseed:
            self._drop()
        intern, projects = self._seed()
        self.stdout.write(f"boards ready in {time.perf_counter() - started:.1f} s")
        queries = self._count_queries(intern, projects)
        token = self._token(intern)
        cookie, csrf = self._session(intern)
        port = _free_port()
        server = self._serve(port, workers)
        try:
            client = Http(port, cookie, csrf, token)
            results = self._measure(client, projects, rounds, queries)
            throughput, measured_by = self._throughput(client, projects[500])
        finally:
            server.terminate()
            server.wait(timeout=30)
        self._print(results, throughput, workers, rounds, measured_by=measured_by)
        self.stdout.write(f"bench done in {time.perf_counter() - started:.0f} s")

    # --- data ------------------------------------------------------------------------

    def _drop(self) -> None:
        bench_cohort_drop(name=COHORT)

    def _seed(self) -> tuple[User, dict[int, Project]]:
        today = timezone.localdate()
        cohort, _ = Cohort.objects.get_or_create(
            name=COHORT,
            defaults={
                "starts_on": today - datetime.timedelta(days=30),
                "ends_on": today + datetime.timedelta(days=60),
            },
        )
        team, _ = Team.objects.get_or_create(cohort=cohort, name="Bench board team")
        people = []
        for username, role in [
            (BENCH_USER, Role.INTERN),
            ("bench-board-mentor", Role.MENTOR),
            ("bench-board-intern2", Role.INTERN),
        ]:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"full_name": username.replace("-", " ").title()}
            )
            Membership.objects.get_or_create(
                team=team,
                user=user,
                defaults={"role": role, "joined_on": today - datetime.timedelta(days=30)},
            )
            people.append(user)
        intern, mentor, _ = people
        projects = {}
        for size in SIZES:
            project = Project.objects.filter(team=team, key=KEYS[size]).first()
            if project is None:
                project = project_create(
                    team=team, by=mentor, name=f"Bench board {size}", key=KEYS[size]
                )
            live = Task.objects.filter(project=project, archived=False).count()
            if live < size:
                self._fill(project, mentor, people, size - live, seed=size)
            projects[size] = project
        return intern, projects

    def _fill(self, project: Project, by: User, people: list[User], count: int, seed: int) -> None:
        """``count`` more cards through the services, spread over the five columns."""
        rng = random.Random(seed)  # noqa: S311 - reproducible data, not security
        columns = list(Column.objects.filter(project=project).order_by("position"))
        labels = [
            services.label_create(project=project, by=by, name=name, color=color)
            for name, color in [("bug", "red"), ("feature", "blue"), ("ui", "violet")]
            if not project.labels.filter(name=name).exists()
        ] or list(project.labels.all())
        today = timezone.localdate()
        self.stdout.write(f"seeding {count} cards on {project.key} …")
        for n in range(count):
            task = services.task_create(
                project=project,
                by=by,
                title=f"Bench card {n}: make the {rng.choice(['login', 'cart', 'search'])} faster",
                column=columns[n % len(columns)],
                assignee=rng.choice([*people, None]),
                priority=rng.choice(Priority.values),
                labels=rng.sample(labels, rng.randint(0, 2)),
                due_on=today + datetime.timedelta(days=rng.randint(-10, 30))
                if n % 3 == 0
                else None,
            )
            if n % 5 == 0:
                services.comment_create(task=task, by=by, body="Looks good so far.")
            if n % 7 == 0:
                services.checklist_add(task=task, by=by, text="Write the test")

    def _token(self, user: User) -> str:
        user.api_tokens.filter(name__startswith="bench ").delete()
        _token, raw = api_token_create(
            user=user, name=f"bench {time.time():.0f}", expires_in_days=1
        )
        return raw

    def _session(self, user: User) -> tuple[str, str]:
        """A logged-in session and a CSRF secret, as a browser would hold them."""
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = "b" * 32
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}"
        )
        return cookie, csrf

    # --- the server ---------------------------------------------------------------------

    def _serve(self, port: int, workers: int) -> subprocess.Popen:
        static_root = tempfile.mkdtemp(prefix="internboard-bench-static-")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.bench_settings",
            "DEBUG": "0",
            # The session made here is signed with this process's key: the server needs it too.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "API_THROTTLE_RATE": "1000000/hour",
            "BENCH_STATIC_ROOT": static_root,
            "LOG_LEVEL": "WARNING",
        }
        bin_dir = Path(sys.executable).parent
        subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn and arguments
            [
                str(bin_dir / "gunicorn"),
                "-c",
                "config/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "/dev/null",
                "--max-requests",
                "0",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if conn.getresponse().status == 200:
                    return server
            except OSError:
                time.sleep(0.2)
        server.terminate()
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    # --- queries, in-process ---------------------------------------------------------

    def _count_queries(self, intern: User, projects: dict[int, Project]) -> dict:
        """Queries per request kind and board size, through the test client (same URLs)."""
        # Background work is queued, as in production, not run inside the request
        # being counted (without REDIS_URL Celery would run it in-process).
        celery_app.conf.task_always_eager = False
        with override_settings(ROOT_URLCONF="config.bench_urls", ALLOWED_HOSTS=["127.0.0.1"]):
            return self._count_queries_of(intern, projects)

    def _count_queries_of(self, intern: User, projects: dict[int, Project]) -> dict:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(intern)
        api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {self._token(intern)}")
        return {size: self._count_for(client, api, project) for size, project in projects.items()}

    def _count_for(self, client: Client, api: Client, project: Project) -> dict[str, int]:
        def count(method, path: str, data=None, **extra) -> int:
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                response = method(path, data, **extra)
            if response.status_code >= 400:
                raise RuntimeError(f"{path} answered {response.status_code}")
            return len(captured.captured_queries)

        task = self._movable(project)
        columns = list(Column.objects.filter(project=project).order_by("position"))
        board_url = f"/projects/{project.pk}/board/"
        state = re.search(r"state=([^&\"]+)", client.get(board_url).content.decode()).group(1)
        htmx = {"HTTP_HX_REQUEST": "true"}
        counts = {
            "board": count(client.get, board_url),
            "poll": count(client.get, f"{board_url}changes/?state={state}&since=0", **htmx),
            "page": count(client.get, f"{board_url}columns/{columns[0].pk}/more/?after=0", **htmx),
            "dialog": count(client.get, f"/tasks/{task.pk}/", **htmx),
            "task_page": count(client.get, f"/tasks/{task.pk}/"),
            "api_list": count(api.get, f"/api/v1/tasks/?project={project.pk}&page_size=100"),
            "dashboard": count(client.get, "/"),
            "floor_board": count(client.get, f"/bench/floor/board/{project.pk}/"),
        }
        for target in (columns[1], columns[0]):
            task.refresh_from_db()
            move = {"column": target.pk, "position": 0, "version": task.version}
            counts["move"] = count(client.post, f"/tasks/{task.pk}/move/", move, **htmx)
        for target in (columns[1], columns[0]):
            task.refresh_from_db()
            move = {"column": target.pk, "position": 0, "version": task.version}
            counts["api_move"] = count(
                api.post, f"/api/v1/tasks/{task.pk}/move/", move, content_type="application/json"
            )
        return counts

    def _movable(self, project: Project) -> Task:
        first = Column.objects.filter(project=project).order_by("position").first()
        return Task.objects.filter(project=project, column=first, archived=False).order_by("rank")[
            0
        ]

    # --- timings over HTTP -------------------------------------------------------------

    def _measure(self, client: Http, projects: dict[int, Project], rounds: int, queries) -> list:
        results = []
        bare = Row("floor: bare Django view")
        for size, project in projects.items():
            q = queries[size]
            task = self._movable(project)
            columns = list(Column.objects.filter(project=project).order_by("position"))
            rows = {
                "floor_board": Row(f"floor: template, all {size} cards", "board"),
                "board": Row("board open, first paint", "board"),
                "board_all": Row("board open, all cards (lazy pages)", "board"),
                "move": Row("move, as the UI does it (htmx)"),
                "api_move": Row("move, API"),
                "dialog": Row("task dialog"),
                "task_page": Row("task page"),
                "api_list": Row("API list, 100 tasks"),
                "poll": Row("poll, nothing changed"),
                "dashboard": Row("dashboard"),
            }
            for key, row in rows.items():
                row.queries = q.get(key)
                row.target = TARGETS.get(key)
                row.max_queries = MAX_QUERIES.get(key)
            if size >= 2000:
                rows["board"].target = TARGET_FIRST_PAINT_2000
            rows["move"].max_kb = MAX_MOVE_KB
            rows["board_all"].queries = None
            rows["floor_board"].queries = q["floor_board"]
            version = Task.objects.get(pk=task.pk).version
            for round_number in range(rounds + 2):  # two warm-up rounds
                record = round_number >= 2
                timed = functools.partial(self._timed, client, record)

                timed(bare, "GET", "/bench/floor/bare/")
                timed(rows["floor_board"], "GET", f"/bench/floor/board/{project.pk}/")
                elapsed, _, data, _ = timed(rows["board"], "GET", f"/projects/{project.pk}/board/")
                body = data.decode()
                total_ms, total_bytes = elapsed, len(data)
                for link in re.findall(r'class="load-more" hx-get="([^"]+)"', body):
                    url = html.unescape(link)
                    while url:
                        ms, _, page, _ = client.request("GET", url, htmx=True)
                        total_ms += ms
                        total_bytes += len(page)
                        more = re.search(r'class="load-more" hx-get="([^"]+)"', page.decode())
                        url = html.unescape(more.group(1)) if more else None
                rows["board"].gzip_size = len(gzip.compress(data, compresslevel=6))
                if record:
                    rows["board_all"].times.append(total_ms)
                    rows["board_all"].size = total_bytes
                state = re.search(r"state=([^&\"]+)", body).group(1)
                timed(
                    rows["poll"],
                    "GET",
                    f"/projects/{project.pk}/board/changes/?state={state}&since=0",
                    htmx=True,
                )
                target = columns[1 + round_number % 2]  # to "To do"/"In progress" and back
                _, status, _, headers = timed(
                    rows["move"],
                    "POST",
                    f"/tasks/{task.pk}/move/",
                    htmx=True,
                    body={"column": target.pk, "position": 0, "version": version},
                )
                trigger = headers.get("HX-Trigger-After-Swap")
                version = json.loads(trigger)["board-moved"]["version"] if trigger else version + 1
                target = columns[1 + (round_number + 1) % 2]
                _, _, data, _ = timed(
                    rows["api_move"],
                    "POST",
                    f"/api/v1/tasks/{task.pk}/move/",
                    api=True,
                    body={"column": target.pk, "position": 0, "version": version},
                )
                version = json.loads(data)["version"]
                timed(rows["dialog"], "GET", f"/tasks/{task.pk}/", htmx=True)
                timed(rows["task_page"], "GET", f"/tasks/{task.pk}/")
                timed(
                    rows["api_list"],
                    "GET",
                    f"/api/v1/tasks/?project={project.pk}&page_size=100",
                    api=True,
                )
                timed(rows["dashboard"], "GET", "/")
            results.append((size, rows))
        results.insert(0, (0, {"bare": bare}))
        return results

    @staticmethod
    def _timed(client: Http, record: bool, row: Row, method: str, path: str, **kwargs) -> tuple:
        elapsed, status, data, headers = client.request(method, path, **kwargs)
        if status >= 500 or status in (403, 404):
            raise RuntimeError(f"{method} {path} answered {status}")
        if record:
            row.times.append(elapsed)
            row.size = len(data)
        return elapsed, status, data, headers

    def _throughput(
        self, client: Http, project: Project, seconds: float = 5.0
    ) -> tuple[float, str]:
        """Board of 500 cards, 4 concurrent clients: requests per second, and what measured
        them. ``wrk -t2 -c4`` as the issue ran it where wrk is installed (Debian's ``wrk``),
        else four Python threads (whose own overhead makes the figure a lower bound)."""
        path = f"/projects/{project.pk}/board/"
        wrk = shutil.which("wrk")
        if wrk is not None:
            output = subprocess.run(  # noqa: S603 - wrk from PATH, our own arguments
                [
                    wrk,
                    "-t2",
                    "-c4",
                    f"-d{seconds:.0f}s",
                    "-H",
                    "Host: 127.0.0.1",
                    "-H",
                    f"Cookie: {client.cookie}",
                    f"http://127.0.0.1:{client.port}{path}",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=seconds + 60,
            ).stdout
            return wrk_requests_per_second(output), "wrk -t2 -c4"
        done = []
        stop = time.monotonic() + seconds

        def worker() -> None:
            count = 0
            while time.monotonic() < stop:
                client.request("GET", path)
                count += 1
            done.append(count)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done) / seconds, "4 Python threads; no wrk here"

    # --- the table -----------------------------------------------------------------------

    @staticmethod
    def _database() -> str:
        if connection.vendor != "postgresql":
            return connection.vendor
        version = connection.pg_version  # e.g. 150020
        return f"PostgreSQL {version // 10000}.{version % 100}"

    def _print(
        self,
        results: list,
        throughput: float,
        workers: int,
        rounds: int,
        *,
        measured_by: str = "wrk -t2 -c4",
    ) -> None:
        bare_row = results[0][1]["bare"]
        bare = statistics.median(bare_row.times)
        line = "| {:<44} | {:>9} | {:>8} | {:>9} | {:>10} | {:>7} | {:>6} |"
        out = [
            f"bench_board: {timezone.now():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
            f"{self._database()}, "
            f"gunicorn {workers} sync workers, DEBUG off, {rounds} rounds",
            "",
            line.format("request", "median ms", "p95 ms", "× floor", "target", "KB", "queries"),
            line.format("-" * 44, "-" * 9, "-" * 8, "-" * 9, "-" * 10, "-" * 7, "-" * 6),
            line.format(
                bare_row.name,
                f"{bare:.1f}",
                f"{_p95(bare_row.times):.1f}",
                "1.00",
                "",
                f"{bare_row.size / 1024:.1f}",
                "0",
            ),
        ]
        verdicts = []
        for size, rows in results[1:]:
            out.append(line.format(f"**{size} cards**", "", "", "", "", "", ""))
            floor_board = statistics.median(rows["floor_board"].times)
            for row in rows.values():
                median = statistics.median(row.times)
                floor = floor_board if row.floor == "board" else bare
                verdict = row.verdict(median / floor)
                if verdict:
                    verdicts.append((f"{row.name}, {size} cards", verdict.endswith("yes")))
                out.append(
                    line.format(
                        row.name,
                        f"{median:.1f}",
                        f"{_p95(row.times):.1f}",
                        f"{median / floor:.2f}",
                        verdict,
                        f"{row.size / 1024:.1f}",
                        "-" if row.queries is None else str(row.queries),
                    )
                )
            cards = min(size, 5 * 50)
            out.append(
                f"|   per card: first paint {rows['board'].size / cards:.0f} B "
                f"({rows['board'].gzip_size / cards:.0f} B gzipped); all cards "
                f"{statistics.median(rows['board_all'].times) / size:.3f} ms "
                f"(floor {floor_board / size:.3f} ms) | | | | | | |"
            )
        out.append("")
        # The issue's 60 requests/s came with a bare view of ISSUE_BARE_MS: as many bare views.
        wanted = ISSUE_THROUGHPUT * ISSUE_BARE_MS / bare
        holds = throughput >= wanted
        verdicts.append(("throughput", holds))
        out.append(
            f"throughput, board of 500 cards, 4 concurrent clients ({measured_by}): "
            f"{throughput:.0f} req/s "
            f"(target ≥ {wanted:.0f}: {'yes' if holds else 'NO'})"
        )
        for size, kanboard_ms in KANBOARD_MS.items():
            board = statistics.median(dict(results)[size]["board"].times)
            # Kanboard's time in the issue's bare views, against the board's in this run's.
            times_faster = (kanboard_ms / ISSUE_BARE_MS) / (board / bare)
            holds = times_faster >= 3
            verdicts.append((f"3× Kanboard, {size} cards", holds))
            out.append(
                f"against Kanboard 1.2.53 (the issue's {kanboard_ms} ms, "
                f"{kanboard_ms / ISSUE_BARE_MS:.1f} bare views), {size} cards: "
                f"{times_faster:.1f}× faster "
                f"(target ≥ 3: {'yes' if holds else 'NO'})"
            )
        failed = [name for name, holds in verdicts if not holds]
        out.append(
            f"targets of issue 10: {len(verdicts) - len(failed)} of {len(verdicts)} hold"
            + (f"; not: {', '.join(failed)}" if failed else "")
        )
        out.append(
            "× floor: board rows against the floor template with all the board's cards, "
            "every other row against the bare view. target: issue 10's, in the same terms "
            f"(its milliseconds over its bare view of {ISSUE_BARE_MS} ms); queries and KB "
            "count too."
        )
        self.stdout.write("\n".join(out))
