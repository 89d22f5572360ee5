"""Attachments on tasks: storage, caps, hostile files, thumbnails, serving and delete rules."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from config.errors import DomainError
from integrations.models import Event, EventType
from tasks import attachments, selectors
from tasks.models import Activity, ActivityKind, Attachment
from tasks.services import attachment_add, attachment_delete, task_set_archived
from teams.models import Role
from tests.tasks.attachment_files import (
    HTML_WITH_SCRIPT,
    SVG_WITH_SCRIPT,
    image_bytes,
    jpeg_with_exif,
    media_fixture,  # noqa: F401 - fixture
    png_upload,
    task_fixture,  # noqa: F401 - fixture
)
from tests.tasks.factories import make_task
from tests.teams.factories import MembershipFactory

MB = 1024 * 1024


def stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def upload(client, task, file, *, htmx: bool = True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("attachment_upload", args=[task.pk]), {"file": file}, headers=headers
    )


def download(client, attachment, name: str = "attachment_download"):
    return client.get(reverse(name, args=[attachment.task_id, attachment.pk]))


# --- Storing ----------------------------------------------------------------------------


def test_upload_stores_under_a_random_name_and_records_history_and_event(
    task, intern, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        attachment = attachment_add(task=task, by=intern, upload=png_upload("screen.png"))

    assert attachment.original_name == "screen.png"
    assert attachment.size == len(image_bytes("PNG"))
    assert attachment.content_type == "image/png"
    assert attachment.uploaded_by == intern
    assert attachment.file.name.startswith(f"attachments/{task.pk}/")
    assert "screen" not in attachment.file.name
    assert attachment.thumbnail.name.startswith(f"attachments/{task.pk}/thumbnails/")
    assert len(stored_files(media)) == 2

    activity = Activity.objects.get(task=task, kind=ActivityKind.ATTACHED)
    with translation.override("en"):
        line = selectors.task_detail(task)["activities"][0].summary
    assert activity.data["name"] == "screen.png"
    assert line == "attached “screen.png”"

    event = Event.objects.get(type=EventType.ATTACHMENT_CREATED)
    assert event.data["actor"] == intern.pk
    assert event.data["task"]["id"] == task.pk
    payload = event.data["attachment"]
    assert payload["id"] == attachment.pk
    assert payload["name"] == "screen.png"
    assert payload["size"] == attachment.size
    assert payload["url"].endswith(f"/api/v1/tasks/{task.pk}/attachments/{attachment.pk}/")


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../x", "x"),
        ("..\\..\\windows\\evil.exe", "evil.exe"),
        ("/etc/passwd", "passwd"),
        ("..", "file"),
        ("re\x00port\x1b.pdf", "report.pdf"),
    ],
)
def test_a_hostile_name_is_only_displayed_cleaned_never_used_as_a_path(
    task, intern, media, tmp_path, given, shown
):
    assert attachments.display_name(given) == shown
    file = SimpleUploadedFile("placeholder", b"plain text", content_type="text/plain")
    file._name = given  # past UploadedFile's own basename(): as unsanitised as can be
    attachment = attachment_add(task=task, by=intern, upload=file)

    assert attachment.original_name == shown
    files = stored_files(media)
    assert files == [attachment.file.name]
    assert all(name.startswith(f"attachments/{task.pk}/") for name in files)
    # Nothing was written next to or above the media folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


def test_an_empty_file_is_refused_with_a_clear_message(task, intern, media):
    with pytest.raises(DomainError, match="empty") as refused:
        attachment_add(task=task, by=intern, upload=SimpleUploadedFile("empty.txt", b""))
    assert refused.value.code == "empty"
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_the_cap_is_refused(task, intern, settings, media):
    settings.ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(DomainError) as refused:
        attachment_add(task=task, by=intern, upload=SimpleUploadedFile("big.bin", b"x" * 1001))
    assert refused.value.code == "too_large"
    assert stored_files(media) == []
    attachment_add(task=task, by=intern, upload=SimpleUploadedFile("fits.bin", b"x" * 1000))


def test_the_project_quota_counts_every_task_of_the_project(project, task, intern, settings):
    settings.ATTACHMENT_PROJECT_QUOTA_BYTES = 1500
    other = make_task(project, intern, title="Other")
    attachment_add(task=task, by=intern, upload=SimpleUploadedFile("a.bin", b"x" * 1000))
    with pytest.raises(DomainError) as refused:
        attachment_add(task=other, by=intern, upload=SimpleUploadedFile("b.bin", b"x" * 501))
    assert refused.value.code == "quota"
    attachment_add(task=other, by=intern, upload=SimpleUploadedFile("c.bin", b"x" * 500))


# --- Images and thumbnails ---------------------------------------------------------------------


def test_thumbnails_carry_no_metadata_of_the_original(task, intern):
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(image_bytes("JPEG", exif=True))).getexif()  # the test's premise
    attachment = attachment_add(task=task, by=intern, upload=original)

    assert attachment.content_type == "image/jpeg"
    with attachment.thumbnail.open("rb") as stored, Image.open(stored) as thumbnail:
        assert thumbnail.format == "PNG"
        assert max(thumbnail.size) <= 320
        assert not thumbnail.getexif()
        assert "exif" not in thumbnail.info
        assert "icc_profile" not in thumbnail.info
    with attachment.thumbnail.open("rb") as stored:
        assert b"SpyCam" not in stored.read()


def test_png_text_chunks_stay_out_of_the_thumbnail(task, intern):
    attachment = attachment_add(task=task, by=intern, upload=png_upload())
    with attachment.thumbnail.open("rb") as stored:
        data = stored.read()
    assert b"secret location" not in data
    with Image.open(io.BytesIO(data)) as thumbnail:
        assert "Comment" not in thumbnail.info


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(100_000, 100_000), (7_000, 7_000)])
def test_a_decompression_bomb_is_kept_as_a_plain_file_without_decoding(task, intern, size):
    bomb = SimpleUploadedFile("bomb.png", _png_claiming(*size), content_type="image/png")
    attachment = attachment_add(task=task, by=intern, upload=bomb)
    assert not attachment.thumbnail
    assert attachment.content_type == "application/octet-stream"  # never shown inline


def test_a_file_claiming_to_be_an_image_is_not_treated_as_one(task, intern):
    fake = SimpleUploadedFile("cat.png", HTML_WITH_SCRIPT, content_type="image/png")
    attachment = attachment_add(task=task, by=intern, upload=fake)
    assert not attachment.thumbnail
    assert attachment.content_type == "application/octet-stream"


# --- Serving -------------------------------------------------------------------------------------


def _assert_inert(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "script-src" not in policy


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml"),
        ("page.html", HTML_WITH_SCRIPT, "text/html"),
        ("page.png", HTML_WITH_SCRIPT, "image/png"),
        ("notes.txt", b"hello", "text/plain"),
    ],
)
def test_anything_but_a_decoded_raster_image_is_served_as_a_download(
    client, task, intern, name, content, declared
):
    attachment = attachment_add(
        task=task, by=intern, upload=SimpleUploadedFile(name, content, content_type=declared)
    )
    client.force_login(intern)
    response = download(client, attachment)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == content
    _assert_inert(response)


def test_an_svg_is_never_served_inline(client, task, intern):
    svg = SimpleUploadedFile("x.svg", SVG_WITH_SCRIPT, content_type="image/svg+xml")
    attachment = attachment_add(task=task, by=intern, upload=svg)
    client.force_login(intern)
    response = download(client, attachment)
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'attachment; filename="x.svg"'
    assert download(client, attachment, "attachment_thumbnail").status_code == 404


def test_images_and_thumbnails_are_shown_inline(client, task, intern):
    attachment = attachment_add(task=task, by=intern, upload=png_upload("shot.png"))
    client.force_login(intern)
    response = download(client, attachment)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    _assert_inert(response)
    thumbnail = download(client, attachment, "attachment_thumbnail")
    assert thumbnail["Content-Type"] == "image/png"
    assert thumbnail["Content-Disposition"].startswith("inline;")
    _assert_inert(thumbnail)


def test_another_teams_attachment_answers_404_and_media_is_not_served(
    client, task, intern, outsider
):
    attachment = attachment_add(task=task, by=intern, upload=png_upload())
    client.force_login(outsider)
    assert download(client, attachment).status_code == 404
    assert download(client, attachment, "attachment_thumbnail").status_code == 404
    client.force_login(intern)
    for path in (f"/{attachment.file.name}", f"/media/{attachment.file.name}"):
        assert client.get(path).status_code == 404


def test_an_attachment_of_another_task_is_not_reachable_through_this_one(
    client, project, task, intern
):
    other = make_task(project, intern, title="Other")
    attachment = attachment_add(task=other, by=intern, upload=png_upload())
    client.force_login(intern)
    url = reverse("attachment_download", args=[task.pk, attachment.pk])
    assert client.get(url).status_code == 404


# --- Upload through the page ------------------------------------------------------------------


def test_upload_from_the_task_dialog_answers_with_the_task_listing_the_file(client, task, intern):
    client.force_login(intern)
    response = upload(client, task, png_upload("screen.png"))
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    body = response.content.decode()
    assert "screen.png" in body
    assert reverse("attachment_thumbnail", args=[task.pk, attachment.pk]) in body
    assert reverse("attachment_download", args=[task.pk, attachment.pk]) in body


def test_upload_without_javascript_redirects_back_to_the_task(client, task, intern):
    client.force_login(intern)
    response = upload(client, task, png_upload(), htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("task_detail", args=[task.pk])
    page = client.get(response["Location"])
    assert "screen.png" in page.content.decode()
    assert 'enctype="multipart/form-data"' in page.content.decode()


def test_upload_still_requires_the_csrf_token(task, intern):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(intern)
    response = upload(client, task, png_upload())
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_hostile_file_name_is_escaped_on_the_page(client, task, intern):
    client.force_login(intern)
    name = "<img src=x onerror=alert(1)>.txt"
    upload(client, task, SimpleUploadedFile(name, b"hi", content_type="text/plain"))
    body = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "<img src=x onerror" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in body


def test_a_traversal_name_in_a_raw_multipart_body_stays_a_display_name(
    client, task, intern, media, tmp_path
):
    body = (
        b"--BoUnDaRy\r\n"
        b'Content-Disposition: form-data; name="file"; filename="../../x"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
        b"payload\r\n"
        b"--BoUnDaRy--\r\n"
    )
    client.force_login(intern)
    response = client.post(
        reverse("attachment_upload", args=[task.pk]),
        body,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.original_name == "x"
    assert stored_files(media) == [attachment.file.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


def test_an_empty_upload_shows_the_refusal(client, task, intern):
    client.force_login(intern)
    response = upload(client, task, SimpleUploadedFile("empty.txt", b""))
    assert response.status_code == 400
    assert "empty" in response.content.decode()
    assert not Attachment.objects.exists()


class CountingBody(io.RawIOBase):
    """A request body of ``size`` bytes that only exists as far as someone reads it."""

    def __init__(self, size: int):
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"x" * n
        self.read_bytes += n
        return n


def test_a_25_mb_upload_is_refused_without_reading_the_body(client, task, intern, media):
    body = CountingBody(25 * MB)
    client.force_login(intern)
    response = client.generic(
        "POST",
        reverse("attachment_upload", args=[task.pk]),
        content_type="multipart/form-data; boundary=BoUnDaRy",
        headers={"HX-Request": "true"},
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size)},
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert body.read_bytes == 0
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


# --- Delete rules --------------------------------------------------------------------------------


@pytest.fixture
def bystander(team):
    return MembershipFactory(team=team, role=Role.INTERN, user__username="bystander").user


@pytest.mark.parametrize(
    ("who", "expected"),
    [("intern", 200), ("mentor", 200), ("staff", 200), ("bystander", 403), ("outsider", 404)],
)
def test_the_uploader_a_mentor_or_staff_may_delete(
    request, client, task, intern, who, expected, media, django_capture_on_commit_callbacks
):
    attachment = attachment_add(task=task, by=intern, upload=png_upload())
    client.force_login(request.getfixturevalue(who))
    url = reverse("attachment_delete", args=[task.pk, attachment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == expected
    deleted = expected == 200
    assert Attachment.objects.exists() is not deleted
    assert (stored_files(media) == []) is deleted
    assert Activity.objects.filter(task=task, kind=ActivityKind.DETACHED).exists() is deleted


def test_the_delete_button_shows_only_to_who_may_delete(client, task, intern, bystander, mentor):
    attachment = attachment_add(task=task, by=intern, upload=png_upload())
    delete_url = reverse("attachment_delete", args=[task.pk, attachment.pk])
    for user, shown in ((intern, True), (mentor, True), (bystander, False)):
        client.force_login(user)
        body = client.get(reverse("task_detail", args=[task.pk])).content.decode()
        assert (delete_url in body) is shown, user


def test_delete_writes_history_and_removes_files_only_after_commit(
    task, intern, media, django_capture_on_commit_callbacks
):
    attachment = attachment_add(task=task, by=intern, upload=png_upload("old.png"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_delete(attachment=attachment, by=intern)
    assert len(stored_files(media)) == 2  # still there until the deletion commits
    for callback in callbacks:
        callback()
    assert stored_files(media) == []
    with translation.override("en"):
        line = selectors.task_detail(task)["activities"][0].summary
    assert line == "removed the attachment “old.png”"


def test_nothing_changes_on_an_archived_project(client, project, task, intern, mentor):
    attachment = attachment_add(task=task, by=intern, upload=png_upload())
    project.archived = True
    project.save(update_fields=["archived"])
    client.force_login(mentor)
    assert upload(client, task, png_upload()).status_code == 403
    url = reverse("attachment_delete", args=[task.pk, attachment.pk])
    assert client.post(url).status_code == 403
    assert download(client, attachment).status_code == 200  # still readable
    assert attachments.deletable(mentor, task, [attachment]) == set()


def test_an_archived_task_keeps_its_attachments(task, intern):
    attachment_add(task=task, by=intern, upload=png_upload())
    task_set_archived(task=task, by=intern, archived=True)
    assert list(selectors.task_attachments(task).values_list("original_name", flat=True)) == [
        "screen.png"
    ]
