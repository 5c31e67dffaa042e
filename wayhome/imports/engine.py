"""The import itself: validate every row, then write the clean ones in batches.

A *unit* is what is saved entirely or not at all: a household (the rows sharing a household id,
which become one case: the principal applicant and the members) or a single row. Each batch of
units is validated in Python (the same cleaning and model validation as ``person_create`` and
``case_create``), checked for duplicates in one pass (``_DuplicateIndex``), and its clean units
are written in one transaction with bulk inserts: the people with their blind indexes and match
keys, the cases with references allocated as a block, the imported-record rows, and the audit
events (one "person.create" per person and one "case.create" per case, exactly as the services
write them, appended with ``audit_record_many``). A dry run does everything but the writing.

Duplicate detection follows registration (ADR 0012): the same blocking keys, the same score and
threshold, over every office. A registration shows the caseworker the likely records and lets
them decide; an import has no one to decide, so a row that is a likely duplicate of an existing
person, or of an earlier row of the same file, is *held*: not created, and reported with the
record it may duplicate (the person's id and case reference where the user may see that
office's people, otherwise only the office that holds it). It can then be registered by hand.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, offices_with
from wayhome.audit.services import audit_record, audit_record_many
from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.cases.workflow import Status
from wayhome.core import crypto
from wayhome.core.models import Counter
from wayhome.imports import mapping as fields
from wayhome.imports.models import ImportedRecord, ImportRun, ImportSource
from wayhome.imports.reader import read_table
from wayhome.people import matching
from wayhome.people.duplicates import MAX_CANDIDATES, PURPOSE_MATCH, identity_from, identity_of
from wayhome.people.models import MatchKey, Person

# The cleaning and indexing ``person_create`` does, shared so that an imported person is exactly
# what a registration would have saved (see the report: people.services could make them public).
from wayhome.people.services import _clean_data, _refresh_indexes

logger = logging.getLogger(__name__)

#: Rows validated and written per batch (one transaction each); the progress moves per batch.
BATCH_ROWS = 500
_PURPOSE_EXTERNAL = "import.external_id"
_CASE_EXCLUDE = ["reference", "office", "principal", "assigned_to", "submitted_by"]


def external_key(source: ImportSource, external_id: str) -> str:
    """The blind index of an external id within its source."""
    return crypto.blind_index(_PURPOSE_EXTERNAL, f"{source.pk}|{external_id}")


@dataclass
class Row:
    index: int  # position in the table
    number: int  # spreadsheet row number
    parsed: fields.ParsedRow
    key: str = ""
    person: Person | None = None
    identity: matching.Identity | None = None
    plain_keys: set[str] = field(default_factory=set)
    stored_keys: set[str] = field(default_factory=set)  # as ``MatchKey`` stores them
    errors: list[tuple[str, str]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    imported: ImportedRecord | None = None
    state: str = ""  # created, unchanged, error, held


@dataclass
class Unit:
    rows: list[Row]
    household: str = ""
    case: Case | None = None
    members: list[tuple[Row, str]] = field(default_factory=list)


@dataclass
class Outcome:
    created: int = 0
    unchanged: int = 0
    errors: int = 0
    held: int = 0
    cases: int = 0
    checks: int = 0
    report: list[list[Any]] = field(default_factory=list)

    def add(self, row: Row, field_name: str, problem: str) -> None:
        self.report.append([row.number, row.parsed.external_id, field_name, problem])


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) of a model's validation error, a value quoted in it replaced."""
    found: list[tuple[str, str]] = []
    errors = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    for name, items in errors.items():
        for item in items:
            params = dict(item.params or {})
            if "value" in params:
                params["value"] = _("The value given")
            message = str(item.message) % params if params else str(item.message)
            found.append(("" if name == "__all__" else name, message))
    return found


# Validation ------------------------------------------------------------------------------------


