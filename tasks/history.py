"""The history lines of a task: what changed and to whom, in words.

Everything a line needs is stored in the Activity row when it is written
(column and assignee names, new field values), so old lines keep the names
they had at the time and rendering costs no queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext, ngettext, pgettext

from tasks.models import ActivityKind, Priority

NO_VALUE = "—"


def _field_change(name: str, value: str | None) -> str:
    if name == "title":
        return gettext("renamed the task to “%(title)s”") % {"title": value or ""}
    if name == "description":
        return gettext("edited the description")
    if name == "priority":
        label = dict(Priority.choices).get(value or "", value or NO_VALUE)
        return gettext("changed the priority to %(priority)s") % {"priority": label}
    if name == "estimate":
        if value is None:
            return gettext("removed the estimate")
        return gettext("changed the estimate to %(estimate)s") % {"estimate": value}
    if name == "due_on":
        if value is None:
            return gettext("removed the due date")
        try:
            shown = formats.date_format(datetime.date.fromisoformat(value), "j M")
        except ValueError:  # not written by task_update; show it as stored
            shown = value
        return gettext("changed the due date to %(date)s") % {"date": shown}
    return gettext("changed %(field)s") % {"field": name}


FIELD_NAMES = {
    "title": lambda: pgettext("history field", "the title"),
    "description": lambda: pgettext("history field", "the description"),
    "priority": lambda: pgettext("history field", "the priority"),
    "estimate": lambda: pgettext("history field", "the estimate"),
    "due_on": lambda: pgettext("history field", "the due date"),
}


def _edited(data: dict) -> str:
    fields = data.get("fields") or []
    values = data.get("values")
    if values is None:
        # Rows written before values were stored: say which fields changed.
        if not fields:
            return pgettext("activity", "edited")
        names = ", ".join(FIELD_NAMES[f]() if f in FIELD_NAMES else f for f in fields)
        return gettext("changed %(fields)s") % {"fields": names}
    parts = [_field_change(name, values.get(name)) for name in fields]
    return "; ".join(parts) or pgettext("activity", "edited")


def _labels(data: dict) -> str:
    parts = []
    added = data.get("added_names")
    removed = data.get("removed_names")
    if added is None and removed is None:
        return pgettext("activity", "labels changed")
    if added:
        parts.append(
            ngettext("added the label %(names)s", "added the labels %(names)s", len(added))
            % {"names": ", ".join(added)}
        )
    if removed:
        parts.append(
            ngettext("removed the label %(names)s", "removed the labels %(names)s", len(removed))
            % {"names": ", ".join(removed)}
        )
    return "; ".join(parts) or pgettext("activity", "labels changed")


@dataclass(frozen=True)
class HistoryLine:
    """One line of a task's history as the dialog shows it, every value final.

    Computed once per line (``history_lines``) rather than by template filters
    per field: 50 lines of ``|date`` and lookups were a fifth of the dialog's time.
    """

    at: str  # ISO 8601 in the active time zone: the <time datetime>
    when: str  # the same moment in the active language's SHORT_DATETIME_FORMAT
    actor: str
    summary: str


def history_lines(rows: Iterable[tuple]) -> list[HistoryLine]:
    """Lines from ``(created_at, kind, from_column_name, to_column_name, data,
    actor full_name, actor username)`` rows (``selectors.task_detail`` reads them),
    in the active language and time zone: what ``|date:"SHORT_DATETIME_FORMAT"``
    and ``display_name`` would show."""
    kinds = {value: str(label) for value, label in ActivityKind.choices}
    short = formats.get_format("SHORT_DATETIME_FORMAT")
    nobody = gettext("deleted user")
    lines = []
    for created_at, kind, from_name, to_name, data, full_name, username in rows:
        local = timezone.localtime(created_at)
        summary = activity_summary(
            kind=kind,
            data=data,
            from_column_name=from_name,
            to_column_name=to_name,
            kind_label=kinds.get(kind, kind),
        )
        lines.append(
            HistoryLine(
                at=local.isoformat(),
                when=dateformat.format(local, short),
                actor=full_name or username or nobody,
                summary=summary,
            )
        )
    return lines


def activity_summary(
    *,
    kind: str,
    data: dict | None,
    from_column_name: str,
    to_column_name: str,
    kind_label: str,
) -> str:
    """The line after the actor's name, e.g. "assigned to Иван Петров"."""
    data = data or {}
    if kind == ActivityKind.MOVED:
        return gettext("moved from %(from_column)s to %(to_column)s") % {
            "from_column": from_column_name or NO_VALUE,
            "to_column": to_column_name or NO_VALUE,
        }
    if kind == ActivityKind.CREATED and to_column_name:
        return gettext("created the task in %(column)s") % {"column": to_column_name}
    if kind == ActivityKind.ASSIGNED:
        if data.get("assignee") is None:
            return gettext("removed the assignee")
        if data.get("assignee_name"):
            return gettext("assigned to %(name)s") % {"name": data["assignee_name"]}
    if kind == ActivityKind.EDITED:
        return _edited(data)
    if kind == ActivityKind.LABELS:
        return _labels(data)
    if kind == ActivityKind.ATTACHED and data.get("name"):
        return gettext("attached “%(name)s”") % {"name": data["name"]}
    if kind == ActivityKind.DETACHED and data.get("name"):
        return gettext("removed the attachment “%(name)s”") % {"name": data["name"]}
    return kind_label
