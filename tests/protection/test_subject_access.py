"""Subject access: the bundle holds every record of the person and nothing of anyone else.

The records are not written by hand: ``make_row`` builds one row of every model that
``holdings()`` finds reaching a person (and of every model the completeness test finds reaching
one), filling each encrypted value with a unique token. A model added later gets a row here, and
the test fails if the bundle misses it or one of its values.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import io
import itertools
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from pypdf import PdfReader

from tests.cases.factories import CaseFactory
from tests.factories import OfficeFactory, UserFactory
from tests.people.factories import PersonFactory
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, CaseMember
from wayhome.core.fields import (
    EncryptedBinaryField,
    EncryptedDateField,
    EncryptedField,
    EncryptedJSONField,
)
from wayhome.people.models import Person
from wayhome.protection.pdf import bundle_pdf
from wayhome.protection.subject_access import (
    EXCLUDED,
    OMITTED,
    Holding,
    bundle,
    bundle_json,
    holdings,
)

pytestmark = pytest.mark.django_db

ROOTS = (Person, CaseMember, Case)


def _counter() -> Callable[[str], str]:
    numbers = itertools.count(1)
    return lambda prefix: f"{prefix}{next(numbers):04d}"


_PLAIN = itertools.count(1)


def _plain_value(f: models.Field[Any, Any]) -> Any:
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DecimalField):
        return decimal.Decimal("1")
    if isinstance(f, models.FloatField):
        return 1.0
    if isinstance(f, models.IntegerField):
        return 1
    if isinstance(f, models.DateTimeField):
        return datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC)
    if isinstance(f, models.DateField):
        return datetime.date(2026, 1, 2)
    if isinstance(f, models.UUIDField):
        return uuid.uuid4()
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.EmailField):
        return "x@example.org"
    return f"p{next(_PLAIN)}"[: f.max_length or 10]


def make_row(
    model: type[models.Model],
    fixed: dict[str, Any],
    token: Callable[[], str],
    made: dict[type[models.Model], models.Model],
) -> models.Model:
    """A saved row of ``model``: ``fixed`` values, a token in every encrypted text, JSON or bytes
    field, and a plain value in every other required field (related rows made as needed)."""
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in fixed or f.attname in fixed:
            continue
        if isinstance(f, EncryptedDateField):
            values[f.name] = datetime.date(2001, 2, 3)
        elif isinstance(f, EncryptedJSONField):
            values[f.name] = [token()]
        elif isinstance(f, EncryptedBinaryField):
            values[f.name] = token().encode()
        elif isinstance(f, EncryptedField):
            values[f.name] = token()
        elif f.is_relation:
            if f.null:
                continue
            target = f.related_model
            assert isinstance(target, type)
            related = (
                made.get(target)
                or target._default_manager.order_by("pk").first()
                or make_row(target, {}, token, made)
            )
            values[f.name] = related
        elif (
            f.has_default()
            or f.null
            or getattr(f, "auto_now", False)
            or getattr(f, "auto_now_add", False)
        ):
            continue
        else:
            values[f.name] = _plain_value(f)
    values.update(fixed)
    row = model(**values)
    row.save()
    made.setdefault(model, row)
    return row


def _dpo(office: Any) -> Any:
    return UserFactory.create(roles=[(office, Role.DPO)])


def _held_rows(
    subject: CaseMember, token: Callable[[], str], *, household: bool
) -> dict[str, models.Model]:
    """One row of every held model for ``subject``: linked to the person or the member, or
    (``household``) to the case or to the subject's row of the model it hangs off."""
    made: dict[type[models.Model], models.Model] = {
        Person: subject.person,
        CaseMember: subject,
        Case: subject.case,
    }
    rows: dict[str, models.Model] = {}
    for holding in holdings():
        if holding.model in ROOTS:
            continue
        fixed: dict[str, Any] = {}
        m2m: list[str] = []
        for name in holding.person:
            f = holding.model._meta.get_field(name)
            if isinstance(f, models.ManyToManyField):
                m2m.append(name)
            else:
                fixed[name] = subject.person
        for name in holding.member:
            f = holding.model._meta.get_field(name)
            if isinstance(f, models.ManyToManyField):
                m2m.append(name)
            else:
                fixed[name] = subject
        for name in holding.case:
            fixed[name] = subject.case
        own_parent = False
        for name, target in holding.parent:
            if target in made:
                fixed[name] = made[target]
                own_parent = True
        if not household and not (holding.person or holding.member) and not own_parent:
            continue  # a household record: the other person's rows are theirs alone
        if holding.key == "people.duplicatedecision":
            other = PersonFactory.create(office=subject.case.office)
            a, b = sorted([subject.person, other], key=lambda p: str(p.pk))
            fixed = {"person_a": a, "person_b": b}
        made.pop(holding.model, None)
        row = make_row(holding.model, fixed, token, made)
        for name in m2m:
            getattr(row, name).add(subject.person if name in holding.person else subject)
        made[holding.model] = row
        rows[holding.key] = row
    return rows