def _build_person(row: Row, office_id: uuid.UUID) -> None:
    data = row.parsed.person
    try:
        cleaned = _clean_data(data)
        person = Person(office_id=office_id, **cleaned)
        _refresh_indexes(person)
        person.full_clean(exclude=["office"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        row.errors.extend(_messages(exc))
        return
    row.person = person
    row.identity = identity_from({name: getattr(person, name) for name in _IDENTITY})
    row.plain_keys = matching.bucket_keys(row.identity)


_IDENTITY = (
    "given_name",
    "family_name",
    "name_as_written",
    "other_names",
    "date_of_birth",
    "dob_precision",
    "sex",
    "nationality",
    "other_nationalities",
)


def _build_case(unit: Unit, office_id: uuid.UUID) -> None:
    """The case of a household (or of a single row with a programme), checked like
    ``case_create``: the principal, each member's relationship, the case's fields."""
    rows = unit.rows
    principals = [r for r in rows if r.parsed.relationship in ("principal", "")]
    if len(rows) > 1:
        principals = [r for r in rows if r.parsed.relationship == "principal"]
    if len(principals) != 1:
        message = (
            _("The household has no principal applicant (relationship: principal).")
            if not principals
            else _("The household has more than one principal applicant.")
        )
        for row in rows:
            row.errors.append((fields.RELATIONSHIP, message))
        return
    principal = principals[0]
    missing = [row for row in rows if row is not principal and not row.parsed.relationship]
    for row in missing:
        row.errors.append(
            (fields.RELATIONSHIP, _("Give the relationship to the principal applicant."))
        )
    if missing:
        return
    data = dict(principal.parsed.case)
    for row in rows:  # a member row may carry the case's fields the principal's leaves empty
        for name, value in row.parsed.case.items():
            data.setdefault(name, value)
    person = principal.person
    if "destination_country" not in data and person is not None and person.nationality:
        data["destination_country"] = person.nationality
    case = Case(office_id=office_id, status=Status.REGISTERED, **data)
    try:
        case.full_clean(exclude=_CASE_EXCLUDE, validate_unique=False)
    except ValidationError as exc:
        for name, message in _messages(exc):
            principal.errors.append((name, message))
        return
    unit.case = case
    unit.members = [(row, row.parsed.relationship) for row in rows if row is not principal]
    unit.members.insert(0, (principal, Relationship.PRINCIPAL))


class _DuplicateIndex:
    """Likely duplicates of a row: existing people in any office (through the ``MatchKey``
    blind indexes, as ``duplicates.scored_candidates``), and earlier accepted rows of the file
    (through the plain blocking keys, in memory)."""

    def __init__(self, actor: Any) -> None:
        self.visible = offices_with(actor, Perm.PERSON_VIEW)
        self.by_key: dict[str, list[Row]] = defaultdict(list)
        self.threshold = float(settings.DUPLICATE_THRESHOLD)
        self.created: set[uuid.UUID] = set()

    def check(self, rows: list[Row]) -> int:
        """Marks held rows among ``rows`` (those with a person and no error). Returns the
        number of rows checked."""
        candidates = [r for r in rows if r.person is not None and not r.errors]
        if not candidates:
            return 0
        for row in candidates:
            row.stored_keys = {crypto.blind_index(PURPOSE_MATCH, k) for k in row.plain_keys}
        wanted: set[str] = set().union(*(row.stored_keys for row in candidates))
        holders: dict[str, list[uuid.UUID]] = defaultdict(list)
        for person_id, key in _key_holders(sorted(wanted)):
            if person_id not in self.created:
                holders[key].append(person_id)
        shortlist: dict[int, list[uuid.UUID]] = {}
        for row in candidates:
            shared: Tally[uuid.UUID] = Tally()
            for key in row.stored_keys:
                shared.update(holders.get(key, ()))
            ranked = sorted(shared.items(), key=lambda item: (-item[1], str(item[0])))
            shortlist[row.index] = [pk for pk, _n in ranked[:MAX_CANDIDATES]]
        ids = sorted({pk for pks in shortlist.values() for pk in pks}, key=str)
        people: dict[uuid.UUID, Person] = {}
        for start in range(0, len(ids), 900):
            people.update(
                (p.pk, p)
                for p in Person.objects.filter(pk__in=ids[start : start + 900])
                .select_related("office")
                .only(*_IDENTITY, "office", "office__name")
            )
        identities = {pk: identity_of(p) for pk, p in people.items()}
        references = _case_references(list(people))
        for row in candidates:
            assert row.identity is not None  # noqa: S101 (set with the person)
            best: tuple[float, Person] | None = None
            for pk in shortlist[row.index]:
                if pk not in identities:
                    continue
                value = matching.score(row.identity, identities[pk]).total
                if value >= self.threshold and (best is None or value > best[0]):
                    best = (value, people[pk])
            if best is not None:
                row.held.append(_duplicate_message(best[1], references, self.visible))
        return len(candidates)

    def hold_in_file(self, rows: list[Row]) -> None:
        """Holds each row of a unit that is a likely duplicate of an accepted row of the file
        or of an earlier row of the same unit."""
        pending: list[Row] = []
        for row in rows:
            if row.errors or row.held or row.identity is None:
                continue
            earlier = self._in_file(row, pending)
            if earlier is not None:
                row.held.append(
                    _("Possible duplicate of row %(row)s of this file.") % {"row": earlier.number}
                )
            else:
                pending.append(row)

    def _in_file(self, row: Row, pending: list[Row]) -> Row | None:
        assert row.identity is not None  # noqa: S101
        seen: set[int] = set()
        others = [other for key in row.plain_keys for other in self.by_key.get(key, ())]
        for other in [*others, *(p for p in pending if p.plain_keys & row.plain_keys)]:
            if other.index in seen:
                continue
            seen.add(other.index)
            assert other.identity is not None  # noqa: S101
            if matching.score(row.identity, other.identity).total >= self.threshold:
                return other
        return None

    def accept(self, row: Row) -> None:
        """``row`` will be created: later rows of the file are compared with it."""
        for key in row.plain_keys:
            self.by_key[key].append(row)


def _key_holders(keys: list[str]) -> Iterable[tuple[uuid.UUID, str]]:
    """(person id, key) of every stored match key among ``keys``: one query with an array on
    PostgreSQL (a long ``IN`` list costs more to send than to run), chunks elsewhere."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('person_id')}, {quote('key')} "  # noqa: S608 (model's names)
                f"FROM {quote(MatchKey._meta.db_table)} WHERE {quote('key')} = ANY(%s)",
                [keys],
            )
            yield from cursor.fetchall()
        return
    for start in range(0, len(keys), 900):
        yield from MatchKey.objects.filter(key__in=keys[start : start + 900]).values_list(
            "person_id", "key"
        )


def _case_references(person_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The reference of each person's newest case (for the report)."""
    found: dict[uuid.UUID, str] = {}
    for start in range(0, len(person_ids), 900):
        for person_id, reference in (
            CaseMember.objects.filter(person_id__in=person_ids[start : start + 900])
            .order_by("-case__created_at")
            .values_list("person_id", "case__reference")
        ):
            found.setdefault(person_id, reference)
    return found


def _duplicate_message(
    person: Person, references: dict[uuid.UUID, str], visible: set[uuid.UUID]
) -> str:
    if person.office_id in visible:
        reference = references.get(person.pk)
        if reference:
            return _("Possible duplicate of person %(person)s (case %(case)s).") % {
                "person": person.pk,
                "case": reference,
            }
        return _("Possible duplicate of person %(person)s.") % {"person": person.pk}
    return _("Possible duplicate of a record held by %(office)s: ask that office.") % {
        "office": person.office.name
    }


# Writing ---------------------------------------------------------------------------------------


def _references(office: Any, count: int) -> list[str]:
    """``count`` case references of the office's current year, allocated as one block from the
    same counter as ``cases.services.case_reference`` (inside the caller's transaction)."""
    if not count:
        return []
    year = timezone.now().year
    scope = f"case:{office.code}:{year}"
    Counter.objects.bulk_create([Counter(scope=scope)], ignore_conflicts=True)
    Counter.objects.filter(scope=scope).update(value=F("value") + count)
    last = Counter.objects.filter(scope=scope).values_list("value", flat=True).get()
    return [f"{office.code.upper()}-{year}-{n:05d}" for n in range(last - count + 1, last + 1)]


def _insert_match_keys(pairs: list[tuple[uuid.UUID, str]]) -> None:
    """The match keys of new people, without a model instance per key (there are about ten a
    person): one ``INSERT ... SELECT unnest`` on PostgreSQL, ``executemany`` elsewhere."""
    if not pairs:
        return
    quote = connection.ops.quote_name
    table = quote(MatchKey._meta.db_table)
    columns = f"{quote('person_id')}, {quote('key')}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names from the model)
                "SELECT * FROM unnest(%s::text::uuid[], %s::text::varchar[])",
                # As array literals: one string each, not 2 x tens of thousands of adapted
                # values (UUIDs and hex digests need no quoting).
                [
                    "{" + ",".join(str(pk) for pk, _k in pairs) + "}",
                    "{" + ",".join(key for _pk, key in pairs) + "}",
                ],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s)",  # noqa: S608
                [(pk.hex, key) for pk, key in pairs],
            )


