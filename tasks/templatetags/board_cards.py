"""The board's card, rendered in Python: the one hot partial of the board.

A board paints up to 250 cards (50 per column); profiling showed Django's
template engine spending ~0.2 ms per card on variable lookups, autoescaping and
``localize`` alone (about 30 lookups a card), three times what the rest of the
request costs. This tag builds the same markup with plain string formatting
from the values ``tasks.selectors.cards`` computed, escaping every
piece of user text with ``html.escape`` (quotes included). The markup is the
one contract shared with board.js, app.css and the tests:

    article.task-card#task-<id>[data-task-id][data-column-id][data-version]
      .task-title > a[href]        (the task page; board.js opens it in the dialog)
      .task-meta                   (key, priority, due date, checklist, comments, avatar,
                                    and last the card menu:)
        a.move-to[href]            (when the user may move it: the task page's form;
                                    board.js opens the board's shared dialog)
      .task-labels > .label-chip   (when the task has labels)
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from tasks.selectors import Card

register = template.Library()

# How many avatar colours app.css defines (.avatar-0 … .avatar-7).
AVATAR_COLOURS = 8


def render_card(task: Card, *, can_work: bool, text: dict[str, str]) -> str:
    parts = [
        f'<article class="task-card priority-{escape(task.priority)}" id="task-{task.pk}" '
        f'data-task-id="{task.pk}" data-column-id="{task.column_id}" '
        f'data-version="{task.version}">'
        f'<div class="task-title"><a href="{task.url}">{escape(task.title)}</a></div>'
        f'<div class="task-meta"><span class="task-key">{escape(task.key)}</span> '
        f'<span class="priority priority-{escape(task.priority)}">'
        f"{escape(task.priority_label)}</span>"
    ]
    if task.due_on is not None:
        # Overdue reads in words (title) and a quiet colour, not a red badge per card.
        overdue = " due-overdue" if task.overdue else ""
        due_title = text["overdue"] if task.overdue else text["due"]
        parts.append(
            f' <span class="due{overdue}" title="{escape(due_title)}">'
            f"{escape(task.due_label)}</span>"
        )
    if task.checklist_total:
        parts.append(
            f' <span class="checklist-progress" title="{escape(text["checklist"])}">'
            f"✓ {task.checklist_done}/{task.checklist_total}</span>"
        )
    if task.comment_count:
        parts.append(
            f' <span class="comment-count" title="{escape(text["comments"])}">'
            f'<span aria-hidden="true">💬</span> {task.comment_count}</span>'
        )
    if task.assignee_id is not None:
        # Initials can clash, so the colour comes from the user (a class: the CSP
        # forbids inline styles) and the full name is on hover and for screen readers.
        name = escape(task.assignee_name)
        parts.append(
            f' <span class="avatar avatar-{task.assignee_id % AVATAR_COLOURS}" role="img" '
            f'title="{name}" aria-label="{name}">{escape(task.assignee_initials)}</span>'
        )
    if can_work:
        # The card's menu: a small control at the end of the meta line, not a line of
        # its own. Without JavaScript it is the task page's "Move to" form; board.js
        # opens the board's shared move dialog instead.
        move_to = escape(text["move_to"])
        parts.append(
            f' <a class="move-to" href="{task.url}#move-to" title="{move_to}" '
            f'aria-label="{move_to}">⋯</a>'
        )
    parts.append("</div>")
    if task.label_list:
        chips = "".join(
            f'<span class="label-chip label-{escape(label.color)}">{escape(label.name)}</span>'
            for label in task.label_list
        )
        parts.append(f'<div class="task-labels">{chips}</div>')
    parts.append("</article>\n")
    return "".join(parts)


@register.simple_tag(takes_context=True)
def card_list(context: template.Context, cards: list[Card]) -> SafeString:
    """``{% card_list cards %}``: every card of a column, in one call.

    A ``{% for %}`` over a ``{% partial %}`` per card pushed a context and
    rendered a node list per card: on a 100-card board that loop cost more than
    the cards themselves.
    """
    can_work, text = bool(context.get("can_work")), context["card_text"]
    html = "".join(render_card(card, can_work=can_work, text=text) for card in cards)
    return mark_safe(html)  # noqa: S308 - every user value escaped in render_card


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's ``attrs.html``: ``True`` as a bare name, ``False`` left out, the rest as text."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


# Inputs whose markup is Django's ``input.html`` and nothing more.
_INPUTS = (
    forms.TextInput,
    forms.NumberInput,
    forms.DateInput,
    forms.EmailInput,
    forms.URLInput,
)
_FAST_WIDGETS = (
    *_INPUTS,
    forms.Textarea,
    forms.CheckboxInput,
    forms.Select,
    forms.CheckboxSelectMultiple,
)


def render_field_fast(field: BoundField) -> str:
    """A field's input or select as Django's widget renders it, built in Python.

    For the forms on every board and dialog request (the board's filters, the
    move form's places, the dialog's in-place editors): Django's widget
    templates (a template per option, each including the attributes template)
    took about as long as thirty cards on the board and a third of the dialog.
    Text, number and date inputs, text areas, checkboxes, checkbox lists and
    single selects (with option groups) are built here with the same attributes
    ``BoundField.as_widget`` would give them; any other widget (hidden inputs
    included) is left to Django. Tests compare the output with Django's.
    """
    widget = field.field.widget
    kind = type(widget)
    if kind not in _FAST_WIDGETS:
        return str(field)
    # What BoundField.as_widget and Widget.get_context put together.
    extra = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        extra.setdefault("id", field.auto_id)
    if kind in _INPUTS or kind in (forms.Textarea, forms.CheckboxSelectMultiple):
        # Django's own context (formatted value, merged attrs, options): only its
        # templates are replaced.
        context = widget.get_context(field.html_name, field.value(), extra)["widget"]
        if kind is forms.Textarea:
            shown = escape(str(context["value"])) if context["value"] else ""
            name = escape(context["name"])
            return f'<textarea name="{name}"{_attrs(context["attrs"])}>\n{shown}</textarea>'
        if kind is forms.CheckboxSelectMultiple:
            return _multiple_input(context)
        return _input(context)
    attrs = {**widget.attrs, **extra}
    name, value = escape(field.html_name), field.value()
    if type(widget) is forms.CheckboxInput:
        if widget.check_test(value):
            attrs["checked"] = True
        shown = widget.format_value(value)
        shown = "" if shown is None else f' value="{escape(str(shown))}"'
        return f'<input type="checkbox" name="{name}"{shown}{_attrs(attrs)}>'
    if type(widget) is forms.TextInput:
        shown = widget.format_value(value)
        shown = "" if shown is None else f' value="{escape(str(shown))}"'
        return f'<input type="{widget.input_type}" name="{name}"{shown}{_attrs(attrs)}>'
    chosen = widget.format_value(value)
    taken = False  # a single select marks its first matching option only, as Django does

    def option(choice: object, label: object) -> str:
        nonlocal taken
        text = "" if choice is None else str(choice)
        selected = ""
        if not taken and text in chosen:
            selected, taken = " selected", True
        return f'<option value="{escape(text)}"{selected}>{escape(str(label))}</option>'

    options = []
    for choice, label in field.field.choices:
        if isinstance(label, list | tuple):  # an <optgroup> of (value, label) pairs
            inner = "".join(option(c, text) for c, text in label)
            options.append(f'<optgroup label="{escape(str(choice))}">{inner}</optgroup>')
        else:
            options.append(option(choice, label))
    return f'<select name="{name}"{_attrs(attrs)}>{"".join(options)}</select>'


def _input(context: dict[str, Any]) -> str:
    """Django's ``input.html`` from a widget's (or an option's) context."""
    value = context["value"]
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return (
        f'<input type="{escape(context["type"])}" name="{escape(context["name"])}"'
        f"{shown}{_attrs(context['attrs'])}>"
    )


def _multiple_input(context: dict[str, Any]) -> str:
    """Django's ``multiple_input.html`` and ``input_option.html`` (checkbox lists)."""
    own_id = context["attrs"].get("id")
    own_class = context["attrs"].get("class")
    parts = [
        "<div",
        f' id="{escape(str(own_id))}"' if own_id else "",
        f' class="{escape(str(own_class))}"' if own_class else "",
        ">",
    ]
    for group, options, _index in context["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{escape(str(group))}</label>")
        for option in options:
            option_id = option["attrs"].get("id")
            label_for = f' for="{escape(str(option_id))}"' if option_id else ""
            parts.append(
                f"<div>\n    <label{label_for}>{_input(option)} "
                f"{escape(str(option['label']))}</label></div>"
            )
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


@register.simple_tag
def fast_field(field: BoundField) -> SafeString:
    """``{% fast_field form.name %}``: the field's widget (values escaped above)."""
    return mark_safe(render_field_fast(field))  # noqa: S308 - escaped in render_field_fast
