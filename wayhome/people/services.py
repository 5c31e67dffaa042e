"""Writes about people. Each runs in one transaction with its audit event.

Audit details name the fields that changed, never their values.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.core import crypto
from wayhome.core.text import has_control_characters
from wayhome.people.duplicates import candidate_from_reference, match_keys_refresh
from wayhome.people.models import DuplicateDecision, IdentityDocument, MatchEnquiry, Person

#: The fields a caller may set; everything else (office, indexes, version) is the service's.
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "name_as_written",
    "date_of_birth",
    "dob_precision",
    "sex",
    "nationality",
    "other_names",
    "gender_identity",
    "other_nationalities",
    "languages",
    "contacts",
)
_STRIPPED = ("given_name", "family_name", "name_as_written", "nationality")


def _allowed(actor: Any, perm: Perm, office_id: Any) -> None:
    """``actor`` None is the system (commands, imports); a user needs ``perm`` in the office."""
    if actor is not None and not has_perm(actor, perm, office_id):
        raise PermissionDenied


#: Kinds of contact a person may have.
CONTACT_KINDS = ("phone", "email", "messaging", "address", "other")
#: At most this many other names or contacts, each at most this long.
MAX_LIST_ITEMS = 20
MAX_ITEM_LENGTH = 300
#: The photo: JPEG or PNG, at most this many bytes.
PHOTO_MAX_BYTES = 2_000_000
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
_SINGLE_LINE = ("given_name", "family_name", "name_as_written", "gender_identity")
_CONTROL_MESSAGE = _("Remove the control characters (invisible characters or line breaks).")


def _text_errors(data: dict[str, Any]) -> dict[str, list[Any]]:
    """Control characters, and malformed or oversized lists of names and contacts."""
    errors: dict[str, list[Any]] = {}

    def refuse(field: str, message: Any, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    for name in _SINGLE_LINE:
        value = data.get(name)
        if isinstance(value, str) and has_control_characters(value):
            refuse(name, _CONTROL_MESSAGE, "control_characters")
    if "other_names" in data:
        names = data["other_names"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            refuse("other_names", _("Give a list of names."), "invalid")
        elif len(names) > MAX_LIST_ITEMS:
            refuse("other_names", _("At most 20 other names."), "too_many")
        elif any(len(n) > MAX_ITEM_LENGTH for n in names):
            refuse("other_names", _("A name is at most 300 characters long."), "max_length")
        elif any(has_control_characters(n) for n in names):
            refuse("other_names", _CONTROL_MESSAGE, "control_characters")
    if "contacts" in data:
        contacts = data["contacts"]
        if not isinstance(contacts, list) or not all(
            isinstance(c, dict)
            and set(c) == {"kind", "value"}
            and all(isinstance(v, str) for v in c.values())
            for c in contacts
        ):
            refuse(
                "contacts", _("Give a list of contacts, each with a kind and a value."), "invalid"
            )
        elif len(contacts) > MAX_LIST_ITEMS:
            refuse("contacts", _("At most 20 contacts."), "too_many")
        elif any(c["kind"] not in CONTACT_KINDS for c in contacts):
            refuse("contacts", _("Choose a known kind of contact."), "invalid_kind")
        elif any(not c["value"].strip() or len(c["value"]) > 200 for c in contacts):
            refuse("contacts", _("A contact needs a value of at most 200 characters."), "invalid")
        elif any(has_control_characters(c["value"]) for c in contacts):
            refuse("contacts", _CONTROL_MESSAGE, "control_characters")
    return errors


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unknown person fields: {', '.join(sorted(unknown))}")
    errors = _text_errors(data)
    if errors:
        raise ValidationError(errors)
    cleaned = dict(data)
    for name in _STRIPPED:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = " ".join(cleaned[name].split())
    if isinstance(cleaned.get("nationality"), str):
        cleaned["nationality"] = cleaned["nationality"].upper()
    if isinstance(cleaned.get("other_nationalities"), list):
        cleaned["other_nationalities"] = [
            code.strip().upper() if isinstance(code, str) else code
            for code in cleaned["other_nationalities"]
        ]
    if isinstance(cleaned.get("other_names"), list):
        cleaned["other_names"] = [
            " ".join(name.split())
            for name in cleaned["other_names"]
            if isinstance(name, str) and name.strip()
        ]
    if isinstance(cleaned.get("contacts"), list):
        cleaned["contacts"] = [
            {"kind": c["kind"], "value": " ".join(c["value"].split())} for c in cleaned["contacts"]
        ]
    if isinstance(cleaned.get("gender_identity"), str):
        cleaned["gender_identity"] = " ".join(cleaned["gender_identity"].split())
    return cleaned


def _refresh_indexes(person: Person) -> None:
    person.name_index = crypto.name_index(person.given_name, person.family_name)
    person.dob_index = crypto.date_of_birth_index(person.date_of_birth)


def person_create(*, actor: Any, office: Office, **data: Any) -> Person:
    """Registers a person in ``office``. ``ValidationError`` for bad data; nothing is saved."""
    _allowed(actor, Perm.PERSON_CREATE, office.pk)
    cleaned = _clean_data(data)
    person = Person(office=office, **cleaned)
    _refresh_indexes(person)
    person.full_clean()
    with transaction.atomic():
        person.save(force_insert=True)
        match_keys_refresh(person)
        audit_record(
            actor=actor,
            action="person.create",
            obj=person,
            details={
                "fields": sorted(name for name in data if getattr(person, name) not in ("", None))
            },
        )
    return person


def person_update(*, actor: Any, person: Person, version: int | None = None, **data: Any) -> Person:
    """Changes a person's details. With ``version``, a stale edit (someone saved in between) is
    refused. Returns the saved person; unchanged data saves and audits nothing."""
    cleaned = _clean_data(data)
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        _allowed(actor, Perm.PERSON_CHANGE, current.office_id)
        if version is not None and current.version != version:
            raise ValidationError(
                _(
                    "Someone else changed this person's details while you were editing. "
                    "Reload the page to see their changes, then make yours again."
                ),
                code="stale",
            )
        changed = sorted(name for name, value in cleaned.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, cleaned[name])
        _refresh_indexes(current)
        current.full_clean()
        current.version += 1
        current.save()
        match_keys_refresh(current)
        audit_record(actor=actor, action="person.change", obj=current, details={"fields": changed})
    return current


# Identity documents --------------------------------------------------------------------------

DOCUMENT_FIELDS = ("kind", "number", "issuing_country", "expires_on")


def _document_clean(document: IdentityDocument) -> None:
    errors: dict[str, list[Any]] = {}
    if isinstance(document.number, str):
        if has_control_characters(document.number):
            errors["number"] = [ValidationError(_CONTROL_MESSAGE, code="control_characters")]
        document.number = " ".join(document.number.split())
    if isinstance(document.issuing_country, str):
        document.issuing_country = document.issuing_country.strip().upper()
    try:
        document.full_clean(exclude=["person"])
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    if errors:
        raise ValidationError(errors)
    document.number_index = crypto.document_number_index(document.number)


def document_add(*, actor: Any, person: Person, **data: Any) -> IdentityDocument:
    """Adds an identity or travel document to ``person`` (PERSON_CHANGE in their office)."""
    _allowed(actor, Perm.PERSON_CHANGE, person.office_id)
    unknown = set(data) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {', '.join(sorted(unknown))}")
    document = IdentityDocument(person=person, **data)
    _document_clean(document)
    with transaction.atomic():
        document.save(force_insert=True)
        audit_record(
            actor=actor,
            action="person.document_add",
            obj=document,
            office_id=person.office_id,
            details={"kind": document.kind},
        )
    return document


def document_update(
    *, actor: Any, document: IdentityDocument, version: int | None = None, **data: Any
) -> IdentityDocument:
    unknown = set(data) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = (
            IdentityDocument.objects.select_for_update()
            .select_related("person")
            .get(pk=document.pk)
        )
        _allowed(actor, Perm.PERSON_CHANGE, current.person.office_id)
        if version is not None and current.version != version:
            raise ValidationError(
                _("Someone else changed this document while you were editing. Reload the page."),
                code="stale",
            )
        changed = sorted(name for name, value in data.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, data[name])
        _document_clean(current)
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="person.document_change",
            obj=current,
            office_id=current.person.office_id,
            details={"fields": changed},
        )
    return current


def document_remove(*, actor: Any, document: IdentityDocument) -> None:
    with transaction.atomic():
        current = (
            IdentityDocument.objects.select_for_update()
            .select_related("person")
            .get(pk=document.pk)
        )
        _allowed(actor, Perm.PERSON_CHANGE, current.person.office_id)
        audit_record(
            actor=actor,
            action="person.document_remove",
            obj=current,
            office_id=current.person.office_id,
            details={"kind": current.kind},
        )
        current.delete()


# Photo ---------------------------------------------------------------------------------------


def photo_type_of(content: bytes) -> str:
    """ "image/jpeg" or "image/png" from the file's first bytes, or "" for anything else."""
    for magic, kind in PHOTO_TYPES.items():
        if content.startswith(magic):
            return kind
    return ""


