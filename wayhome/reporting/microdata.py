"""Pseudonymised microdata for evaluations: one row per person who departed, released only when
the file is k-anonymous.

Who
    Users holding ``REPORT_VIEW`` or ``DATA_PROTECTION`` in an office may ask for a release of the
    offices where they hold one of them (none chosen: all of them). A release, released or
    refused, is seen (list, page, API) by its requester and by the data protection officers of
    every office it covers; anyone else gets 404 and never sees it in a list. Only the requester
    downloads the file, for ``VALID_FOR`` (seven days), and only while they still hold one of
    these permissions in every office the release covers (else 404); once expired the download
    answers 410.

Rows and columns
    One row per person who departed (``departure_date`` set) among the ``ReturnFact`` rows of
    those offices, departed within the period if one is given. Columns: ``pseudonym``; the
    quasi-identifiers asked for, each at the generalisation asked for (``QUASI_IDENTIFIERS``:
    the column is named after the level, ``origin_area`` rather than ``origin_country``); then
    the outcome attributes ``vulnerability`` (the main group), ``days_to_departure`` (from the
    application), ``arrived`` (yes/no) and ``status``. Cells are codes, not labels (those of
    ``dimensions.py``; the broad age group is ``child`` or ``adult``); an empty cell is "not
    known". Rows are in pseudonym order, so the order of the file says nothing about when people
    registered. Cells go through ``safe_cell``.

Pseudonyms
    ``blind_index("microdata", str(member_id))``: a keyed HMAC-SHA256 of the case member's id
    under a key derived for the purpose "microdata" from ``settings.BLIND_INDEX_KEY``. The choice
    and its consequences:

    - The same person gets the same pseudonym in every release, so evaluators can follow people
      across releases (a baseline file and a follow-up file a year later).
    - It cannot be reversed, nor recomputed from a member id, without the key; the key never
      leaves the application, and a pseudonym of another purpose (a name index) cannot be
      matched against it.
    - Releases can therefore be joined on the pseudonym. k-anonymity is checked for each file
      on its own: a recipient holding two files with different quasi-identifiers (sex and age in
      one, country of origin in the other) can combine them into records that are not
      k-anonymous. Data protection officers see every release of their offices, with its
      recipient and quasi-identifiers, to weigh a new request against what that recipient
      already holds.
    - The pseudonym belongs to a person on a case: someone who returns twice, on two cases, has
      two pseudonyms. Rotating ``BLIND_INDEX_KEY`` changes every pseudonym (files released
      before the rotation no longer link with those after).
    - The file is pseudonymised personal data, not anonymous data: it is stored encrypted, every
      release, refusal and download is audited, and it expires.

k-anonymity
    Before a file is released its rows are grouped by the combination of their quasi-identifier
    values (equivalence classes). If any class holds fewer than ``k`` rows (k from 5 to 100,
    default 5), nothing is released: the refusal is recorded (``REFUSED``, without content, with
    the smallest class and the number of classes below k) and audited, and the requester is told
    how many classes and people are below k and which quasi-identifier to generalise (each
    coarser option with how many people it would leave below k). An empty selection is refused
    too. The outcome attributes are not quasi-identifiers and are not checked for diversity: a
    class whose members all share the same vulnerability discloses it for each of them, which is
    why the file goes to a named recipient for a stated purpose and expires.

Each release or refusal is audited once for every office it covers (so that each office's
auditors see it), with counts and the names of the quasi-identifiers only.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import AnyUser, offices_with
from wayhome.audit.services import audit_record_many
from wayhome.core import regions
from wayhome.core.crypto import blind_index
from wayhome.core.exports import safe_cell
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.protection.models import Transfer
from wayhome.protection.transfers import transfer_record
from wayhome.reporting.dimensions import CHILD_AGE_GROUPS
from wayhome.reporting.facts import facts_sync
from wayhome.reporting.models import MicrodataRelease, ReturnFact

#: The purpose of the pseudonyms' blind index (its own key, derived from BLIND_INDEX_KEY).
PSEUDONYM_PURPOSE = "microdata"
DEFAULT_K = 5
MIN_K = 5
MAX_K = 100
VALID_FOR = datetime.timedelta(days=7)
#: The permissions that let a user ask for a release of an office's data.
REQUEST_PERMS = (Perm.REPORT_VIEW, Perm.DATA_PROTECTION)
#: The outcome attributes, after the quasi-identifiers.
OUTCOME_COLUMNS = ("vulnerability", "days_to_departure", "arrived", "status")
#: The fields of ``ReturnFact`` a file is made from.
FIELDS = (
    "member_id",
    "sex",
    "age_group",
    "origin_country",
    "origin_region",
    "programme",
    "category",
    "host_country",
    "departure_date",
    "vulnerability",
    "days_to_departure",
    "arrival_date",
    "status",
)

Record = Mapping[str, Any]


# --- quasi-identifiers and their generalisations ------------------------------------------------


def _field(name: str) -> Callable[[Record], str]:
    def value(record: Record) -> str:
        return str(record[name] or "")

    return value


def _broad_age(record: Record) -> str:
    group = record["age_group"] or ""
    if not group:
        return ""
    return "child" if group in CHILD_AGE_GROUPS else "adult"


def _area(record: Record) -> str:
    return regions.area_of(record["origin_country"] or "")


def _world_region(record: Record) -> str:
    return regions.region_of_area(_area(record))


def _departure(kind: str) -> Callable[[Record], str]:
    def value(record: Record) -> str:
        day: datetime.date | None = record["departure_date"]
        if day is None:
            return ""
        if kind == "month":
            return f"{day:%Y-%m}"
        if kind == "quarter":
            return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        return f"{day.year}"

    return value


@dataclass(frozen=True)
class Level:
    """One generalisation of a quasi-identifier: its code, label, column and value."""

    code: str
    label: Promise
    column: str
    value: Callable[[Record], str]


@dataclass(frozen=True)
class QuasiIdentifier:
    name: str
    label: Promise
    #: From the finest to the coarsest.
    levels: tuple[Level, ...]

    def level(self, code: str) -> Level | None:
        return next((level for level in self.levels if level.code == code), None)

    def coarser(self, code: str) -> list[str]:
        """The codes of the levels coarser than ``code``, then ``""`` (leaving it out)."""
        codes = [level.code for level in self.levels]
        return [*codes[codes.index(code) + 1 :], ""] if code in codes else [""]


AS_IS = "as_is"


def _as_is(name: str, label: Promise) -> QuasiIdentifier:
    return QuasiIdentifier(
        name, label, (Level(AS_IS, gettext_lazy("As recorded"), name, _field(name)),)
    )


#: The quasi-identifiers a file may hold, in the order of its columns.
QUASI_IDENTIFIERS: dict[str, QuasiIdentifier] = {
    qi.name: qi
    for qi in (
        _as_is("sex", gettext_lazy("Sex")),
        QuasiIdentifier(
            "age_group",
            gettext_lazy("Age group"),
            (
                Level(
                    AS_IS,
                    gettext_lazy("Age group (0-4, 5-11, 12-17, 18-24, 25-59, 60+)"),
                    "age_group",
                    _field("age_group"),
                ),
                Level("broad", gettext_lazy("Child or adult"), "age_broad", _broad_age),
            ),
        ),
        QuasiIdentifier(
            "origin_country",
            gettext_lazy("Country of origin"),
            (
                Level(
                    "country", gettext_lazy("Country"), "origin_country", _field("origin_country")
                ),
                Level(
                    "area",
                    gettext_lazy("World region (UN M49 sub-region, such as Western Africa)"),
                    "origin_area",
                    _area,
                ),
                Level(
                    "region",
                    gettext_lazy("Continent (UN M49 region, such as Africa)"),
                    "origin_world_region",
                    _world_region,
                ),
            ),
        ),
        QuasiIdentifier(
            "origin_region",
            gettext_lazy("Region within the country of origin"),
            (
                Level(
                    AS_IS,
                    gettext_lazy("As recorded"),
                    "origin_subdivision",
                    _field("origin_region"),
                ),
            ),
        ),
        _as_is("programme", gettext_lazy("Programme")),
        _as_is("category", gettext_lazy("Migrant category")),
        _as_is("host_country", gettext_lazy("Host country")),
        QuasiIdentifier(
            "departure",
            gettext_lazy("Departure date"),
            (
                Level("month", gettext_lazy("Month"), "departure_month", _departure("month")),
                Level(
                    "quarter", gettext_lazy("Quarter"), "departure_quarter", _departure("quarter")
                ),
                Level("year", gettext_lazy("Year"), "departure_year", _departure("year")),
            ),
        ),
    )
}

#: What the request form and the API offer when nothing is said.
DEFAULT_GENERALISATION: dict[str, str] = {
    "sex": AS_IS,
    "age_group": AS_IS,
    "origin_country": "country",
}


def _levels(generalisation: Mapping[str, str]) -> list[Level]:
    """The levels of the quasi-identifiers kept, in column order."""
    levels = []
    for name, qi in QUASI_IDENTIFIERS.items():
        level = qi.level(generalisation.get(name, ""))
        if level is not None:
            levels.append(level)
    return levels


def clean_generalisation(generalisation: Mapping[str, str]) -> dict[str, str]:
    """The quasi-identifiers kept and their levels (``""`` or absent: left out), or a
    ``ValidationError`` on the quasi-identifier's name."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, code in generalisation.items():
        qi = QUASI_IDENTIFIERS.get(name)
        if qi is None:
            errors[name] = _("There is no such quasi-identifier.")
        elif code:
            if qi.level(code) is None:
                errors[name] = _("Choose one of the generalisations offered.")
            else:
                cleaned[name] = code
    if cleaned.get("origin_region") and cleaned.get("origin_country") != "country":
        errors["origin_region"] = _(
            "The region within the country names the country: include it only with the "
            "country of origin as recorded."
        )
    if errors:
        raise ValidationError(errors)
    return {name: cleaned[name] for name in QUASI_IDENTIFIERS if name in cleaned}


