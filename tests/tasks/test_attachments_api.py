"""Attachments over the API: list, multipart upload, download, delete, caps and query counts."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from integrations.models import Event, EventType
from tasks.models import Attachment
from tasks.services import attachment_add
from teams.models import Role
from tests.tasks.attachment_files import (  # noqa: F401 - media_fixture, task_fixture
    SVG_WITH_SCRIPT,
    media_fixture,
    png_upload,
    task_fixture,
)
from tests.tasks.test_attachments import CountingBody
from tests.teams.factories import MembershipFactory

MB = 1024 * 1024
CSRF_SECRET = "a" * 32


def list_url(task) -> str:
    return reverse("api-task-attachments", args=[task.pk])


def detail_url(attachment) -> str:
    return reverse("api-task-attachment-detail", args=[attachment.task_id, attachment.pk])


def bearer(user) -> APIClient:
    _token, raw = api_token_create(user=user, name="test", expires_in_days=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_upload_answers_201_with_the_attachment_and_a_download_url(task, intern):
    client = bearer(intern)
    response = client.post(list_url(task), {"file": png_upload("screen.png")}, format="multipart")
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    body = response.json()
    assert body == {
        "id": attachment.pk,
        "name": "screen.png",
        "size": attachment.size,
        "content_type": "image/png",
        "uploaded_by": {
            "id": intern.pk,
            "username": intern.username,
            "full_name": intern.full_name,
        },
        "created_at": body["created_at"],
        "url": f"http://testserver{detail_url(attachment)}",
    }
    downloaded = client.get(body["url"])
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == attachment.file.open("rb").read()
    assert Event.objects.filter(type=EventType.ATTACHMENT_CREATED).count() == 1


def test_list_is_oldest_first(task, intern, mentor):
    attachment_add(task=task, by=intern, upload=png_upload("first.png"))
    attachment_add(task=task, by=mentor, upload=SimpleUploadedFile("second.txt", b"two"))
    response = bearer(intern).get(list_url(task))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["name"] for item in results] == ["first.png", "second.txt"]
    assert results[1]["uploaded_by"]["id"] == mentor.pk
    assert results[1]["content_type"] == "text/plain"


def test_an_empty_file_is_a_400_naming_the_field(task, intern):
    empty = SimpleUploadedFile("empty.txt", b"")
    response = bearer(intern).post(list_url(task), {"file": empty}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "empty"
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_a_missing_file_is_a_validation_error(task, intern):
    response = bearer(intern).post(list_url(task), {"other": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_a_real_25_mb_upload_is_refused_with_413(task, intern, media):
    big = SimpleUploadedFile("big.bin", b"\0" * (25 * MB))
    response = bearer(intern).post(list_url(task), {"file": big}, format="multipart")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Attachment.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


@pytest.mark.parametrize("auth", ["bearer", "session"])
def test_a_25_mb_body_is_refused_before_it_is_read(task, intern, auth):
    # Session auth checks CSRF, which reads the form: the cap must come first there too.
    headers = {}
    if auth == "bearer":
        client = bearer(intern)
    else:
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(intern)
        # A valid cookie and header: the CSRF check gets as far as reading the form.
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
        headers["X-CSRFToken"] = CSRF_SECRET
    body = CountingBody(25 * MB)
    response = client.generic(
        "POST",
        list_url(task),
        content_type="multipart/form-data; boundary=BoUnDaRy",
        headers=headers,
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)},
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert not Attachment.objects.exists()


def test_the_cap_follows_the_setting(task, intern, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    too_big = SimpleUploadedFile("a.bin", b"x" * 101)
    response = bearer(intern).post(list_url(task), {"file": too_big}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"


def test_an_svg_downloads_as_an_attachment_under_a_sandbox(task, intern):
    svg = SimpleUploadedFile("x.svg", SVG_WITH_SCRIPT, content_type="image/svg+xml")
    attachment = attachment_add(task=task, by=intern, upload=svg)
    # Whatever the client says it accepts, the file comes back as it is, inert.
    response = bearer(intern).get(detail_url(attachment), HTTP_ACCEPT="image/svg+xml")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("who", "expected"), [("intern", 204), ("mentor", 204), ("bystander", 403), ("outsider", 404)]
)
def test_delete_is_for_the_uploader_and_mentors(request, task, intern, team, who, expected):
    MembershipFactory(team=team, role=Role.INTERN, user__username="bystander")
    users = {"bystander": lambda: team.memberships.get(user__username="bystander").user}
    user = users[who]() if who in users else request.getfixturevalue(who)
    attachment = attachment_add(task=task, by=intern, upload=png_upload())
    response = bearer(user).delete(detail_url(attachment))
    assert response.status_code == expected
    assert Attachment.objects.exists() is (expected != 204)


def test_another_teams_attachments_are_404(task, intern, outsider):
    attachment = attachment_add(task=task, by=intern, upload=png_upload())
    client = bearer(outsider)
    assert client.get(list_url(task)).status_code == 404
    assert client.get(detail_url(attachment)).status_code == 404
    upload = client.post(list_url(task), {"file": png_upload()}, format="multipart")
    assert upload.status_code == 404
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_runs_a_constant_number_of_queries(
    task, intern, mentor, size, django_assert_num_queries
):
    for number in range(size):
        uploader = intern if number % 2 else mentor
        attachment_add(task=task, by=uploader, upload=SimpleUploadedFile(f"{number}.txt", b"x"))
    client = bearer(intern)
    # token (with its user), last-used stamp, task, count, page of attachments with uploaders
    with django_assert_num_queries(5):
        response = client.get(list_url(task))
    assert response.status_code == 200
    assert len(response.json()["results"]) == size


def test_the_schema_names_the_operations(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    operations = {
        operation["operationId"]
        for path in response.json()["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert {
        "tasks_attachments_list",
        "tasks_attachments_upload",
        "tasks_attachments_download",
        "tasks_attachments_delete",
    } <= operations
