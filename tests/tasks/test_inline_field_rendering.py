"""The task dialog's in-place editors are rendered in Python (``{% inline_field %}``) for
speed: the markup must be what the template partial they replace rendered, for every
field, with and without the right to edit, after a refusal, escaped, in Russian too."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.template import engines
from django.test import RequestFactory
from django.test.html import parse_html
from django.utils import translation

from tasks.forms import INLINE_FIELDS, TaskEditForm
from tasks.services import label_create
from teams.selectors import team_members
from tests.tasks.factories import make_task

# The template partial as it was before it moved to Python (task_detail.html).
REFERENCE = (Path(__file__).parent / "reference" / "inline_field.django").read_text()


def _unmasked(html: str) -> str:
    """The CSRF token is masked anew on each render: compare everything else."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("can_work", [True, False])
@pytest.mark.parametrize("filled", [True, False])
@pytest.mark.parametrize("state", ["", "invalid"])
def test_each_field_renders_as_the_template_did(
    project, mentor, intern, language, can_work, filled, state
):
    ui = label_create(project=project, by=mentor, name='<ui> "x"', color="red")
    fields = {
        "title": '<b>"Title"</b> & co',
        "assignee": intern if filled else None,
        "description": "**bold** <script>x()</script> @nobody" if filled else "",
        "due_on": datetime.date(2020, 1, 31) if filled else None,  # overdue
        "estimate": 8 if filled else None,
        "priority": "high",
    }
    task = make_task(project, mentor, **fields)
    labels = [ui] if filled else []
    form = TaskEditForm(
        instance=task,
        project=project,
        members=list(team_members(project.team)),
        auto_id=f"task-{task.pk}-inline-%s",
        initial={"labels": [label.pk for label in labels]},
    )
    form.fields["labels"].choices = [(ui.pk, ui.name)]
    request = RequestFactory().get("/")
    request.user = intern
    reference = engines["django"].from_string(REFERENCE)
    fast = engines["django"].from_string("{% load inline_fields %}{% inline_field f %}")
    with translation.override(language):
        for name in INLINE_FIELDS:
            context = {
                "task": task,
                "f": form[name],
                "labels": labels,
                "can_work": can_work,
                "inline_state": state,
                "inline_message": "<b>Not saved</b>" if state else "",
            }
            expected = _unmasked(reference.render(context, request))
            rendered = _unmasked(fast.render(context, request))
            assert parse_html(rendered) == parse_html(expected), name
            assert "<script>" not in rendered, name
