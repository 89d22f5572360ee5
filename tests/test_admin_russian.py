"""The admin in Russian: declined model names in titles and buttons, three plural forms in counts.

Django builds "Выберите %s для просмотра", "Добавить %s" and "485 задачи" from the
nominative ``verbose_name`` and English's two plural forms; config.admin_i18n and the
templates/admin overrides decline them per model, on every model's pages (django-axes'
too), in the bulk "delete selected" action and on a delete blocked by protected objects.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from config.admin_i18n import WORDING, GrammaticalAdminMixin, count_text
from tasks.models import Label
from teams.models import Cohort, Team
from tests.teams.factories import CohortFactory, TeamFactory

# The Russian the admin must print, per model: accusative singular, then the forms after
# 1, 2 and 5 ("1 задача", "2 задачи", "5 задач").
RUSSIAN = {
    "accounts.user": ("пользователя", "пользователь", "пользователя", "пользователей"),
    "accounts.apitoken": ("API-токен", "API-токен", "API-токена", "API-токенов"),
    "accounts.outgoingemail": (
        "исходящее письмо",
        "исходящее письмо",
        "исходящих письма",
        "исходящих писем",
    ),
    "auth.group": ("группу", "группа", "группы", "групп"),
    "teams.cohort": ("поток", "поток", "потока", "потоков"),
    "teams.team": ("команду", "команда", "команды", "команд"),
    "teams.membership": (
        "участие в команде",
        "участие в команде",
        "участия в командах",
        "участий в командах",
    ),
    "projects.project": ("проект", "проект", "проекта", "проектов"),
    "integrations.webhook": ("вебхук", "вебхук", "вебхука", "вебхуков"),
    "integrations.webhookdelivery": (
        "доставку вебхука",
        "доставка вебхука",
        "доставки вебхуков",
        "доставок вебхуков",
    ),
    "integrations.event": ("событие", "событие", "события", "событий"),
    "tasks.task": ("задачу", "задача", "задачи", "задач"),
    "tasks.label": ("метку", "метка", "метки", "меток"),
    "tasks.review": ("ревью", "ревью", "ревью", "ревью"),
    "tasks.activity": ("запись истории", "запись истории", "записи истории", "записей истории"),
    "tasks.attachment": ("вложение", "вложение", "вложения", "вложений"),
    "notifications.notification": ("уведомление", "уведомление", "уведомления", "уведомлений"),
    "notifications.watch": (
        "подписку на задачу",
        "подписка на задачу",
        "подписки на задачи",
        "подписок на задачи",
    ),
    "notifications.notificationsetting": (
        "настройку уведомлений",
        "настройка уведомлений",
        "настройки уведомлений",
        "настроек уведомлений",
    ),
    # django-axes' logs, registered again with the mixin (config.admin_i18n.decline_axes_admins).
    "axes.accessattempt": (
        "попытку доступа",
        "попытка доступа",
        "попытки доступа",
        "попыток доступа",
    ),
    "axes.accesslog": (
        "запись журнала доступа",
        "запись журнала доступа",
        "записи журнала доступа",
        "записей журнала доступа",
    ),
    "axes.accessfailurelog": (
        "запись о неудачном входе",
        "запись о неудачном входе",
        "записи о неудачном входе",
        "записей о неудачном входе",
    ),
}

# Every model of the admin, django-axes' included.
OURS = sorted(model._meta.label_lower for model in admin.site._registry)


def russian_form(label: str, count: int) -> str:
    """The Russian plural rule: 1, 21 → one; 2–4, 22–24 → few; 0, 5–20, 25 → many."""
    _, one, few, many = RUSSIAN[label]
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


@pytest.fixture
def ru_staff(client, staff):
    staff.preferred_language = "ru"
    staff.save(update_fields=["preferred_language"])
    client.force_login(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


def test_every_registered_model_is_declined():
    assert set(OURS) == set(RUSSIAN) == set(WORDING)
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower in OURS:
            assert isinstance(model_admin, GrammaticalAdminMixin), model._meta.label_lower


@pytest.mark.parametrize("label", OURS)
@pytest.mark.parametrize("count", [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 111, 485])
def test_counts_use_the_three_russian_plural_forms(label, count):
    with translation.override("ru"):
        assert count_text(label, count) == f"{count} {russian_form(label, count)}"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("label", OURS)
def test_changelist_in_russian(ru_staff, project, intern, label):
    app_label, model_name = label.split(".")
    response = ru_staff.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(html)
    accusative = RUSSIAN[label][0]
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    nominative = str(model._meta.verbose_name)

    title = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()
    assert title in (f"Выберите {accusative} для изменения", f"Выберите {accusative} для просмотра")
    assert f"<title>{title} |" in html
    if nominative != accusative:
        assert f"Выберите {nominative} " not in text
        assert f"Добавить {nominative}" not in text
    if response.context["has_add_permission"]:
        assert f"Добавить {accusative}" in text

    count = response.context["cl"].result_count
    assert f" {count} {russian_form(label, count)} " in _text(
        html[html.index('class="paginator"') :]
    )
    verbose_plural = str(model._meta.verbose_name_plural)
    if russian_form(label, count) != verbose_plural:
        assert f"{count} {verbose_plural}" not in text


@pytest.mark.parametrize(
    ("count", "expected"), [(1, "1 поток"), (3, "3 потока"), (5, "5 потоков"), (21, "21 поток")]
)
def test_changelist_counts_cohorts(ru_staff, count, expected):
    Cohort.objects.all().delete()
    CohortFactory.create_batch(count)
    html = ru_staff.get(reverse("admin:teams_cohort_changelist")).content.decode()
    assert f" {expected} " in _text(html[html.index('class="paginator"') :])


def test_select_all_across_pages_is_declined(ru_staff):
    Group.objects.bulk_create(Group(name=f"g{number}") for number in range(105))
    html = ru_staff.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "Выбрать все: 105 групп" in html
    assert "105 группы" not in html


@pytest.mark.parametrize("label", OURS)
def test_add_page_in_russian(ru_staff, label):
    app_label, model_name = label.split(".")
    response = ru_staff.get(reverse(f"admin:{app_label}_{model_name}_add"))
    if response.status_code == 403:
        return  # the model is not added in the admin (tests/test_admin.py ADD_PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    title = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()
    assert title == f"Добавить {RUSSIAN[label][0]}"


def test_change_page_of_a_team_in_russian(ru_staff, team):
    html = ru_staff.get(reverse("admin:teams_team_change", args=[team.pk])).content.decode()
    assert "<h1>Изменить команду</h1>" in html


def test_delete_page_declines_the_model_name(ru_staff, project):
    label = Label.objects.create(project=project, name="срочно")
    html = ru_staff.get(reverse("admin:tasks_label_delete", args=[label.pk])).content.decode()
    assert "хотите удалить метку" in html
    assert "хотите удалить метка" not in html


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("admin:teams_cohort_change", "Добавить ещё команду"),
        ("admin:teams_team_change", "Добавить ещё участие в команде"),
        ("admin:projects_project_change", "Добавить ещё колонку"),
    ],
)
def test_inline_add_another_is_declined(ru_staff, project, url_name, expected):
    obj = {"teams_cohort": project.team.cohort, "teams_team": project.team}.get(
        url_name.removeprefix("admin:").removesuffix("_change"), project
    )
    html = ru_staff.get(reverse(url_name, args=[obj.pk])).content.decode()
    add_texts = [
        json.loads(unescape(data))["options"]["addText"]
        for data in re.findall(r'data-inline-formset="([^"]*)"', html)
    ]
    assert expected in add_texts


# --- Deleting: the bulk action and a delete blocked by protected objects ----------------------


def _bulk_delete(client, cohorts, **extra):
    return client.post(
        reverse("admin:teams_cohort_changelist"),
        {"action": "delete_selected", "_selected_action": [c.pk for c in cohorts], **extra},
        follow=True,
    )


def test_bulk_delete_action_is_named_without_a_nominative_plural(ru_staff):
    CohortFactory()
    html = ru_staff.get(reverse("admin:teams_cohort_changelist")).content.decode()
    assert '<option value="delete_selected">Удалить выбранные объекты</option>' in html
    assert "Удалить выбранные потоки" not in html


@pytest.mark.parametrize(("count", "items"), [(1, "1 поток"), (2, "2 потока"), (5, "5 потоков")])
def test_bulk_delete_confirmation_in_russian(ru_staff, count, items):
    Cohort.objects.all().delete()
    cohorts = CohortFactory.create_batch(count)
    html = _bulk_delete(ru_staff, cohorts).content.decode()
    text = _text(html)
    assert f"Выбрано: {items}. Вы уверены, что хотите их удалить?" in text
    assert "Будут удалены все следующие объекты и связанные с ними элементы:" in text
    assert "выбранные поток" not in text.lower()
    assert Cohort.objects.count() == count  # only asked, not deleted yet


@pytest.mark.parametrize(("count", "items"), [(1, "1 поток"), (3, "3 потока"), (5, "5 потоков")])
def test_bulk_delete_reports_a_declined_count(ru_staff, count, items):
    Cohort.objects.all().delete()
    cohorts = CohortFactory.create_batch(count)
    html = _bulk_delete(ru_staff, cohorts, post="yes").content.decode()
    assert f"Удалено: {items}." in _text(html)
    assert "Успешно удалены" not in html
    assert not Cohort.objects.exists()


def test_bulk_delete_blocked_by_protected_objects_in_russian(ru_staff):
    Cohort.objects.all().delete()
    team = TeamFactory(name="Альфа")
    response = _bulk_delete(ru_staff, [team.cohort], post="yes")
    text = _text(response.content.decode())
    assert "<h1>Невозможно удалить выбранные объекты</h1>" in response.content.decode()
    assert (
        "Выбрано: 1 поток. Их нельзя удалить, пока существуют следующие связанные "
        "защищённые объекты:"
    ) in text
    assert "Альфа" in text
    assert "Сначала удалите или измените их, затем повторите попытку." in text
    assert "Не удается удалить поток" not in text
    assert Cohort.objects.filter(pk=team.cohort_id).exists()


def test_delete_blocked_by_protected_objects_in_russian(ru_staff):
    team = TeamFactory(name="Альфа")
    cohort = team.cohort
    html = ru_staff.get(reverse("admin:teams_cohort_delete", args=[cohort.pk])).content.decode()
    text = _text(html)
    assert "<h1>Невозможно удалить поток</h1>" in html
    assert "<title>Невозможно удалить поток |" in html
    assert (
        f"Нельзя удалить поток «{cohort}», пока существуют следующие связанные защищённые объекты:"
    ) in unescape(text)
    assert "Сначала удалите или измените их, затем повторите попытку." in text
    assert "Удаление поток" not in text
    # The confirmation of a delete that may go ahead keeps Django's declined sentence.
    lone = CohortFactory()
    html = ru_staff.get(reverse("admin:teams_cohort_delete", args=[lone.pk])).content.decode()
    assert "Вы уверены, что хотите удалить поток" in html
    assert Team.objects.filter(pk=team.pk).exists()
