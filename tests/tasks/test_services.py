from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from config.errors import DomainError
from projects.models import Column
from tasks import services
from tasks.models import Activity, ActivityKind, Review, Task
from tests.tasks.factories import column, make_task


def order(project, name: str) -> list[str]:
    return list(
        Task.objects.live()
        .filter(column=column(project, name))
        .order_by("rank")
        .values_list("title", flat=True)
    )


def test_create_numbers_tasks_per_project_and_appends_to_the_column(project, intern):
    first = make_task(project, intern, title="A")
    second = make_task(project, intern, title="B")
    assert (first.key, second.key) == ("WEB-1", "WEB-2")
    assert order(project, "To do") == ["A", "B"]
    assert first.reporter == intern
    assert Activity.objects.filter(task=first, kind=ActivityKind.CREATED).count() == 1


def test_create_defaults_to_the_first_column(project, intern):
    task = services.task_create(project=project, by=intern, title="Idea")
    assert task.column.name == "Backlog"


def test_create_refuses_an_empty_title(project, intern):
    with pytest.raises(DomainError) as excinfo:
        services.task_create(project=project, by=intern, title="   ")
    assert excinfo.value.field == "title"
    assert Task.objects.count() == 0


def test_create_refuses_an_assignee_outside_the_team(project, intern, outsider):
    with pytest.raises(DomainError):
        make_task(project, intern, assignee=outsider)


def test_create_respects_the_wip_limit(project, intern):
    Column.objects.filter(project=project, name="To do").update(wip_limit=1)
    make_task(project, intern, title="A")
    with pytest.raises(DomainError) as excinfo:
        make_task(project, intern, title="B")
    assert excinfo.value.code == "wip_limit"
    assert "WIP limit of 1" in str(excinfo.value)


def test_a_column_far_over_its_limit_says_how_far(project, intern):
    """A limit lowered below what a column holds: the refusal says so, not "limit reached"."""
    for title in ("A", "B", "C"):
        make_task(project, intern, title=title)
    Column.objects.filter(project=project, name="To do").update(wip_limit=1)
    with pytest.raises(DomainError) as excinfo:
        make_task(project, intern, title="D")
    message = str(excinfo.value)
    assert excinfo.value.code == "wip_limit"
    assert "holds 3 tasks" in message
    assert "over its WIP limit of 1" in message
    assert "finish something" not in message


def test_move_changes_only_column_rank_version_and_times(project, intern, mentor):
    task = make_task(project, intern, title="Login form", assignee=intern, priority="high")
    moved = services.task_move(
        task=task,
        by=intern,
        column=column(project, "In progress"),
        position=0,
        version=task.version,
    )
    assert moved.column.name == "In progress"
    assert moved.version == task.version + 1
    assert moved.started_at is not None
    assert moved.completed_at is None
    assert (moved.title, moved.assignee, moved.priority, moved.number) == (
        "Login form",
        intern,
        "high",
        task.number,
    )
    activity = Activity.objects.get(task=task, kind=ActivityKind.MOVED)
    assert (activity.from_column.name, activity.to_column.name) == ("To do", "In progress")
    assert (activity.from_category, activity.to_category) == ("todo", "in_progress")
    assert activity.actor == intern


def test_move_with_a_stale_version_is_a_conflict_carrying_the_current_task(project, intern):
    task = make_task(project, intern)
    services.task_move(
        task=task, by=intern, column=column(project, "In progress"), position=0, version=1
    )
    with pytest.raises(services.ConflictError) as excinfo:
        services.task_move(
            task=task, by=intern, column=column(project, "Review"), position=0, version=1
        )
    assert excinfo.value.task.column.name == "In progress"
    assert excinfo.value.task.version == 2
    assert Task.objects.get(pk=task.pk).column.name == "In progress"


def test_move_into_a_full_column_is_refused(project, intern):
    Column.objects.filter(project=project, name="In progress").update(wip_limit=1)
    make_task(project, intern, column_name="In progress")
    task = make_task(project, intern)
    with pytest.raises(DomainError) as excinfo:
        services.task_move(
            task=task, by=intern, column=column(project, "In progress"), position=0, version=1
        )
    assert excinfo.value.code == "wip_limit"
    assert Task.objects.get(pk=task.pk).column.name == "To do"


def test_reordering_inside_a_full_column_is_allowed(project, intern):
    Column.objects.filter(project=project, name="In progress").update(wip_limit=2)
    a = make_task(project, intern, title="A", column_name="In progress")
    make_task(project, intern, title="B", column_name="In progress")
    services.task_move(
        task=a, by=intern, column=column(project, "In progress"), position=1, version=1
    )
    assert order(project, "In progress") == ["B", "A"]


