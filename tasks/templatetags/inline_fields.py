"""The task dialog's in-place editors, rendered in Python: ``{% inline_field f %}``.

(Every text is translated outside the f-strings: xgettext does not look into them.)

The dialog shows seven of them (title, priority, assignee, due date,
estimate, labels, description). As a template partial each cost a
``{% url %}``, a ``{% csrf_token %}``, two translations and a dozen lookups:
about as much as the rest of the dialog's markup together on a slow machine
(docs/performance.md, issue 10). This builds the same markup with every user
value escaped (``html.escape``, quotes included), as ``board_cards`` does for
the cards. The markup is the contract shared with task_edit.js and app.css:

    div.inline-field#task-<id>-field-<name>[data-field][data-version][data-state]
      span.inline-label                (not for the title and the description)
      div.inline-display[data-inline-display]
      button.inline-open[data-inline-open][hidden]        (when the user may edit)
      form.inline-editor[data-inline-editor][hidden]      (its one-field form)
      p.inline-feedback[data-inline-feedback][role=status]
"""

from __future__ import annotations

from html import escape

from django import template
from django.forms import BoundField
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from tasks.models import Task
from tasks.templatetags.board_cards import render_field_fast
from tasks.templatetags.tasks_extras import markdown_filter

register = template.Library()

NO_VALUE = '<span class="muted">—</span>'


def _display(name: str, task: Task, labels: list) -> str:
    """What the field shows while it is not being edited."""
    if name == "title":
        return f'<h2 class="task-heading">{escape(task.title)}</h2>'
    if name == "description":
        if task.description:
            return f'<div class="markdown">{markdown_filter(task.description, task)}</div>'
        empty = escape(gettext("No description."))
        return f'<p class="empty">{empty}</p>'
    if name == "priority":
        return (
            f'<span class="priority priority-{escape(task.priority)}">'
            f"{escape(str(task.get_priority_display()))}</span>"
        )
    if name == "assignee":
        if task.assignee is not None:
            return escape(task.assignee.display_name)
        nobody = escape(gettext("Nobody"))
        return f'<span class="muted">{nobody}</span>'
    if name == "due_on":
        if task.due_on is None:
            return NO_VALUE
        overdue = " due-overdue" if task.is_overdue() else ""
        shown = formats.date_format(task.due_on, "SHORT_DATE_FORMAT")
        return f'<span class="due{overdue}">{escape(shown)}</span>'
    if name == "estimate":
        if task.estimate is None:
            return NO_VALUE
        return escape(str(formats.localize(task.estimate)))
    if name == "labels":
        chips = "".join(
            f'<span class="label-chip label-{escape(label.color)}">{escape(label.name)}</span>'
            for label in labels
        )
        return chips or NO_VALUE
    return ""


def _hint(name: str) -> str:
    if name == "description":
        return gettext("Ctrl+Enter saves, Esc cancels")
    if name == "labels":
        return gettext("Esc cancels")
    return gettext("Enter saves, Esc cancels")


def render_inline_field(context: template.Context, field: BoundField) -> str:
    """One field of the task dialog, shown and (for those who may) edited in place.

    Reads ``task``, ``labels``, ``can_work``, ``inline_state`` and
    ``inline_message`` from the context, as the template partial did.
    """
    task: Task = context["task"]
    name, pk = field.name, task.pk
    label = escape(str(field.label))
    state = context.get("inline_state") or ""
    parts = [
        f'<div class="inline-field inline-field-{name}" id="task-{pk}-field-{name}" '
        f'data-field="{name}" data-version="{task.version}"'
        + (f' data-state="{escape(str(state))}"' if state else "")
        + ">"
    ]
    if name not in ("title", "description"):
        parts.append(f'<span class="inline-label" id="task-{pk}-field-{name}-label">{label}</span>')
    parts.append(
        '<div class="inline-display" data-inline-display>'
        f"{_display(name, task, context.get('labels') or [])}</div>"
    )
    if context.get("can_work"):
        edit = escape(gettext("Edit: %(field)s") % {"field": field.label})
        url = reverse("task_edit_field", args=[pk, name])
        widget = render_field_fast(field)
        save, cancel = escape(gettext("Save")), escape(gettext("Cancel"))
        if name == "labels":
            editor = (
                f'<fieldset><legend class="visually-hidden">{label}</legend>{widget}</fieldset>'
            )
        else:
            editor = (
                f'<label class="visually-hidden" for="{escape(field.id_for_label)}">{label}</label>'
                f"{widget}"
            )
        parts.append(
            f'<button type="button" class="button button-quiet button-small inline-open" '
            f'data-inline-open hidden title="{edit}" aria-label="{edit}">'
            '<span aria-hidden="true">✎</span></button>'
            f'<form class="inline-editor" method="post" action="{escape(url)}" '
            "data-inline-editor hidden novalidate>"
            f"{CsrfTokenNode().render(context)}{editor}"
            '<div class="inline-actions">'
            f'<button type="submit" class="button button-small">{save}</button>'
            '<button type="button" class="button button-quiet button-small" data-inline-cancel>'
            f"{cancel}</button>"
            f'<span class="muted small">{escape(_hint(name))}</span></div></form>'
        )
    feedback = " inline-feedback-error" if state else ""
    message = escape(str(context.get("inline_message") or ""))
    parts.append(
        f'<p class="inline-feedback{feedback}" role="status" data-inline-feedback>'
        f"{message}</p></div>"
    )
    return "".join(parts)


@register.simple_tag(takes_context=True)
def inline_field(context: template.Context, field: BoundField) -> SafeString:
    """``{% inline_field inline.title %}``: see ``render_inline_field``."""
    return mark_safe(render_inline_field(context, field))  # noqa: S308 - escaped above
