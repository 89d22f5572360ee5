"""Create a realistic demo cohort so every page has data: `python manage.py seed_demo`.

One cohort, three teams (two mentors and five interns each), two projects per
team, and in every project 40–80 tasks with eight weeks of history (created,
moved through the columns, reviewed with scores, some changes requested, some
overdue), all written through the services with back-dated timestamps.

Idempotent: rows are looked up by their natural keys and only missing ones
are created, and a project that already has tasks gets no more, so a second
run changes nothing. Demo passwords are set only on accounts this command
creates.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import User
from projects.models import Project
from projects.services import project_create
from tasks.demo import seed_project_history
from teams.models import Cohort, Membership, Role, Team

DEMO_PASSWORD = "internboard"  # noqa: S105 - printed on purpose for the demo
ADMIN_USERNAME = "admin"

COHORT_NAME = "Осень 2026"

# team name, description, mentors, interns, projects (name, key, description)
TEAMS: tuple[dict, ...] = (
    {
        "name": "Веб-платформа",
        "description": "Внутренний портал стажировки: личный кабинет, расписание, уведомления.",
        "mentors": (("mentor1", "Анна Соколова"), ("mentor2", "Дмитрий Орлов")),
        "interns": (
            ("intern1", "Иван Петров"),
            ("intern2", "Мария Кузнецова"),
            ("intern3", "Алексей Смирнов"),
            ("intern4", "Екатерина Волкова"),
            ("intern5", "Никита Морозов"),
        ),
        "projects": (
            ("Личный кабинет", "WEB", "Кабинет стажёра: профиль, задачи, расписание."),
            ("Дизайн-система", "UI", "Общие компоненты интерфейса и гайдлайны."),
        ),
    },
    {
        "name": "Мобильное приложение",
        "description": "Приложение для iOS и Android с офлайн-режимом.",
        "mentors": (("mentor3", "Ольга Лебедева"), ("mentor4", "Сергей Новиков")),
        "interns": (
            ("intern6", "Полина Егорова"),
            ("intern7", "Артём Козлов"),
            ("intern8", "Дарья Павлова"),
            ("intern9", "Михаил Семёнов"),
            ("intern10", "Виктория Голубева"),
        ),
        "projects": (
            ("Клиент для Android", "AND", "Нативный клиент на Kotlin."),
            ("Клиент для iOS", "IOS", "Нативный клиент на Swift."),
        ),
    },
    {
        "name": "Аналитика данных",
        "description": "Отчёты и метрики по стажировке.",
        "mentors": (("mentor5", "Татьяна Виноградова"), ("mentor6", "Андрей Фёдоров")),
        "interns": (
            ("intern11", "Кирилл Богданов"),
            ("intern12", "Анастасия Воробьёва"),
            ("intern13", "Роман Зайцев"),
            ("intern14", "Елизавета Соловьёва"),
            ("intern15", "Глеб Васильев"),
        ),
        "projects": (
            ("Хранилище данных", "DWH", "Загрузка и очистка данных из источников."),
            ("Дашборды", "BI", "Отчёты для менторов и координаторов."),
        ),
    },
)


class Command(BaseCommand):
    help = "Create (once) a demo cohort with teams, mentors, interns and projects."

    def handle(self, *args, **options) -> None:
        # Demo teams speak Russian: default column names follow.
        with transaction.atomic(), translation.override("ru"):
            created = self._seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready ({created} new rows).")
            if created
            else "Demo data already present; nothing changed."
        )
        self.stdout.write(
            f"\nLogins (password for every demo account: {DEMO_PASSWORD}):\n"
            f"  {ADMIN_USERNAME:<17} coordinator (staff), Django admin at /admin/\n"
            "  mentor1…mentor6   mentors, two per team\n"
            "  intern1…intern15  interns, five per team\n"
        )

    def _user(self, username: str, full_name: str, **extra) -> tuple[User, bool]:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "email": f"{username}@internboard.example",
                "preferred_language": "ru",
                **extra,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user, created

    def _seed(self) -> int:
        created = 0
        admin, new = self._user(
            ADMIN_USERNAME, "Координатор стажировки", is_staff=True, is_superuser=True
        )
        created += new
        today = timezone.localdate()
        cohort, new = Cohort.objects.get_or_create(
            name=COHORT_NAME,
            defaults={
                "starts_on": today - datetime.timedelta(weeks=8),
                "ends_on": today + datetime.timedelta(weeks=8),
            },
        )
        created += new
        for spec in TEAMS:
            team, new = Team.objects.get_or_create(
                cohort=cohort, name=spec["name"], defaults={"description": spec["description"]}
            )
            created += new
            for role, people in ((Role.MENTOR, spec["mentors"]), (Role.INTERN, spec["interns"])):
                for username, full_name in people:
                    user, new = self._user(username, full_name)
                    created += new
                    _, new = Membership.objects.get_or_create(
                        user=user, team=team, defaults={"role": role, "joined_on": cohort.starts_on}
                    )
                    created += new
            for name, key, description in spec["projects"]:
                project = Project.objects.filter(team=team, key=key).first()
                if project is not None:
                    created += seed_project_history(project=project)
                    continue
                project = project_create(
                    team=team,
                    by=admin,
                    name=name,
                    key=key,
                    description=description,
                    starts_on=cohort.starts_on,
                    ends_on=cohort.ends_on,
                )
                created += 1 + seed_project_history(project=project)
        return created
