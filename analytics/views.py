"""The analytics pages: a team's and an intern's, the team's CSV, a mentor's refresh.

Thin: a permission fetcher of ``analytics.permissions``, the period form, one
selector of ``analytics.selectors``; the rest is presentation (formatting,
links to the task list, charts from ``analytics.charts``). No metric is
computed here.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from analytics import charts, selectors
from analytics.forms import PeriodForm
from analytics.permissions import get_intern_for_analytics, get_team_for_analytics
from analytics.tasks import analytics_rebuild_task
from config.csv_files import neutralise_cell
from config.queueing import enqueue
from tasks import selectors as task_selectors
from teams.models import Membership
from teams.permissions import can_manage_team

DAY_SECONDS = 24 * 3600
# Sortable columns of the team table: key → how to sort an InternMetrics (None last).
SORTS = {
    "name": lambda m: m.intern.display_name.lower(),
    "completed": lambda m: m.completed,
    "points": lambda m: m.points,
    "cycle": lambda m: m.median_cycle_seconds,
    "on_time": lambda m: m.on_time_rate,
    "first_pass": lambda m: m.first_pass_rate,
    "score": lambda m: m.mean_score,
    "overdue": lambda m: m.overdue,
    "wip": lambda m: m.wip,
    "risk": lambda m: len(m.at_risk),
}


# --- Formatting -----------------------------------------------------------------------------


def _days(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    days = formats.number_format(seconds / DAY_SECONDS, decimal_pos=1, use_l10n=True)
    return pgettext("duration in days", "%(days)s d") % {"days": days}


def _percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    return formats.number_format(round(rate * 100), use_l10n=True) + "\u00a0%"


def _decimal(value: float | None) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, decimal_pos=1, use_l10n=True)


def _tasks_url(**params: Any) -> str:
    query = {name: value for name, value in params.items() if value not in (None, "")}
    return reverse("task_list") + "?" + urlencode(query)


def _metric_cells(metrics: selectors.InternMetrics, span: selectors.Period) -> list[dict]:
    """The numbers of one intern, each with the task list link that shows its tasks."""
    done = {
        "assignee": metrics.intern.pk,
        "state": "done",
        "completed_from": span.start.isoformat(),
        "completed_to": span.end.isoformat(),
    }
    number = formats.number_format
    return [
        {"key": "completed", "text": number(metrics.completed), "url": _tasks_url(**done)},
        {"key": "points", "text": number(metrics.points), "url": _tasks_url(**done)},
        {
            "key": "cycle",
            "text": _days(metrics.median_cycle_seconds),
            "url": _tasks_url(**done, sort="-completed"),
        },
        {
            "key": "on_time",
            "text": _percent(metrics.on_time_rate),
            "url": _tasks_url(**done, due="on"),
        },
        {
            "key": "first_pass",
            "text": _percent(metrics.first_pass_rate),
            "url": _tasks_url(**done, reviewed="on"),
        },
        {
            "key": "score",
            "text": _decimal(metrics.mean_score),
            "url": _tasks_url(**done, reviewed="on"),
        },
        {
            "key": "overdue",
            "text": number(metrics.overdue),
            "url": _tasks_url(assignee=metrics.intern.pk, state="overdue"),
        },
        {
            "key": "wip",
            "text": number(metrics.wip),
            "url": _tasks_url(assignee=metrics.intern.pk, state="wip"),
        },
    ]


def _columns() -> list[tuple[str, str]]:
    return [
        ("completed", _("Completed")),
        ("points", _("Points")),
        ("cycle", _("Median cycle time")),
        ("on_time", _("On time")),
        ("first_pass", _("First pass")),
        ("score", _("Mean score")),
        ("overdue", _("Overdue")),
        ("wip", _("WIP")),
    ]


def _sorted(interns: list[selectors.InternMetrics], sort: str) -> list[selectors.InternMetrics]:
    descending = sort.startswith("-")
    key = SORTS.get(sort.removeprefix("-"), SORTS["name"])
    present = [m for m in interns if key(m) is not None]
    missing = [m for m in interns if key(m) is None]
    return sorted(present, key=key, reverse=descending) + missing


def _sort_links(period_query: dict[str, str], current: str) -> dict[str, dict]:
    """Header links: the checked period plus the sort (never the raw query string)."""
    links = {}
    for key in SORTS:
        query = QueryDict(mutable=True)
        query.update(period_query)
        active = current.removeprefix("-") == key
        query["sort"] = key if active and current.startswith("-") else f"-{key}"
        if key == "name":
            query["sort"] = "-name" if active and not current.startswith("-") else "name"
        links[key] = {
            "url": "?" + query.urlencode(),
            "active": active,
            "descending": active and current.startswith("-"),
        }
    return links


def _headers(period_query: dict[str, str], sort: str) -> list[dict]:
    links = _sort_links(period_query, sort)
    columns = [("name", _("Intern")), *_columns(), ("risk", _("At risk"))]
    return [{"key": key, "label": label, **links[key]} for key, label in columns]


# --- Charts ---------------------------------------------------------------------------------


def _throughput_chart(result: selectors.TeamAnalytics) -> charts.Chart:
    return charts.Chart(
        id="chart-throughput",
        title=_("Weekly throughput per intern"),
        x_label=_("Week (starting Monday)"),
        y_label=_("Tasks completed"),
        x_values=[charts.week_label(week) for week in result.period.weeks],
        series=[
            charts.Series(m.intern.display_name, [point.completed for point in m.weekly])
            for m in result.interns
        ],
    )


def _flow_charts(flow: selectors.ProjectFlow, index: int) -> list[charts.Chart]:
    days = [formats.date_format(day.day, "SHORT_DATE_FORMAT") for day in flow.days]
    cumulative = charts.Chart(
        id=f"chart-flow-{index}",
        title=_("Cumulative flow: %(project)s") % {"project": flow.project.name},
        x_label=_("Day"),
        y_label=_("Tasks"),
        x_values=days,
        kind="stacked",
        series=[
            charts.Series(_("Done"), [day.done for day in flow.days], "series-done"),
            charts.Series(_("Review"), [day.review for day in flow.days], "series-review"),
            charts.Series(
                _("In progress"), [day.in_progress for day in flow.days], "series-progress"
            ),
            charts.Series(_("To do"), [day.todo for day in flow.days], "series-todo"),
        ],
    )
    burn_up = charts.Chart(
        id=f"chart-burnup-{index}",
        title=_("Burn-up: %(project)s") % {"project": flow.project.name},
        x_label=_("Day"),
        y_label=_("Tasks"),
        x_values=days,
        series=[
            charts.Series(_("Total"), [day.total for day in flow.days], "series-total"),
            charts.Series(_("Done"), [day.done for day in flow.days], "series-done"),
        ],
    )
    return [cumulative, burn_up]


def _cycle_chart(buckets: list[selectors.CycleBucket]) -> charts.Chart:
    labels = [
        _("%(low)d–%(high)d d") % {"low": b.min_days, "high": b.max_days}
        if b.max_days is not None
        else _("%(low)d d or more") % {"low": b.min_days}
        for b in buckets
    ]
    return charts.Chart(
        id="chart-cycle",
        title=_("Cycle-time distribution"),
        x_label=_("Cycle time (days)"),
        y_label=_("Tasks completed"),
        x_values=labels,
        kind="bar",
        series=[charts.Series(_("Tasks"), [b.count for b in buckets])],
    )


def _trend_charts(result: selectors.InternAnalytics) -> list[charts.Chart]:
    weeks = [charts.week_label(point.week) for point in result.trend]
    return [
        charts.Chart(
            id="chart-trend",
            title=_("Weekly progress over the internship"),
            x_label=_("Week (starting Monday)"),
            y_label=_("Tasks / points"),
            x_values=weeks,
            series=[
                charts.Series(_("Completed"), [p.completed for p in result.trend]),
                charts.Series(_("Points"), [p.points for p in result.trend]),
                charts.Series(_("Changes requested"), [p.changes_requested for p in result.trend]),
            ],
        ),
        charts.Chart(
            id="chart-cycle-trend",
            title=_("Median cycle time per week"),
            x_label=_("Week (starting Monday)"),
            y_label=_("Days"),
            x_values=weeks,
            series=[
                charts.Series(
                    _("Median cycle time"),
                    [
                        round(p.median_cycle_seconds / DAY_SECONDS, 1)
                        if p.median_cycle_seconds is not None
                        else None
                        for p in result.trend
                    ],
                )
            ],
        ),
    ]


# --- Pages ----------------------------------------------------------------------------------


def _team_period(request: HttpRequest, team) -> PeriodForm:
    form = PeriodForm(request.GET or None, cohort=(team.cohort.starts_on, team.cohort.ends_on))
    if form.is_bound:
        form.is_valid()
    return form


@login_required
@require_GET
def team_view(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_team_for_analytics(request.user, pk)
    form = _team_period(request, team)
    result = selectors.team_analytics(team, form.span)
    sort = request.GET.get("sort") or "name"
    if sort.removeprefix("-") not in SORTS:
        sort = "name"
    rows = [
        {
            "metrics": m,
            "cells": _metric_cells(m, result.period),
            "sparkline": charts.sparkline([p.completed for p in m.weekly]),
            "weekly": ", ".join(formats.number_format(p.completed) for p in m.weekly),
        }
        for m in _sorted(result.interns, sort)
    ]
    flows = [chart for i, flow in enumerate(result.projects) for chart in _flow_charts(flow, i)]
    return render(
        request,
        "analytics/team.html",
        {
            "team": team,
            "form": form,
            "result": result,
            "rows": rows,
            "headers": _headers(form.query(), sort),
            "sort": sort,
            "throughput_chart": _throughput_chart(result),
            "flow_charts": flows,
            "cycle_chart": _cycle_chart(result.cycle_distribution),
            "export_query": urlencode(form.query()),
        },
    )


def _csv_number(value: float | None, digits: int = 2) -> object:
    return "" if value is None else round(value, digits)


@login_required
@require_GET
def team_csv_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The team table as CSV: UTF-8 with a BOM (spreadsheets then read Cyrillic right),
    raw numbers, and text cells that would start a formula neutralised."""
    team = get_team_for_analytics(request.user, pk)
    form = _team_period(request, team)
    result = selectors.team_analytics(team, form.span)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"analytics-team-{team.pk}-{result.period.start}-{result.period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Intern"),
            _("Login"),
            _("From"),
            _("To"),
            _("Completed"),
            _("Points"),
            _("Median cycle time (days)"),
            _("On time (%)"),
            _("First pass (%)"),
            _("Mean score"),
            _("Overdue"),
            _("WIP"),
            _("Completed per week"),
            _("At risk"),
        ]
    )
    for m in result.interns:
        writer.writerow(
            [
                neutralise_cell(m.intern.display_name),
                neutralise_cell(m.intern.username),
                result.period.start.isoformat(),
                result.period.end.isoformat(),
                m.completed,
                m.points,
                _csv_number(
                    m.median_cycle_seconds / DAY_SECONDS
                    if m.median_cycle_seconds is not None
                    else None
                ),
                _csv_number(m.on_time_rate * 100 if m.on_time_rate is not None else None, 1),
                _csv_number(m.first_pass_rate * 100 if m.first_pass_rate is not None else None, 1),
                _csv_number(m.mean_score),
                m.overdue,
                m.wip,
                " ".join(str(p.completed) for p in m.weekly),
                neutralise_cell(" ".join(flag.message for flag in m.at_risk)),
            ]
        )
    return response


