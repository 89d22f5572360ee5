from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from projects.models import Column
from tasks.models import Label, Priority, ReviewDecision, Task
from tasks.selectors import MAX_SEARCH_LENGTH, BoardFilters

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

    ``before`` (a task id) is what drag and drop sends: "just above this card",
    which stays right even when the board shows a filtered subset.
    """

    column = forms.ModelChoiceField(queryset=Column.objects.none(), label=_("Column"))
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

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].queryset = Column.objects.filter(project=project).order_by("position")


class QuickAddForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    column = forms.ModelChoiceField(queryset=Column.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].queryset = Column.objects.filter(project=project)


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
        self.fields["labels"].queryset = Label.objects.filter(project=project).order_by("name")
        if self.instance.pk:
            self.initial.setdefault("assignee", self.instance.assignee_id)
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault("labels", [label.pk for label in self.instance.labels.all()])


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
