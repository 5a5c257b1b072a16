"""The import wizard's forms: they parse what the person chose; `intake.importing` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from freightcrm.intake.choices import ImportMode, ImportTarget

IGNORE = ""


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx, .xls) or CSV (UTF-8 or GBK), first row the column headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    target = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportTarget.choices,
        initial=ImportTarget.CUSTOMERS,
        widget=UnfoldAdminSelectWidget,
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=ImportMode.choices,
        initial=ImportMode.UPSERT,
        widget=UnfoldAdminSelectWidget,
        help_text=_(
            "Rows are matched to existing customers by code, credit code, ID number, or phone with name."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.FREIGHTCRM_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit).0f MB. Split it into smaller files.")
                % {"size": upload.size / 2**20, "limit": limit / 2**20}
            )
        return upload


class MappingForm(forms.Form):
    """One select per column of the file (which archive field it fills), the mode, the sheet, and
    optionally a name to save the mapping under."""

    mode = forms.ChoiceField(label=_("Mode"), choices=ImportMode.choices, widget=UnfoldAdminSelectWidget)
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=100,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("Optional: the next file with the same columns is mapped the same way."),
    )

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        choices: list[tuple[str, str]],
        sheets: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        if len(sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Sheet"), choices=[(name, name) for name in sheets], widget=UnfoldAdminSelectWidget
            )
        options = [(IGNORE, _("— do not import —")), *choices]
        for position, header in enumerate(headers):
            self.fields[self.column_key(position)] = forms.ChoiceField(
                label=header or _("(column %(n)s without a header)") % {"n": position + 1},
                choices=options,
                required=False,
                widget=UnfoldAdminSelectWidget,
            )

    @staticmethod
    def column_key(position: int) -> str:
        return f"column_{position}"

    def column_fields(self) -> list[forms.BoundField]:
        return [self[self.column_key(position)] for position in range(len(self.headers))]

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(self.column_key(position)) or IGNORE
            for position, header in enumerate(self.headers)
        }
