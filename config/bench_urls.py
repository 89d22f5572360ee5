"""The app's URLs plus the floor of ``make bench`` (config.bench_settings only).

The floor is what plain Django costs on the same stack (same middleware, same
database, same gunicorn): a bare view, and a minimal template rendering the
same cards as the board (title and task link, key, priority, due date,
assignee) from one query, with no permission checks, labels or forms.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns
from tasks.models import Task

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

FLOOR_TEMPLATE = engines["django"].from_string(
    """<!DOCTYPE html><html><head><meta charset="utf-8"><title>floor</title></head><body>
<main>{% for task in tasks %}
<article class="task-card priority-{{ task.priority }}" id="task-{{ task.pk }}">
<div class="task-title"><a href="/tasks/{{ task.pk }}/">{{ task.title }}</a></div>
<div class="task-meta"><span class="task-key">{{ task.project.key }}-{{ task.number }}</span>
<span class="priority">{{ task.priority }}</span>
{% if task.due_on %}<span class="due">{{ task.due_on }}</span>{% endif %}
{% if task.assignee %}<span class="avatar">{{ task.assignee.username }}</span>{% endif %}</div>
</article>{% endfor %}</main></body></html>"""
)


def floor_bare_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def floor_board_view(request: HttpRequest, pk: int) -> HttpResponse:
    tasks = (
        Task.objects.filter(project_id=pk, archived=False)
        .select_related("project", "assignee")
        .order_by("column_id", "rank")
    )
    return HttpResponse(FLOOR_TEMPLATE.render({"tasks": tasks}))


urlpatterns = [
    path("bench/floor/bare/", floor_bare_view),
    path("bench/floor/board/<int:pk>/", floor_board_view),
    *urlpatterns,
]