def pseudonym(member_id: Any) -> str:
    """The stable, keyed pseudonym of a person on a case (see the module's docstring)."""
    return blind_index(PSEUDONYM_PURPOSE, str(member_id))


# --- the k-anonymity check ----------------------------------------------------------------------


@dataclass(frozen=True)
class KCheck:
    """The equivalence classes of a file: how many, the smallest, and those below k."""

    k: int
    rows: int
    classes: int
    smallest_class: int | None
    classes_below_k: int
    rows_below_k: int

    @property
    def passed(self) -> bool:
        return self.rows > 0 and self.classes_below_k == 0


def k_check(keys: Iterable[tuple[str, ...]], k: int) -> KCheck:
    """Groups rows by their quasi-identifier values (``keys``, one per row) and counts the
    classes holding fewer than ``k`` rows."""
    counts = Counter(keys)
    below = [count for count in counts.values() if count < k]
    return KCheck(
        k=k,
        rows=sum(counts.values()),
        classes=len(counts),
        smallest_class=min(counts.values()) if counts else None,
        classes_below_k=len(below),
        rows_below_k=sum(below),
    )


def _keys(records: Sequence[Record], levels: Sequence[Level]) -> list[tuple[str, ...]]:
    return [tuple(level.value(record) for level in levels) for record in records]