def test_intern_cannot_drop_into_done_when_review_required(project, intern):
    task = make_task(project, intern, column_name="Review")
    with pytest.raises(DomainError) as excinfo:
        services.task_move(
            task=task, by=intern, column=column(project, "Done"), position=0, version=1
        )
    assert excinfo.value.code == "review_required"
    with pytest.raises(DomainError):
        make_task(project, intern, column_name="Done")


def test_intern_may_drop_into_done_when_review_is_not_required(project, intern):
    project.review_required = False
    project.save()
    task = make_task(project, intern)
    moved = services.task_move(
        task=task, by=intern, column=column(project, "Done"), position=0, version=1
    )
    assert moved.completed_at is not None


def test_mentor_may_move_anywhere(project, intern, mentor):
    task = make_task(project, intern)
    moved = services.task_move(
        task=task, by=mentor, column=column(project, "Done"), position=0, version=1
    )
    assert moved.column.name == "Done"
    assert moved.completed_at is not None
    assert moved.started_at is not None


def test_leaving_done_clears_completion_and_keeps_the_first_start(project, mentor):
    task = make_task(project, mentor, column_name="In progress")
    started = task.started_at
    task = services.task_move(
        task=task, by=mentor, column=column(project, "Done"), position=0, version=1
    )
    task = services.task_move(
        task=task, by=mentor, column=column(project, "In progress"), position=0, version=2
    )
    assert task.completed_at is None
    assert task.started_at == started


def test_move_to_another_projects_column_is_refused(project, intern):
    from tests.projects.factories import ProjectFactory

    foreign = ProjectFactory(key="OTH").columns.first()
    task = make_task(project, intern)
    with pytest.raises(DomainError):
        services.task_move(task=task, by=intern, column=foreign, position=0, version=1)


def test_archived_tasks_leave_the_order_and_come_back_at_the_end(project, intern):
    a, b, c = (make_task(project, intern, title=t) for t in "ABC")
    services.task_set_archived(task=a, by=intern, archived=True)
    assert order(project, "To do") == ["B", "C"]
    assert Task.objects.get(pk=a.pk).rank is None
    services.task_set_archived(task=Task.objects.get(pk=a.pk), by=intern, archived=False)
    assert order(project, "To do") == ["B", "C", "A"]
    archived = services.task_set_archived(task=Task.objects.get(pk=b.pk), by=intern, archived=True)
    with pytest.raises(DomainError):
        services.task_move(
            task=archived,
            by=intern,
            column=column(project, "Review"),
            position=0,
            version=archived.version,
        )


def test_update_honours_version_and_records_the_changed_fields(project, intern):
    task = make_task(project, intern, title="Old")
    updated = services.task_update(task=task, by=intern, version=1, title="New", estimate=3)
    assert (updated.title, updated.estimate, updated.version) == ("New", 3, 2)
    edit = Activity.objects.get(task=task, kind=ActivityKind.EDITED)
    assert edit.data == {
        "fields": ["estimate", "title"],
        "values": {"estimate": "3", "title": "New"},
    }
    with pytest.raises(services.ConflictError):
        services.task_update(task=task, by=intern, version=1, title="Lost update")
    assert Task.objects.get(pk=task.pk).title == "New"


def test_update_refuses_ownership_fields(project, intern, other_team):
    task = make_task(project, intern)
    with pytest.raises(DomainError):
        services.task_update(task=task, by=intern, version=1, project=other_team)


def test_assign_only_team_members(project, intern, mentor, outsider):
    task = make_task(project, intern)
    assigned = services.task_assign(task=task, by=mentor, assignee=intern)
    assert assigned.assignee == intern
    with pytest.raises(DomainError):
        services.task_assign(task=assigned, by=mentor, assignee=outsider)
    assert services.task_assign(task=assigned, by=mentor, assignee=None).assignee is None


def test_comment_and_checklist_record_activity(project, intern):
    task = make_task(project, intern)
    services.comment_create(task=task, by=intern, body="Looks good")
    first = services.checklist_add(task=task, by=intern, text="Write tests")
    second = services.checklist_add(task=task, by=intern, text="Ship")
    services.checklist_toggle(item=first, by=intern, done=True)
    services.checklist_move(item=second, by=intern, position=0)
    assert list(task.checklist.order_by("position").values_list("text", "done")) == [
        ("Ship", False),
        ("Write tests", True),
    ]
    services.checklist_delete(item=first, by=intern)
    kinds = list(Activity.objects.filter(task=task).values_list("kind", flat=True))
    assert kinds.count(ActivityKind.COMMENTED) == 1
    assert kinds.count(ActivityKind.CHECKLIST) == 5
    with pytest.raises(DomainError):
        services.comment_create(task=task, by=intern, body="  ")


