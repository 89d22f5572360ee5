"""Files for attachment tests (real images made with Pillow, and hostile ones) and the
fixtures those tests share: import the fixtures into a test module to use them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.tasks.factories import make_task

GPS_IFD = 0x8825
MAKE = 0x010F


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), *, exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[MAKE] = "SpyCam 3000"
        data[GPS_IFD] = {1: "N", 2: (55.0, 45.0, 0.0)}
        options["exif"] = data.tobytes()
    if fmt == "PNG" and not exif:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", "secret location")
        options["pnginfo"] = info
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_upload(name: str = "screen.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def jpeg_with_exif(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", exif=True), content_type="image/jpeg")


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML_WITH_SCRIPT = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(name="media", autouse=True)
def media_fixture(settings, tmp_path):
    """Uploads go to a fresh folder per test, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(name="task")
def task_fixture(project, intern, postgres_only):
    return make_task(project, intern, title="Login form", assignee=intern)