@dataclass(frozen=True)
class Suggestion:
    """A coarser generalisation of one quasi-identifier (``level`` ``""``: leave it out) and the
    classes and people it would leave below k, the others unchanged."""

    quasi_identifier: str
    level: str
    classes_below_k: int
    rows_below_k: int

    @property
    def text(self) -> str:
        qi = QUASI_IDENTIFIERS[self.quasi_identifier]
        if not self.level:
            return _("%(name)s: leave it out") % {"name": qi.label}
        level = qi.level(self.level)
        return _("%(name)s: %(level)s") % {
            "name": qi.label,
            "level": level.label if level else self.level,
        }

    @property
    def effect(self) -> str:
        if not self.rows_below_k:
            return _("enough on its own: every group would hold at least k people")
        return ngettext(
            "%(rows)d person would still be in a group below k",
            "%(rows)d people would still be in groups below k",
            self.rows_below_k,
        ) % {"rows": self.rows_below_k}


def suggestions(
    records: Sequence[Record], generalisation: Mapping[str, str], k: int
) -> list[Suggestion]:
    """For each quasi-identifier kept, its next coarser option (or leaving it out), those that
    leave the fewest people below k first."""
    found = []
    for name, code in generalisation.items():
        coarser = QUASI_IDENTIFIERS[name].coarser(code)[0]
        trial = {**generalisation, name: coarser}
        check = k_check(_keys(records, _levels(trial)), k)
        found.append(Suggestion(name, coarser, check.classes_below_k, check.rows_below_k))
    order = list(QUASI_IDENTIFIERS)
    return sorted(found, key=lambda s: (s.rows_below_k, order.index(s.quasi_identifier)))


