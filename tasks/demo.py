"""Weeks of believable task history for the demo, written through the services.

Deterministic (seeded by the project key) so every demo install looks alike.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from projects.models import Column, ColumnCategory, Project
from projects.selectors import project_columns
from tasks import services
from tasks.models import Label, Priority, ReviewDecision, Task
from teams.models import Role
from teams.selectors import team_members

TITLES = (
    "Форма входа с проверкой пароля",
    "Страница профиля пользователя",
    "Экспорт отчёта в CSV",
    "Поиск по задачам",
    "Уведомления по электронной почте",
    "Тёмная тема интерфейса",
    "Пагинация списка участников",
    "Импорт данных из Excel",
    "Кэширование ответов API",
    "Логирование ошибок",
    "Настройка CI для тестов",
    "Документация по развёртыванию",
    "Локализация на английский",
    "Фильтр по дате в отчётах",
    "Загрузка аватара",
    "Сброс пароля по ссылке",
    "Оптимизация запросов к базе",
    "Адаптивная вёрстка для телефонов",
    "Графики прогресса команды",
    "Резервное копирование базы",
    "Проверка прав доступа",
    "Календарь событий стажировки",
    "Офлайн-режим приложения",
    "Push-уведомления",
    "Онбординг новых пользователей",
    "Модерация комментариев",
    "Аудит безопасности зависимостей",
    "Миграция на новую версию API",
    "Тесты для сервиса оплаты",
    "Дашборд для координаторов",
)
COMMENTS = (
    "Начал(а) работу, вопросы напишу сюда.",
    "Нужна помощь с тестами — кто посмотрит?",
    "Готово, отправляю на ревью.",
    "Поправил(а) замечания.",
    "Есть вопрос по требованиям, уточню у ментора.",
)
CHANGE_REQUESTS = (
    "Добавь, пожалуйста, тесты на граничные случаи.",
    "Не хватает обработки ошибок при пустом вводе.",
    "Вынеси логику в сервис, а view оставь тонким.",
)
# How soon the demo's mentors answer a review request.
REVIEW_TURNAROUND = datetime.timedelta(days=4)
LABELS = (("bug", "red"), ("frontend", "blue"), ("backend", "violet"), ("docs", "teal"))
PRIORITIES = (
    Priority.LOW, Priority.MEDIUM, Priority.MEDIUM, Priority.MEDIUM, Priority.HIGH,
    Priority.HIGH, Priority.URGENT,
)  # fmt: skip


def _first(columns: list[Column], category: str) -> Column:
    return next(column for column in columns if column.category == category)


def seed_project_history(*, project: Project, weeks: int = 8) -> int:
    """Give an empty project 40–80 tasks with ``weeks`` of history; returns tasks created.

    A project that already has tasks is left alone (idempotent demo seeding).
    """
    if Task.objects.filter(project=project).exists():
        return 0
    rng = random.Random(project.key)  # noqa: S311 - demo data, not security
    # By login, so the same seed picks the same people whatever their display names.
    members = sorted(team_members(project.team), key=lambda m: m.user.username)
    interns = [m.user for m in members if m.role == Role.INTERN]
    mentors = [m.user for m in members if m.role == Role.MENTOR]
    if not interns or not mentors:
        return 0
    columns = list(project_columns(project))
    backlog, todo = columns[0], _first(columns, ColumnCategory.TODO)
    todo = next((c for c in columns if c.category == ColumnCategory.TODO and c != backlog), todo)
    doing = _first(columns, ColumnCategory.IN_PROGRESS)
    review = _first(columns, ColumnCategory.REVIEW)
    labels = [
        Label.objects.get_or_create(project=project, name=name, defaults={"color": color})[0]
        for name, color in LABELS
    ]
    now = timezone.now()
    start = now - datetime.timedelta(weeks=weeks)
    count = rng.randint(40, 80)
    for index in range(count):
        created = start + datetime.timedelta(hours=rng.uniform(0, weeks * 7 * 24 - 48))
        assignee = rng.choice(interns) if rng.random() < 0.9 else None
        task = services.task_create(
            project=project,
            by=assignee or rng.choice(mentors),
            title=f"{TITLES[index % len(TITLES)]} #{index + 1}",
            description=rng.choice(
                ("", "Критерии готовности:\n\n- код покрыт тестами\n- есть описание в README")
            ),
            column=rng.choice((backlog, todo)),
            assignee=assignee,
            priority=rng.choice(PRIORITIES),
            labels=rng.sample(labels, rng.randint(0, 2)),
            estimate=rng.choice((1, 2, 3, 5, 8, None)),
            due_on=(created + datetime.timedelta(days=rng.randint(7, 35))).date(),
            at=created,
        )
        _live_through(task=task, rng=rng, created=created, now=now, mentors=mentors,
                      columns=(todo, doing, review))  # fmt: skip
    return count


def _live_through(
    *,
    task: Task,
    rng: random.Random,
    created: datetime.datetime,
    now: datetime.datetime,
    mentors: list,
    columns: tuple[Column, Column, Column],
) -> None:
    """Walk a task through the workflow at plausible, increasing times, stopping at now."""
    todo, doing, review = columns
    actor = task.assignee or rng.choice(mentors)
    mentor = rng.choice(mentors)
    moment = created
    # Old work is mostly finished, as in a team whose mentors keep up; recent
    # work is spread over the board. A few forgotten old tasks stay open, so
    # the demo has overdue work and someone at risk without every intern being.
    recent = now - created < datetime.timedelta(weeks=3)
    weights = (20, 20, 12, 48) if recent else (1, 1, 0, 98)
    stage = rng.choices(("todo", "doing", "review", "done"), weights=weights)[0]
    path = {"todo": [todo], "doing": [todo, doing], "review": [todo, doing, review]}.get(
        stage, [todo, doing, review]
    )

    def later(low: float, high: float) -> datetime.datetime | None:
        nonlocal moment
        moment = moment + datetime.timedelta(hours=rng.uniform(low, high))
        return moment if moment < now - datetime.timedelta(minutes=5) else None

    for column in path:
        at = later(2, 60)
        if at is None:
            return
        if column.pk != task.column_id:
            task = services.task_move(
                task=task, by=actor, column=column, position=None, version=task.version, at=at
            )
        if column == doing and rng.random() < 0.4 and (at := later(1, 20)):
            services.comment_create(task=task, by=actor, body=rng.choice(COMMENTS), at=at)
    if stage == "review" and moment < now - REVIEW_TURNAROUND:
        stage = "done"  # sent long enough ago for a mentor to have answered
    if stage != "done":
        return
    if rng.random() < 0.3 and (at := later(4, 30)):
        services.review_submit(
            task=task,
            by=mentor,
            decision=ReviewDecision.REQUEST_CHANGES,
            comment=rng.choice(CHANGE_REQUESTS),
            at=at,
        )
        task = Task.objects.select_related("project").get(pk=task.pk)
        if (at := later(6, 48)) is None:
            return
        task = services.task_move(
            task=task, by=actor, column=review, position=None, version=task.version, at=at
        )
    if at := later(4, 30):
        services.review_submit(
            task=task,
            by=mentor,
            decision=ReviewDecision.APPROVE,
            score=rng.choices((3, 4, 5, 2), weights=(3, 5, 4, 1))[0],
            at=at,
        )


def bench_cohort_drop(*, name: str) -> list[int]:
    """Delete a benchmark cohort and all its work in bulk; returns its members' user ids.

    Children go first, in bulk: the ORM cascade would walk hundreds of
    thousands of activity rows one by one. Users are left to the caller, who
    knows which of them the benchmark created.
    """
    from integrations.models import Event
    from tasks.models import Activity, Review
    from teams.models import Cohort, Membership, Team

    cohort = Cohort.objects.filter(name=name).first()
    if cohort is None:
        return []
    team_ids = list(Team.objects.filter(cohort=cohort).values_list("pk", flat=True))
    user_ids = list(
        Membership.objects.filter(team_id__in=team_ids).values_list("user_id", flat=True)
    )
    tasks = Task.objects.filter(project__team_id__in=team_ids)
    Activity.objects.filter(task__in=tasks).delete()
    Review.objects.filter(task__in=tasks).delete()
    Event.objects.filter(project__team_id__in=team_ids).delete()
    tasks.delete()
    Project.objects.filter(team_id__in=team_ids).delete()
    Membership.objects.filter(team_id__in=team_ids).delete()
    Team.objects.filter(pk__in=team_ids).delete()
    cohort.delete()
    return user_ids