@login_required
@require_POST
def team_refresh_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a rebuild of the team's read models once this request commits; never waits
    for the broker (``enqueue`` logs a broker outage and the nightly rebuild covers it)."""
    team = get_team_for_analytics(request.user, pk)
    transaction.on_commit(lambda: enqueue(analytics_rebuild_task, team_id=team.pk))
    messages.success(
        request, _("A refresh of the analytics is queued; reload the page in a minute.")
    )
    return redirect("analytics_team", pk=team.pk)


@login_required
@require_GET
def intern_view(request: HttpRequest, pk: int) -> HttpResponse:
    intern = get_intern_for_analytics(request.user, pk)
    first = (
        Membership.objects.interns()
        .filter(user=intern)
        .select_related("team__cohort")
        .order_by("joined_on", "pk")
        .first()
    )
    cohort = (first.team.cohort.starts_on, first.team.cohort.ends_on) if first else None
    form = PeriodForm(request.GET or None, cohort=cohort)
    if form.is_bound:
        form.is_valid()
    result = selectors.intern_analytics(intern, form.span)
    open_tasks = list(
        task_selectors.task_list(
            request.user,
            task_selectors.TaskListFilters(
                board=task_selectors.BoardFilters(assignee_id=intern.pk),
                state="open",
                sort="due",
            ),
        )[:50]
    )
    refresh_team = first.team if first and can_manage_team(request.user, first.team) else None
    return render(
        request,
        "analytics/intern.html",
        {
            "intern": intern,
            "form": form,
            "result": result,
            "cells": _metric_cells(result.metrics, result.period),
            "columns": _columns(),
            "trend_charts": _trend_charts(result),
            "open_tasks": open_tasks,
            "today": selectors.today(),
            "refresh_team": refresh_team,
            "all_open_url": _tasks_url(assignee=intern.pk, state="open"),
        },
    )


# --- The dashboard's at-risk panel (registered in AnalyticsConfig.ready) ---------------------


def at_risk_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The mentor's at-risk interns for the dashboard; None for anyone who mentors no team."""
    user = request.user
    if not user.is_authenticated:
        return None
    if not Membership.objects.active().of_user(user).mentors().exists():
        return None
    return {"interns": selectors.at_risk_interns(user)}
