"""The analytics pages' period selector."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from analytics import selectors
from config.errors import DomainError

LAST_4_WEEKS = "4w"
COHORT = "cohort"
CUSTOM = "custom"


class PeriodForm(forms.Form):
    """Last four weeks (the default), the whole cohort, or two dates of one's own.

    ``span`` is the chosen ``selectors.Period`` once the form is valid; an
    invalid choice (a malformed date, a start after the end, too long a
    period) is a form error, and ``span`` falls back to the default period.
    """

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            (LAST_4_WEEKS, _("Last 4 weeks")),
            (COHORT, _("Whole cohort")),
            (CUSTOM, _("Custom dates")),
        ],
    )

    def __init__(self, *args, cohort: tuple[datetime.date, datetime.date] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        # "from" is a Python keyword: fields named like the API's parameters.
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.span = selectors.period()

    def clean(self):
        data = super().clean()
        choice = data.get("period") or LAST_4_WEEKS
        try:
            if choice == COHORT and self.cohort:
                start, end = self.cohort
                self.span = selectors.period(start, min(end, max(start, selectors.today())))
            elif choice == CUSTOM:
                if "from" in self.errors or "to" in self.errors:
                    return data
                self.span = selectors.period(data.get("from"), data.get("to"))
            else:
                self.span = selectors.period()
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
            self.span = selectors.period()
        return data

    def query(self) -> dict[str, str]:
        """The chosen period as query parameters (for links and the CSV export)."""
        if not self.is_valid():
            return {}
        choice = self.cleaned_data.get("period") or LAST_4_WEEKS
        if choice == CUSTOM:
            return {
                "period": CUSTOM,
                "from": self.span.start.isoformat(),
                "to": self.span.end.isoformat(),
            }
        return {"period": choice} if choice != LAST_4_WEEKS else {}