def next_coarser(generalisation: Mapping[str, str]) -> list[str]:
    """The next coarser option of each quasi-identifier kept, as text (without their effect:
    the page of a refusal recorded earlier, whose rows are not kept)."""
    return [
        Suggestion(name, QUASI_IDENTIFIERS[name].coarser(code)[0], 0, 0).text
        for name, code in generalisation.items()
        if name in QUASI_IDENTIFIERS
    ]


def refusal_reasons(release: MicrodataRelease, check: KCheck | None = None) -> list[str]:
    """Why ``release`` was refused, in words its requester understands (``check``, when known,
    adds how many people were below k)."""
    if release.status != MicrodataRelease.Status.REFUSED:
        return []
    if not release.rows:
        return [
            _(
                "No one who departed is in this selection, so there is nothing to release. "
                "Choose other offices or a longer period."
            )
        ]
    reasons = [
        ngettext(
            "%(classes)d group of people sharing the same values of the quasi-identifiers holds "
            "fewer than %(k)d people; the smallest holds %(smallest)d.",
            "%(classes)d groups of people sharing the same values of the quasi-identifiers hold "
            "fewer than %(k)d people; the smallest holds %(smallest)d.",
            release.classes_below_k,
        )
        % {
            "classes": release.classes_below_k,
            "k": release.k,
            "smallest": release.smallest_class or 0,
        }
    ]
    if check is not None:
        reasons.append(
            ngettext(
                "%(below)d of the %(rows)d people in the selection is in such a group.",
                "%(below)d of the %(rows)d people in the selection are in such groups.",
                check.rows_below_k,
            )
            % {"below": check.rows_below_k, "rows": check.rows}
        )
    if release.generalisation:
        reasons.append(
            _(
                "Generalise one or more quasi-identifiers (or leave some out), then ask again. "
                "The file would be released only when every group holds at least k people."
            )
        )
    return reasons


# --- who may --------------------------------------------------------------------------------------


def request_offices(user: AnyUser) -> set[uuid.UUID]:
    """The offices whose data ``user`` may ask to release."""
    offices: set[uuid.UUID] = set()
    for perm in REQUEST_PERMS:
        offices |= offices_with(user, perm)
    return offices


def request_office_list(user: AnyUser) -> list[Office]:
    return list(Office.objects.filter(pk__in=request_offices(user)).order_by("code"))


def may_request(user: AnyUser) -> bool:
    return bool(request_offices(user))


def _office_ids(release: MicrodataRelease) -> set[uuid.UUID]:
    return set(release.offices.values_list("pk", flat=True))


def is_expired(release: MicrodataRelease, now: datetime.datetime | None = None) -> bool:
    return release.expires_at is None or (now or timezone.now()) >= release.expires_at


def may_download(user: AnyUser, release: MicrodataRelease) -> bool:
    """The requester, while the file is valid and they may still ask for every office's data."""
    return (
        user.is_authenticated
        and release.requested_by_id == user.pk
        and release.status == MicrodataRelease.Status.RELEASED
        and not is_expired(release)
        and _office_ids(release) <= request_offices(user)
    )


# --- reads ----------------------------------------------------------------------------------------


def microdata_release_list(*, actor: AnyUser) -> QuerySet[MicrodataRelease]:
    """The releases ``actor`` may see, newest first: theirs, and those covering an office where
    they are a data protection officer. Without the files."""
    if not actor.is_authenticated:
        return MicrodataRelease.objects.none()
    through = MicrodataRelease.offices.through.objects.filter(
        office_id__in=offices_with(actor, Perm.DATA_PROTECTION)
    ).values("microdatarelease_id")
    return (
        MicrodataRelease.objects.filter(Q(requested_by=actor.pk) | Q(pk__in=through))
        .defer("content")
        .select_related("requested_by")
        .prefetch_related("offices")
        .order_by("-created_at", "-id")
    )


