"""CSV files in and out, as spreadsheets in Russian offices write and read them.

Shared by every import (participants, tasks) and export (analytics, tasks):

- ``decode_csv``: uploaded bytes → text; UTF-8 with or without a BOM, else
  Windows-1251 (what Russian Excel calls "CSV"), with a size cap;
- ``csv_records``: text → records, each with the line it starts on, the
  delimiter (``,``, ``;`` or tab) guessed from the header line;
- ``neutralise_cell`` and ``csv_download``: cells a spreadsheet would run as a
  formula are defused, and the file starts with a BOM so Cyrillic opens right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.utils.translation import gettext, ngettext

from config.errors import DomainError

if TYPE_CHECKING:
    from _csv import _writer as CsvWriter

DELIMITERS = (",", ";", "\t")
# What makes a spreadsheet read a cell as a formula (or, for TAB and CR,
# lets the next cell carry one): such cells get a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ImportMessage:
    """A problem or a note about one line of an imported file (line 1 is the header)."""

    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return gettext("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class ImportProblemsError(DomainError):
    """The file had problems on some lines; nothing was imported.

    ``problems`` lists every problem found, in line order.
    """

    def __init__(self, problems: list[ImportMessage]):
        count = len(problems)
        super().__init__(
            ngettext(
                "The file has %(count)d problem; nothing was imported.",
                "The file has %(count)d problems; nothing was imported.",
                count,
            )
            % {"count": count},
            code="import_invalid",
            field="file",
        )
        self.problems = problems


def decode_csv(*, data: bytes, max_bytes: int) -> str:
    """Decode an uploaded CSV: UTF-8 (with or without BOM), else Windows-1251.

    Russian Excel saves "CSV" in Windows-1251 and "CSV UTF-8" with a BOM; both
    must work without the uploader knowing the difference. Raises DomainError
    (``field="file"``) for a file over ``max_bytes`` or a binary one (.xlsx).
    """
    if len(data) > max_bytes:
        raise DomainError(
            gettext("The file is larger than %(size)d KB; split it into smaller files.")
            % {"size": max_bytes // 1024},
            code="too_large",
            field="file",
        )
    if b"\x00" in data:  # zip-based .xlsx, UTF-16 "Unicode text": not a CSV we can read
        raise DomainError(
            gettext(
                "This does not look like a CSV file. In Excel, use “Save as” → "
                "“CSV UTF-8 (comma delimited)”."
            ),
            code="not_csv",
            field="file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as error:  # cp1251 leaves only byte 0x98 undefined
        raise DomainError(
            gettext("The file's encoding is not recognised; save it as CSV UTF-8."),
            code="encoding",
            field="file",
        ) from error


def guess_delimiter(header_line: str) -> str:
    """The delimiter the header uses most: Excel picks ``;`` in locales with decimal commas.

    Decided from the header alone, whose names contain no delimiters, so a
    comma inside a quoted value further down cannot mislead the guess (as it
    can mislead ``csv.Sniffer``).
    """
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The file's non-blank records, each with the line it starts on (what an editor shows).

    A record may span lines (a quoted value with a line break). Blank lines,
    and the ";;;;" rows spreadsheets leave at the end, are skipped. Raises
    DomainError naming the line when the text cannot be read as CSV.
    """
    text = text.removeprefix("\ufeff")
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(header_line))
    last_line = 0
    try:
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if any(value.strip() for value in record):
                yield line, record
    except csv.Error as error:
        raise DomainError(
            gettext("Line %(line)d: the file cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": error},
            code="not_csv",
            field="file",
        ) from error


def neutralise_cell(value: object) -> object:
    """``value``, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_download(filename: str) -> tuple[HttpResponse, CsvWriter]:
    """An attachment response named ``filename`` that starts with a UTF-8 BOM, and a writer
    into it. The caller writes rows through ``neutralise_cell``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, csv.writer(response)
