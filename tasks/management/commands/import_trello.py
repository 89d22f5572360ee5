"""Import a Trello board export into a team.

Usage: `python manage.py import_trello FILE --team ID [--project-key KEY] [--as USERNAME]
[--dry-run]`.

``--dry-run`` prints the preview (lists and their columns, members and the
users they become, counts, warnings) and writes nothing. Without it the
board is written in one transaction (see ``tasks.trello``); importing the
same board again updates the project it made. Every refusal exits non-zero
with a sentence.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from config.errors import DomainError
from projects.models import ColumnCategory
from tasks import trello
from teams.models import Role, Team
from teams.selectors import team_members


class Command(BaseCommand):
    help = "Import a Trello board export (JSON) into a team as a project, with its history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON file of Trello's “Export as JSON”")
        parser.add_argument("--team", type=int, required=True, help="the team's id")
        parser.add_argument("--project-key", default="", help="key of the new project, e.g. WEB")
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            help="who imports (default: the team's first mentor); unmatched authors become them",
        )
        parser.add_argument("--dry-run", action="store_true", help="print the preview only")

    def handle(self, *args, file: str, team: int, **options) -> None:
        found = Team.objects.filter(pk=team).select_related("cohort").first()
        if found is None:
            raise CommandError(f"No team with id {team}.")
        try:
            size = os.path.getsize(file)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            trello.check_size(size)  # before a byte is read
            with open(file, "rb") as handle:
                board = trello.trello_parse(data=handle.read())
            if options["dry_run"]:
                self._preview(board, found)
                return
            result = trello.trello_import(
                team=found,
                by=self._importer(found, options["username"]),
                board=board,
                key=options["project_key"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        verb = "Updated" if result.reimport else "Imported into"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.project.key} · {result.project.name}: "
                f"{result.tasks_created} tasks created, {result.tasks_updated} updated, "
                f"{result.comments} comments, {result.checklist_items} checklist items, "
                f"{result.moves} moves, {result.labels} labels, {result.columns} columns."
            )
        )

    def _importer(self, team: Team, username: str) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return user
        mentor = next((m.user for m in team_members(team) if m.role == Role.MENTOR), None)
        if mentor is None:
            raise CommandError(f"Team {team.name!r} has no mentor: name the importer with --as.")
        return mentor

    def _preview(self, board: trello.TrelloBoard, team: Team) -> None:
        plan = trello.trello_plan(board=board, users=trello.team_users(team))
        target = trello.trello_reimport_target(team=team, board_id=board.id)
        write = self.stdout.write
        write(f"Board: {plan.board_name}")
        if target is not None:
            write(f"Re-import: updates {target.key} · {target.name}")
        else:
            write(f"Into: a new project of team {team.name}")
        write("Lists → columns:")
        labels = dict(ColumnCategory.choices)
        for item in plan.lists:
            closed = ""
            if item.closed:
                closed = (
                    " (closed: its cards are archived)" if item.include else " (closed: skipped)"
                )
            write(
                f"  {item.name} → {item.column_name} [{labels[item.category]}], "
                f"{item.cards} cards{closed}"
            )
        write("Members → users:")
        users = {user.pk: user for user in trello.team_users(team)}
        for member in plan.members:
            user = users.get(member.user_id) if member.user_id else None
            shown = f"{user.username} (by {member.matched_by})" if user else "nobody (unmatched)"
            write(f"  {member.display_name} → {shown}")
        counts = plan.counts
        write(
            f"Counts: {counts.cards} cards, {counts.comments} comments, "
            f"{counts.checklist_items} checklist items, {counts.labels} labels, "
            f"{counts.attachments} attachments, {counts.moves} moves"
        )
        for warning in plan.warnings:
            write(f"Warning: {warning}")
        write("Dry run: nothing was written.")
