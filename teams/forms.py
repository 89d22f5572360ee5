from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from teams.imports import IMPORT_COLUMNS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from teams.models import Cohort


class ParticipantsImportForm(forms.Form):
    """A cohort and a CSV roster; the service reads and validates the file's content."""

    cohort = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.order_by("-starts_on", "name"),
        help_text=_("Team names in the file are looked up in this cohort."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        validators=[FileExtensionValidator(["csv", "txt"])],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per instance: a lazy string formatted at import time would
        # be frozen in whatever language was active then.
        self.fields["file"].help_text = gettext(
            "A header line “%(columns)s”, then one line per participant. "
            "At most %(size)d KB and %(rows)d participants."
        ) % {
            "columns": ",".join(IMPORT_COLUMNS),
            "size": MAX_IMPORT_BYTES // 1024,
            "rows": MAX_IMPORT_ROWS,
        }

    def clean_file(self) -> UploadedFile:
        # Refuse early from the size the upload declares; the service checks
        # the bytes it is given again, whoever calls it.
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d KB; split it into smaller files."),
                code="too_large",
                params={"size": MAX_IMPORT_BYTES // 1024},
            )
        return upload

    def read_file(self) -> bytes:
        """The uploaded bytes, at most one byte past the cap. Precondition: the form is valid."""
        upload: UploadedFile = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read(MAX_IMPORT_BYTES + 1)
