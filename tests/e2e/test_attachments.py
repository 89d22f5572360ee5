"""Attachments in a real browser: upload from the task dialog, by the form and by dropping."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tasks.models import Attachment
from tests.e2e.test_board import log_in, open_board
from tests.tasks.attachment_files import image_bytes, media_fixture  # noqa: F401 - fixture
from tests.tasks.factories import make_task

pytestmark = pytest.mark.django_db(transaction=True)


def open_task_dialog(page, title: str):
    page.get_by_role("link", name=title).click()
    dialog = page.locator("#task-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".task-body")).to_be_visible()
    # The body's lazy parts (the watch button) load after it opens; act once they have.
    page.wait_for_load_state("networkidle")
    return dialog


def test_intern_attaches_a_screenshot_from_the_dialog_and_sees_its_thumbnail(
    page, live_server, project, intern
):
    task = make_task(project, intern, title="Fix the header", assignee=intern)
    log_in(page, live_server, intern.username)
    open_board(page, live_server, project)
    dialog = open_task_dialog(page, "Fix the header")

    dialog.locator("input[type=file][name=file]").set_input_files(
        {"name": "screen.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}
    )
    with page.expect_response(lambda response: "/attachments/" in response.url):
        dialog.get_by_role("button", name="Upload").click()

    item = dialog.locator(".attachment", has_text="screen.png")
    expect(item).to_be_visible()
    thumbnail = item.locator("img.attachment-thumbnail")
    expect(thumbnail).to_be_visible()
    # The thumbnail really loaded (through the permission-checked view) and has pixels.
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    expect(dialog.locator(".activity")).to_contain_text("attached “screen.png”")
    assert Attachment.objects.get().task_id == task.pk


def test_dropping_a_file_onto_the_dialog_uploads_it(page, live_server, project, intern):
    make_task(project, intern, title="Write the docs", assignee=intern)
    log_in(page, live_server, intern.username)
    open_board(page, live_server, project)
    dialog = open_task_dialog(page, "Write the docs")

    transfer = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["meeting notes"], "notes.txt", { type: "text/plain" }));
            return transfer;
        }"""
    )
    target = dialog.locator(".task-heading")
    body = dialog.locator(".task-body")
    # A browser fires dragover again and again while a file hovers; so does this test, as
    # the dialog's body may still be settling (its lazy parts load after it opens).
    for _ in range(50):
        target.dispatch_event("dragover", {"dataTransfer": transfer})
        if re.search(r"\battachment-dropping\b", body.get_attribute("class") or ""):
            break
        page.wait_for_timeout(100)
    expect(body).to_have_class(re.compile(r"\battachment-dropping\b"))
    with page.expect_response(lambda response: "/attachments/" in response.url):
        target.dispatch_event("drop", {"dataTransfer": transfer})

    expect(dialog.locator(".attachment", has_text="notes.txt")).to_be_visible()
    attachment = Attachment.objects.get()
    assert attachment.original_name == "notes.txt"
    assert attachment.file.open("rb").read() == b"meeting notes"


def test_a_file_over_the_cap_is_refused_in_the_browser_before_sending(
    page, live_server, project, intern, settings
):
    settings.ATTACHMENT_MAX_BYTES = 10
    make_task(project, intern, title="Big file", assignee=intern)
    log_in(page, live_server, intern.username)
    open_board(page, live_server, project)
    dialog = open_task_dialog(page, "Big file")

    dialog.locator("input[type=file][name=file]").set_input_files(
        {"name": "big.bin", "mimeType": "application/octet-stream", "buffer": b"x" * 11}
    )
    expect(dialog.locator("[data-attachment-error]")).to_contain_text("too large")
    dialog.get_by_role("button", name="Upload").click()
    page.wait_for_timeout(300)
    assert not Attachment.objects.exists()