def microdata_release_get(*, actor: AnyUser, microdata_release_id: Any) -> MicrodataRelease:
    """One release ``actor`` may see, else ``Http404``."""
    release = microdata_release_list(actor=actor).filter(pk=microdata_release_id).first()
    if release is None:
        raise Http404
    return release


class ReleaseExpired(Exception):
    """The file of a release has expired (its requester is answered 410)."""

    def __init__(self, release: MicrodataRelease) -> None:
        super().__init__("expired")
        self.release = release


def microdata_release_download(*, actor: AnyUser, microdata_release_id: Any) -> MicrodataRelease:
    """The release whose file ``actor`` downloads, the download audited; ``Http404`` for anyone
    but its requester (or a refusal), ``ReleaseExpired`` once it has expired."""
    if not actor.is_authenticated:
        raise Http404
    release = MicrodataRelease.objects.filter(
        pk=microdata_release_id,
        requested_by=actor.pk,
        status=MicrodataRelease.Status.RELEASED,
    ).first()
    if release is None:
        raise Http404
    offices = _office_ids(release)
    if not offices <= request_offices(actor):
        raise Http404
    if is_expired(release):
        raise ReleaseExpired(release)
    details = {"rows": release.rows, "k": release.k, "digest": release.digest}
    with transaction.atomic():
        _audit(actor, "reporting.microdata_download", release, offices, details)
        for office_id in sorted(offices):
            transfer_record(
                actor=actor,
                kind=Transfer.Kind.MICRODATA,
                office_id=office_id,
                obj=release,
                recipient_kind=Transfer.RecipientKind.STAFF_FILE,
                recipient_user=actor,
                recipient_name=release.recipient,
                purpose=release.purpose,
                fields=["pseudonym", *release.quasi_identifiers, *OUTCOME_COLUMNS],
                rows=release.rows,
            )
    return release


def file_name(release: MicrodataRelease) -> str:
    return f"microdata-{release.created_at:%Y-%m-%d}-{str(release.pk)[:8]}.csv"


# --- the release ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MicrodataOutcome:
    """What ``microdata_release_create`` did: the release (released or refused), the k check of
    its rows and, when refused, the coarser options."""

    release: MicrodataRelease
    check: KCheck
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def released(self) -> bool:
        return self.release.status == MicrodataRelease.Status.RELEASED

    @property
    def reasons(self) -> list[str]:
        return refusal_reasons(self.release, self.check)


def _records(
    offices: Iterable[uuid.UUID],
    period_from: datetime.date | None,
    period_to: datetime.date | None,
) -> list[dict[str, Any]]:
    queryset = ReturnFact.objects.filter(office__in=list(offices), departure_date__isnull=False)
    if period_from:
        queryset = queryset.filter(departure_date__gte=period_from)
    if period_to:
        queryset = queryset.filter(departure_date__lte=period_to)
    return list(queryset.order_by().values(*FIELDS))


def header(levels: Sequence[Level]) -> list[str]:
    return ["pseudonym", *(level.column for level in levels), *OUTCOME_COLUMNS]


