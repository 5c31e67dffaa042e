"""Forms of the case pages: the list's filters and search, opening a case, its change, a new
member, and a move in the workflow. Forms bind and check input; the services decide."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import pycountry
from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, MigrantCategory, Programme, Relationship
from wayhome.cases.selectors import CaseFilters
from wayhome.cases.workflow import Status
from wayhome.core.countries import country_choices
from wayhome.people.models import Person

#: Family member rows offered when opening a case.
MEMBER_ROWS = 6


def region_choices(country: str) -> list[tuple[str, Any]]:
    """ISO 3166-2 subdivisions of ``country`` (empty when unknown), by name."""
    subdivisions = pycountry.subdivisions.get(country_code=country.upper()) if country else None
    regions = sorted(subdivisions or [], key=lambda s: s.name)
    return [("", _("Not known yet")), *((s.code, f"{s.name} ({s.code})") for s in regions)]


def caseworkers_of(office_ids: Iterable[uuid.UUID]) -> QuerySet[User]:
    """Active users holding the caseworker role in any of ``office_ids``."""
    return (
        User.objects.filter(
            is_active=True, grants__office_id__in=list(office_ids), grants__role=Role.CASEWORKER
        )
        .distinct()
        .order_by("full_name", "email")
    )


def _blank(choices: Iterable[tuple[str, Any]], label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("Any")), *choices]


class CaseFilterForm(forms.Form):
    """The list's filters (GET): no name is ever one of them."""

    reference = forms.CharField(label=_("Reference"), required=False, max_length=40)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])
    category = forms.ChoiceField(label=_("Migrant category"), required=False, choices=[])
    office = forms.ModelChoiceField(
        label=_("Office"), required=False, queryset=Office.objects.none(), empty_label=_("Any")
    )
    caseworker = forms.ModelChoiceField(
        label=_("Caseworker"), required=False, queryset=User.objects.none(), empty_label=_("Any")
    )
    destination_country = forms.ChoiceField(label=_("Country of return"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    overdue = forms.BooleanField(label=_("In the same status for over 30 days"), required=False)

    def __init__(self, *args: Any, offices: QuerySet[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _blank(Status.choices)  # type: ignore[attr-defined]
        self.fields["category"].choices = _blank(MigrantCategory.choices)  # type: ignore[attr-defined]
        self.fields["destination_country"].choices = _blank(country_choices())  # type: ignore[attr-defined]
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]
        self.fields["caseworker"].queryset = caseworkers_of(  # type: ignore[attr-defined]
            offices.values_list("pk", flat=True)
        )

    def filters(self) -> CaseFilters:
        if not self.is_bound or not self.is_valid():
            return CaseFilters()
        data = self.cleaned_data
        return CaseFilters(
            status=data["status"],
            category=data["category"],
            office_id=data["office"].pk if data["office"] else None,
            assigned_to_id=data["caseworker"].pk if data["caseworker"] else None,
            destination_country=data["destination_country"],
            mine=data["mine"],
            overdue=data["overdue"],
            reference=data["reference"],
        )


class CaseSearchForm(forms.Form):
    """Search by reference or by a person's full name: POSTed, so no name lands in a URL."""

    q = forms.CharField(
        label=_("Reference or full name"),
        max_length=300,
        help_text=_("A case reference (or part of it), or the exact full name of anyone on it."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a person by full name"),
        required=False,
        max_length=300,
        help_text=_("The exact full name, any case, accents or word order."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class _RegionMixin(forms.Form):
    def _setup_destination(self, country: str) -> None:
        self.fields["destination_country"] = forms.ChoiceField(
            label=_("Country of return"),
            choices=_blank(country_choices(), _("Choose a country")),
            # HTMX swaps in the country's regions; without JavaScript, "Show its regions".
            widget=forms.Select(
                attrs={
                    "hx-get": reverse_lazy("cases:case-regions"),
                    "hx-target": "#id_destination_region",
                    "hx-swap": "outerHTML",
                    "hx-trigger": "change",
                }
            ),
        )
        self.fields["destination_region"] = forms.ChoiceField(
            label=_("Region (ISO 3166-2)"), required=False, choices=region_choices(country)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region, country = data.get("destination_region"), data.get("destination_country")
        if region and country and not region.startswith(f"{country}-"):
            self.add_error("destination_region", _("The region is not in the country of return."))
        return data


CASE_FORM_FIELDS = (
    "programme",
    "category",
    "destination_country",
    "destination_region",
    "destination_place",
    "assigned_to",
    "funding_source",
    "notes",
)


class CaseDetailsForm(_RegionMixin):
    programme = forms.ChoiceField(label=_("Programme"), choices=Programme.choices)
    category = forms.ChoiceField(label=_("Migrant category"), choices=MigrantCategory.choices)
    destination_country = forms.ChoiceField()
    destination_region = forms.ChoiceField(required=False)
    destination_place = forms.CharField(
        label=_("Place"), required=False, max_length=200, help_text=_("Town or village.")
    )
    assigned_to = forms.ModelChoiceField(
        label=_("Caseworker"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Not assigned"),
    )
    funding_source = forms.CharField(label=_("Funding source"), required=False, max_length=120)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, office_ids: Iterable[uuid.UUID], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else self.initial
        self._setup_destination(str(data.get("destination_country") or ""))
        self.fields["assigned_to"].queryset = caseworkers_of(office_ids)  # type: ignore[attr-defined]
        self.order_fields([*self.field_order_head(), *CASE_FORM_FIELDS])

    def field_order_head(self) -> list[str]:
        return []

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CASE_FORM_FIELDS]

    def case_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CASE_FORM_FIELDS}


class CaseUpdateForm(CaseDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CaseCreateForm(CaseDetailsForm):
    """Opening a case for people already registered: the principal, family members with their
    relationship, and the case's details. ``people`` are the office's people not on an open case
    (validation accepts any of them; the page lists only a few, or those a search found)."""

    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Office.objects.none(), empty_label=None
    )
    principal = forms.ModelChoiceField(
        label=_("Principal applicant"),
        queryset=Person.objects.none(),
        empty_label=_("Choose the principal applicant"),
    )

    def __init__(
        self,
        *args: Any,
        offices: QuerySet[Office],
        office: Office | None,
        people: QuerySet[Person],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, office_ids=[office.pk] if office else [], **kwargs)
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]
        self.fields["principal"].queryset = people  # type: ignore[attr-defined]
        for row in range(MEMBER_ROWS):
            self.fields[f"member_{row}"] = forms.ModelChoiceField(
                label=_("Family member"), required=False, queryset=people
            )
            self.fields[f"relationship_{row}"] = forms.ChoiceField(
                label=_("Relationship to the principal"),
                required=False,
                choices=_blank(
                    [c for c in Relationship.choices if c[0] != Relationship.PRINCIPAL],
                    _("Choose"),
                ),
            )

    def field_order_head(self) -> list[str]:
        return ["office", "principal"]

    def member_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"member_{row}"], self[f"relationship_{row}"]) for row in range(MEMBER_ROWS)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for row in range(MEMBER_ROWS):
            person, relationship = data.get(f"member_{row}"), data.get(f"relationship_{row}")
            if person and not relationship:
                self.add_error(f"relationship_{row}", _("Choose the relationship of the member."))
            elif relationship and not person:
                self.add_error(f"member_{row}", _("Choose the family member."))
        return data

    def members(self) -> list[tuple[Person, str]]:
        pairs = []
        for row in range(MEMBER_ROWS):
            person = self.cleaned_data.get(f"member_{row}")
            if person:
                pairs.append((person, self.cleaned_data[f"relationship_{row}"]))
        return pairs


class MemberAddForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), empty_label=_("Choose a person")
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the principal"),
        choices=[c for c in Relationship.choices if c[0] != Relationship.PRINCIPAL],
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    target = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to withdraw, reject or put on hold."),
    )

    def __init__(self, *args: Any, targets: Iterable[Status], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(t.value, t.label) for t in targets]  # type: ignore[attr-defined]


def case_initial(case: Case) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(case, name) for name in CASE_FORM_FIELDS}
    initial["assigned_to"] = case.assigned_to_id
    initial["version"] = case.version
    return initial