def _write(run: ImportRun, source: ImportSource, units: list[Unit]) -> list[Unit]:
    """Saves ``units`` in one transaction; returns those saved (a unit whose external ids were
    imported meanwhile by another run is left out)."""
    from wayhome.reporting.facts import mark_stale

    actor = run.started_by
    office = run.office
    with transaction.atomic(durable=True):
        ImportSource.objects.select_for_update().filter(pk=source.pk).get()
        keys = [row.key for unit in units for row in unit.rows]
        taken = set(
            ImportedRecord.objects.filter(source=source, external_key__in=keys).values_list(
                "external_key", flat=True
            )
        )
        units = [u for u in units if not any(r.key in taken for r in u.rows)]
        now = timezone.now()
        people: list[Person] = []
        for unit in units:
            for row in unit.rows:
                assert row.person is not None  # noqa: S101
                people.append(row.person)
        Person.objects.bulk_create(people, batch_size=500)
        _insert_match_keys(
            [
                (person.pk, key)
                for unit in units
                for row in unit.rows
                for person in [row.person]
                if person is not None
                for key in sorted(row.stored_keys)
            ]
        )
        cases = [unit for unit in units if unit.case is not None]
        for unit, reference in zip(cases, _references(office, len(cases)), strict=True):
            assert unit.case is not None  # noqa: S101
            unit.case.reference = reference
            unit.case.status_changed_at = now
            unit.case.principal = unit.members[0][0].person  # type: ignore[assignment]
        Case.objects.bulk_create([u.case for u in cases if u.case is not None], batch_size=500)
        CaseMember.objects.bulk_create(
            [
                CaseMember(case=unit.case, person=row.person, relationship=relationship)
                for unit in cases
                for row, relationship in unit.members
            ],
            batch_size=1000,
        )
        ImportedRecord.objects.bulk_create(
            [
                ImportedRecord(
                    source=source,
                    external_key=row.key,
                    person=row.person,
                    case=unit.case,
                    run=run,
                    digest=row.parsed.digest,
                )
                for unit in units
                for row in unit.rows
            ],
            batch_size=1000,
        )
        audit_record_many(
            actor=actor,
            action="person.create",
            objects=[
                (
                    "people.person",
                    person.pk,
                    office.pk,
                    {
                        "fields": sorted(
                            name
                            for name in row.parsed.person
                            if getattr(person, name) not in ("", None)
                        ),
                        "import_run": str(run.pk),
                    },
                )
                for unit in units
                for row in unit.rows
                for person in [row.person]
                if person is not None
            ],
        )
        audit_record_many(
            actor=actor,
            action="case.create",
            objects=[
                (
                    "cases.case",
                    unit.case.pk,
                    office.pk,
                    {
                        "members": len(unit.members),
                        "programme": unit.case.programme,
                        "import_run": str(run.pk),
                    },
                )
                for unit in cases
                if unit.case is not None
            ],
        )
        mark_stale([u.case.pk for u in cases if u.case is not None])
    return units


