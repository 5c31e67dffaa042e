"""Subject access: the bundle holds every record of the person and nothing of anyone else.

The records are not written by hand: ``tests.model_rows.Builder`` builds one row of every model
that reaches a person, and each encrypted value gets a unique canary. A model added later gets a
row here, and the test fails if the bundle misses it or one of its values, or shows a row or
value of the other person on the case.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from pypdf import PdfReader

from tests.cases.factories import CaseFactory
from tests.factories import OfficeFactory, UserFactory
from tests.model_rows import Builder, Canaries, models_reaching_a_case
from tests.people.factories import PersonFactory
from wayhome.accounts.permissions import Role
from wayhome.cases.models import Case, CaseMember
from wayhome.core.fields import (
    encrypted_fields,
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


def _dpo(office: Any) -> Any:
    return UserFactory.create(roles=[(office, Role.DPO)])


def _rows_of(member: CaseMember, canaries: Canaries, *, household: bool) -> dict[str, models.Model]:
    """One row of every held model for ``member`` (``tests.model_rows.Builder``), a canary in
    every encrypted value: rows naming the person or the member, the rows hanging off those, and
    (``household``) the case's own rows."""
    builder = Builder(member.case, member, member.person, UserFactory.create())
    rows: dict[str, models.Model] = {}
    owned: set[type[models.Model]] = set()
    for holding in holdings():
        if holding.model in ROOTS:
            continue
        own = bool(holding.person or holding.member) or any(
            target in owned for _name, target in holding.parent
        )
        if not (own or household):
            continue  # a household record: the other person's rows are theirs alone
        if own:
            owned.add(holding.model)
        row = builder.get(holding.model)
        holding.model._default_manager.filter(pk=row.pk).update(
            **{f.name: canaries.value_for(f) for f in encrypted_fields(holding.model)}
        )
        row.refresh_from_db()
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


def _values(row: models.Model) -> list[str]:
    """The values held in ``row``'s encrypted fields, as the JSON bundle writes them."""
    found: list[str] = []
    for f in encrypted_fields(type(row)):
        if f.name in OMITTED.get(row._meta.label_lower, {}):
            continue
        value = getattr(row, f.attname)
        if isinstance(value, bytes | memoryview):
            found.append(base64.b64encode(bytes(value)).decode())  # a file: its bytes
        elif isinstance(value, datetime.date):
            found.append(value.isoformat())
        elif isinstance(value, dict | list):
            found.append(json.dumps(value, ensure_ascii=False)[1:-1])
        elif value:
            found.append(str(value))
    return found


def test_every_model_reaching_a_person_is_held_or_excluded_with_a_reason() -> None:
    """Generated from the model graph (``tests.model_rows``, not the code under test): a model
    with a chain of foreign keys to a person, a member or a case is in the bundle unless
    ``EXCLUDED`` says why not."""
    held = {h.model for h in holdings()}
    reach = {m for m in models_reaching_a_case() if m.__module__.startswith("wayhome.")}
    missing = {m._meta.label_lower for m in reach - held} - set(EXCLUDED)
    assert not missing, f"models reaching a person that the bundle misses: {sorted(missing)}"
    # Every exclusion names a real model (a renamed model is not silently excluded).
    assert set(EXCLUDED) <= {m._meta.label_lower for m in apps.get_models()}
    assert {"people.identitydocument", "assessments.assessment", "movements.segment"} <= {
        h.key for h in holdings()
    }


def test_the_bundle_holds_every_record_and_value_of_the_person_and_nothing_of_the_other(
    family: tuple[CaseMember, CaseMember],
) -> None:
    subject, other = family
    mine = _rows_of(subject, Canaries("MINE"), household=True)
    theirs = _rows_of(other, Canaries("THEIRS"), household=False)
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
        for value in _values(row):
            assert value not in text, f"{key}: a value of the other person is in the bundle"
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


def test_without_the_fonts_the_pdf_transliterates_and_says_so(settings: Any, tmp_path: Any) -> None:
    settings.PDF_FONT_DIR = str(tmp_path)  # no DejaVu here
    office = OfficeFactory.create()
    person = PersonFactory.create(
        office=office, given_name="Мария", family_name="Иванова", languages=["en"]
    )
    reader = PdfReader(io.BytesIO(bundle_pdf(bundle(person, produced_by=_dpo(office)))))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Mariya" in text
    assert "Ivanova" in text
    assert "some text is transliterated" in text
