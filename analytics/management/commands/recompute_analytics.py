"""Rebuild the analytics read models.

Usage: `python manage.py recompute_analytics [--team ID] [--since DATE]`.

Safe to run at any time, twice, or while workers apply events incrementally:
each project and each batch of interns is recomputed in its own transaction
under the analytics lock (see ``analytics.services``).
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import rebuild
from teams.models import Team

BAR_WIDTH = 30


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--since expects YYYY-MM-DD, got {value!r}.") from error


class Command(BaseCommand):
    help = "Recompute the analytics read models (all, one team's, or from a date on)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", type=int, help="only this team's projects and interns")
        parser.add_argument("--since", type=_date, help="only what changed from this date on")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, team: int | None, since: datetime.date | None, **options) -> None:
        if team is not None and not Team.objects.filter(pk=team).exists():
            raise CommandError(f"No team with id {team}.")
        started = time.monotonic()
        show = not options["no_progress"] and options["verbosity"] > 0
        result = rebuild(team_id=team, since=since, progress=self._bar if show else None)
        if show:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {result.tasks} tasks of {result.projects} projects and "
                f"{result.interns} interns in {time.monotonic() - started:.1f} s."
            )
        )

    def _bar(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        line = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
        self.stdout.write(line, ending="")
        self.stdout.flush()
