from __future__ import annotations

import threading

import pytest
from django.db import connection

from config.errors import DomainError
from projects import services
from projects.models import Column, ColumnCategory
from tests.projects.factories import ProjectFactory
from tests.teams.factories import TeamFactory


def columns_of(project) -> list[tuple[str, str, int]]:
    return list(
        Column.objects.filter(project=project)
        .order_by("position")
        .values_list("name", "category", "position")
    )


def test_new_project_gets_the_default_columns_in_order(team, staff):
    project = services.project_create(team=team, by=staff, name="Shop", key="shop")
    assert project.key == "SHOP"
    assert columns_of(project) == [
        ("Backlog", "todo", 0),
        ("To do", "todo", 1),
        ("In progress", "in_progress", 2),
        ("Review", "review", 3),
        ("Done", "done", 4),
    ]
    assert project.review_required is True


def test_project_key_is_unique_within_a_team_only(team, staff):
    services.project_create(team=team, by=staff, name="A", key="WEB")
    with pytest.raises(DomainError) as excinfo:
        services.project_create(team=team, by=staff, name="B", key="web")
    assert excinfo.value.field == "key"
    # Another team may use the same key.
    services.project_create(team=TeamFactory(), by=staff, name="C", key="WEB")


def test_project_cannot_end_before_it_starts(team, staff):
    import datetime

    with pytest.raises(DomainError):
        services.project_create(
            team=team,
            by=staff,
            name="A",
            key="AB",
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 4, 1),
        )


def test_update_refuses_a_key_taken_by_a_sibling_and_keeps_the_old_values(team, staff):
    first = ProjectFactory(team=team, key="ONE")
    ProjectFactory(team=team, key="TWO")
    with pytest.raises(DomainError):
        services.project_update(
            project=first,
            by=staff,
            name="Renamed",
            key="TWO",
            description="",
            starts_on=None,
            ends_on=None,
            review_required=True,
        )
    first.refresh_from_db()
    assert (first.name, first.key) == (first.name, "ONE")


def test_archive_and_restore(project, staff):
    services.project_set_archived(project=project, by=staff, archived=True)
    project.refresh_from_db()
    assert project.archived is True
    services.project_set_archived(project=project, by=staff, archived=False)
    project.refresh_from_db()
    assert project.archived is False


def test_column_create_appends_at_the_end(project, mentor):
    column = services.column_create(
        project=project, by=mentor, name="QA", category="review", wip_limit=3
    )
    assert column.position == 5
    assert columns_of(project)[-1] == ("QA", "review", 5)


def test_column_names_are_unique_ignoring_case(project, mentor):
    with pytest.raises(DomainError) as excinfo:
        services.column_create(project=project, by=mentor, name="  done ", category="done")
    assert excinfo.value.field == "name"


def test_a_board_has_a_bounded_number_of_columns(project, mentor):
    for n in range(services.MAX_COLUMNS - 5):
        services.column_create(project=project, by=mentor, name=f"Extra {n}", category="todo")
    with pytest.raises(DomainError):
        services.column_create(project=project, by=mentor, name="One too many", category="todo")


@pytest.mark.parametrize(
    ("name", "position", "expected"),
    [
        ("Done", 0, ["Done", "Backlog", "To do", "In progress", "Review"]),
        ("Backlog", 4, ["To do", "In progress", "Review", "Done", "Backlog"]),
        ("Review", 1, ["Backlog", "Review", "To do", "In progress", "Done"]),
        ("To do", 99, ["Backlog", "In progress", "Review", "Done", "To do"]),
    ],
)
def test_column_move_reorders_without_gaps(project, mentor, name, position, expected):
    column = Column.objects.get(project=project, name=name)
    services.column_move(column=column, by=mentor, position=position)
    rows = columns_of(project)
    assert [row[0] for row in rows] == expected
    assert [row[2] for row in rows] == list(range(5))


def test_column_update_renames_and_sets_wip_limit(project, mentor):
    column = Column.objects.get(project=project, name="In progress")
    services.column_update(
        column=column, by=mentor, name="Doing", category="in_progress", wip_limit=4
    )
    column.refresh_from_db()
    assert (column.name, column.wip_limit) == ("Doing", 4)


@pytest.mark.parametrize("category", [c.value for c in ColumnCategory if c != "todo"])
def test_the_last_column_of_a_category_cannot_be_deleted_or_recategorised(
    project, mentor, category
):
    column = Column.objects.get(project=project, category=category)
    with pytest.raises(DomainError):
        services.column_delete(column=column, by=mentor)
    with pytest.raises(DomainError):
        services.column_update(
            column=column, by=mentor, name=column.name, category="todo", wip_limit=None
        )
    assert len(columns_of(project)) == 5


def test_deleting_a_column_closes_the_gap(project, mentor):
    backlog = Column.objects.get(project=project, name="Backlog")
    services.column_delete(column=backlog, by=mentor)
    assert columns_of(project) == [
        ("To do", "todo", 0),
        ("In progress", "in_progress", 1),
        ("Review", "review", 2),
        ("Done", "done", 3),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_column_changes_keep_positions_unique_and_gap_free(postgres_only):
    from tests.accounts.factories import UserFactory

    staff = UserFactory(is_staff=True)
    project = ProjectFactory()
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def add(n: int) -> None:
        try:
            barrier.wait()
            services.column_create(project=project, by=staff, name=f"Lane {n}", category="todo")
            first = Column.objects.filter(project=project).order_by("position").first()
            services.column_move(column=first, by=staff, position=n)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    positions = sorted(Column.objects.filter(project=project).values_list("position", flat=True))
    assert positions == list(range(11))