# The run --------------------------------------------------------------------------------------


def _units(table_rows: list[Row]) -> list[Unit]:
    """Rows grouped into households (by household id, in order of first appearance); rows
    without one are units of their own."""
    units: list[Unit] = []
    households: dict[str, Unit] = {}
    for row in table_rows:
        household = row.parsed.household
        if not household:
            units.append(Unit(rows=[row]))
            continue
        unit = households.get(household)
        if unit is None:
            unit = households[household] = Unit(rows=[], household=household)
            units.append(unit)
        unit.rows.append(row)
    return units


def _batches(units: list[Unit], size: int) -> Iterable[list[Unit]]:
    batch: list[Unit] = []
    rows = 0
    for unit in units:
        batch.append(unit)
        rows += len(unit.rows)
        if rows >= size:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


def _check_allowed(run: ImportRun, needs_cases: bool) -> None:
    actor = run.started_by
    perms = [Perm.IMPORT_RUN, Perm.PERSON_CREATE] + ([Perm.CASE_CREATE] if needs_cases else [])
    if not actor.is_active or not all(has_perm(actor, p, run.office_id) for p in perms):
        raise PermissionDenied


def _validate_batch(
    batch: list[Unit],
    run: ImportRun,
    source: ImportSource,
    seen_ids: dict[str, Row],
    duplicates: _DuplicateIndex,
    outcome: Outcome,
) -> list[Unit]:
    """Validates a batch; reports every problem; returns the units to save."""
    rows = [row for unit in batch for row in unit.rows]
    for row in rows:
        row.errors.extend(row.parsed.errors)
        if row.parsed.external_id:
            row.key = external_key(source, row.parsed.external_id)
            earlier = seen_ids.get(row.parsed.external_id)
            if earlier is not None:
                row.errors.append(
                    (
                        fields.EXTERNAL_ID,
                        _("The same external id is on row %(row)s.") % {"row": earlier.number},
                    )
                )
            else:
                seen_ids[row.parsed.external_id] = row
    keys = [row.key for row in rows if row.key]
    imported = {
        record.external_key: record
        for record in ImportedRecord.objects.filter(source=source, external_key__in=keys).only(
            "external_key", "digest", "person_id", "case_id"
        )
    }
    for row in rows:
        row.imported = imported.get(row.key) if row.key else None
    to_check: list[Row] = []
    for unit in batch:
        if any(row.imported is not None for row in unit.rows):
            continue
        for row in unit.rows:
            if not row.errors:
                _build_person(row, run.office_id)
        if unit.household or any(row.parsed.case for row in unit.rows):
            if all(row.person is not None for row in unit.rows):
                _build_case(unit, run.office_id)
        elif unit.rows[0].parsed.relationship not in ("", "principal"):
            unit.rows[0].errors.append(
                (fields.HOUSEHOLD, _("A family member's row needs a household id."))
            )
        to_check.extend(row for row in unit.rows if not row.errors)
    outcome.checks += duplicates.check(to_check)
    ready: list[Unit] = []
    for unit in batch:
        ready.extend(_settle(unit, duplicates, outcome))
    return ready


