"""The board and task pages: permission matrix, htmx vs plain answers, query counts, XSS."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import Column
from tasks.models import ChecklistItem, Comment, Label, Review, Task
from tasks.services import checklist_add, comment_create, label_create, task_set_labels
from tests.conftest import persona_matrix
from tests.tasks.factories import column, make_task


@pytest.fixture
def task(project, intern):
    return make_task(project, intern, title="Login form", column_name="Review")


def get_urls(project, task):
    todo = column(project, "To do")
    return {
        "board": reverse("board", args=[project.pk]),
        "board_htmx": reverse("board", args=[project.pk]),
        "column_more": reverse("board_column_more", args=[project.pk, todo.pk]) + "?after=0",
        "board_changes": reverse("board_changes", args=[project.pk]) + "?state=x&since=0",
        "task_detail": reverse("task_detail", args=[task.pk]),
        "task_detail_htmx": reverse("task_detail", args=[task.pk]),
    }


GET_MATRIX = {
    #                       anonymous staff mentor intern outsider
    "board": (302, 200, 200, 200, 404),
    "board_htmx": (302, 200, 200, 200, 404),
    "column_more": (302, 200, 200, 200, 404),
    "board_changes": (302, 200, 200, 200, 404),
    "task_detail": (302, 200, 200, 200, 404),
    "task_detail_htmx": (302, 200, 200, 200, 404),
}


@pytest.mark.parametrize(
    ("page", "persona_name", "expected"),
    persona_matrix(GET_MATRIX),
)
def test_read_permission_matrix(client, persona, project, task, page, persona_name, expected):
    persona(persona_name)
    headers = (
        {"HTTP_HX_REQUEST": "true"}
        if page.endswith("htmx") or page in {"column_more", "board_changes"}
        else {}
    )
    response = client.get(get_urls(project, task)[page], **headers)
    assert response.status_code == expected


def write_requests(project, task):
    todo = column(project, "To do")
    item = checklist_add(task=task, by=task.reporter, text="Step")
    return {
        "move": (
            reverse("task_move", args=[task.pk]),
            {"column": todo.pk, "position": 0, "version": task.version},
        ),
        "quick_add": (
            reverse("task_quick_add", args=[project.pk]),
            {"column": todo.pk, "title": "New"},
        ),
        "edit": (
            reverse("task_edit", args=[task.pk]),
            {"title": "Edited", "priority": "high", "version": task.version, "description": ""},
        ),
        "archive": (reverse("task_archive", args=[task.pk]), {"archived": "1"}),
        "comment": (reverse("comment_create", args=[task.pk]), {"body": "Hi"}),
        "label": (reverse("label_create", args=[task.pk]), {"name": "bug", "color": "red"}),
        "checklist_add": (reverse("checklist_add", args=[task.pk]), {"text": "More"}),
        "checklist_toggle": (reverse("checklist_toggle", args=[task.pk, item.pk]), {"done": "1"}),
        "checklist_move": (reverse("checklist_move", args=[task.pk, item.pk]), {"position": "0"}),
        "checklist_delete": (reverse("checklist_delete", args=[task.pk, item.pk]), {}),
        "review": (reverse("review_submit", args=[task.pk]), {"decision": "approve", "score": "5"}),
    }


WRITE_MATRIX = {
    #                   anonymous staff mentor intern outsider
    "move": (302, 200, 200, 200, 404),
    "quick_add": (302, 200, 200, 200, 404),
    "edit": (302, 200, 200, 200, 404),
    "archive": (302, 200, 200, 200, 404),
    "comment": (302, 200, 200, 200, 404),
    "label": (302, 200, 200, 200, 404),
    "checklist_add": (302, 200, 200, 200, 404),
    "checklist_toggle": (302, 200, 200, 200, 404),
    "checklist_move": (302, 200, 200, 200, 404),
    "checklist_delete": (302, 200, 200, 200, 404),
    "review": (302, 200, 200, 403, 404),
}


def snapshot(project):
    return (
        sorted(
            Task.objects.filter(project=project).values_list(
                "pk", "title", "column_id", "archived", "version"
            )
        ),
        Comment.objects.count(),
        sorted(ChecklistItem.objects.values_list("pk", "done", "position")),
        Label.objects.count(),
        Review.objects.count(),
    )


@pytest.mark.parametrize(
    ("action", "persona_name", "expected"),
    persona_matrix(WRITE_MATRIX),
)
def test_write_permission_matrix(client, persona, project, task, action, persona_name, expected):
    url, data = write_requests(project, task)[action]
    before = snapshot(project)
    persona(persona_name)
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == expected
    changed = snapshot(project) != before
    assert changed == (expected == 200)


def test_plain_requests_get_full_pages_and_redirects(client, intern, project, task):
    client.force_login(intern)
    page = client.get(reverse("board", args=[project.pk]))
    assert "<html" in page.content.decode()
    partial = client.get(reverse("board", args=[project.pk]), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert 'id="board"' in partial.content.decode()
    todo = column(project, "To do")
    moved = client.post(
        reverse("task_move", args=[task.pk]),
        {"column": todo.pk, "position": 0, "version": task.version, "next": "/evil//x"},
    )
    assert moved.status_code == 302
    assert Task.objects.get(pk=task.pk).column == todo


def test_history_restore_gets_the_full_page(client, intern, project):
    client.force_login(intern)
    response = client.get(
        reverse("board", args=[project.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()


def test_htmx_move_answers_with_the_card_and_the_two_column_counts(client, intern, project, task):
    """Only what changed (issue 10): the card, both column headers, and where the card goes."""
    import json

    other = make_task(project, intern, title="Already there", column_name="To do")
    client.force_login(intern)
    todo = column(project, "To do")
    response = client.post(
        reverse("task_move", args=[task.pk]),
        {"column": todo.pk, "position": 0, "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="column-{todo.pk}-header"' in body
    assert f'id="column-{task.column_id}-header"' in body
    assert f'id="task-{other.pk}"' not in body  # the columns are not sent again
    assert 'class="board-column"' not in body
    assert body.count('hx-swap-oob="true"') == 2  # the two column headers
    placement = json.loads(response["HX-Trigger-After-Swap"])["board-moved"]
    assert placement == {
        "task": task.pk,
        "column": todo.pk,
        "before": other.pk,
        "version": task.version + 1,
        "overdue": False,
    }


def test_refused_move_is_explained_and_puts_the_card_back(client, intern, project, task):
    client.force_login(intern)
    done = column(project, "Done")
    response = client.post(
        reverse("task_move", args=[task.pk]),
        {"column": done.pk, "position": 0, "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "requires review" in body
    assert f'id="task-{task.pk}"' in body  # re-rendered in its own column
    assert Task.objects.get(pk=task.pk).column.name == "Review"


@pytest.mark.parametrize(
    ("who", "case", "expected"),
    [
        ("outsider", "valid", 404),
        ("outsider", "invalid", 404),  # not a 400 that would say what the form wants
        ("outsider", "own_column", 404),  # a column of their own project changes nothing
        ("intern", "no_such_task", 404),
        ("intern", "archived_project", 403),
        ("intern", "other_projects_column", 400),
    ],
)
def test_board_moves_ask_the_right_on_the_rows_they_lock(
    client, request, project, task, who, case, expected
):
    """From the board a move takes the task by id and checks the user's right in the
    statement that locks the columns (services.task_move_checked): the same answers as
    reading the task first, and nothing changes."""
    from tests.projects.factories import ProjectFactory

    user = request.getfixturevalue(who)
    client.force_login(user)
    target, pk = column(project, "In progress").pk, task.pk
    if case == "invalid":
        target = "junk"
    elif case == "own_column":
        target = ProjectFactory(team=request.getfixturevalue("other_team")).columns.first().pk
    elif case == "no_such_task":
        pk = Task.objects.order_by("-pk").first().pk + 1000
    elif case == "archived_project":
        project.archived = True
        project.save()
    elif case == "other_projects_column":
        target = ProjectFactory(team=project.team).columns.first().pk
    before = snapshot(project)
    response = client.post(
        reverse("task_move", args=[pk]),
        {"column": target, "position": 0, "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == expected
    assert snapshot(project) == before


def test_stale_move_is_a_409(client, intern, project, task):
    client.force_login(intern)
    response = client.post(
        reverse("task_move", args=[task.pk]),
        {"column": column(project, "To do").pk, "position": 0, "version": task.version + 5},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409


def test_wip_refusal_message(client, intern, project, task):
    Column.objects.filter(project=project, name="In progress").update(wip_limit=1)
    make_task(project, intern, column_name="In progress")
    client.force_login(intern)
    response = client.post(
        reverse("task_move", args=[task.pk]),
        {"column": column(project, "In progress").pk, "position": 0, "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "WIP limit" in response.content.decode()


def test_move_with_before_places_the_card_above_that_card(client, intern, project):
    a, b, c = (make_task(project, intern, title=t) for t in "ABC")
    client.force_login(intern)
    client.post(
        reverse("task_move", args=[c.pk]),
        {
            "column": column(project, "To do").pk,
            "position": 0,
            "version": c.version,
            "before": b.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    titles = list(
        Task.objects.filter(column=column(project, "To do"))
        .order_by("rank")
        .values_list("title", flat=True)
    )
    assert titles == ["A", "C", "B"]


def test_htmx_posts_need_the_csrf_token(intern, project, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(intern)
    response = client.post(
        reverse("task_move", args=[task.pk]),
        {"column": column(project, "To do").pk, "position": 0, "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).column.name == "Review"


def test_filters_apply_to_all_cards(client, intern, mentor, project):
    make_task(project, intern, title="Alpha feature", assignee=intern)
    make_task(project, intern, title="Beta bug", assignee=mentor)
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk]), {"q": "beta"}).content.decode()
    assert "Beta bug" in body
    assert "Alpha feature" not in body
    mine = client.get(reverse("board", args=[project.pk]), {"mine": "on"}).content.decode()
    assert "Alpha feature" in mine
    assert "Beta bug" not in mine


def test_columns_show_fifty_cards_and_load_the_rest(client, intern, project):
    for n in range(55):
        make_task(project, intern, title=f"Card {n:02d}")
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk])).content.decode()
    assert "Card 49" in body
    assert "Card 50" not in body
    assert "55" in body  # the full count in the header
    last = Task.objects.get(title="Card 49")
    more = client.get(
        reverse("board_column_more", args=[project.pk, last.column_id]),
        {"after": last.rank},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Card 50" in more
    assert "Card 54" in more
    assert "Card 49" not in more


def test_poll_is_204_when_nothing_changed(client, intern, project, task, django_assert_num_queries):
    from tasks.selectors import board_state

    client.force_login(intern)
    state = board_state(project)
    url = reverse("board_changes", args=[project.pk])
    # session, user, then visibility and board state in one query
    with django_assert_num_queries(3):
        response = client.get(url, {"state": state, "since": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204


def test_poll_swaps_only_changed_columns(client, intern, project, task):
    import time

    from tasks.selectors import board_state

    client.force_login(intern)
    state, since = board_state(project), f"{time.time():.6f}"
    moved_to = column(project, "In progress")
    from tasks.services import task_move

    task_move(task=task, by=intern, column=moved_to, position=0, version=task.version)
    response = client.get(
        reverse("board_changes", args=[project.pk]),
        {"state": state, "since": since},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert f'id="column-{moved_to.pk}"' in body
    assert f'id="column-{column(project, "Review").pk}"' in body
    assert f'id="column-{column(project, "Backlog").pk}"' not in body


@pytest.mark.parametrize("size", [5, 200])
def test_board_runs_a_constant_number_of_queries(
    client, intern, project, size, django_assert_num_queries
):
    bug = label_create(project=project, by=intern, name="bug")
    for n in range(size):
        task = make_task(
            project,
            intern,
            title=f"T{n}",
            assignee=intern,
            column_name=["To do", "In progress"][n % 2],
        )
        if n % 3 == 0:
            task_set_labels(task=task, by=intern, labels=[bug])
            comment_create(task=task, by=intern, body="x")
    client.force_login(intern)
    # session, user, project with the board state, members, labels (filters), columns
    # with their counts, cards, card labels (the move dialog reuses the columns)
    with django_assert_num_queries(8):
        response = client.get(reverse("board", args=[project.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_move_runs_a_constant_number_of_queries(
    client, intern, project, size, django_assert_num_queries
):
    tasks = [make_task(project, intern, title=f"T{n}") for n in range(size)]
    target = tasks[size // 2]
    doing = column(project, "In progress")
    client.force_login(intern)
    # session, user; the service: column locks (found from the task, with the
    # user's right asked in the same statement), task lock (the task read whole,
    # with the ranks around its place), update, activity, outbox event (+
    # savepoint and release); the answer: both column counts and the card below,
    # in one query.
    with django_assert_num_queries(10):
        response = client.post(
            reverse("task_move", args=[target.pk]),
            {"column": doing.pk, "position": 0, "version": target.version},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", XSS)
def test_user_text_renders_inert_everywhere(client, intern, project, payload):
    label = label_create(project=project, by=intern, name=payload[:40])
    task = make_task(project, intern, title=payload, description=payload)
    task_set_labels(task=task, by=intern, labels=[label])
    comment_create(task=task, by=intern, body=payload)
    client.force_login(intern)
    pages = [
        client.get(reverse("board", args=[project.pk])),
        client.get(reverse("task_detail", args=[task.pk])),
        client.get(reverse("task_detail", args=[task.pk]), HTTP_HX_REQUEST="true"),
        client.get(reverse("dashboard")),
    ]
    for response in pages:
        body = response.content.decode()
        assert "<script>alert" not in body
        assert "onerror=alert" not in body.replace("onerror=alert(1)&gt;", "")
        assert "<svg onload" not in body
        assert 'href="javascript:' not in body


def _card_ids(body: str) -> list[int]:
    import re

    return [int(pk) for pk in re.findall(r'<article class="task-card[^"]*" id="task-(\d+)"', body)]


def _show_more_link(body: str) -> str | None:
    import html
    import re

    found = re.search(r'<div class="load-more"[^>]*>\s*<a href="([^"]+)"', body)
    return html.unescape(found.group(1)) if found else None


def test_without_javascript_a_long_column_is_paged_with_next_links(client, intern, project):
    """The no-JavaScript way through a long column: pages of its own, not one huge page."""
    tasks = [make_task(project, intern, title=f"Card {n:03d}") for n in range(120)]
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk])).content.decode()
    seen = _card_ids(body)
    assert len(seen) == 50
    pages = 0
    link = _show_more_link(body)
    while link:
        response = client.get(link)
        assert response.status_code == 200
        page = response.content.decode()
        assert "<html" in page
        cards = _card_ids(page)
        assert 0 < len(cards) <= 50
        seen += cards
        pages += 1
        link = _show_more_link(page)
    assert pages == 2
    assert seen == [task.pk for task in tasks]  # each card once, in board order


def test_show_every_card_parameter_no_longer_renders_whole_columns(client, intern, project):
    for n in range(120):
        make_task(project, intern, title=f"Card {n:03d}")
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk]), {"all": "1"}).content.decode()
    assert len(_card_ids(body)) == 50


def test_column_pages_keep_the_filters(client, intern, mentor, project):
    mine = [make_task(project, intern, title=f"Mine {n}", assignee=intern) for n in range(60)]
    for n in range(30):
        make_task(project, intern, title=f"Theirs {n}", assignee=mentor)
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk]), {"mine": "on"}).content.decode()
    link = _show_more_link(body)
    assert "mine=on" in link
    page = client.get(link).content.decode()
    assert _card_ids(page) == [task.pk for task in mine[50:]]
    assert "Theirs" not in page


@pytest.mark.parametrize("size", [60, 300])
def test_column_page_runs_a_constant_number_of_queries(
    client, intern, project, size, django_assert_num_queries
):
    bug = label_create(project=project, by=intern, name="bug")
    for n in range(size):
        task = make_task(project, intern, title=f"T{n}", assignee=intern)
        if n % 3 == 0:
            task_set_labels(task=task, by=intern, labels=[bug])
    first = Task.objects.filter(project=project).order_by("rank").first()
    client.force_login(intern)
    url = reverse("board_column_more", args=[project.pk, first.column_id])
    # session, user, project, column, members, labels (filters), cards, card
    # labels, all columns (move-to)
    with django_assert_num_queries(9):
        response = client.get(url, {"after": first.rank})
    assert len(_card_ids(response.content.decode())) == 50
    # htmx: session, user, project, column, cards, card labels (the echoed filters
    # are read without the members and labels queries; no move dialog)
    with django_assert_num_queries(6):
        client.get(url, {"after": first.rank}, HTTP_HX_REQUEST="true")


def test_move_conflict_re_renders_the_column_the_client_showed_the_card_in(
    client, intern, mentor, project
):
    """The client saw the card in To do; someone moved it to In progress meanwhile.
    The 409 must replace both, or the stale copy stays on the board beside the real one."""
    from tasks.services import task_move

    task = make_task(project, intern, title="Raced card")
    todo, doing, review = (column(project, n) for n in ("To do", "In progress", "Review"))
    seen_version = task.version
    task_move(task=task, by=mentor, column=doing, position=0, version=seen_version)
    client.force_login(intern)
    response = client.post(
        reverse("task_move", args=[task.pk]),
        {"column": review.pk, "position": 0, "version": seen_version, "from_column": todo.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert body.count(f'id="task-{task.pk}"') == 1
    for col in (todo, doing, review):
        assert f'id="column-{col.pk}"' in body
    todo_part = body.split(f'id="column-{todo.pk}"', 1)[1].split("</section>", 1)[0]
    assert f'id="task-{task.pk}"' not in todo_part


def test_cards_say_which_column_they_are_shown_in(client, intern, project):
    """The shared move dialog sends it as from_column (board.js reads it from the card)."""
    task = make_task(project, intern, title="Card")
    client.force_login(intern)
    body = client.get(reverse("board", args=[project.pk])).content.decode()
    assert f'data-task-id="{task.pk}" data-column-id="{task.column_id}"' in body
    detail = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert f'name="from_column" value="{task.column_id}"' in detail


def test_lazy_column_pages_keep_the_filters_in_their_next_link(client, intern, mentor, project):
    mine = [make_task(project, intern, title=f"Mine {n}", assignee=intern) for n in range(220)]
    for n in range(30):
        make_task(project, intern, title=f"Theirs {n}", assignee=mentor)
    client.force_login(intern)
    url = reverse("board_column_more", args=[project.pk, mine[0].column_id])
    page = client.get(
        url, {"after": mine[49].rank, "mine": "on", "label": "x"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert _card_ids(page) == [task.pk for task in mine[50:150]]  # scroll pages of 100
    import html
    import re

    more = html.unescape(re.search(r'class="load-more" hx-get="([^"]+)"', page).group(1))
    assert "mine=on" in more
    assert "label=" not in more  # junk is not echoed
    assert _card_ids(client.get(more, HTTP_HX_REQUEST="true").content.decode()) == [
        task.pk for task in mine[150:]
    ]


@pytest.mark.parametrize(
    "query",
    [
        "q=%00%00&assignee=%C2%B2&label=99999999999999999999999&priority=%00",
        "mine=on&q=" + "x" * 101,
    ],
)
def test_move_answer_ignores_junk_filters_in_its_query(client, intern, project, query):
    """The htmx move reads the board's echoed filters without the form: junk is ignored."""
    task = make_task(project, intern, title="Card")
    client.force_login(intern)
    response = client.post(
        reverse("task_move", args=[task.pk]) + "?" + query,
        {"column": column(project, "In progress").pk, "position": 0, "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).column.name == "In progress"
