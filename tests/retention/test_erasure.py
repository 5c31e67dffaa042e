"""After a retention run the anonymised case holds no personal value: every encrypted field of
every model in the database is decrypted and searched for the canaries, the blind indexes of the
canaries are gone from every ``*_index`` column and from ``MatchKey``; a case not due, a case
under a legal hold and a person also on a kept case are untouched."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from tests.exports.factories import ExportFactory
from tests.factories import OfficeFactory
from tests.people.factories import PersonFactory
from tests.retention.canary import Canaries, canary_case, models_reaching_a_case
from tests.retention.factories import LegalHoldFactory, RetentionRuleFactory, close_case
from wayhome.audit.models import AuditEvent
from wayhome.core.blobs import blob_get, blob_put
from wayhome.core.fields import encrypted_fields
from wayhome.exports.models import Export
from wayhome.people.models import MatchKey, Person
from wayhome.retention import erasure
from wayhome.retention.models import AnonymisedCase
from wayhome.retention.services import retention_run

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 2)


def _decrypted_values() -> list[tuple[str, Any]]:
    values: list[tuple[str, Any]] = []
    for model in apps.get_models():
        fields = [f.name for f in encrypted_fields(model)]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            values.extend(
                (f"{model._meta.label}.{name}", v) for name, v in zip(fields, row, strict=True)
            )
    return values


def _index_values() -> set[str]:
    found: set[str] = set()
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if f.name.endswith("_index")]
        for name in names:
            found |= set(model._default_manager.values_list(name, flat=True))
    return found


def _hits(canaries: Canaries) -> list[str]:
    return sorted({place for place, value in _decrypted_values() if canaries.found_in(value)})


def test_every_model_with_an_encrypted_field_reachable_from_a_case_gets_canaries() -> None:
    """The coverage the other tests rely on: a model added later with an encrypted field and a
    link to a case, a member or a person is built and filled here, or this test names it."""
    office = OfficeFactory.create()
    _case, canaries = canary_case(office, "COVERAGE")
    expected = {m for m in models_reaching_a_case() if encrypted_fields(m)}
    missing = sorted(m._meta.label for m in expected - set(canaries.rows))
    assert not missing, f"no canary row for {missing}"
    assert len(expected) > 30  # the graph walk found the case's world, not a corner of it
    # and the erasure finds the same models from the schema
    assert {m for m in erasure.reachable_models() if encrypted_fields(m)} == expected
    assert _hits(canaries)  # the canaries are really in the database


def test_retention_erases_every_personal_value_of_a_due_case_and_nothing_else() -> None:
    office = OfficeFactory.create()
    RetentionRuleFactory.create(office=office, amount=5)
    kept_person = PersonFactory.create(office=office, given_name="SHAREDKEPT", family_name="X")
    due, due_canaries = canary_case(office, "DUECANARY", shared=kept_person)
    close_case(due, TODAY - datetime.timedelta(days=6 * 365))
    # The shared person came back: on a case closed last year, which is kept.
    recent, recent_canaries = canary_case(office, "RECENTCANARY", shared=kept_person)
    close_case(recent, TODAY - datetime.timedelta(days=365))
    held, held_canaries = canary_case(office, "HELDCANARY")
    close_case(held, TODAY - datetime.timedelta(days=6 * 365))
    LegalHoldFactory.create(office=office, case=held)
    assert MatchKey.objects.filter(person__in=due_canaries.people).exists()
    assert due_canaries.indexes <= _index_values()
    before_recent, before_held = _hits(recent_canaries), _hits(held_canaries)
    assert _hits(due_canaries)

    run = retention_run(office=office, dry_run=False, today=TODAY)

    assert run.cases == 1
    assert run.held == 1
    assert list(AnonymisedCase.objects.values_list("case_id", flat=True)) == [due.pk]
    # No canary of the due case decrypts anywhere.
    assert _hits(due_canaries) == []
    # Its blind indexes are gone, and no match key of its people remains.
    assert not due_canaries.indexes & _index_values()
    assert not MatchKey.objects.filter(person__in=due_canaries.people).exists()
    # The rows stay (statistics count them), emptied.
    assert Person.objects.filter(pk__in=due_canaries.people).count() == 2
    # The case not due and the held case keep every value.
    assert _hits(recent_canaries) == before_recent
    assert _hits(held_canaries) == before_held
    assert recent_canaries.indexes <= _index_values()
    # The person also on the kept case keeps their record.
    kept_person.refresh_from_db()
    assert kept_person.given_name == "SHAREDKEPT"
    assert MatchKey.objects.filter(person=kept_person).exists()
    # One audit event for the purge, with counts and ids, no personal value.
    event = AuditEvent.objects.get(action="retention.anonymise")
    assert event.object_id == str(due.pk)
    assert event.details["rows"] > 30
    assert event.details["people_kept"] == 1
    assert not due_canaries.found_in(str(event.details))


def test_erasure_of_a_model_added_later_is_covered_by_the_graph() -> None:
    """Every model with an encrypted field that points at a case, a member or a person
    (directly or not) is walked by the erasure: nothing is listed by hand."""
    reachable = erasure.reachable_models()
    for label in ("movements.escort", "reintegration.delivery", "feedback.feedbacknote"):
        model = apps.get_model(label)
        linked = [f for f in model._meta.concrete_fields if f.is_relation]
        if any(f.related_model in reachable for f in linked):
            assert model in reachable
    assert all(isinstance(m, type) and issubclass(m, models.Model) for m in reachable)


def test_a_second_run_leaves_the_anonymised_case_alone() -> None:
    office = OfficeFactory.create()
    RetentionRuleFactory.create(office=office, amount=30, unit="days")
    case, _c = canary_case(office, "TWICE")
    close_case(case, TODAY - datetime.timedelta(days=40))
    assert retention_run(office=office, dry_run=False, today=TODAY).cases == 1
    again = retention_run(office=office, dry_run=False, today=TODAY + datetime.timedelta(days=1))
    assert again.cases == 0
    assert AnonymisedCase.objects.get().anonymised_at <= timezone.now()


def test_stored_files_of_erased_rows_are_deleted_after_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """No model reachable from a case stores a blob today; the mechanism is generic (a ``blob``
    or ``*_blob`` column, a file field), shown on an export's file."""
    export = ExportFactory.create(office=OfficeFactory.create())
    name = blob_put(b"reference\r\nX-1\r\n", kind="exports")
    Export.objects.filter(pk=export.pk).update(blob=name)
    plan = erasure.Plan()
    plan.rows[Export] = {export.pk}
    files = erasure.stored_files(plan)
    assert [stored for _field, stored in files] == [name]
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase(plan)
        transaction.on_commit(lambda: erasure.delete_files(files))
    export.refresh_from_db()
    assert export.blob == ""
    with pytest.raises(FileNotFoundError):
        blob_get(name)
