"""`python manage.py export_project PROJECT_ID [-o FILE]`: a project as JSON (a backup).

The document ``tasks.transfer.project_export`` makes (the page and the API
serve the same); ``import_project`` restores it. Without ``-o`` it goes to
standard output.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.models import Project
from tasks.transfer import project_export_json


class Command(BaseCommand):
    help = "Export a project (columns, labels, tasks, comments, checklists, reviews, history)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project_id", type=int, help="Id of the project to export.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, project_id: int, output: str | None, **options) -> None:
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No project with id {project_id}.")
        text = project_export_json(project=project)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stderr.write(f"Project {project.key} exported to {output}.")