def _settle(unit: Unit, duplicates: _DuplicateIndex, outcome: Outcome) -> list[Unit]:
    """Decides the unit's fate, reports every row of it, counts; [unit] when it is to be saved."""
    if any(row.imported is not None for row in unit.rows):
        for row in unit.rows:
            if row.imported is None:
                row.state = "error"
                outcome.errors += 1
                outcome.add(
                    row,
                    fields.HOUSEHOLD,
                    _("The household is already imported: add new members on the case's page."),
                )
                continue
            row.state = "unchanged"
            outcome.unchanged += 1
            if row.imported.digest != row.parsed.digest:
                outcome.add(row, "", _("Already imported; the changes are not applied."))
        return []
    duplicates.hold_in_file(unit.rows)
    bad = [row for row in unit.rows if row.errors or row.held]
    if bad:
        for row in unit.rows:
            for name, message in row.errors:
                outcome.add(row, name, message)
            for message in row.held:
                outcome.add(row, "", message)
            if row.errors:
                row.state = "error"
                outcome.errors += 1
            elif row.held:
                row.state = "held"
                outcome.held += 1
            else:
                row.state = "error"
                outcome.errors += 1
                first = bad[0].number
                outcome.add(
                    row,
                    fields.HOUSEHOLD,
                    _("Not imported: row %(row)s of the same household has a problem.")
                    % {"row": first},
                )
        return []
    for row in unit.rows:
        duplicates.accept(row)
    return [unit]


