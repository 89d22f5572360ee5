"""Files on tasks: what is safe to store, show and send back.

Nothing the uploader chose reaches a path: storage names are random
(``tasks.models.attachment_upload_to``) and ``original_name`` is cleaned for
display only. Whether a file is an image is decided by decoding it (Pillow,
a few raster formats, bounded in pixels), never by its name or the type the
browser declared, and only such images are ever served inline; everything
else, SVG and HTML included, is a download under a CSP that forbids scripts.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from config.errors import DomainError
from projects.permissions import can_manage_project
from tasks.models import Attachment

if TYPE_CHECKING:
    from django.core.files import File

    from accounts.models import User
    from tasks.models import Task

# The only types served inline, and only when Pillow decoded the file as one.
INLINE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
# Larger images are kept as files but get no thumbnail: decoding one would
# take memory in proportion (a decompression bomb is a tiny file of this kind).
MAX_IMAGE_PIXELS = 40_000_000
# What a multipart body may carry besides the file: boundaries, headers, the CSRF token.
MULTIPART_OVERHEAD = 64 * 1024
FALLBACK_TYPE = "application/octet-stream"
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
# Served with every attachment: no script runs, no plugin loads, even if a
# browser ignored the download disposition and rendered the bytes.
ATTACHMENT_CSP = "default-src 'none'; sandbox"


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def body_too_large(request: HttpRequest) -> bool:
    """True when the request announces more than one capped file could need.

    Checked before anything reads the body: the WSGI server never lets the
    app read past Content-Length, so this bounds what an upload costs. A
    body without a length (chunked) is parsed by Django as empty.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > max_bytes() + MULTIPART_OVERHEAD


def too_large() -> DomainError:
    return DomainError(
        _("The file is too large: attachments can be at most %(size)s.")
        % {"size": filesizeformat(max_bytes())},
        code="too_large",
        field="file",
    )


def display_name(raw: str | None) -> str:
    """The uploader's file name, cleaned for display: no folders, no control characters."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in {"", ".", ".."}:
        name = _("file")
    if len(name) > 200:  # keep the extension, which tells people what the file is
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: 200 - len(suffix)] + suffix
    return name


def declared_type(raw: str | None) -> str:
    """The browser's content type if well formed and not one only decoding may grant."""
    value = (raw or "").split(";", 1)[0].strip().lower()
    if not _CONTENT_TYPE.fullmatch(value) or value in INLINE_TYPES.values():
        return FALLBACK_TYPE
    return value


@dataclass(frozen=True)
class ImageFacts:
    content_type: str
    thumbnail: bytes  # PNG, built from pixels only: no EXIF, GPS, ICC or text chunks


def inspect_image(file: File) -> ImageFacts | None:
    """The image's real type and a clean thumbnail, or None for anything else.

    Only PNG, JPEG, GIF and WebP decoders run; an image over
    ``MAX_IMAGE_PIXELS`` or that fails to decode is treated as a plain file.
    """
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=list(INLINE_TYPES)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    return None
                content_type = INLINE_TYPES[image.format]
                image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a reduced scale
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail(THUMBNAIL_SIZE)
                pixels = upright.convert("RGBA")
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,  # Pillow raises it for some malformed headers
        EOFError,
        # Malformed EXIF or palette data surfaces as these from the decoders.
        TypeError,
        KeyError,
        IndexError,
    ):
        return None
    finally:
        file.seek(0)
    # A new image from the pixels alone carries none of the original's metadata.
    clean = Image.frombytes("RGBA", pixels.size, pixels.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG", optimize=True)
    return ImageFacts(content_type=content_type, thumbnail=buffer.getvalue())


def can_delete_attachment(user: User, attachment: Attachment, task: Task) -> bool:
    """Its uploader, or a mentor of the team or staff (``task`` is the one fetched for ``user``)."""
    if task.project.archived:
        return False
    return attachment.uploaded_by_id == user.pk or can_manage_project(user, task.project)


def deletable(user: User, task: Task, attachments: list[Attachment]) -> set[int]:
    """The ids among ``attachments`` that ``user`` may delete (for the task's templates)."""
    return {a.pk for a in attachments if can_delete_attachment(user, a, task)}


def get_attachment_for_delete(user: User, task: Task, pk: int) -> Attachment:
    """An attachment ``user`` may delete; Http404 for another task's, PermissionDenied inside."""
    attachment = get_attachment_of_task(task, pk)
    if not can_delete_attachment(user, attachment, task):
        raise PermissionDenied(_("Only its uploader or a mentor can delete an attachment."))
    return attachment


def get_attachment_of_task(task: Task, pk: int) -> Attachment:
    """An attachment of a task already fetched for the user; Http404 for any other id."""
    attachment = Attachment.objects.select_related("uploaded_by").filter(task=task, pk=pk).first()
    if attachment is None:
        raise Http404(_("No such attachment."))
    attachment.task = task
    return attachment


def is_inline(attachment: Attachment) -> bool:
    return attachment.content_type in INLINE_TYPES.values()


def attachment_response(attachment: Attachment, *, thumbnail: bool = False) -> FileResponse:
    """Stream the file (or its thumbnail) with headers that keep it inert.

    Precondition: the caller fetched ``attachment`` through the task's
    permission check. Raster images decoded at upload are shown inline;
    everything else is a download.
    """
    if thumbnail:
        if not attachment.thumbnail:
            raise Http404(_("This attachment has no preview."))
        stored, content_type = attachment.thumbnail, "image/png"
    else:
        stored, content_type = attachment.file, attachment.content_type
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The file of this attachment is missing.")) from error
    response = FileResponse(
        handle,
        as_attachment=not (thumbnail or is_inline(attachment)),
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def api_download_path(attachment: Attachment) -> str:
    return reverse(
        "api-task-attachment-detail",
        kwargs={"pk": attachment.task_id, "attachment_pk": attachment.pk},
    )


def attachment_payload(attachment: Attachment, url: str) -> dict[str, Any]:
    """The ``attachment`` of an ``attachment.created`` event (``url`` downloads it over the API)."""
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "uploaded_by": attachment.uploaded_by_id,
        "created_at": attachment.created_at.isoformat(),
        "url": url,
    }
