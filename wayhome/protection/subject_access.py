"""Subject access: everything held about one person, gathered from the model graph.

The bundle is not a list of hand-written sections. ``holdings()`` walks every model of the
project and finds how its rows reach a person: a foreign key or many-to-many to ``Person``
(documents, consents to share, transfers), to ``CaseMember`` (assessments, declarations, travel
documents), or to ``Case`` (bookings, decisions, closures: the household's records, included for
each member), or a foreign key to one of those models (flights of a booking, deliveries of a
budget line, updates of a referral). A model added later is in the bundle without a line here;
``tests/protection/test_subject_access.py`` builds one row of every such model and fails for a
row the bundle misses.

Nothing of anyone else: a link to another person or another member is left out of the row (a
decision about two registrations shows this person's side only); a household record lists
whether it concerns this person, not who else it concerns; packages sent to others (hand-overs,
referrals) are summarised by the transfer register's rows for this person (what was sent, to
whom, on which consent) rather than copied, because they carry everyone travelling; and the
names and document numbers of the other people on the person's cases are replaced in every free
text by a placeholder.

``bundle(person, language=...)`` returns the sections with labels in the person's language;
``bundle_json`` and ``subject_access.pdf.bundle_pdf`` render it.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wayhome.accounts.models import Office, User
from wayhome.audit.actions import action_label
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseMember
from wayhome.core.fields import EncryptedBinaryField, EncryptedField
from wayhome.movements.models import TravelDocument
from wayhome.people.models import IdentityDocument, Person

FORMAT = "wayhome.subject-access/1"

#: Models reaching a person that the bundle leaves out, and why (the completeness test reads it).
EXCLUDED: dict[str, str] = {
    "people.matchkey": "keyed digests of the name and date of birth used to find duplicates: "
    "they hold no readable value (erased with the person's record)",
}

#: Fields left out of a model's rows, and why.
OMITTED: dict[str, dict[str, str]] = {
    "movements.handover": {
        "package": "carries every traveller of the case; what it sent of this person is in the "
        "transfer register's rows"
    },
    "reintegration.referral": {
        "package": "carries every person referred; what it sent of this person is in the "
        "transfer register's rows"
    },
}

#: Columns that describe the storage, not the person.
_INTERNAL = frozenset({"version", "photo_type"})

PLACEHOLDER = "[…]"


@dataclass(frozen=True)
class Holding:
    """How the rows of ``model`` reach a person."""

    model: type[models.Model]
    person: tuple[str, ...] = ()
    member: tuple[str, ...] = ()
    case: tuple[str, ...] = ()
    parent: tuple[tuple[str, type[models.Model]], ...] = ()

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


_ROOTS: tuple[type[models.Model], ...] = (Person, CaseMember, Case)


def _links(
    model: type[models.Model], targets: Iterable[type[models.Model]]
) -> dict[Any, list[str]]:
    found: dict[Any, list[str]] = {}
    wanted = set(targets)
    for f in model._meta.get_fields():
        if f.is_relation and f.concrete and f.related_model in wanted:
            found.setdefault(f.related_model, []).append(f.name)
    return found


def _wayhome_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("wayhome.") and m._meta.label_lower not in EXCLUDED
    ]


@cache
def holdings() -> tuple[Holding, ...]:
    """Every model whose rows can hold something about a person, and how they reach one, each
    after the models it reaches a person through."""
    candidates = _wayhome_models()
    held: set[type[models.Model]] = set(_ROOTS)
    while True:
        more = {m for m in candidates if m not in held and _links(m, held)}
        if not more:
            break
        held |= more
    result: list[Holding] = [Holding(model) for model in _ROOTS]
    placed: set[type[models.Model]] = set(_ROOTS)
    waiting = [m for m in candidates if m in held and m not in placed]
    while waiting:
        ready = [
            m for m in waiting if all(t in placed or t is m for t in _links(m, held))
        ] or waiting[:1]  # a cycle: the first goes, its link to the other finds nothing
        for model in ready:
            links = _links(model, held)
            result.append(
                Holding(
                    model,
                    person=tuple(links.get(Person, ())),
                    member=tuple(links.get(CaseMember, ())),
                    case=tuple(links.get(Case, ())),
                    parent=tuple(
                        (name, target)
                        for target, names in links.items()
                        if target not in _ROOTS
                        for name in names
                    ),
                )
            )
            placed.add(model)
            waiting.remove(model)
    return tuple(result)


def _rows_query(
    holding: Holding,
    person: Person,
    member_ids: list[Any],
    case_ids: list[Any],
    parents: dict[type[models.Model], list[Any]],
) -> models.QuerySet[Any]:
    model = holding.model
    if model is Person:
        return Person.objects.filter(pk=person.pk)
    if model is CaseMember:
        return CaseMember.objects.filter(pk__in=member_ids)
    if model is Case:
        return Case.objects.filter(pk__in=case_ids)
    query = Q(pk__in=[])
    for name in holding.person:
        query |= Q(**{name: person.pk})
    for name in holding.member:
        query |= Q(**{f"{name}__in": member_ids})
    # A record naming one person or member (or some members) belongs to them only; one that
    # names nobody belongs to the household of its case, or follows the record it hangs off.
    nobody_named = Q()
    for name in holding.person + holding.member:
        nobody_named &= Q(**{f"{name}__isnull": True})
    shared = Q(pk__in=[])
    for name in holding.case:
        shared |= Q(**{f"{name}__in": case_ids})
    for name, target in holding.parent:
        shared |= Q(**{f"{name}__in": parents.get(target, [])})
    query |= nobody_named & shared
    return model._default_manager.filter(query).distinct().order_by("pk")


@dataclass
class Value:
    name: str
    label: str
    data: Any
    text: str


@dataclass
class Record:
    id: str
    values: list[Value] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    records: list[Record] = field(default_factory=list)


@dataclass
class Access:
    at: datetime.datetime
    action: str
    actor: str
    office: str

    @property
    def label(self) -> str:
        """The action in words, in the active language."""
        return action_label(self.action)


@dataclass
class Bundle:
    person_id: str
    language: str
    produced_at: datetime.datetime
    produced_by: str
    sections: list[Section]
    accesses: list[Access]

    def record_ids(self) -> set[str]:
        return {record.id for section in self.sections for record in section.records}


class _Redactor:
    """Replaces the names and document numbers of the other people on the person's cases."""

    def __init__(self, others: Iterable[str]) -> None:
        words = sorted({w.strip() for w in others if w and len(w.strip()) >= 3}, key=len)
        self._pattern = (
            re.compile("|".join(re.escape(w) for w in reversed(words)), re.IGNORECASE)
            if words
            else None
        )

    def __call__(self, value: Any) -> Any:
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self._pattern.sub(PLACEHOLDER, value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value


def _other_people_words(person: Person, case_ids: list[Any]) -> list[str]:
    others = list(
        Person.objects.filter(case_memberships__case_id__in=case_ids)
        .exclude(pk=person.pk)
        .distinct()
    )
    words: list[str] = []
    for other in others:
        words += [other.given_name, other.family_name, other.name_as_written]
        words += [str(name) for name in other.other_names or [] if isinstance(name, str)]
    words += [doc.number for doc in IdentityDocument.objects.filter(person__in=others)]
    words += [
        doc.number or ""
        for doc in TravelDocument.objects.filter(
            member__person__in=others, member__case__in=case_ids
        )
    ]
    return [w for w in words if w]


def _plain(value: Any) -> Any:
    """A JSON value for ``value``."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        data = bytes(value)
        return {"bytes": len(data), "base64": base64.b64encode(data).decode("ascii")}
    return value


def _text(value: Any) -> str:
    """A line of text for ``value`` (already plain)."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict) and "base64" in value:
        return _("a file of %(bytes)s bytes (in the JSON bundle)") % {"bytes": value["bytes"]}
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _related_label(obj: models.Model | None) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, User):
        return str(obj)
    for name in ("reference", "name", "code"):
        try:
            f = obj._meta.get_field(name)
        except Exception:  # noqa: S112 - the model has no such field
            continue
        if not isinstance(f, EncryptedField):
            return str(getattr(obj, name))
    return str(obj.pk)


