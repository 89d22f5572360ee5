"""Use-cases that change projects and their board columns.

Views authorize (``projects.permissions``) before calling these; the services
enforce the rules that hold whoever calls them: unique keys, default columns,
a gap-free column order, and that every project keeps a column of each
category (the review workflow moves tasks into the first ``in_progress`` and
``done`` columns, so those must exist).
"""

from __future__ import annotations

import copy
import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
from config.validators import clean_or_refuse
from projects.models import Column, ColumnCategory, Project, normalize_project_key

if TYPE_CHECKING:
    from accounts.models import User
    from teams.models import Team

# The columns every new project starts with. Names are marked here and
# translated into the creator's language when the project is made.
DEFAULT_COLUMNS: tuple[tuple[str, str], ...] = (
    (gettext_noop("Backlog"), ColumnCategory.TODO),
    (gettext_noop("To do"), ColumnCategory.TODO),
    (gettext_noop("In progress"), ColumnCategory.IN_PROGRESS),
    (gettext_noop("Review"), ColumnCategory.REVIEW),
    (gettext_noop("Done"), ColumnCategory.DONE),
)

MAX_COLUMNS = 20


def _key_taken(*, team_id: int, key: str, exclude_pk: int | None = None) -> bool:
    projects = Project.objects.filter(team_id=team_id, key=key)
    if exclude_pk is not None:
        projects = projects.exclude(pk=exclude_pk)
    return projects.exists()


def _key_taken_error() -> DomainError:
    return DomainError(
        _("This team already has a project with this key."), code="key_taken", field="key"
    )


# What ``project_update`` may change; the team never changes, archiving has its own service.
PROJECT_EDITABLE_FIELDS = frozenset(
    {"name", "key", "description", "starts_on", "ends_on", "review_required"}
)


def _normalized_project_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - PROJECT_EDITABLE_FIELDS
    if unknown:
        raise DomainError(_("These fields cannot be edited here."), code="fields")
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    if "key" in changes:
        changes["key"] = normalize_project_key(changes["key"])
    return changes


@transaction.atomic
def project_create(
    *,
    team: Team,
    by: User,
    name: str,
    key: str,
    description: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    review_required: bool = True,
) -> Project:
    """Create a project in ``team`` with the default columns.

    Precondition: ``by`` may manage the team (the caller fetched it through
    ``teams.permissions.get_team_for_management``).
    """
    project = Project(
        team=team,
        **_normalized_project_changes(
            {
                "name": name,
                "key": key,
                "description": description,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "review_required": review_required,
            }
        ),
    )
    clean_or_refuse(project)
    if _key_taken(team_id=team.pk, key=project.key):
        raise _key_taken_error()
    try:
        # A savepoint, so a concurrent creator's win leaves this transaction usable.
        with transaction.atomic():
            project.save(force_insert=True)
    except IntegrityError as error:  # the same key created between check and insert
        raise _key_taken_error() from error
    Column.objects.bulk_create(
        Column(project=project, name=gettext(name_), category=category, position=position)
        for position, (name_, category) in enumerate(DEFAULT_COLUMNS)
    )
    return project


@transaction.atomic
def project_update(*, project: Project, by: User, **changes: Any) -> Project:
    """Change some of a project's settings (``PROJECT_EDITABLE_FIELDS``); only those passed change.

    Precondition: ``by`` may manage the project. On a refusal ``project`` keeps
    its stored values.
    """
    changes = _normalized_project_changes(changes)
    updated = copy.copy(project)
    for name, value in changes.items():
        setattr(updated, name, value)
    clean_or_refuse(updated)
    if "key" in changes and _key_taken(
        team_id=project.team_id, key=updated.key, exclude_pk=project.pk
    ):
        raise _key_taken_error()
    try:
        with transaction.atomic():
            updated.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as error:
        raise _key_taken_error() from error
    for name in (*changes, "updated_at"):
        setattr(project, name, getattr(updated, name))
    return project


def project_set_archived(*, project: Project, by: User, archived: bool) -> Project:
    """Archive (hide from boards and dashboards) or restore a project."""
    Project.objects.filter(pk=project.pk).update(archived=archived)
    project.archived = archived
    return project


# --- Columns ------------------------------------------------------------------------