@pytest.fixture
def family() -> tuple[CaseMember, CaseMember]:
    office = OfficeFactory.create()
    subject = PersonFactory.create(office=office, given_name="Amara", family_name="Okonkwo")
    other = PersonFactory.create(office=office, given_name="Chidinma", family_name="Eze")
    case = CaseFactory.create(office=office, principal=subject, members=[(other, "spouse")])
    members = {m.person_id: m for m in case.members.all()}
    return members[subject.pk], members[other.pk]


def _values(model: models.Model) -> list[str]:
    """The tokens held in ``model``'s encrypted fields."""
    found: list[str] = []
    for f in model._meta.concrete_fields:
        if not isinstance(f, EncryptedField) or isinstance(f, EncryptedDateField):
            continue
        if f.name in OMITTED.get(model._meta.label_lower, {}):
            continue
        value = getattr(model, f.attname)
        if isinstance(value, bytes | memoryview):
            found.append(base64.b64encode(bytes(value)).decode())  # a file: its bytes
        elif isinstance(value, list):
            found += [str(v) for v in value]
        elif value:
            found.append(str(value))
    return found


def test_every_model_reaching_a_person_is_held_or_excluded_with_a_reason() -> None:
    """Generated from the model graph: a model with a foreign key to a person, a member or a
    case, or to a model that has one, is in the bundle unless ``EXCLUDED`` says why not."""
    held = {h.model for h in holdings()}
    reach: set[type[models.Model]] = set(ROOTS)
    wayhome = [m for m in apps.get_models() if m.__module__.startswith("wayhome.")]
    while True:
        more = {
            m
            for m in wayhome
            if m not in reach
            and any(f.is_relation and f.related_model in reach for f in m._meta.get_fields())
            and any(f.concrete for f in m._meta.get_fields() if f.is_relation)
        }
        more = {
            m
            for m in more
            if any(
                f.concrete and f.is_relation and f.related_model in reach
                for f in m._meta.get_fields()
            )
        }
        if not more:
            break
        reach |= more
    missing = {m._meta.label_lower for m in reach - held if m._meta.label_lower not in EXCLUDED}
    assert not missing, f"models reaching a person that the bundle misses: {sorted(missing)}"
    # Every exclusion names a real model (a renamed model is not silently excluded).
    labels = {m._meta.label_lower for m in wayhome}
    assert set(EXCLUDED) <= labels
    assert {"people.identitydocument", "assessments.assessment", "movements.segment"} <= {
        h.key for h in holdings()
    }


def test_the_bundle_holds_every_record_and_value_of_the_person_and_nothing_of_the_other(
    family: tuple[CaseMember, CaseMember],
) -> None:
    subject, other = family
    token = _counter()
    mine = _held_rows(subject, lambda: token("MINE"), household=True)
    theirs = _held_rows(other, lambda: token("THEIRS"), household=False)
    # A caseworker's note on the household names the other person.
    case = subject.case
    case.notes = "Met Chidinma Eze and Amara at the office."
    case.save()
    assert len(mine) >= 40
    assert len(theirs) >= 20

    data = bundle(subject.person, produced_by=_dpo(case.office))
    document = bundle_json(data)
    text = json.dumps(document, ensure_ascii=False)

    # Every record of the person, and every value in it.
    ids = data.record_ids()
    for key, row in mine.items():
        assert str(row.pk) in ids, f"{key} row missing from the bundle"
        for value in _values(row):
            assert value in text, f"{key}: a value is missing from the bundle"
    for root in (subject.person, subject, case):
        assert str(root.pk) in ids
    assert "Amara" in text
    assert "Okonkwo" in text

    # Nothing of the other person: no row, no value, no name, no id.
    for key, row in theirs.items():
        assert str(row.pk) not in ids, f"{key}: the other person's row is in the bundle"
    assert "THEIRS" not in text
    for leaked in ("Chidinma", "Eze", str(other.person.pk), str(other.pk)):
        assert leaked not in text
    assert "Met […] […] and Amara" in text


def test_the_pdf_is_in_the_persons_language_and_holds_the_same_records(
    family: tuple[CaseMember, CaseMember],
) -> None:
    subject, _other = family
    person = subject.person
    person.languages = ["fr", "en"]
    person.save()
    data = bundle(person, produced_by=_dpo(subject.case.office))
    assert data.language == "fr"
    pdf = PdfReader(io.BytesIO(bundle_pdf(data)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Amara" in text
    assert "Okonkwo" in text
    assert "Chidinma" not in text
    assert "Vos données personnelles" in text  # the title, in French


def test_an_arabic_bundle_is_shaped_right_to_left() -> None:
    office = OfficeFactory.create()
    person = PersonFactory.create(
        office=office, given_name="محمد", family_name="أحمد", languages=["ar"]
    )
    data = bundle(person, produced_by=_dpo(office))
    assert data.language == "ar"
    content = bundle_pdf(data)
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert any("DejaVu" in name for name in fonts), fonts


def test_holdings_name_each_model_once() -> None:
    keys = [h.key for h in holdings()]
    assert len(keys) == len(set(keys))
    assert all(isinstance(h, Holding) for h in holdings())
