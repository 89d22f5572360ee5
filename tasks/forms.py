from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.selectors import project_columns
from tasks.models import Label, Priority, ReviewDecision, Task
from tasks.selectors import (
    MAX_SEARCH_LENGTH,
    TASK_LIST_SORTS,
    BoardFilters,
    TaskListFilters,
    TaskState,
    project_labels,
)

if TYPE_CHECKING:
    from projects.models import Project


class BoardFilterForm(forms.Form):
    """The board's filters, read from the query string (so a filtered board is a bookmark).

    The one place filter parameters are validated and capped: the board, its
    column pages, its poll and every write on it read them through this form,
    and only ``valid_query()`` (never the raw query string) goes back into the
    page's links and forms, so junk in the URL cannot be multiplied by the
    number of cards.
    """

    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_SEARCH_LENGTH)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None
    )
    label = forms.TypedChoiceField(label=_("Label"), required=False, coerce=int, empty_value=None)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any"))] + Priority.choices
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, project: Project, members, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.members = members
        self.labels = labels
        self.fields["assignee"].choices = [("", _("Anyone"))] + [
            (m.user_id, m.user.display_name) for m in members
        ]
        self.fields["label"].choices = [("", _("Any"))] + [
            (label.pk, label.name) for label in labels
        ]

    def filters(self) -> BoardFilters:
        """The valid filters; an invalid value is ignored rather than failing the board."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return BoardFilters(
            assignee_id=data.get("assignee") if "assignee" not in self.errors else None,
            label_id=data.get("label") if "label" not in self.errors else None,
            priority=data.get("priority") or "" if "priority" not in self.errors else "",
            text=(data.get("q") or "").strip() if "q" not in self.errors else "",
            mine=bool(data.get("mine")),
        )

    def valid_query(self) -> QueryDict:
        """The valid filters as query parameters: all the page ever echoes back."""
        filters = self.filters()
        query = QueryDict(mutable=True)
        if filters.text:
            query["q"] = filters.text
        if filters.assignee_id:
            query["assignee"] = str(filters.assignee_id)
        if filters.label_id:
            query["label"] = str(filters.label_id)
        if filters.priority:
            query["priority"] = filters.priority
        if filters.mine:
            query["mine"] = "on"
        return query

    def without_invalid_values(self) -> BoardFilterForm:
        """This form bound to its valid values only, to render: an ignored value is not shown."""
        return BoardFilterForm(
            self.valid_query(), project=self.project, members=self.members, labels=self.labels
        )


class MoveForm(forms.Form):
    """Where to put a task: a column of its project, a 0-based position, the version seen
    (and, optionally, the column the card was seen in).

    ``column`` is an id: ``services.task_move`` reads the column under its
    lock and refuses one of another project ("Unknown column.", on this
    field), so a move does not fetch the column twice.
    ``before`` (a task id) is what drag and drop sends: "just above this card",
    which stays right even when the board shows a filtered subset.
    """

    column = forms.IntegerField(label=_("Column"), min_value=1, max_value=2**63 - 1)
    position = forms.IntegerField(
        label=_("Position"), min_value=0, max_value=100000, required=False
    )
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    before = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    # The column the card was shown in. After a conflict the card may be
    # elsewhere now; that column is re-rendered too, or the stale copy would
    # stay on the board next to the real one.
    from_column = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


class MoveToForm(MoveForm):
    """The task page's "Move to" form (no JavaScript needed): the place is a choice, "top",
    "bottom" or "after <card>" of the first cards of each column, which the browser
    sends as the 0-based position ``MoveForm`` reads (empty: the bottom).

    Only for rendering: the move itself is validated by ``MoveForm``, which also
    takes the positions drag and drop sends.
    """

    position = forms.TypedChoiceField(
        label=_("Position"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, columns, places, **kwargs):
        super().__init__(*args, **kwargs)
        after: dict[int, list[tuple[int, str]]] = {}
        after_card = gettext("after %(key)s %(title)s")  # once, not once per card
        for place in places:
            cards = after.setdefault(place.column_id, [])
            title = place.title if len(place.title) <= 40 else place.title[:39] + "…"
            label = after_card % {"key": place.key, "title": title}
            # Just below the n-th card is position n (task_move counts from 0).
            cards.append((len(cards) + 1, label))
        choices: list = [("", _("Bottom of the column")), (0, _("Top of the column"))]
        for column in columns:
            if after.get(column.pk):
                group = _("In “%(column)s”") % {"column": column.name}
                choices.append((group, after[column.pk]))
        self.fields["position"].choices = choices


class QuickAddForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    column = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].queryset = project_columns(project)


class TaskEditForm(forms.ModelForm):
    """The editable fields of a task plus the version the editor saw."""

    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None
    )
    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"),
        queryset=Label.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Task
        fields = ["title", "description", "priority", "estimate", "due_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "estimate": forms.NumberInput(attrs={"min": 0, "max": 100}),
        }

    def __init__(self, *args, project: Project, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody"))] + [
            (m.user_id, m.user.display_name) for m in members
        ]
        self.fields["labels"].queryset = project_labels(project)
        if self.instance.pk:
            self.initial.setdefault("assignee", self.instance.assignee_id)
            self.initial.setdefault("version", self.instance.version)
            if "labels" not in self.initial:  # the task dialog passes the labels it read
                self.initial["labels"] = [label.pk for label in self.instance.labels.all()]


# What the task dialog edits in place, one field at a time (the URL's ``field``).
INLINE_FIELDS = ("title", "description", "assignee", "priority", "due_on", "estimate", "labels")


class TaskFieldForm(TaskEditForm):
    """One field of ``TaskEditForm`` and the version: the task dialog's in-place editing.

    The field is validated exactly as the whole form validates it; ``field``
    must be one of ``INLINE_FIELDS`` (the view answers 400 for any other).
    """

    def __init__(self, *args, field: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_name = field
        for name in set(self.fields) - {field, "version"}:
            del self.fields[name]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChecklistAddForm(forms.Form):
    text = forms.CharField(label=_("New item"), max_length=200)


class LabelForm(forms.ModelForm):
    class Meta:
        model = Label
        fields = ["name", "color"]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    score = forms.TypedChoiceField(
        label=_("Score"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TaskListFilterForm(BoardFilterForm):
    """The task list's filters: the board's (but labels, which belong to one project) plus
    project, state, a completion window, "with a due date", "reviewed" and the sort.

    Like the board, a value that is invalid is ignored, never echoed back.
    """

    project = forms.TypedChoiceField(
        label=_("Project"), required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("Any")),
            (TaskState.OPEN, _("Open")),
            (TaskState.TODO, _("To do")),
            (TaskState.IN_PROGRESS, _("In progress")),
            (TaskState.REVIEW, _("Review")),
            (TaskState.DONE, _("Done")),
            (TaskState.WIP, _("Work in progress")),
            (TaskState.OVERDUE, _("Overdue")),
        ],
    )
    completed_from = forms.DateField(
        label=_("Completed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    completed_to = forms.DateField(
        label=_("Completed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due = forms.BooleanField(label=_("With a due date"), required=False)
    reviewed = forms.BooleanField(label=_("Reviewed"), required=False)
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[(key, key) for key in TASK_LIST_SORTS]
        + [(f"-{key}", f"-{key}") for key in TASK_LIST_SORTS],
    )

    # The date inputs send ISO dates; links from analytics pages do too.
    field_order = ["q", "project", "assignee", "priority", "state", "completed_from"]

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, project=None, labels=[], **kwargs)
        del self.fields["label"]
        self.projects = projects
        self.fields["project"].choices = [("", _("Any"))] + [
            (project.pk, f"{project.key} · {project.name}") for project in projects
        ]

    def _valid(self, name: str):
        return None if name in self.errors else self.cleaned_data.get(name)

    def list_filters(self) -> TaskListFilters:
        board = self.filters()
        sort = self._valid("sort") or "key"
        return TaskListFilters(
            board=board,
            project_id=self._valid("project"),
            state=self._valid("state") or "",
            completed_from=self._valid("completed_from"),
            completed_to=self._valid("completed_to"),
            with_due=bool(self._valid("due")),
            reviewed=bool(self._valid("reviewed")),
            sort=sort.removeprefix("-"),
            descending=sort.startswith("-"),
        )

    def valid_query(self, *, sort: bool = True) -> QueryDict:
        query = super().valid_query()
        filters = self.list_filters()
        if filters.project_id:
            query["project"] = str(filters.project_id)
        if filters.state:
            query["state"] = filters.state
        if filters.completed_from:
            query["completed_from"] = filters.completed_from.isoformat()
        if filters.completed_to:
            query["completed_to"] = filters.completed_to.isoformat()
        if filters.with_due:
            query["due"] = "on"
        if filters.reviewed:
            query["reviewed"] = "on"
        if sort and (filters.sort != "key" or filters.descending):
            query["sort"] = ("-" if filters.descending else "") + filters.sort
        return query

    def without_invalid_values(self) -> TaskListFilterForm:
        return TaskListFilterForm(self.valid_query(), projects=self.projects, members=self.members)
