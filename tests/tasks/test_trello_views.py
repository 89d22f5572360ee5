"""The Trello import pages: upload → preview → import, for mentors and staff only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Column
from tasks import trello
from tasks.models import Comment, Task
from tests.tasks.test_trello_import import DATA

pytestmark = pytest.mark.usefixtures("postgres_only")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.TRELLO_IMPORT_DIR = tmp_path / "trello"


def _upload(client, team, name: str = "howgoesit.json", **extra):
    data = (DATA / name).read_bytes() if name else b""
    return client.post(
        reverse("trello_upload", args=[team.pk]),
        {"file": SimpleUploadedFile(name or "x.json", data, "application/json"), **extra},
    )


def _proposed(name: str, **changes) -> dict:
    """The preview form as proposed (lists included as proposed, members unmatched)."""
    board = trello.trello_parse(data=(DATA / name).read_bytes())
    plan = trello.trello_plan(board=board, users=[])
    data = {}
    for index, item in enumerate(plan.lists):
        if item.include:
            data[f"list_{index}_include"] = "on"
        data[f"list_{index}_name"] = item.column_name
        data[f"list_{index}_category"] = str(item.category)
    for index, _member in enumerate(plan.members):
        data[f"member_{index}"] = ""
    data.update(changes)
    return data


def test_mentor_uploads_previews_and_imports(client, team, mentor):
    client.force_login(mentor)
    response = _upload(client, team)
    assert response.status_code == 302
    assert response["Location"] == reverse("trello_preview", args=[team.pk])
    assert "token" in client.session["trello_import"]
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    page = preview.content.decode()
    for text in ("Assigned, Ready for Work", "40 cards", "17 comments", "5 checklist items"):
        assert text in page
    assert "Andrej Ciho" in page
    assert not Task.objects.exists()  # nothing written by the preview
    data = _proposed("howgoesit.json", list_0_name="Идеи", list_0_category="todo")
    data.pop("list_1_include")  # "Blocked by Dependencies" and its 4 cards are skipped
    response = client.post(reverse("trello_preview", args=[team.pk]), data)
    assert response.status_code == 302
    project = Task.objects.first().project
    assert response["Location"] == reverse("board", args=[project.pk])
    assert Task.objects.filter(project=project).count() == 36
    assert Column.objects.filter(project=project, name="Идеи").exists()
    assert not Column.objects.filter(project=project, name="Blocked by Dependencies").exists()
    assert Comment.objects.filter(task__project=project).exists()
    assert "trello_import" not in client.session  # the upload is forgotten and removed
    board = client.get(response["Location"])
    assert "imported from Trello" in board.content.decode()


def test_preview_names_the_project_a_reimport_updates(client, team, mentor):
    board = trello.trello_parse(data=(DATA / "clipkit.json").read_bytes())
    first = trello.trello_import(team=team, by=mentor, board=board)
    client.force_login(mentor)
    _upload(client, team, "clipkit.json")
    page = client.get(reverse("trello_preview", args=[team.pk])).content.decode()
    assert "was imported before" in page
    response = client.post(reverse("trello_preview", args=[team.pk]), _proposed("clipkit.json"))
    assert response["Location"] == reverse("board", args=[first.project.pk])
    assert Task.objects.count() == 67


def test_a_bad_file_is_refused_on_the_upload_page(client, team, mentor, settings):
    client.force_login(mentor)
    response = client.post(
        reverse("trello_upload", args=[team.pk]),
        {
            "file": SimpleUploadedFile(
                "b.json", b'{"id": "x", "name": "b", "lists": {}, "cards": []}'
            )
        },
    )
    assert response.status_code == 400
    assert "board.lists: expected a list" in response.content.decode()
    settings.TRELLO_IMPORT_MAX_BYTES = 1024
    response = client.post(
        reverse("trello_upload", args=[team.pk]),
        {"file": SimpleUploadedFile("big.json", b" " * 2048)},
    )
    assert response.status_code == 400
    assert "TRELLO_IMPORT_MAX_BYTES" in response.content.decode()
    assert "trello_import" not in client.session


def test_preview_form_errors_keep_the_page(client, team, mentor):
    client.force_login(mentor)
    _upload(client, team)
    data = _proposed("howgoesit.json", list_0_name="Done")  # "Done" twice
    response = client.post(reverse("trello_preview", args=[team.pk]), data)
    assert response.status_code == 400
    assert "rename one" in response.content.decode()
    assert not Task.objects.exists()


@pytest.mark.parametrize(("name", "outcome"), [("intern", 403), ("outsider", 404)])
def test_interns_and_outsiders_cannot_import(client, team, request, name, outcome):
    client.force_login(request.getfixturevalue(name))
    assert client.get(reverse("trello_upload", args=[team.pk])).status_code == outcome
    assert _upload(client, team).status_code == outcome
    assert client.get(reverse("trello_preview", args=[team.pk])).status_code == outcome
    assert "trello_import" not in client.session


def test_an_upload_pending_for_another_team_is_not_previewed(client, team, other_team, staff):
    client.force_login(staff)
    _upload(client, team)
    response = client.get(reverse("trello_preview", args=[other_team.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("trello_upload", args=[other_team.pk])


def test_a_large_board_runs_in_the_background_with_progress(client, team, mentor, monkeypatch):
    monkeypatch.setattr(trello, "BACKGROUND_CARDS", 10)
    client.force_login(mentor)
    _upload(client, team, "clipkit.json")
    assert (
        "in the background"
        in client.get(reverse("trello_preview", args=[team.pk])).content.decode()
    )
    response = client.post(reverse("trello_preview", args=[team.pk]), _proposed("clipkit.json"))
    assert response.status_code == 302
    assert "/import/trello/jobs/" in response["Location"]
    # Tests run Celery tasks in-process: the job is done by now.
    page = client.get(response["Location"])
    assert page.status_code == 200
    project = Task.objects.first().project
    assert reverse("board", args=[project.pk]) in page.content.decode()
    assert Task.objects.filter(project=project).count() == 67
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    # Only the mentor who started it sees it.
    other = mentor.__class__.objects.create(username="second")
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404


def test_the_team_page_links_to_the_import_for_mentors_only(client, team, mentor, intern):
    url = reverse("trello_upload", args=[team.pk])
    client.force_login(mentor)
    assert url in client.get(reverse("team_detail", args=[team.pk])).content.decode()
    client.force_login(intern)
    assert url not in client.get(reverse("team_detail", args=[team.pk])).content.decode()


@pytest.mark.parametrize("name", ["clipkit.json", "howgoesit.json"])
def test_preview_queries_do_not_grow_with_the_board(
    client, team, mentor, name, django_assert_num_queries
):
    client.force_login(mentor)
    _upload(client, team, name)
    with django_assert_num_queries(5):
        assert client.get(reverse("trello_preview", args=[team.pk])).status_code == 200


def test_a_job_whose_files_are_missing_fails_visibly(team, mentor):
    board = trello.trello_parse(data=(DATA / "clipkit.json").read_bytes())
    token = trello.upload_store(chunks=[(DATA / "clipkit.json").read_bytes()], size=10)
    plan = trello.trello_plan(board=board, users=[])
    job = trello.trello_job_prepare(
        token=token,
        team=team,
        by=mentor,
        choices=trello.ImportChoices.proposed(plan),
        project=None,
        key="",
    )
    trello.upload_discard(job)  # as if the worker could not see the web process's files
    trello.trello_job_run(job=job)
    assert trello.job_state(job).state == "failed"
    assert not Task.objects.exists()
