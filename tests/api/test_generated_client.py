"""A Python client generated from the live schema, running the README's example.

openapi-python-client (pinned in requirements-dev.txt) generates the client
from the schema a live test server serves, into a temporary directory: no
generated code is checked in, and generating fetches nothing from outside.
Then docs/examples/client_example.py runs against that server: it lists
tasks across pages, moves one and recovers from a 409 through the typed
``current``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from accounts.services import api_token_create
from projects.models import Column
from tasks.models import Task
from tasks.services import task_edit
from tests.tasks.factories import make_task

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "client_example.py"
PACKAGE = "internboard_api_client"
# No post-generation hooks: formatting the generated code is the user's choice.
CONFIG = "post_hooks: []\n"


def _forget_generated_modules() -> None:
    for name in list(sys.modules):
        if name == PACKAGE or name.startswith(f"{PACKAGE}.") or name == "client_example":
            del sys.modules[name]


@pytest.fixture(scope="module")
def generated_client(live_server, tmp_path_factory):
    """Generate the client package from the live server's schema; make it importable."""
    tmp_path = tmp_path_factory.mktemp("client")
    schema = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(tmp_path / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Every schema construct must be understood: a warning means a lost type.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    _forget_generated_modules()
    sys.path.insert(0, str(tmp_path))
    try:
        spec = importlib.util.spec_from_file_location("client_example", EXAMPLE)
        example = importlib.util.module_from_spec(spec)
        sys.modules["client_example"] = example  # dataclasses look their module up
        spec.loader.exec_module(example)
        yield example
    finally:
        sys.path.remove(str(tmp_path))
        _forget_generated_modules()


@pytest.fixture
def board(project, intern):
    """Five open tasks in "To do": three pages of two; and the intern's token."""
    tasks = [make_task(project, intern, title=f"Task {n}", assignee=intern) for n in range(5)]
    _, token = api_token_create(user=intern, name="client", expires_in_days=None)
    return tasks, token


@pytest.mark.usefixtures("postgres_only")
def test_the_example_lists_across_pages_and_moves_a_task(live_server, generated_client, board):
    tasks, token = board
    outcome = generated_client.main(live_server.url, token, page_size=2)
    assert outcome.listed == len(tasks)
    assert outcome.conflicts == 0
    moved = Task.objects.select_related("column").get(pk=outcome.moved.id)
    assert moved.column.category == "in_progress"
    assert outcome.moved.version == moved.version
    assert str(outcome.moved.category) == "in_progress"


@pytest.mark.usefixtures("postgres_only")
def test_the_example_recovers_from_a_409_with_the_typed_current(
    live_server, generated_client, board, project, intern
):
    tasks, token = board
    from internboard_api_client import AuthenticatedClient
    from internboard_api_client.api.tasks import tasks_retrieve

    client = AuthenticatedClient(base_url=live_server.url, token=token)
    stale = tasks_retrieve.sync(tasks[0].pk, client=client)
    # Someone else edits the task after the client read it.
    fresh = task_edit(
        task=tasks[0],
        by=intern,
        version=tasks[0].version,
        assignee=intern,
        labels=[],
        title="Edited elsewhere",
    )
    doing = Column.objects.get(project=project, name="In progress")
    moved, conflicts = generated_client.move_task(client, stale, column=doing.pk, position=0)
    assert conflicts == 1
    assert moved.title == "Edited elsewhere"  # the move started from the current task
    assert moved.version == fresh.version + 1
    assert Task.objects.get(pk=tasks[0].pk).column_id == doing.pk


@pytest.mark.usefixtures("postgres_only")
def test_a_refused_move_raises_with_the_stable_code(live_server, generated_client, board, project):
    tasks, token = board
    from internboard_api_client import AuthenticatedClient
    from internboard_api_client.api.tasks import tasks_retrieve

    client = AuthenticatedClient(base_url=live_server.url, token=token)
    task = tasks_retrieve.sync(tasks[0].pk, client=client)
    done = Column.objects.get(project=project, name="Done")  # review required: interns may not
    with pytest.raises(generated_client.ApiError) as refused:
        generated_client.move_task(client, task, column=done.pk, position=0)
    assert refused.value.status == 400
    assert refused.value.code == "review_required"