class _Builder:
    def __init__(self, person: Person, member_ids: list[Any], case_ids: list[Any]) -> None:
        self.person = person
        self.member_ids = {str(m) for m in member_ids}
        self.case_ids = case_ids
        self.redact = _Redactor(_other_people_words(person, case_ids))

    def record(self, row: models.Model) -> Record:
        meta = row._meta
        omitted = OMITTED.get(meta.label_lower, {})
        record = Record(id=str(row.pk))
        for f in meta.concrete_fields:
            if (
                f.primary_key
                or f.name in _INTERNAL
                or f.name in omitted
                or f.name.endswith("_index")
            ):
                continue
            if f.is_relation:
                value = self._relation(row, f)
                if value is _HIDDEN:
                    continue
                is_self = f.related_model in (Person, CaseMember) and value is not None
                text = _("you") if is_self else _text(value)
            else:
                raw = getattr(row, f.attname)
                value = self.redact(_plain(raw))
                text = self._display(f, raw, value)
            record.values.append(Value(f.name, str(f.verbose_name), value, text))
        for m2m in meta.many_to_many:
            if m2m.name in omitted:
                continue
            if m2m.related_model in (CaseMember, Person):
                linked = {str(pk) for pk in getattr(row, m2m.name).values_list("pk", flat=True)}
                mine = self.member_ids if m2m.related_model is CaseMember else {str(self.person.pk)}
                value = bool(linked & mine)
            else:
                value = [_related_label(obj) for obj in getattr(row, m2m.name).all()]
            record.values.append(Value(m2m.name, str(m2m.verbose_name), value, _text(value)))
        return record

    def _relation(self, row: models.Model, f: Any) -> Any:
        target = f.related_model
        raw = getattr(row, f.attname)
        if raw is None:
            return None
        if target is Person:
            return str(raw) if raw == self.person.pk else _HIDDEN
        if target is CaseMember:
            return str(raw) if str(raw) in self.member_ids else _HIDDEN
        return _related_label(getattr(row, f.name))

    @staticmethod
    def _display(f: Any, raw: Any, value: Any) -> str:
        if isinstance(raw, datetime.datetime):
            return date_format(timezone.localtime(raw), "DATETIME_FORMAT")
        if isinstance(raw, datetime.date):
            return date_format(raw, "DATE_FORMAT")
        if getattr(f, "choices", None):
            labels = {str(k): str(v) for k, v in f.flatchoices}
            if isinstance(value, list):
                return "; ".join(labels.get(str(v), str(v)) for v in value)
            if value not in (None, ""):
                return labels.get(str(value), str(value))
        if isinstance(f, EncryptedBinaryField) and value is None:
            return "—"
        return _text(value)