def _csv(records: Sequence[Record], levels: Sequence[Level]) -> bytes:
    rows = []
    for record in records:
        days = record["days_to_departure"]
        rows.append(
            [
                pseudonym(record["member_id"]),
                *(level.value(record) for level in levels),
                record["vulnerability"],
                "" if days is None else days,
                "yes" if record["arrival_date"] is not None else "no",
                record["status"],
            ]
        )
    rows.sort(key=lambda row: str(row[0]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(levels))
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def _audit(
    actor: Any,
    action: str,
    release: MicrodataRelease,
    offices: Iterable[uuid.UUID],
    details: dict[str, Any],
) -> None:
    audit_record_many(
        actor=actor,
        action=action,
        objects=[
            (release._meta.label_lower, release.pk, office, details)
            for office in sorted(offices, key=str)
        ],
    )


def _clean_request(
    *,
    purpose: str,
    recipient: str,
    period_from: datetime.date | None,
    period_to: datetime.date | None,
    k: int,
) -> tuple[str, str]:
    errors: dict[str, list[Any]] = {}
    purpose, recipient = (purpose or "").strip(), (recipient or "").strip()
    for name, value, check in (
        ("purpose", purpose, validate_multiline),
        ("recipient", recipient, validate_single_line),
    ):
        if not value:
            errors.setdefault(name, []).append(_("This field is required."))
        else:
            try:
                check(value)
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    if period_from and period_to and period_from > period_to:
        errors.setdefault("period_to", []).append(_("The end of the period is before its start."))
    if not isinstance(k, int) or k < MIN_K:
        errors.setdefault("k", []).append(
            _("k must be at least %(min)d: smaller groups make people too easy to recognise.")
            % {"min": MIN_K}
        )
    elif k > MAX_K:
        errors.setdefault("k", []).append(_("k may be at most %(max)d.") % {"max": MAX_K})
    if errors:
        raise ValidationError(errors)
    return purpose, recipient


def microdata_release_create(
    *,
    actor: Any,
    purpose: str,
    recipient: str,
    offices: Iterable[Office] | None = None,
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    generalisation: Mapping[str, str],
    k: int = DEFAULT_K,
) -> MicrodataOutcome:
    """Releases a pseudonymised file of the people who departed from ``offices`` (none: every
    office the actor may ask for), or records its refusal when it is empty or not k-anonymous.

    ``generalisation`` maps each quasi-identifier kept to its level (``QUASI_IDENTIFIERS``).
    ``PermissionDenied`` for a user who may ask for no office's data; ``ValidationError`` (on
    the field at fault) for an office outside theirs, a k outside 5-100, a purpose or recipient
    missing, a period backwards or an unknown generalisation. The release (or refusal), its
    offices and its audit events are written in one transaction."""
    allowed = request_offices(actor)
    if not allowed:
        raise PermissionDenied
    chosen = {office.pk for office in offices or ()} or set(allowed)
    purpose, recipient = _clean_request(
        purpose=purpose, recipient=recipient, period_from=period_from, period_to=period_to, k=k
    )
    if not chosen <= allowed:
        raise ValidationError(
            {"offices": [_("Choose among the offices whose figures you may read.")]}
        )
    kept = clean_generalisation(generalisation)
    levels = _levels(kept)
    facts_sync()  # the committed state of the cases (its own transactions)
    with transaction.atomic():
        records = _records(chosen, period_from, period_to)
        check = k_check(_keys(records, levels), k)
        release = MicrodataRelease(
            requested_by=actor,
            purpose=purpose,
            recipient=recipient,
            period_from=period_from,
            period_to=period_to,
            quasi_identifiers=[level.column for level in levels],
            generalisation=kept,
            k=k,
            rows=check.rows,
            smallest_class=check.smallest_class,
            classes_below_k=check.classes_below_k,
        )
        found: tuple[Suggestion, ...] = ()
        details: dict[str, Any] = {
            "rows": check.rows,
            "k": k,
            "smallest_class": check.smallest_class,
            "quasi_identifiers": [f"{name}:{code}" for name, code in kept.items()],
            "offices": len(chosen),
        }
        if check.passed:
            content = _csv(records, levels)
            release.status = MicrodataRelease.Status.RELEASED
            release.content = content
            release.digest = hashlib.sha256(content).hexdigest()
            release.expires_at = timezone.now() + VALID_FOR
            action = "reporting.microdata_release"
        else:
            release.status = MicrodataRelease.Status.REFUSED
            if records:
                found = tuple(suggestions(records, kept, k))
            details |= {
                "reason": "not_k_anonymous" if records else "empty",
                "classes_below_k": check.classes_below_k,
                "rows_below_k": check.rows_below_k,
            }
            action = "reporting.microdata_refuse"
        # Empty lists, an empty selection's missing smallest class: valid here, "blank" to Django.
        release.full_clean(exclude=["quasi_identifiers", "generalisation", "smallest_class"])
        release.save()
        release.offices.set(Office.objects.filter(pk__in=chosen))
        _audit(actor, action, release, chosen, details)
    return MicrodataOutcome(release, check, found)
