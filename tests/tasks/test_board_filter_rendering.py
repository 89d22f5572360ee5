"""The board's filter bar is rendered in Python (board_cards.filter_field) for speed:
it must be the very markup Django's widgets render, for every value, escaped."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test.html import parse_html

from tasks.forms import BoardFilterForm
from tasks.models import Priority
from tasks.services import label_create
from tasks.templatetags.board_cards import render_field_fast
from teams.selectors import team_members

QUERIES = [
    "",
    "q=login",
    'q=<script>alert("x")</script>&priority=high&mine=on',
    "assignee={assignee}&label={label}",
    "assignee=999999&label=junk&priority=nope&mine=",
    "q=%D0%9F%D0%BE%D0%B8%D1%81%D0%BA&priority=urgent",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_the_filter_bar_renders_exactly_as_django_widgets_do(query, project, mentor, intern):
    label = label_create(project=project, by=mentor, name='<b>"ui"</b>', color="red")
    members = list(team_members(project.team))
    data = QueryDict(query.format(assignee=intern.pk, label=label.pk))
    form = BoardFilterForm(data, project=project, members=members, labels=[label])
    form = form.without_invalid_values()

    for name in ("q", "assignee", "label", "priority", "mine"):
        fast, django = render_field_fast(form[name]), str(form[name])
        assert parse_html(fast) == parse_html(django), name
    assert "<script>" not in render_field_fast(form["q"])


@pytest.mark.django_db
@pytest.mark.parametrize("position", [None, "0", "2", "junk"])
def test_the_move_forms_grouped_places_render_exactly_as_django_does(position, project, mentor):
    from projects.selectors import project_columns
    from tasks.forms import MoveToForm
    from tasks.selectors import move_places
    from tests.tasks.factories import make_task

    tasks = [make_task(project, mentor, title=f'<i>"card"</i> {n}') for n in range(3)]
    data = None if position is None else {"position": position}
    form = MoveToForm(
        data,
        columns=list(project_columns(project)),
        places=move_places(tasks[0]),
        auto_id="task-1-move-%s",
    )
    html = render_field_fast(form["position"])
    assert parse_html(html) == parse_html(str(form["position"]))
    assert "<optgroup" in html
    assert "<i>" not in html


@pytest.mark.django_db
def test_other_widgets_are_left_to_django(project):
    form = BoardFilterForm(QueryDict("priority=high"), project=project, members=[], labels=[])
    form.is_valid()
    form.fields["priority"].widget = form.fields["priority"].hidden_widget()
    assert render_field_fast(form["priority"]) == str(form["priority"])
    assert Priority.HIGH in dict(form.fields["priority"].choices)


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [False, True])
def test_the_dialogs_in_place_editors_render_exactly_as_django_does(bound, project, mentor, intern):
    """Required fields, maxlength, error attributes, the assignee and priority selects, the
    description's text area, the date and number inputs and the labels' checkbox list."""
    import datetime

    from tasks.forms import INLINE_FIELDS, TaskEditForm
    from tests.tasks.factories import make_task

    ui = label_create(project=project, by=mentor, name="<ui>", color="red")
    bug = label_create(project=project, by=mentor, name='"bug" & co', color="blue")
    task = make_task(
        project,
        mentor,
        title='<b>"Title"</b>',
        assignee=intern,
        description="</textarea><script>x()</script>\nline two",
        due_on=datetime.date(2026, 12, 31),
        estimate=5,
    )
    task.labels.set([bug])
    members = list(team_members(project.team))
    data = {
        "title": "",
        "assignee": "junk",
        "priority": "high",
        "version": "1",
        "description": "<b>typed</b>",
        "due_on": "31.02.2026",
        "estimate": "-3",
        "labels": [str(ui.pk), "999999"],
    }
    form = TaskEditForm(
        data if bound else None,
        instance=task,
        project=project,
        members=members,
        auto_id="t-%s",
        initial={"labels": [bug.pk]},
    )
    form.fields["labels"].choices = [(ui.pk, ui.name), (bug.pk, bug.name)]
    for name in INLINE_FIELDS:
        fast = render_field_fast(form[name])
        assert parse_html(fast) == parse_html(str(form[name])), name
        assert "<script>" not in fast, name
        assert "<b>" not in fast, name
    assert 'type="date"' in render_field_fast(form["due_on"])
    assert 'type="checkbox"' in render_field_fast(form["labels"])


@pytest.mark.django_db
def test_the_move_dialog_names_its_places_in_the_users_language(client, project, intern):
    intern.preferred_language = "ru"
    intern.save(update_fields=["preferred_language"])
    client.force_login(intern)
    html = client.get(f"/projects/{project.pk}/board/").content.decode()
    assert 'data-after-text="после %(key)s %(title)s"' in html  # board.js fills the two in
    assert "В конец колонки" in html
    assert "В начало колонки" in html


@pytest.mark.django_db
@pytest.mark.parametrize("per_column", [1, 3, 15])
def test_move_places_read_per_column_are_the_windowed_ones(
    per_column, project, mentor, postgres_only
):
    """PostgreSQL reads each column's first cards through a LATERAL join on its index;
    the rows are the window's (SQLite's): live cards only, the moving one left out,
    in board order, per_column of each."""
    from tasks.selectors import _move_places_rows_lateral, _move_places_rows_windowed
    from tasks.services import task_move, task_set_archived
    from tests.tasks.factories import column, make_task

    todo = column(project, "To do")
    cards = [make_task(project, mentor, title=f"card {n}") for n in range(8)]
    cards += [
        make_task(project, mentor, title=f"doing {n}", column_name="In progress") for n in range(3)
    ]
    task_set_archived(task=cards[1], by=mentor, archived=True)
    moved = cards[5]
    task_move(task=moved, by=mentor, column=todo, position=0, version=moved.version)
    lateral = _move_places_rows_lateral(cards[2], per_column)
    assert lateral == _move_places_rows_windowed(cards[2], per_column)
    assert all(title != "card 1" and title != "card 2" for _, _, title in lateral)
    assert lateral[0][2] == "card 5"  # moved to the top of "To do"
