"""The CSV task import: reading (UTF-8 with or without BOM, Windows-1251, `,` and `;`),
the guessed column mapping, line-numbered problems and all-or-nothing writes, and the
two pages (upload → preview → import) in both languages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.csv_files import ImportProblemsError
from config.errors import DomainError
from projects.models import Column
from tasks import services, transfer
from tasks.models import Activity, Label, Task
from tests.projects.factories import ProjectFactory
from tests.tasks.factories import column, make_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_only")]

RUSSIAN = (
    "Название;Описание;Статус;Исполнитель;Срок;Метки;Оценка;Приоритет\r\n"
    "Сверстать шапку;Макет в Figma;В работе;intern;05.03.2026;вёрстка, фронт;3;Высокий\r\n"
    "Настроить CI;;Готово;;2026-03-10;;;\r\n"
)
ENGLISH = (
    "Summary,Description,Status,Assignee,Due date,Labels,Story Points,Priority\n"
    'Write the API,"Endpoints, docs",To do,mentor@example.com,,"api,backend",5,Highest\n'
)


def table(text: str, encoding: str = "utf-8") -> transfer.CsvTable:
    return transfer.tasks_csv_read(data=text.encode(encoding))


def guessed(data: transfer.CsvTable) -> transfer.Mapping:
    return transfer.tasks_csv_guess_mapping(headers=data.headers)


@pytest.fixture
def named(mentor, intern):
    mentor.email = "mentor@example.com"
    mentor.save()
    return mentor


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-8", ""), ("utf-8", "\ufeff"), ("cp1251", "")]
)
def test_russian_file_imports_in_every_encoding(project, mentor, intern, encoding, prefix):
    data = table(prefix + RUSSIAN, encoding)
    assert data.headers[0] == "Название"
    result = transfer.tasks_csv_import(
        project=project, by=mentor, table=data, mapping=guessed(data)
    )
    assert (result.created, result.new_labels) == (2, 2)
    first, second = Task.objects.filter(project=project).order_by("number")
    assert first.title == "Сверстать шапку"
    assert first.description == "Макет в Figma"
    assert first.column == column(project, "In progress")  # "В работе": an in-progress word
    assert first.assignee == intern
    assert first.due_on.isoformat() == "2026-03-05"
    assert sorted(label.name for label in first.labels.all()) == ["вёрстка", "фронт"]
    assert (first.estimate, first.priority) == (3, "high")
    assert second.column == column(project, "Done")  # "Готово": the first done column
    assert (second.assignee, second.priority, second.estimate) == (None, "medium", None)
    assert first.reporter == mentor
    assert Activity.objects.filter(task=first, kind="created").count() == 1


def test_comma_file_with_quoted_values_and_jira_words(project, named):
    data = table(ENGLISH)
    mapping = guessed(data)
    assert mapping == {
        "title": 0,
        "description": 1,
        "column": 2,
        "assignee": 3,
        "due_on": 4,
        "labels": 5,
        "estimate": 6,
        "priority": 7,
    }
    transfer.tasks_csv_import(project=project, by=named, table=data, mapping=mapping)
    task = Task.objects.get(project=project)
    assert task.description == "Endpoints, docs"
    assert task.assignee == named  # matched by e-mail
    assert task.priority == "urgent"  # Jira's "Highest"
    assert task.column == column(project, "To do")  # the column's own name wins
    assert sorted(task.labels.values_list("name", flat=True)) == ["api", "backend"]


def test_mapping_guess_reads_our_own_export_headers_in_both_languages():
    english = transfer.tasks_csv_guess_mapping(
        headers=["Key", "Title", "Description", "Column", "Assignee", "Due date", "Labels"]
    )
    assert (english["title"], english["column"], english["due_on"]) == (1, 3, 5)
    russian = transfer.tasks_csv_guess_mapping(
        headers=["Ключ", "Заголовок", "Колонка", "Ответственный", "Приоритет", "Теги"]
    )
    assert (russian["title"], russian["column"], russian["assignee"]) == (1, 2, 3)
    assert (russian["priority"], russian["labels"], russian["description"]) == (4, 5, None)
    jira = transfer.tasks_csv_guess_mapping(headers=["Summary", "Custom field (Story Points)"])
    assert jira["estimate"] == 1


def test_a_chosen_mapping_overrides_the_guess(project, mentor):
    data = table("Name,Notes\nFirst,Details\n")
    transfer.tasks_csv_import(
        project=project,
        by=mentor,
        table=data,
        mapping={"title": 1, "description": 0},
    )
    task = Task.objects.get(project=project)
    assert (task.title, task.description) == ("Details", "First")


def test_every_bad_line_is_reported_by_line_and_nothing_is_written(project, mentor):
    text = (
        "title,status,assignee,due,estimate,priority\n"
        "Fine,To do,,,,\n"
        "\n"
        ",Nowhere,ghost,31.02.2026,2.5,whenever\n"
        '"Two\nlines",To do,,,101,\n'
    )
    with pytest.raises(ImportProblemsError) as caught:
        transfer.tasks_csv_import(
            project=project, by=mentor, table=table(text), mapping=guessed(table(text))
        )
    lines = [(problem.line, problem.message) for problem in caught.value.problems]
    assert [line for line, _ in lines] == [4, 4, 4, 4, 4, 4, 5]
    text_of = " | ".join(message for _, message in lines)
    for expected in (
        "title is missing",
        "“Nowhere”",
        "“ghost”",
        "“31.02.2026”",
        "“2.5”",
        "“whenever”",
        "“101”",
    ):
        assert expected in text_of
    assert str(caught.value.problems[0]).startswith("Line 4:")
    assert not Task.objects.filter(project=project).exists()


def test_a_service_refusal_on_one_line_rolls_back_the_lines_before(project, mentor):
    Column.objects.filter(project=project, name="To do").update(wip_limit=1)
    text = "title,status\nOne,To do\nTwo,To do\n"
    with pytest.raises(ImportProblemsError) as caught:
        transfer.tasks_csv_import(
            project=project, by=mentor, table=table(text), mapping=guessed(table(text))
        )
    assert [problem.line for problem in caught.value.problems] == [3]
    assert "WIP limit" in caught.value.problems[0].message
    assert not Task.objects.filter(project=project).exists()
    assert not Label.objects.filter(project=project).exists()


def test_unusable_files_are_refused_whole(project, settings):
    with pytest.raises(DomainError, match="empty"):
        transfer.tasks_csv_read(data=b"")
    with pytest.raises(DomainError, match="no tasks"):
        transfer.tasks_csv_read(data=b"title;due\n;;\n")
    with pytest.raises(DomainError, match="CSV"):
        transfer.tasks_csv_read(data=b"PK\x03\x04\x00\x00")
    settings.TASK_IMPORT_MAX_BYTES = 10
    with pytest.raises(DomainError, match="larger"):
        transfer.tasks_csv_read(data=b"title\nA long enough title\n")
    settings.TASK_IMPORT_MAX_BYTES = 1000
    settings.TASK_IMPORT_MAX_ROWS = 2
    with pytest.raises(DomainError, match="more than 2"):
        transfer.tasks_csv_read(data=b"title\na\nb\nc\n")


def test_title_column_must_be_chosen(project, mentor):
    data = table("foo,bar\n1,2\n")
    assert guessed(data)["title"] is None
    with pytest.raises(DomainError, match="titles"):
        transfer.tasks_csv_plan(project=project, table=data, mapping=guessed(data))


def test_repeated_labels_columns_are_read_together(project, mentor):
    data = table("Summary,Labels,Labels\nA,one,two\n")
    transfer.tasks_csv_import(project=project, by=mentor, table=data, mapping=guessed(data))
    task = Task.objects.get(project=project)
    assert sorted(task.labels.values_list("name", flat=True)) == ["one", "two"]


# --- Pages ---------------------------------------------------------------------------------


def upload(client, project, text: str, encoding: str = "utf-8"):
    file = SimpleUploadedFile("tasks.csv", text.encode(encoding), content_type="text/csv")
    return client.post(f"/projects/{project.pk}/tasks/import/", {"file": file})


@pytest.mark.parametrize(
    ("language", "heading", "ready"),
    [("en", "Check the import", "2 tasks are ready to import"), ("ru", "Проверьте импорт", "")],
)
def test_upload_preview_and_import_pages(client, project, mentor, intern, language, heading, ready):
    mentor.preferred_language = language
    mentor.save()
    client.force_login(mentor)
    page = client.get(f"/projects/{project.pk}/tasks/import/")
    assert page.status_code == 200
    answer = upload(client, project, RUSSIAN, "cp1251")
    assert answer.status_code == 302
    assert answer["Location"] == f"/projects/{project.pk}/tasks/import/preview/"
    preview = client.get(answer["Location"])
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Сверстать шапку" in html  # the sample, decoded from Windows-1251
    assert f'lang="{language}"' in html
    if language == "en":  # Russian wording comes with the translations
        assert heading in html
        assert ready in html
    assert '<option value="0" selected>Название</option>' in html
    done = client.post(
        answer["Location"],
        {
            "title": "0",
            "description": "1",
            "column": "2",
            "assignee": "3",
            "due_on": "4",
            "labels": "5",
            "estimate": "6",
            "priority": "7",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == f"/projects/{project.pk}/board/"
    assert Task.objects.filter(project=project).count() == 2
    again = client.get(answer["Location"])  # the upload is gone once imported
    assert again.status_code == 302


def test_preview_shows_line_problems_and_imports_nothing(client, project, mentor):
    client.force_login(mentor)
    upload(client, project, "title,estimate\nA,many\n")
    preview = client.get(f"/projects/{project.pk}/tasks/import/preview/")
    assert "Line 2: estimate “many”" in preview.content.decode()
    answer = client.post(
        f"/projects/{project.pk}/tasks/import/preview/", {"title": "0", "estimate": "1"}
    )
    assert answer.status_code == 400
    assert "Line 2:" in answer.content.decode()
    ignored = client.post(f"/projects/{project.pk}/tasks/import/preview/", {"title": "0"})
    assert ignored.status_code == 302
    assert Task.objects.get(project=project).estimate is None


def test_bad_upload_is_refused_on_the_upload_page(client, project, mentor):
    client.force_login(mentor)
    answer = upload(client, project, "")
    assert answer.status_code == 400
    assert "empty" in answer.content.decode()


def test_upload_stash_is_per_session_and_token(client, project, mentor, staff):
    client.force_login(mentor)
    upload(client, project, "title\nA\n")
    token = client.session[transfer_views_key()][str(project.pk)]
    assert len(token) == 32
    other = client.__class__()
    other.force_login(staff)  # another session has no upload to preview
    assert other.get(f"/projects/{project.pk}/tasks/import/preview/").status_code == 302
    with pytest.raises(DomainError):
        transfer.csv_upload_load(token="../../etc/passwd")


def transfer_views_key() -> str:
    from tasks.transfer_views import SESSION_KEY

    return SESSION_KEY


@pytest.mark.parametrize("language", ["en", "ru"])
def test_our_own_export_imports_back_with_the_guessed_mapping(
    client, project, other_project, mentor, intern, language
):
    label = services.label_create(project=project, by=mentor, name="фронт")
    make_task(
        project, intern, title="Сверстать шапку", assignee=intern, labels=[label], estimate=5,
        priority="urgent", column_name="In progress",
    )  # fmt: skip
    mentor.preferred_language = language
    mentor.save()
    client.force_login(mentor)
    data = transfer.tasks_csv_read(data=client.get(f"/projects/{project.pk}/tasks.csv").content)
    mapping = guessed(data)
    assert None not in mapping.values(), (data.headers, mapping)
    transfer.tasks_csv_import(project=other_project, by=mentor, table=data, mapping=mapping)
    task = Task.objects.get(project=other_project)
    assert (task.title, task.assignee, task.estimate, task.priority) == (
        "Сверстать шапку",
        intern,
        5,
        "urgent",
    )
    assert task.column == column(other_project, "In progress")
    assert list(task.labels.values_list("name", flat=True)) == ["фронт"]


@pytest.fixture
def other_project(team):
    return ProjectFactory(team=team, name="Копия", key="COPY")


def test_first_of_several_assignees_is_taken(project, mentor, intern):
    data = table('title,members\nA,"intern, mentor"\n')
    transfer.tasks_csv_import(project=project, by=mentor, table=data, mapping=guessed(data))
    assert Task.objects.get(project=project).assignee == intern


def test_hostile_values_are_escaped_on_the_preview(client, project, mentor):
    client.force_login(mentor)
    upload(client, project, 'title,<img src=x onerror=alert(1)>\n"<script>alert(1)</script>",x\n')
    html = client.get(f"/projects/{project.pk}/tasks/import/preview/").content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
