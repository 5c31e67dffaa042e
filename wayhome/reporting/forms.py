"""Forms of the statistics pages: the filters every page shares, and the table builder."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import MigrantCategory, Programme
from wayhome.core.countries import country_choices
from wayhome.reporting.dimensions import DIMENSIONS
from wayhome.reporting.selectors import Filters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(forms.Form):
    """Which figures: offices, a period of departure, a programme, a category..."""

    office = forms.ChoiceField(label=_("Host office"), required=False, choices=())
    date_from = forms.DateField(label=_("Departures from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Departures to"), required=False, widget=DATE)
    programme = forms.ChoiceField(
        label=_("Programme"), required=False, choices=[("", _("All")), *Programme.choices]
    )
    category = forms.ChoiceField(
        label=_("Migrant category"),
        required=False,
        choices=[("", _("All")), *MigrantCategory.choices],
    )
    origin_country = forms.ChoiceField(label=_("Country of origin"), required=False, choices=())
    exact = forms.BooleanField(
        label=_("Exact figures (you may see every case counted; exports stay protected)"),
        required=False,
    )

    def __init__(self, *args: Any, offices: list[Office], exact_allowed: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.offices = {str(office.pk): office for office in offices}
        cast(forms.ChoiceField, self.fields["office"]).choices = [
            ("", _("All my offices")),
            *((str(office.pk), office.name) for office in offices),
        ]
        cast(forms.ChoiceField, self.fields["origin_country"]).choices = [
            ("", _("All")),
            *country_choices(),
        ]
        if not exact_allowed:
            del self.fields["exact"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The period ends before it starts."), code="period")
        return data

    def filters(self) -> Filters:
        """The filters chosen (none when the form is not valid: the page says why)."""
        if not self.is_bound or not self.is_valid():
            return Filters()
        data = self.cleaned_data
        office = data.get("office")
        codes: dict[str, tuple[str, ...]] = {
            name: (str(data[name]),)
            for name in ("programme", "category", "origin_country")
            if data[name]
        }
        return Filters(
            offices=frozenset({uuid.UUID(office)}) if office else frozenset(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            codes=codes,
        )

    @property
    def wants_exact(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("exact"))


MEASURES = [("people", _("People")), ("cases", _("Cases"))]


def dimension_choices(blank: str | None = None) -> list[tuple[str, Any]]:
    choices = [(name, dimension.label) for name, dimension in DIMENSIONS.items()]
    return [("", blank), *choices] if blank else choices


class TableForm(FilterForm):
    """The table builder: rows, optional columns and what is counted, with the same filters."""

    population = forms.ChoiceField(
        label=_("Who"),
        choices=[
            ("departure", _("People who returned (by date of departure)")),
            ("registration", _("Every case registered (by date of registration)")),
        ],
        initial="departure",
        required=False,
    )
    rows = forms.ChoiceField(label=_("Rows"), choices=())
    cols = forms.ChoiceField(label=_("Columns"), required=False, choices=())
    measure = forms.ChoiceField(label=_("Count"), choices=MEASURES, initial="people")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rows"]).choices = dimension_choices()
        cast(forms.ChoiceField, self.fields["cols"]).choices = dimension_choices(
            str(_("None (a one-way table)"))
        )
        # The breakdown first, the filters after.
        order = ["population", "rows", "cols", "measure"]
        self.order_fields(order + [name for name in self.fields if name not in order])

    def filters(self) -> Filters:
        chosen = super().filters()
        if self.is_bound and self.is_valid() and self.cleaned_data.get("population"):
            return replace(chosen, period=self.cleaned_data["population"])
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("rows") and data.get("rows") == data.get("cols"):
            raise ValidationError(_("Choose two different breakdowns."), code="same")
        return data
