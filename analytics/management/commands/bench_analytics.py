"""Benchmark the analytics pipeline: `python manage.py bench_analytics` (`make bench-analytics`).

Seeds a large cohort on the configured database with bulk inserts (100
interns in 20 teams, 50,000 tasks, about 250,000 activity rows, 16 weeks of
history), runs a full rebuild, then 1,000 incremental updates (a real move
through the task service, then its event consumed and recomputed, timed),
and the team and intern analytics reads (selector and API), and prints
the figures. A command, not a test: the numbers depend on the machine.

The bench cohort is removed before seeding and, unless ``--keep``, at the
end; nothing else in the database is touched.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.models import User
from analytics import selectors, services
from analytics.api.views import InternAnalyticsView, TeamAnalyticsView
from integrations import consumers
from integrations.models import Event
from projects.models import Column, ColumnCategory
from projects.services import project_create
from tasks import services as task_services
from tasks.demo import bench_cohort_drop
from tasks.models import Activity, ActivityKind, Review, Task
from teams.models import Cohort, Membership, Role, Team

COHORT = "Bench cohort (bench_analytics)"
TEAMS = 20
INTERNS_PER_TEAM = 5
TASKS = 50_000
WEEKS = 16
INCREMENTAL_UPDATES = 1_000
READS = 20
BATCH = 5_000


def _timed(call: Callable[[], object], runs: int) -> tuple[list[float], int]:
    """Milliseconds of each run, and the queries of the last one."""
    times = []
    queries = 0
    for _ in range(runs):
        # The query log is a bounded deque, full after the seeding: empty it so
        # that the capture below can count.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return times, queries


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


class Command(BaseCommand):
    help = "Seed a large cohort and time the analytics rebuild, incremental path and reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tasks", type=int, default=TASKS)
        parser.add_argument("--updates", type=int, default=INCREMENTAL_UPDATES)
        parser.add_argument("--keep", action="store_true", help="keep the bench cohort")

    def handle(self, *args, tasks: int, updates: int, keep: bool, **options) -> None:
        rng = random.Random(9)  # noqa: S311 - reproducible data, not security
        self._drop()
        started = time.perf_counter()
        teams, interns, mentors = self._seed(rng, tasks)
        if connection.vendor == "postgresql":
            # Fresh planner statistics, as autovacuum keeps them in production.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seeded = time.perf_counter() - started
        activities = Activity.objects.filter(task__project__team__in=teams).count()
        self.stdout.write(
            f"Seeded {len(interns)} interns, {tasks} tasks, {activities} activity rows "
            f"in {seeded:.1f} s ({connection.vendor})."
        )

        started = time.perf_counter()
        result = services.rebuild()
        rebuild_seconds = time.perf_counter() - started

        incremental = self._incremental(rng, teams, mentors, updates)

        team, intern, mentor = teams[0], interns[0], mentors[0]
        span = selectors.period()
        team_selector, team_selector_q = _timed(lambda: selectors.team_analytics(team, span), READS)
        intern_selector, intern_selector_q = _timed(
            lambda: selectors.intern_analytics(intern, span), READS
        )
        factory = APIRequestFactory()

        def call_api(view, user, **kwargs) -> None:
            request = factory.get("/", {"from": span.start.isoformat(), "to": span.end.isoformat()})
            force_authenticate(request, user=user)
            response = view.as_view()(request, **kwargs)
            if response.status_code != 200:
                raise CommandError(f"the API answered {response.status_code}: {response.data}")
            response.render()

        team_api, team_api_q = _timed(
            lambda: call_api(TeamAnalyticsView, mentor, pk=team.pk), READS
        )
        intern_api, intern_api_q = _timed(
            lambda: call_api(InternAnalyticsView, mentor, user_id=intern.pk), READS
        )

        today = timezone.now().date().isoformat()
        rows = [
            ("full rebuild", f"{rebuild_seconds:.2f} s", f"{result.tasks} tasks"),
            (
                f"incremental ({len(incremental)} moves)",
                f"median {statistics.median(incremental):.1f} ms",
                f"p95 {_p95(incremental):.1f} ms",
            ),
            self._read_row("team selector", team_selector, team_selector_q),
            self._read_row("intern selector", intern_selector, intern_selector_q),
            self._read_row("team API", team_api, team_api_q),
            self._read_row("intern API", intern_api, intern_api_q),
        ]
        self.stdout.write(f"\nbench-analytics, {today}, {connection.vendor}")
        for name, first, second in rows:
            self.stdout.write(f"  {name:<28} {first:>18}   {second}")
        if not keep:
            self._drop()

    @staticmethod
    def _read_row(name: str, times: list[float], queries: int) -> tuple[str, str, str]:
        return (
            f"{name} ({len(times)} runs)",
            f"median {statistics.median(times):.1f} ms",
            f"{queries} queries",
        )

    def _drop(self) -> None:
        user_ids = bench_cohort_drop(name=COHORT)
        User.objects.filter(pk__in=user_ids, username__startswith="bench-").delete()

    def _seed(self, rng: random.Random, total: int) -> tuple[list[Team], list[User], list[User]]:
        now = timezone.now()
        start = now - datetime.timedelta(weeks=WEEKS)
        cohort = Cohort.objects.create(
            name=COHORT, starts_on=start.date(), ends_on=(now + datetime.timedelta(weeks=4)).date()
        )
        teams, interns, mentors, projects = [], [], [], []
        users = User.objects.bulk_create(
            [
                User(username=f"bench-{team}-{member}", full_name=f"Bench {team}.{member}")
                for team in range(TEAMS)
                for member in range(INTERNS_PER_TEAM + 1)
            ]
        )
        for number in range(TEAMS):
            team = Team.objects.create(cohort=cohort, name=f"Bench team {number}")
            teams.append(team)
            members = users[number * (INTERNS_PER_TEAM + 1) : (number + 1) * (INTERNS_PER_TEAM + 1)]
            mentor, team_interns = members[0], members[1:]
            Membership.objects.bulk_create(
                [Membership(user=mentor, team=team, role=Role.MENTOR, joined_on=start.date())]
                + [
                    Membership(user=user, team=team, role=Role.INTERN, joined_on=start.date())
                    for user in team_interns
                ]
            )
            mentors.append(mentor)
            interns.extend(team_interns)
            key = f"Z{chr(65 + number // 26)}{chr(65 + number % 26)}"
            projects.append(
                (
                    project_create(team=team, by=mentor, name=f"Bench {number}", key=key),
                    team_interns,
                )
            )

        span = (now - start).total_seconds()
        per_project = total // len(projects)
        for project, team_interns in projects:
            columns = {
                column.category: column
                for column in Column.objects.filter(project=project).order_by("-position")
            }
            todo = Column.objects.filter(project=project, category=ColumnCategory.TODO).order_by(
                "position"
            )[1]  # "To do"; Backlog is first
            columns[ColumnCategory.TODO] = todo
            task_rows, plans = [], []
            for number in range(1, per_project + 1):
                created = start + datetime.timedelta(seconds=rng.uniform(0, span * 0.9))
                steps = [created + datetime.timedelta(hours=rng.uniform(2, 60))]
                for _ in range(3):
                    steps.append(steps[-1] + datetime.timedelta(hours=rng.uniform(1, 48)))
                # 80 % reach done; the rest stop in progress (some past their due date).
                done = rng.random() < 0.8 and steps[-1] < now
                final = ColumnCategory.DONE if done else ColumnCategory.IN_PROGRESS
                due = (created + datetime.timedelta(days=rng.randint(2, 10))).date()
                task_rows.append(
                    Task(
                        project=project,
                        number=number,
                        title=f"Bench task {number}",
                        column=columns[final],
                        rank=number * 1024,
                        assignee=rng.choice(team_interns),
                        reporter=team_interns[0],
                        estimate=rng.choice([1, 2, 3, 5, 8, None]),
                        due_on=due if rng.random() < 0.7 else None,
                        created_at=created,
                        updated_at=steps[-1] if done else steps[0],
                        started_at=steps[0],
                        completed_at=steps[-1] if done else None,
                    )
                )
                plans.append((done, created, steps))
            with transaction.atomic():
                saved = Task.objects.bulk_create(task_rows, batch_size=BATCH)
                activities, reviews = [], []
                for task, (done, created, steps) in zip(saved, plans, strict=True):
                    col = columns
                    activities.append(
                        Activity(
                            task=task,
                            kind=ActivityKind.CREATED,
                            to_column=col["todo"],
                            to_category="todo",
                            created_at=created,
                        )
                    )
                    activities.append(
                        Activity(
                            task=task,
                            kind=ActivityKind.MOVED,
                            from_column=col["todo"],
                            to_column=col["in_progress"],
                            from_category="todo",
                            to_category="in_progress",
                            created_at=steps[0],
                        )
                    )
                    if not done:
                        continue
                    activities.append(
                        Activity(task=task, kind=ActivityKind.COMMENTED, created_at=steps[1])
                    )
                    activities.append(
                        Activity(
                            task=task,
                            kind=ActivityKind.MOVED,
                            from_column=col["in_progress"],
                            to_column=col["review"],
                            from_category="in_progress",
                            to_category="review",
                            created_at=steps[2],
                        )
                    )
                    activities.append(
                        Activity(task=task, kind=ActivityKind.REVIEWED, created_at=steps[3])
                    )
                    activities.append(
                        Activity(
                            task=task,
                            kind=ActivityKind.MOVED,
                            from_column=col["review"],
                            to_column=col["done"],
                            from_category="review",
                            to_category="done",
                            created_at=steps[3],
                        )
                    )
                    reviews.append(
                        Review(
                            task=task,
                            reviewer=mentors[0],
                            decision="approve",
                            score=rng.randint(3, 5),
                            created_at=steps[3],
                        )
                    )
                Activity.objects.bulk_create(activities, batch_size=BATCH)
                Review.objects.bulk_create(reviews, batch_size=BATCH)
        return teams, interns, mentors

    def _incremental(
        self, rng: random.Random, teams: list[Team], mentors: list[User], updates: int
    ) -> list[float]:
        """Move random open tasks between To do and In progress; time each event's recompute."""
        open_tasks = list(
            Task.objects.filter(project__team__in=teams, completed_at__isnull=True)
            .select_related("project", "column")
            .order_by("pk")[: updates * 2]
        )
        mentor_of = {team.pk: mentor for team, mentor in zip(teams, mentors, strict=True)}
        columns: dict[tuple[int, str], Column] = {}
        for column in Column.objects.filter(project__team__in=teams).order_by("-position"):
            columns[(column.project_id, column.category)] = column
        timings = []
        saved = dict(consumers._registry)
        consumers._registry.clear()  # the bench consumes the events itself, timed
        try:
            for _ in range(updates):
                task = rng.choice(open_tasks)
                task.refresh_from_db()
                target = (
                    ColumnCategory.TODO
                    if task.column.category == ColumnCategory.IN_PROGRESS
                    else ColumnCategory.IN_PROGRESS
                )
                task_services.task_move(
                    task=task,
                    by=mentor_of[task.project.team_id],
                    column=columns[(task.project_id, target)],
                    position=None,
                    version=task.version,
                )
                event = Event.objects.filter(project_id=task.project_id).order_by("-created_at")[0]
                started = time.perf_counter()
                services.event_consume(event_id=str(event.pk))
                services.recompute_pending()
                timings.append((time.perf_counter() - started) * 1000)
        finally:
            consumers._registry.update(saved)
        return timings