def person_photo_set(*, actor: Any, person: Person, content: bytes | None) -> Person:
    """Sets (or with ``None`` removes) the person's photo: JPEG or PNG, ``PHOTO_MAX_BYTES``."""
    if content is not None:
        if len(content) > PHOTO_MAX_BYTES:
            raise ValidationError(
                {"photo": _("The photo is too large (at most 2 MB).")}, code="max_size"
            )
        if not photo_type_of(content):
            raise ValidationError({"photo": _("The photo must be a JPEG or PNG image.")})
    with transaction.atomic():
        current = Person.objects.select_for_update().get(pk=person.pk)
        _allowed(actor, Perm.PERSON_CHANGE, current.office_id)
        current.photo = content
        current.photo_type = photo_type_of(content) if content else ""
        current.version += 1
        current.save(update_fields=["photo", "photo_type", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="person.change",
            obj=current,
            details={"fields": ["photo"], "removed": content is None},
        )
    return current


# Duplicates: enquiries and decisions ---------------------------------------------------------


def match_enquiry_create(
    *, actor: Any, from_office: Office, reference: str, message: str = ""
) -> MatchEnquiry:
    """Asks the office holding an invisible candidate (``reference`` from a duplicate check of
    ``actor``) whether it is the same person. The candidate is stored, never shown to the asker."""
    _allowed(actor, Perm.PERSON_CREATE, from_office.pk)
    candidate_id = candidate_from_reference(reference, actor)
    candidate = (
        Person.objects.filter(pk=candidate_id).select_related("office").first()
        if candidate_id
        else None
    )
    if candidate is None:
        raise ValidationError(
            {"reference": _("This possible match is no longer valid: check again.")}
        )
    if has_control_characters(message, multiline=True):
        raise ValidationError({"message": _CONTROL_MESSAGE})
    enquiry = MatchEnquiry(
        from_office=from_office,
        from_user=actor,
        to_office=candidate.office,
        candidate=candidate,
        message=message.strip(),
    )
    enquiry.full_clean()
    with transaction.atomic():
        enquiry.save(force_insert=True)
        audit_record(
            actor=actor,
            action="person.match_enquiry",
            obj=enquiry,
            office_id=candidate.office_id,
            details={"from_office": str(from_office.pk)},
        )
    return enquiry


def match_enquiry_answer(*, actor: Any, enquiry: MatchEnquiry, answer: str) -> MatchEnquiry:
    """The asked office answers (PERSON_CHANGE there). The answer must hold no personal data
    the asker may not see: the form says so."""
    if not answer.strip():
        raise ValidationError({"answer": _("Write an answer.")})
    if has_control_characters(answer, multiline=True):
        raise ValidationError({"answer": _CONTROL_MESSAGE})
    with transaction.atomic():
        current = MatchEnquiry.objects.select_for_update().get(pk=enquiry.pk)
        _allowed(actor, Perm.PERSON_CHANGE, current.to_office_id)
        current.answer = answer.strip()
        current.status = MatchEnquiry.Status.ANSWERED
        current.answered_by = actor
        current.answered_at = timezone.now()
        current.version += 1
        current.full_clean()
        current.save()
        audit_record(
            actor=actor,
            action="person.match_enquiry_answer",
            obj=current,
            office_id=current.to_office_id,
        )
    return current


def duplicate_decide(
    *, actor: Any, person: Person, other: Person, outcome: str, reason: str = ""
) -> DuplicateDecision:
    """Records that ``person`` and ``other`` are different people ("distinct": no longer
    suggested) or the same person ("same": linked, never merged). PERSON_CHANGE in both offices."""
    _allowed(actor, Perm.PERSON_CHANGE, person.office_id)
    _allowed(actor, Perm.PERSON_CHANGE, other.office_id)
    if person.pk == other.pk:
        raise ValidationError(_("A record cannot be compared with itself."), code="same_record")
    if outcome not in DuplicateDecision.Outcome.values:
        raise ValidationError({"outcome": _("Choose a decision.")})
    if has_control_characters(reason, multiline=True):
        raise ValidationError({"reason": _CONTROL_MESSAGE})
    a, b = sorted((person, other), key=lambda p: p.pk)
    decision = DuplicateDecision(
        person_a=a, person_b=b, outcome=outcome, decided_by=actor, reason=reason.strip()
    )
    with transaction.atomic():
        # Lock both records so that two decisions on one pair cannot cross.
        list(Person.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk"))
        if DuplicateDecision.objects.filter(
            person_a=a, person_b=b, reversed_at__isnull=True
        ).exists():
            raise ValidationError(
                _("A decision on these two records is in force: reverse it first."),
                code="decided",
            )
        decision.full_clean()
        decision.save(force_insert=True)
        for subject in (a, b):
            audit_record(
                actor=actor,
                action="person.duplicate_decide",
                obj=decision,
                office_id=subject.office_id,
                details={"outcome": outcome, "person": str(subject.pk)},
            )
    return decision


def duplicate_decision_reverse(*, actor: Any, decision: DuplicateDecision) -> DuplicateDecision:
    """Reverses a decision: a link is undone (both records separate again), a "distinct" pair
    may be suggested again. The decision stays on record."""
    with transaction.atomic():
        current = (
            DuplicateDecision.objects.select_for_update()
            .select_related("person_a", "person_b")
            .get(pk=decision.pk)
        )
        _allowed(actor, Perm.PERSON_CHANGE, current.person_a.office_id)
        _allowed(actor, Perm.PERSON_CHANGE, current.person_b.office_id)
        if current.reversed_at is not None:
            raise ValidationError(_("This decision is already reversed."), code="reversed")
        current.reversed_at = timezone.now()
        current.reversed_by = actor
        current.version += 1
        current.save()
        for subject in (current.person_a, current.person_b):
            audit_record(
                actor=actor,
                action="person.duplicate_reverse",
                obj=current,
                office_id=subject.office_id,
                details={"outcome": current.outcome, "person": str(subject.pk)},
            )
    return current
