from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Column, Project, clean_project_key


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    """Project settings. The team is never a form field: it comes from the URL.

    Model constraints that need the team (unique key) are checked by the
    service; the date rule (``Project.clean``) runs here through ``full_clean``.
    """

    class Meta:
        model = Project
        fields = ["name", "key", "description", "starts_on", "ends_on", "review_required"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    # Typed in any case; validated after upper-casing, so "web" becomes WEB.
    key = forms.CharField(
        label=_("Key"),
        max_length=10,
        help_text=_("Short prefix of task keys, e.g. WEB for WEB-12."),
    )

    def clean_key(self) -> str:
        return clean_project_key(self.cleaned_data["key"])


class ColumnForm(forms.ModelForm):
    """Name, category and WIP limit of a column; position has its own form."""

    wip_limit = forms.IntegerField(label=_("WIP limit"), min_value=1, max_value=999, required=False)

    class Meta:
        model = Column
        fields = ["name", "category", "wip_limit"]


class ColumnMoveForm(forms.Form):
    position = forms.IntegerField(min_value=0, max_value=1000)