_HIDDEN = object()


def person_scope(person: Person) -> tuple[list[Any], list[Any]]:
    """The person's case memberships and cases."""
    members = list(CaseMember.objects.filter(person=person).values_list("pk", "case_id"))
    return [m for m, _c in members], sorted({c for _m, c in members}, key=str)


def _sections(person: Person) -> Iterator[Section]:
    member_ids, case_ids = person_scope(person)
    builder = _Builder(person, member_ids, case_ids)
    found: dict[type[models.Model], list[Any]] = {}
    for holding in holdings():
        rows = list(_rows_query(holding, person, member_ids, case_ids, found))
        found[holding.model] = [row.pk for row in rows]
        if not rows:
            continue
        section = Section(holding.key, str(holding.model._meta.verbose_name_plural).capitalize())
        section.records = [builder.record(row) for row in rows]
        yield section


def _accesses(ids: set[str]) -> list[Access]:
    """Who read or changed any of the records (the audit trail names the records it touched)."""
    events = list(AuditEvent.objects.filter(object_id__in=ids).order_by("seq"))
    actors = {str(u.pk): str(u) for u in User.objects.filter(pk__in={e.actor_id for e in events})}
    offices = {
        str(o.pk): o.name for o in Office.objects.filter(pk__in={e.office_id for e in events})
    }
    return [
        Access(
            at=e.occurred_at,
            action=e.action,
            actor=actors.get(str(e.actor_id), _("the system")),
            office=offices.get(str(e.office_id), ""),
        )
        for e in events
    ]


def bundle_language(person: Person, wanted: str = "") -> str:
    """``wanted`` if the interface speaks it, else the person's first language the interface
    speaks, else English."""
    spoken = {code for code, _name in settings.LANGUAGES}
    for code in [wanted, *list(person.languages or [])]:
        code = (code or "").split("-")[0].lower()
        if code in spoken:
            return code
    return "en"


def bundle(person: Person, *, produced_by: Any, language: str = "") -> Bundle:
    """Everything held about ``person``, labelled in ``language`` (see ``bundle_language``)."""
    language = bundle_language(person, language)
    with translation.override(language):
        sections = list(_sections(person))
        ids = {record.id for section in sections for record in section.records}
        return Bundle(
            person_id=str(person.pk),
            language=language,
            produced_at=timezone.now(),
            produced_by=str(produced_by),
            sections=sections,
            accesses=_accesses(ids),
        )


def bundle_json(data: Bundle) -> dict[str, Any]:
    """The machine-readable bundle: codes rather than labels, every value as stored."""
    return {
        "format": FORMAT,
        "person_id": data.person_id,
        "language": data.language,
        "produced_at": data.produced_at.isoformat(),
        "produced_by": data.produced_by,
        "sections": [
            {
                "model": section.key,
                "title": section.title,
                "records": [
                    {"id": record.id, **{v.name: v.data for v in record.values}}
                    for record in section.records
                ],
            }
            for section in data.sections
        ],
        "accesses": [
            {"at": a.at.isoformat(), "action": a.action, "by": a.actor, "office": a.office}
            for a in data.accesses
        ],
    }
