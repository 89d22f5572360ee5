from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from tasks.markdown import render_markdown
from tasks.models import Task
from teams.selectors import team_member_list

register = template.Library()


def mention_links(task: Task) -> dict[str, str]:
    """username → link for everyone who may be @mentioned on ``task`` (its team's members).

    Read once per task object: a dialog renders the description and every
    comment with the same task. The link lists that person's tasks in the project.
    """
    links = getattr(task, "_mention_links", None)
    if links is None:
        base = reverse("task_list")
        links = {
            member.user.username: f"{base}?project={task.project_id}&assignee={member.user_id}"
            for member in team_member_list(task.project.team)
        }
        task._mention_links = links
    return links


@register.filter(name="markdown")
def markdown_filter(text: str, task: Task | None = None) -> SafeString:
    """Render Markdown to sanitized HTML (see tasks.markdown).

    ``{{ text|markdown:task }}`` also links ``@username`` of the task's team
    members; without a task (or without an ``@`` in the text) nothing is looked up.
    """
    links = mention_links(task) if task is not None and text and "@" in text else None
    return mark_safe(render_markdown(text, mention_links=links))  # noqa: S308 - sanitized by nh3
