"""The Internboard API from a generated Python client: list tasks, move one, handle a 409.

Generate the client from a running server first (README, "Generate a client")::

    openapi-python-client generate --url http://localhost:8000/api/schema/?format=json \\
        --meta none --output-path internboard_api_client

then, with a personal API token (/settings/tokens/ or ``manage.py create_api_token``)::

    python client_example.py http://localhost:8000 ib_...

CI runs this file against a live test server (tests/api/test_generated_client.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

from internboard_api_client import AuthenticatedClient
from internboard_api_client.api.projects import projects_columns_list
from internboard_api_client.api.tasks import tasks_list, tasks_move
from internboard_api_client.models import (
    CategoryEnum,
    Column,
    Error,
    MoveRequest,
    PaginatedTaskList,
    Task,
    TaskConflict,
    TaskOrderingEnum,
    ValidationError,
)


class ApiError(Exception):
    """The server refused a request: ``code`` is stable, ``detail`` in the user's language."""

    def __init__(self, status: int, body: Error | ValidationError | None) -> None:
        self.status = status
        self.code = body.code if body else ""
        super().__init__(f"{status} {self.code}: {body.detail if body else ''}")


def all_tasks(client: AuthenticatedClient, *, page_size: int = 50, **filters) -> Iterator[Task]:
    """Every task the filters match, page after page until ``next`` is empty."""
    page = 1
    while True:
        response = tasks_list.sync_detailed(
            client=client,
            page=page,
            page_size=page_size,
            # Several sort keys: the client sends them as repeated parameters.
            ordering=[TaskOrderingEnum.ORDERING_PRIORITY_DESC, TaskOrderingEnum.ORDERING_NUMBER],
            **filters,
        )
        if not isinstance(response.parsed, PaginatedTaskList):
            raise ApiError(response.status_code, response.parsed)
        yield from response.parsed.results
        if not response.parsed.next_:
            return
        page += 1


def first_column(client: AuthenticatedClient, project: int, category: CategoryEnum) -> Column:
    """The project's first column of ``category`` (the column list is not paginated)."""
    response = projects_columns_list.sync_detailed(project, client=client)
    if not isinstance(response.parsed, list):
        raise ApiError(response.status_code, response.parsed)
    return next(column for column in response.parsed if column.category == category)


def move_task(
    client: AuthenticatedClient, task: Task, *, column: int, position: int, attempts: int = 3
) -> tuple[Task, int]:
    """Move ``task``; on a version conflict, retry from the task as the server has it.

    Returns the moved task and how many conflicts it took.
    """
    conflicts = 0
    for _attempt in range(attempts):
        if task.column == column:
            return task, conflicts  # someone else already put it there
        body = MoveRequest(column=column, position=position, version=task.version)
        response = tasks_move.sync_detailed(task.id, client=client, body=body)
        if isinstance(response.parsed, Task):
            return response.parsed, conflicts
        if isinstance(response.parsed, TaskConflict):
            # Someone changed the task since we read it: ``current`` is a typed Task
            # with the version to send next.
            conflicts += 1
            task = response.parsed.current
            continue
        raise ApiError(response.status_code, response.parsed)
    raise RuntimeError(f"Task {task.key} kept changing; gave up after {attempts} tries.")


@dataclass
class Outcome:
    listed: int
    moved: Task | None
    conflicts: int


def main(base_url: str, token: str, *, page_size: int = 50) -> Outcome:
    """List every open task, then start the first one waiting in a "to do" column."""
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    with client:
        tasks = list(all_tasks(client, page_size=page_size))
        print(f"{len(tasks)} open tasks")
        waiting = next((task for task in tasks if task.category == CategoryEnum.TODO), None)
        if waiting is None:
            return Outcome(listed=len(tasks), moved=None, conflicts=0)
        doing = first_column(client, waiting.project, CategoryEnum.IN_PROGRESS)
        moved, conflicts = move_task(client, waiting, column=doing.id, position=0)
        print(f"{moved.key} is now in {doing.name} (version {moved.version})")
        return Outcome(listed=len(tasks), moved=moved, conflicts=conflicts)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
