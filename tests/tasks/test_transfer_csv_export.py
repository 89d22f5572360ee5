"""The CSV export of a project's tasks: every field, UTF-8 with a BOM, formula cells
neutralised, board filters honoured; the page and the API (permissions, query count)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Priority
from tests.tasks.factories import column, make_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_only")]


def rows_of(response) -> list[list[str]]:
    body = b"".join(response) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: spreadsheets read Cyrillic as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def tasks(project, mentor, intern):
    label = services.label_create(project=project, by=mentor, name="фронт")
    first = make_task(
        project,
        intern,
        title='=HYPERLINK("http://evil")',
        description="Сверстать шапку\r\nи подвал",
        assignee=intern,
        priority=Priority.HIGH,
        labels=[label],
        estimate=3,
        due_on=datetime.date(2026, 3, 5),
    )
    second = make_task(project, intern, title="+1 idea", description="\tTabbed")
    third = make_task(project, intern, title="-minus", column_name="In progress")
    third = services.task_move(
        task=third,
        by=mentor,
        column=column(project, "Done"),
        position=None,
        version=third.version,
        at=third.started_at + datetime.timedelta(days=2, hours=12),
    )
    services.task_set_archived(task=second, by=mentor, archived=True)
    fourth = make_task(project, intern, title="@mention")
    return first, second, third, fourth


def test_every_field_in_english(client, project, mentor, intern, tasks):
    client.force_login(mentor)
    response = client.get(f"/projects/{project.pk}/tasks.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="WEB-tasks-{timezone.localdate().isoformat()}.csv"'
        in response["Content-Disposition"]
    )
    header, *rows = rows_of(response)
    assert header == [
        "Key", "Title", "Description", "Column", "Category", "Assignee", "Reporter",
        "Priority", "Labels", "Estimate", "Due date", "Created", "Started", "Completed",
        "Cycle time (days)", "Archived", "Attachments",
    ]  # fmt: skip
    assert [row[0] for row in rows] == ["WEB-1", "WEB-2", "WEB-3", "WEB-4"]
    first, second, third, fourth = rows
    assert first[1] == '\'=HYPERLINK("http://evil")'  # neutralised
    assert first[2] == "Сверстать шапку\r\nи подвал"  # Russian text intact
    assert first[3:11] == [
        "To do", "todo", "intern", "intern", "high", "фронт", "3", "2026-03-05",
    ]  # fmt: skip
    assert first[15] == "no"
    assert (second[1], second[2], second[15]) == ("'+1 idea", "'\tTabbed", "yes")
    assert third[1] == "'-minus"
    assert (third[3], third[4], third[14]) == ("Done", "done", "2.5")
    assert third[12]  # started
    assert third[13]  # completed
    assert fourth[1] == "'@mention"


def test_russian_headers(client, project, mentor, tasks):
    mentor.preferred_language = "ru"
    mentor.save()
    client.force_login(mentor)
    header, *_rows = rows_of(client.get(f"/projects/{project.pk}/tasks.csv"))
    assert len(header) == 17
    assert (header[0], header[1], header[-1]) == ("Ключ", "Заголовок", "Вложения")


def test_board_filters_narrow_the_export(client, project, intern, tasks):
    client.force_login(intern)
    _header, *rows = rows_of(client.get(f"/projects/{project.pk}/tasks.csv?priority=high"))
    assert [row[0] for row in rows] == ["WEB-1"]
    _header, *rows = rows_of(client.get(f"/projects/{project.pk}/tasks.csv?mine=on"))
    assert [row[0] for row in rows] == ["WEB-1"]


def test_board_links_to_the_export(client, project, intern):
    client.force_login(intern)
    html = client.get(f"/projects/{project.pk}/board/?priority=high").content.decode()
    assert f'href="/projects/{project.pk}/tasks.csv?priority=high"' in html


# --- API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_name", "status"),
    [("anonymous", 401), ("staff", 200), ("mentor", 200), ("intern", 200), ("outsider", 404)],
)
def test_api_export_csv_permissions(api_as, project, persona_name, status, tasks):
    response = api_as(persona_name).get(f"/api/v1/projects/{project.pk}/export.csv")
    assert response.status_code == status
    if status == 200:
        assert len(rows_of(response)) == 5
    else:
        assert response["Content-Type"] == "application/json"


def test_api_export_csv_answers_accept_text_csv_and_errors_stay_json(api_as, project, tasks):
    client = api_as("mentor")
    ok = client.get(f"/api/v1/projects/{project.pk}/export.csv", HTTP_ACCEPT="text/csv")
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("text/csv")
    missing = client.get("/api/v1/projects/999999/export.csv", HTTP_ACCEPT="text/csv")
    assert missing.status_code == 404
    assert missing.json()["code"]


def test_api_export_csv_query_count_is_constant(
    api_as, project, intern, mentor, django_assert_num_queries
):
    client = api_as("mentor")
    label = services.label_create(project=project, by=mentor, name="x")
    make_task(project, intern, labels=[label], assignee=intern)
    url = f"/api/v1/projects/{project.pk}/export.csv"
    client.get(url)  # warm the session
    with django_assert_num_queries(EXPORT_QUERIES):
        client.get(url)
    for index in range(15):
        make_task(project, intern, title=f"More {index}", labels=[label], assignee=mentor)
    with django_assert_num_queries(EXPORT_QUERIES):
        assert len(rows_of(client.get(url))) == 17


# Session + user, membership check (project with viewer role), tasks, their labels, and
# their attachments' names.
EXPORT_QUERIES = 6


def test_attachments_are_listed_by_name_never_as_a_path(
    client, project, mentor, tasks, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tasks.services import attachment_add

    settings.MEDIA_ROOT = tmp_path
    first = tasks[0]
    for name in ("spec.pdf", "=cmd.txt"):
        upload = SimpleUploadedFile(name, b"content", content_type="text/plain")
        attachment_add(task=first, by=mentor, upload=upload)
    client.force_login(mentor)
    _header, *rows = rows_of(client.get(f"/projects/{project.pk}/tasks.csv"))
    assert rows[0][16] == "spec.pdf; =cmd.txt"
    assert rows[1][16] == ""


def test_the_task_list_offers_the_export_once_a_project_is_chosen(client, project, intern, tasks):
    client.force_login(intern)
    link = f'href="/projects/{project.pk}/tasks.csv"'
    assert link not in client.get("/tasks/").content.decode()
    assert link in client.get(f"/tasks/?project={project.pk}").content.decode()
