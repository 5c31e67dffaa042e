"""Forms of the import pages: a source with its column mapping (one select per header of a
sample file), and an upload."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wayhome.imports import mapping as fields
from wayhome.imports.reader import max_bytes


def _field_choices() -> list[tuple[str, Any]]:
    return [("", _("— not imported —")), *fields.FIELDS.items()]


class SourceForm(forms.Form):
    """The source's name (and office, when new), a sample file to read headers from, and one
    select per known header (``column_<n>``; the headers travel as hidden ``header`` values)."""

    office: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Office"), queryset=None, empty_label=None
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("For example the KoBoToolbox form or the partner the files come from."),
    )
    sample = forms.FileField(
        label=_("A file from this source"),
        required=False,
        help_text=_("XLSX or CSV: its first row gives the columns to map. Nothing is imported."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        offices: Any = None,
        headers: Sequence[str] = (),
        initial_mapping: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if offices is None:
            del self.fields["office"]
        else:
            office = self.fields["office"]
            assert isinstance(office, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
            office.queryset = offices
        self.headers = list(headers)
        guessed = fields.guess_mapping(self.headers)
        chosen = initial_mapping if initial_mapping is not None else guessed
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=_field_choices,
                required=False,
                initial=chosen.get(header, guessed.get(header, "")),
            )

    def column_fields(self) -> list[Any]:
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"column_{index}") or ""
            for index, header in enumerate(self.headers)
            if self.cleaned_data.get(f"column_{index}")
        }


class RunForm(forms.Form):
    source: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Source"), queryset=None, empty_label=None
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("XLSX or CSV (UTF-8), the first row holding the column headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check every row and show the report, save nothing"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        source.queryset = sources

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > max_bytes():
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).")
                % {"size": max_bytes() // (1024 * 1024)},
                code="max_size",
            )
        return upload
