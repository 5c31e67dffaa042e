"""What can be exported: each kind is a small class registered in ``KINDS``, naming its
columns, checking the filters it accepts (codes only, never a name) and giving the rows a user
may export, as a queryset of value tuples read in chunks.

A kind reads only from the offices where the user holds ``Perm.EXPORT`` and whatever the
kind's own view permission is (``CASE_VIEW`` for cases), through the owning app's selectors.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_for


class ExportKind:
    """A kind of export. Subclasses set ``name``, ``label``, ``view_perm`` and ``columns``
    (header, value path) and may override ``clean_filters``, ``queryset`` and ``cells``."""

    name: ClassVar[str]
    label: ClassVar[Promise]
    view_perm: ClassVar[Perm]
    #: (column header, value path for ``values_list``)
    columns: ClassVar[Sequence[tuple[Promise, str]]]
    #: The list page's filter fields that a POSTed export form carries.
    filter_fields: ClassVar[Sequence[str]] = ()

    def offices(self, user: Any) -> set[uuid.UUID]:
        """Offices whose records ``user`` may export."""
        return offices_for(user, [self.view_perm, Perm.EXPORT])

    def headers(self) -> list[str]:
        return [str(header) for header, _path in self.columns]

    def clean_filters(self, user: Any, filters: dict[str, Any]) -> dict[str, Any]:
        """The filters as codes (JSON), or ``ValidationError``."""
        return {}

    def filter_form(self, user: Any, data: dict[str, Any]) -> Any:
        """The list page's filter form, bound to ``data``, offering the user's offices."""
        raise NotImplementedError

    def user_offices(self, user: Any) -> QuerySet[Office]:
        return Office.objects.filter(pk__in=self.offices(user)).order_by("name")

    def form_data(self, user: Any, filters: dict[str, Any]) -> dict[str, Any]:
        """The filters checked by the list page's own form: its cleaned data, or a
        ``ValidationError`` naming each field in error."""
        form = self.filter_form(
            user, {k: v for k, v in filters.items() if v not in (None, "", False)}
        )
        if not form.is_valid():
            raise ValidationError(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()}
            )
        return dict(form.cleaned_data)

    def office_of(self, user: Any, filters: dict[str, Any]) -> uuid.UUID | None:
        """The office the export is asked from (the filtered office, else the first one)."""
        offices = self.offices(user)
        chosen = filters.get("office")
        if chosen and uuid.UUID(str(chosen)) in offices:
            return uuid.UUID(str(chosen))
        first = Office.objects.filter(pk__in=offices).order_by("code").values_list("pk", flat=True)
        return first.first()

    def queryset(self, user: Any, filters: dict[str, Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def rows(self, queryset: QuerySet[Any], *, chunk_size: int) -> Iterator[tuple[Any, ...]]:
        """The value tuples, read ``chunk_size`` at a time (one query per chunk at most)."""
        paths = [path for _header, path in self.columns]
        return queryset.values_list(*paths).iterator(chunk_size=chunk_size)

    def cells(self, row: tuple[Any, ...]) -> list[Any]:
        """A row's values as written (dates as dates, codes as codes)."""
        return [_plain(value) for value in row]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


class CasesExport(ExportKind):
    """The case list as the user sees it, with the list's filters, and the principal
    applicant's name, sex and date of birth (personal data: hence ``Perm.EXPORT``)."""

    name = "cases"
    label = _("Cases")
    view_perm = Perm.CASE_VIEW
    columns = (
        (_("reference"), "reference"),
        (_("office"), "office__code"),
        (_("status"), "status"),
        (_("migrant category"), "category"),
        (_("programme"), "programme"),
        (_("registered on"), "created_at"),
        (_("status since"), "status_changed_at"),
        (_("country of return"), "destination_country"),
        (_("members"), "members_count"),
        (_("given name(s)"), "principal__given_name"),
        (_("family name(s)"), "principal__family_name"),
        (_("sex"), "principal__sex"),
        (_("date of birth"), "principal__date_of_birth"),
    )
    filter_fields = (
        "status",
        "category",
        "office",
        "caseworker",
        "destination_country",
        "mine",
        "overdue",
        "reference",
    )

    def filter_form(self, user: Any, data: dict[str, Any]) -> Any:
        from wayhome.cases.forms import CaseFilterForm

        return CaseFilterForm(data, offices=self.user_offices(user))

    def clean_filters(self, user: Any, filters: dict[str, Any]) -> dict[str, Any]:
        data = self.form_data(user, filters)
        cleaned: dict[str, Any] = {
            "status": data["status"],
            "category": data["category"],
            "office": str(data["office"].pk) if data["office"] else "",
            "caseworker": str(data["caseworker"].pk) if data["caseworker"] else "",
            "destination_country": data["destination_country"],
            "mine": bool(data["mine"]),
            "overdue": bool(data["overdue"]),
            "reference": data["reference"].strip(),
        }
        return {key: value for key, value in cleaned.items() if value}

    def queryset(self, user: Any, filters: dict[str, Any]) -> QuerySet[Any]:
        from wayhome.cases.models import CaseMember
        from wayhome.cases.selectors import CaseFilters, case_filter, case_list

        members = (
            CaseMember.objects.filter(case=OuterRef("pk"))
            .order_by()
            .values("case")
            .annotate(n=Count("pk"))
            .values("n")
        )
        cases = case_list(user).filter(office_id__in=self.offices(user))
        cases = case_filter(
            user,
            cases,
            CaseFilters(
                status=filters.get("status", ""),
                category=filters.get("category", ""),
                office_id=_uuid_or_none(filters.get("office")),
                assigned_to_id=_uuid_or_none(filters.get("caseworker")),
                destination_country=filters.get("destination_country", ""),
                mine=bool(filters.get("mine")),
                overdue=bool(filters.get("overdue")),
                reference=filters.get("reference", ""),
            ),
        )
        return cases.annotate(
            members_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0))
        )


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


KINDS: dict[str, ExportKind] = {}


def register(kinds: Iterable[ExportKind]) -> None:
    for kind in kinds:
        if kind.name in KINDS:
            raise ValueError(f"export kind registered twice: {kind.name}")
        KINDS[kind.name] = kind


def kind_of(name: str) -> ExportKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValidationError({"kind": _("Not a kind of export.")}) from None


register([CasesExport()])