def test_labels_belong_to_the_project(project, intern):
    from tests.projects.factories import ProjectFactory

    bug = services.label_create(project=project, by=intern, name="bug", color="red")
    with pytest.raises(DomainError):
        services.label_create(project=project, by=intern, name="BUG")
    foreign = services.label_create(project=ProjectFactory(key="OTH"), by=intern, name="x")
    task = make_task(project, intern)
    services.task_set_labels(task=task, by=intern, labels=[bug])
    assert list(task.labels.all()) == [bug]
    with pytest.raises(DomainError):
        services.task_set_labels(task=task, by=intern, labels=[foreign])


def test_mentor_approves_with_a_score_and_the_task_moves_to_done(project, intern, mentor):
    task = make_task(project, intern, column_name="Review")
    review = services.review_submit(
        task=task, by=mentor, decision="approve", score=4, comment="Nice"
    )
    task.refresh_from_db()
    assert task.column.name == "Done"
    assert task.completed_at is not None
    assert (review.score, review.reviewer) == (4, mentor)
    assert Activity.objects.filter(task=task, kind=ActivityKind.REVIEWED).count() == 1
    move = Activity.objects.filter(task=task, kind=ActivityKind.MOVED).get()
    assert move.to_category == "done"


def test_mentor_requests_changes_and_the_task_goes_back_to_work(project, intern, mentor):
    task = make_task(project, intern, column_name="Review")
    services.review_submit(task=task, by=mentor, decision="request_changes", comment="Add tests")
    task.refresh_from_db()
    assert task.column.name == "In progress"
    assert task.completed_at is None


@pytest.mark.parametrize(
    ("decision", "score", "comment"),
    [
        ("approve", None, ""),
        ("approve", 6, ""),
        ("approve", 0, ""),
        ("request_changes", None, ""),
        ("maybe", 3, ""),
    ],
)
def test_bad_reviews_are_refused_and_change_nothing(
    project, intern, mentor, decision, score, comment
):
    task = make_task(project, intern, column_name="Review")
    with pytest.raises(DomainError):
        services.review_submit(
            task=task, by=mentor, decision=decision, score=score, comment=comment
        )
    assert Review.objects.count() == 0
    assert Task.objects.get(pk=task.pk).column.name == "Review"


def test_interns_cannot_review(project, intern):
    task = make_task(project, intern, column_name="Review")
    with pytest.raises(DomainError):
        services.review_submit(task=task, by=intern, decision="approve", score=5)


def test_only_tasks_in_review_can_be_reviewed(project, intern, mentor):
    task = make_task(project, intern, column_name="In progress")
    with pytest.raises(DomainError) as excinfo:
        services.review_submit(task=task, by=mentor, decision="approve", score=5)
    assert excinfo.value.code == "not_in_review"


def test_an_archived_task_cannot_be_reviewed(project, intern, mentor):
    task = make_task(project, intern, column_name="Review")
    services.task_set_archived(task=task, by=mentor, archived=True)
    with pytest.raises(DomainError) as excinfo:  # ``task`` still says "not archived"
        services.review_submit(task=task, by=mentor, decision="approve", score=5)
    assert excinfo.value.code == "archived"
    assert Review.objects.count() == 0


def test_a_second_approval_from_a_stale_page_is_refused(project, intern, mentor):
    task = make_task(project, intern, column_name="Review")
    services.review_submit(task=task, by=mentor, decision="approve", score=5)
    with pytest.raises(DomainError) as excinfo:
        services.review_submit(task=task, by=mentor, decision="approve", score=4)
    assert excinfo.value.code == "not_in_review"
    assert Review.objects.filter(task=task).count() == 1
    assert Activity.objects.filter(task=task, kind=ActivityKind.MOVED).count() == 1


def test_review_return_ignores_wip_limits(project, intern, mentor):
    Column.objects.filter(project=project, name="In progress").update(wip_limit=1)
    make_task(project, intern, column_name="In progress")
    task = make_task(project, intern, column_name="Review")
    services.review_submit(task=task, by=mentor, decision="request_changes", comment="Again")
    assert Task.objects.get(pk=task.pk).column.name == "In progress"


def test_backdated_history(project, intern, mentor):
    past = timezone.now() - datetime.timedelta(days=10)
    task = make_task(project, intern, at=past)
    moved = services.task_move(
        task=task, by=intern, column=column(project, "In progress"), position=0, version=1, at=past
    )
    assert moved.created_at == past
    assert moved.started_at == past


def test_a_column_holding_tasks_cannot_be_deleted(project, intern, mentor):
    from projects.services import column_delete

    Column.objects.create(project=project, name="Extra", category="todo", position=5)
    make_task(project, intern, column_name="Extra")
    with pytest.raises(DomainError) as excinfo:
        column_delete(column=column(project, "Extra"), by=mentor)
    assert excinfo.value.code == "column_not_empty"
    assert Column.objects.filter(project=project, name="Extra").exists()