def _lock_project_columns(project: Project) -> list[Column]:
    """Lock the project row, then read its columns in order.

    Every change to a project's column set takes this lock first, so two
    mentors reordering or adding columns at once are serialised instead of
    colliding on the unique (project, position) constraint.
    """
    # NO KEY UPDATE: does not block inserts that reference the project.
    Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values_list("pk").get()
    return list(Column.objects.filter(project_id=project.pk).order_by("position"))


def _renumber(columns: list[Column]) -> None:
    """Store positions 0..n-1 in list order without tripping the unique constraint.

    Unique constraints are checked per statement, so moving straight to the
    new numbers could collide mid-way; parking every row past the end first
    makes both passes collision-free on every database.
    """
    changed = [column for position, column in enumerate(columns) if column.position != position]
    if not changed:
        return
    offset = len(columns) + max(column.position for column in columns) + 1
    for column in changed:
        Column.objects.filter(pk=column.pk).update(position=column.position + offset)
    for column in changed:
        column.position = columns.index(column)
        Column.objects.filter(pk=column.pk).update(position=column.position)


def _column_name_taken(columns: list[Column], name: str, exclude: Column | None = None) -> bool:
    return any(c.name.casefold() == name.casefold() for c in columns if c != exclude)


def _name_taken_error() -> DomainError:
    return DomainError(
        _("This project already has a column with this name."), code="name_taken", field="name"
    )


def _last_of_category_error(category: str) -> DomainError:
    label = ColumnCategory(category).label
    return DomainError(
        _(
            "A project needs at least one “%(category)s” column: the board and the review "
            "workflow rely on it."
        )
        % {"category": label},
        code="last_of_category",
    )


@transaction.atomic
def column_create(
    *,
    project: Project,
    by: User,
    name: str,
    category: str,
    wip_limit: int | None = None,
) -> Column:
    """Add a column at the right end of the board."""
    columns = _lock_project_columns(project)
    name = name.strip()
    if len(columns) >= MAX_COLUMNS:
        raise DomainError(
            _("A board can have at most %(count)d columns.") % {"count": MAX_COLUMNS},
            code="too_many_columns",
        )
    if _column_name_taken(columns, name):
        raise _name_taken_error()
    return Column.objects.create(
        project=project, name=name, category=category, wip_limit=wip_limit, position=len(columns)
    )


# What ``column_update`` may change; positions change through ``column_move``.
COLUMN_EDITABLE_FIELDS = frozenset({"name", "category", "wip_limit"})


@transaction.atomic
def column_update(*, column: Column, by: User, **changes: Any) -> Column:
    """Rename a column, change its category or WIP limit; only the fields passed change."""
    unknown = set(changes) - COLUMN_EDITABLE_FIELDS
    if unknown:
        raise DomainError(_("These fields cannot be edited here."), code="fields")
    columns = _lock_project_columns(column.project)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if _column_name_taken(columns, changes["name"], exclude=column):
            raise _name_taken_error()
    category = changes.get("category", column.category)
    if category != column.category and not any(
        c.category == column.category for c in columns if c.pk != column.pk
    ):
        raise _last_of_category_error(column.category)
    if changes:
        Column.objects.filter(pk=column.pk).update(**changes)
    for name, value in changes.items():
        setattr(column, name, value)
    return column


@transaction.atomic
def column_move(*, column: Column, by: User, position: int) -> Column:
    """Move a column to ``position`` (0-based, clamped to the board), shifting the others."""
    columns = _lock_project_columns(column.project)
    current = next((c for c in columns if c.pk == column.pk), None)
    if current is None:  # deleted by someone else meanwhile
        raise DomainError(_("This column no longer exists."), code="gone")
    columns.remove(current)
    position = max(0, min(position, len(columns)))
    columns.insert(position, current)
    _renumber(columns)
    column.position = current.position
    return column


@transaction.atomic
def column_delete(*, column: Column, by: User) -> None:
    """Delete an empty column and close the gap it leaves.

    Tasks reference columns with ``on_delete=PROTECT``, so a column that still
    holds tasks (archived ones included) cannot go, whoever asks.
    """
    columns = _lock_project_columns(column.project)
    if not any(c.category == column.category for c in columns if c.pk != column.pk):
        raise _last_of_category_error(column.category)
    try:
        with transaction.atomic():
            Column.objects.filter(pk=column.pk).delete()
    except models.ProtectedError as error:
        raise DomainError(
            _("Only an empty column can be deleted: move its tasks elsewhere first."),
            code="column_not_empty",
        ) from error
    _renumber([c for c in columns if c.pk != column.pk])