def import_run_execute(run_id: Any, *, on_batch: Callable[[ImportRun], None] | None = None) -> None:
    """Runs a queued import (the task calls this). Each batch is committed before the progress
    moves; a failure marks the run failed (the batches already saved stay saved: each is whole,
    and running the file again imports the rest without duplicating them)."""
    updated = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    if not updated:
        return  # already taken by another worker, or not queued
    run = ImportRun.objects.select_related("source", "office", "started_by").get(pk=run_id)
    outcome = Outcome()
    try:
        _execute(run, outcome, on_batch)
    except PermissionDenied:
        _finish(run, outcome, ImportRun.Status.FAILED, _("You may no longer import here."))
    except Exception:
        logger.exception("import run %s failed", run.pk)
        _finish(
            run,
            outcome,
            ImportRun.Status.FAILED,
            _("The import stopped on an unexpected error. What was saved is in the counts."),
        )
    else:
        _finish(run, outcome, ImportRun.Status.DONE, "")


def _execute(
    run: ImportRun, outcome: Outcome, on_batch: Callable[[ImportRun], None] | None
) -> None:
    source = run.source
    assert run.content is not None  # noqa: S101 (checked at upload)
    table = read_table(bytes(run.content))
    columns = {
        target: table.headers.index(header)
        for header, target in source.mapping.items()
        if target and header in table.headers
    }
    _check_allowed(run, fields.opens_cases(source.mapping))
    rows = [
        Row(
            index=index,
            number=number,
            parsed=fields.parse_row({t: values[i] for t, i in columns.items()}),
        )
        for index, (number, values) in enumerate(zip(table.numbers, table.rows, strict=True))
    ]
    ImportRun.objects.filter(pk=run.pk).update(rows_total=len(rows))
    run.rows_total = len(rows)
    seen_ids: dict[str, Row] = {}
    duplicates = _DuplicateIndex(run.started_by)
    done = 0
    for batch in _batches(_units(rows), BATCH_ROWS):
        _check_allowed(run, fields.opens_cases(source.mapping))
        ready = _validate_batch(batch, run, source, seen_ids, duplicates, outcome)
        if ready and not run.dry_run:
            saved = _write(run, source, ready)
            kept = {id(unit) for unit in saved}
            for unit in ready:
                if id(unit) in kept:
                    for row in unit.rows:
                        assert row.person is not None  # noqa: S101
                        duplicates.created.add(row.person.pk)
                    continue
                # Imported meanwhile by another run of the source: nothing new.
                outcome.unchanged += len(unit.rows)
            ready = saved
        outcome.created += sum(len(unit.rows) for unit in ready)
        outcome.cases += sum(1 for unit in ready if unit.case is not None)
        done += sum(len(unit.rows) for unit in batch)
        for unit in batch:  # free what is settled (identity and keys stay for the file check)
            for row in unit.rows:
                row.person = None
        _progress(run, outcome, done)
        if on_batch is not None:
            on_batch(run)


def _counts(outcome: Outcome) -> dict[str, int]:
    return {
        "created_count": outcome.created,
        "unchanged_count": outcome.unchanged,
        "error_count": outcome.errors,
        "held_count": outcome.held,
        "cases_created": outcome.cases,
    }


def _progress(run: ImportRun, outcome: Outcome, done: int) -> None:
    run.rows_done = done
    for name, value in _counts(outcome).items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(rows_done=done, **_counts(outcome))


def _finish(run: ImportRun, outcome: Outcome, status: str, message: str) -> None:
    outcome.report.sort(key=lambda line: line[0])
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(
            status=status,
            finished_at=timezone.now(),
            report=outcome.report,
            message=message,
            **_counts(outcome),
        )
        audit_record(
            actor=run.started_by,
            action="import.run",
            obj=run,
            details={
                "dry_run": run.dry_run,
                "status": status,
                "rows": run.rows_total,
                "created": outcome.created,
                "cases": outcome.cases,
                "unchanged": outcome.unchanged,
                "errors": outcome.errors,
                "held": outcome.held,
                "duplicate_checks": outcome.checks,
            },
        )
