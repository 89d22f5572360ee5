"""`python manage.py import_project FILE --team ID [--key KEY]`: restore an exported project.

Reads what ``export_project`` (or the page, or the API) wrote and creates the
project in team ``ID`` (``tasks.transfer.project_import``): from this
Internboard or another. People are matched by username and e-mail; those not
found are listed, and their tasks stay unassigned. Any problem (unreadable
file, invalid document, a key the team already uses) exits non-zero with one
sentence, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.errors import DomainError
from tasks.transfer import project_import
from teams.models import Team


class Command(BaseCommand):
    help = "Import a project exported with export_project into a team."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON file export_project wrote.")
        parser.add_argument(
            "--team", type=int, required=True, help="Id of the team to import into."
        )
        parser.add_argument("--key", help="Project key to use instead of the exported one.")

    def handle(self, *args, file: str, team: int, key: str | None, **options) -> None:
        found = Team.objects.filter(pk=team).first()
        if found is None:
            raise CommandError(f"No team with id {team}.")
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            result = project_import(data=data, team=found, key=key)
        except DomainError as error:
            message = str(error)
            if error.code == "key_taken":
                message += " Choose another key with --key."
            raise CommandError(message) from error
        self.stdout.write(result.summary())
