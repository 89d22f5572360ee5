"""The board's cost pins (issue 10): queries per request and bytes per card.

Deterministic only: query counts (the same for 5 cards as for 200) and HTML
size. Timings live in `make bench` (docs/performance.md), never in tests.
Counts include the SAVEPOINT/RELEASE pair a write runs inside the test's
transaction.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from tasks.models import Task
from tasks.selectors import board_state
from tasks.services import checklist_add, comment_create, label_create, task_set_labels
from tests.tasks.factories import column, make_task

# A card is ~650 bytes today; 1 KB is the ceiling.
MAX_BYTES_PER_CARD = 1024
# The HTMX move's answer: two column headers and a placement header, whatever the board.
MAX_MOVE_ANSWER_BYTES = 5 * 1024


def _fill(project, intern, mentor, size: int) -> list[Task]:
    """``size`` cards in two columns, as real ones look: long titles, labels, due dates,
    comments, checklists and an assignee on many of them."""
    bug = label_create(project=project, by=intern, name="bug", color="red")
    feature = label_create(project=project, by=intern, name="feature", color="blue")
    tasks = []
    for n in range(size):
        task = make_task(
            project,
            intern,
            title=f"Card {n}: make the checkout page load faster on slow phones",
            column_name=["To do", "In progress"][n % 2],
            assignee=[intern, mentor, None][n % 3],
            priority=["low", "medium", "high", "urgent"][n % 4],
            due_on=None if n % 2 else __import__("datetime").date(2030, 1, 1 + n % 28),
        )
        if n % 3 == 0:
            task_set_labels(task=task, by=intern, labels=[bug, feature])
            comment_create(task=task, by=intern, body="Looks good.")
            checklist_add(task=task, by=intern, text="Write the test")
        tasks.append(task)
    # As the board shows them: labels, comments and checklists changed some.
    fresh = Task.objects.in_bulk([task.pk for task in tasks])
    return [fresh[task.pk] for task in tasks]


def _card_ids(body: str) -> list[str]:
    return re.findall(r'<article class="task-card[^"]*" id="task-(\d+)"', body)


@pytest.mark.parametrize("size", [5, 200])
def test_board_open_queries_do_not_grow_with_the_board(
    client, intern, mentor, project, size, django_assert_num_queries
):
    _fill(project, intern, mentor, size)
    client.force_login(intern)
    # session, user, project with the board state, members and labels (filters),
    # columns with their counts, cards, card labels
    with django_assert_num_queries(8):
        response = client.get(reverse("board", args=[project.pk]))
    assert len(_card_ids(response.content.decode())) == min(size, 100)


def test_a_card_costs_at_most_one_kilobyte_of_html(client, intern, mentor, project):
    """Measured as the board's growth per card, so the page's chrome does not count."""
    client.force_login(intern)
    empty = len(client.get(reverse("board", args=[project.pk])).content)
    _fill(project, intern, mentor, 100)
    full = client.get(reverse("board", args=[project.pk])).content
    assert len(_card_ids(full.decode())) == 100
    assert (len(full) - empty) / 100 <= MAX_BYTES_PER_CARD


def test_cards_carry_no_form_and_no_per_card_token(client, intern, mentor, project):
    """The shared move dialog replaced a form (CSRF token, select, inputs) on every card."""
    _fill(project, intern, mentor, 30)
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk])).content.decode()
    # log out, language, filters, the move dialog, one quick add per column
    assert body.count("<form") == 1 + 1 + 1 + 1 + 5
    assert body.count('id="move-dialog"') == 1
    assert body.count('class="move-to"') == 30
    cards = body.split('class="card-list"', 1)[1]
    assert "csrfmiddlewaretoken" not in cards.split("</section>", 1)[0].split("quick-add")[0]


@pytest.mark.parametrize("size", [5, 200])
def test_lazy_column_page_queries_do_not_grow(
    client, intern, mentor, project, size, django_assert_num_queries
):
    tasks = _fill(project, intern, mentor, size)
    client.force_login(intern)
    url = reverse("board_column_more", args=[project.pk, tasks[0].column_id])
    # session, user, project, column, cards, card labels
    with django_assert_num_queries(6):
        client.get(url, {"after": tasks[0].rank}, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("size", [5, 200])
def test_ui_move_answer_is_small_and_its_queries_constant(
    client, intern, mentor, project, size, django_assert_num_queries
):
    tasks = _fill(project, intern, mentor, size)
    target = tasks[0]
    doing = column(project, "In progress")
    client.force_login(intern)
    # session, user; the service's 5 statements (lock both columns, finding them
    # from the task and asking the user's right in the same statement; lock and
    # read the task with the ranks around the place; update, activity, outbox
    # event) inside a savepoint (2); the answer's one query (both counts and the
    # card below)
    with django_assert_num_queries(10):
        response = client.post(
            reverse("task_move", args=[target.pk]),
            {"column": doing.pk, "position": 0, "version": target.version},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert len(response.content) + len(response["HX-Trigger-After-Swap"]) <= MAX_MOVE_ANSWER_BYTES
    placement = json.loads(response["HX-Trigger-After-Swap"])["board-moved"]
    first_in_progress = Task.objects.filter(column=doing).order_by("rank")[1]
    assert placement["before"] == first_in_progress.pk
    assert placement["column"] == doing.pk


def test_ui_move_past_the_loaded_cards_says_so_and_rebalances_cheaply(
    client, intern, mentor, project, django_assert_max_num_queries
):
    """Moving to the end of a long column: no card below (board.js drops it from view)."""
    tasks = _fill(project, intern, mentor, 120)
    client.force_login(intern)
    todo = column(project, "To do")
    moving = tasks[1]  # in "In progress"
    with django_assert_max_num_queries(11):  # + a rank rebalance when one is needed
        response = client.post(
            reverse("task_move", args=[moving.pk]),
            {"column": todo.pk, "position": 100000, "version": moving.version},
            HTTP_HX_REQUEST="true",
        )
    placement = json.loads(response["HX-Trigger-After-Swap"])["board-moved"]
    assert placement["before"] is None
    assert len(response.content) <= MAX_MOVE_ANSWER_BYTES


@pytest.mark.parametrize("size", [5, 200])
def test_api_move_queries_do_not_grow(
    api_as, intern, mentor, project, size, django_assert_num_queries
):
    tasks = _fill(project, intern, mentor, size)
    doing = column(project, "In progress")
    api = api_as("intern")
    # session, user; the service's 5 statements inside a savepoint (2), the user's
    # right asked in the one that locks the columns; the moved task's labels (the
    # service's own read of the task is reused)
    with django_assert_num_queries(10):
        response = api.post(
            reverse("api-task-move", args=[tasks[0].pk]),
            {"column": doing.pk, "position": 0, "version": tasks[0].version},
            format="json",
        )
    assert response.status_code == 200
    assert response.json()["labels"] == sorted(
        label.pk for label in Task.objects.get(pk=tasks[0].pk).labels.all()
    )


def test_unchanged_poll_is_a_204_from_one_query_after_the_request_basics(
    client, intern, mentor, project, django_assert_num_queries
):
    _fill(project, intern, mentor, 50)
    client.force_login(intern)
    url = reverse("board_changes", args=[project.pk])
    state = board_state(project)
    # session, user, then visibility and board state in one query
    with django_assert_num_queries(3):
        response = client.get(url, {"state": state, "since": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response.content == b""


def test_task_dialog_reads_each_thing_once(
    client, intern, mentor, project, django_assert_num_queries
):
    task = _fill(project, intern, mentor, 3)[0]
    client.force_login(intern)
    # session, user, task, members, activities, the project's labels (which are the
    # task's: one query), checklist, comments, reviews, attachments, columns (move
    # form), the first cards of each column (the move form's "after …" places)
    with django_assert_num_queries(12):
        response = client.get(reverse("task_detail", args=[task.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_drag_and_drop_move_costs_one_query_more(
    client, intern, mentor, project, size, django_assert_num_queries
):
    """A drop sends ``before`` (the card below): finding its place is one query."""
    tasks = _fill(project, intern, mentor, size)
    doing = column(project, "In progress")
    in_progress = list(Task.objects.filter(column=doing).order_by("rank"))
    below = in_progress[len(in_progress) // 2]
    moving = tasks[0]  # in "To do"
    client.force_login(intern)
    # as the plain move (10), plus the count of the cards above ``before`` and the
    # ranks around it (the place is not known when the task is locked)
    with django_assert_num_queries(12):
        response = client.post(
            reverse("task_move", args=[moving.pk]),
            {"column": doing.pk, "position": 0, "before": below.pk, "version": moving.version},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger-After-Swap"])["board-moved"]["before"] == below.pk
    ranked = list(Task.objects.filter(column=doing).order_by("rank").values_list("pk", flat=True))
    assert ranked.index(moving.pk) == ranked.index(below.pk) - 1


def test_the_dialog_leaves_out_the_no_javascript_edit_form_the_page_keeps_it(
    client, intern, mentor, project
):
    """An htmx answer lands where task_edit.js edits in place: the whole edit form (the
    no-JavaScript way) would be rendered only to be hidden. The task page keeps it."""
    task = _fill(project, intern, mentor, 1)[0]
    client.force_login(intern)
    url = reverse("task_detail", args=[task.pk])
    dialog = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    page = client.get(url).content.decode()
    assert "data-inline-fallback" not in dialog
    assert "data-inline-fallback" in page
    assert 'data-field="title"' in dialog  # the in-place editors are there


def test_the_board_reads_its_state_token_with_the_project(client, intern, mentor, project):
    """The poll's token on the page is board_state's, though no query of its own reads it."""
    from urllib.parse import unquote

    from tasks.selectors import board_state

    _fill(project, intern, mentor, 3)
    client.force_login(intern)
    html = client.get(reverse("board", args=[project.pk])).content.decode()
    token = unquote(re.search(r"state=([^&\"]+)", html).group(1))
    assert token == board_state(project)
    assert token.endswith("-3")
