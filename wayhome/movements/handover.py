"""The hand-over package: the minimum a recipient in the country of origin needs, built from the
case, then cut by the recipient's redaction rules.

``build_package`` gathers identity (names, date of birth, sex, nationality, languages, the
travel document), the journey and reception, each traveller's needs for the journey, the
vulnerabilities the person agreed to share, and the reintegration counselling notes. It never
reads an assessment's restricted details (trafficking, health, child protection findings), nor
the migrant category (not part of the minimum: what the person agreed to share is in the
vulnerabilities).

``redact`` then removes what a kind of recipient must never receive (``NEVER``). It is applied
when the package is built *and* every time a stored package is shown or exported
(``package_of``), and it takes no option: no permission, role or argument can switch it off.
For a government authority of the country of origin that is: the migrant category, should a
package ever hold one (it tells an asylum claim, a trafficking case or an irregular stay), the
trafficking and violence flags, and every free text: notes, needs, the place of return, and the
receiver's name, contact and meeting place (free text cannot be checked for asylum history or
trafficking details).
"""

from __future__ import annotations

import copy
from typing import Any

from wayhome.assessments.models import Flag
from wayhome.cases.models import Case, CaseMember
from wayhome.consent.models import DataSharingConsent
from wayhome.movements.models import Booking, Reception
from wayhome.movements.rules import Traveller

RK = DataSharingConsent.RecipientKind

PACKAGE_VERSION = 1

#: Case-level keys removed for a recipient kind; ``flags``: vulnerability flags never shared.
NEVER: dict[str, dict[str, frozenset[str]]] = {
    RK.ORIGIN_OFFICE: {"case": frozenset(), "package": frozenset(), "flags": frozenset()},
    RK.PARTNER: {
        "case": frozenset({"category"}),
        "package": frozenset(),
        "flags": frozenset(),
    },
    RK.GOVERNMENT_AUTHORITY: {
        "case": frozenset({"category", "destination_place"}),
        "package": frozenset({"counselling_notes", "needs"}),
        "flags": frozenset({Flag.VICTIM_OF_TRAFFICKING, Flag.SURVIVOR_OF_VIOLENCE}),
    },
}
#: Free-text keys of a traveller or a reception that a government authority never receives.
GOVERNMENT_TEXT = frozenset({"receiver_name", "contact", "place"})


def never_shared_flags(recipient_kind: str) -> frozenset[str]:
    return NEVER.get(recipient_kind, NEVER[RK.GOVERNMENT_AUTHORITY])["flags"]


def redact(package: dict[str, Any], recipient_kind: str) -> dict[str, Any]:
    """A copy of ``package`` without what ``recipient_kind`` must never receive. An unknown kind
    is treated as the most restricted (a government authority)."""
    rules = NEVER.get(recipient_kind, NEVER[RK.GOVERNMENT_AUTHORITY])
    strict = recipient_kind not in (RK.ORIGIN_OFFICE, RK.PARTNER)
    result = copy.deepcopy(package)
    for key in rules["package"]:
        result.pop(key, None)
    case = result.get("case")
    if isinstance(case, dict):
        for key in rules["case"]:
            case.pop(key, None)
    travellers = result.get("travellers")
    for traveller in travellers if isinstance(travellers, list) else []:
        if isinstance(traveller, dict):
            flags = traveller.get("vulnerabilities")
            flags = flags if isinstance(flags, list) else []
            traveller["vulnerabilities"] = [f for f in flags if f not in rules["flags"]]
    journey = result.get("journey")
    if strict and isinstance(journey, dict):
        receptions = journey.get("receptions")
        for reception in receptions if isinstance(receptions, list) else []:
            if isinstance(reception, dict):
                for key in GOVERNMENT_TEXT:
                    reception.pop(key, None)
    return result


def _journey(booking: Booking | None, receptions: list[Reception], labels: dict[Any, str]) -> Any:
    flights = []
    if booking is not None:
        for segment in booking.segments.all():
            flights.append(
                {
                    "flight": segment.flight,
                    "from": segment.origin,
                    "to": segment.destination,
                    "departs_local": segment.departs_local.isoformat(),
                    "arrives_local": segment.arrives_local.isoformat(),
                }
            )
    return {
        "arrival_date": booking.arrival_date.isoformat()
        if booking is not None and booking.arrival_date
        else None,
        "flights": flights,
        "receptions": [
            {
                "receiver_kind": r.receiver_kind,
                "receiver_name": r.receiver_name,
                "contact": r.contact,
                "place": r.place,
                "travellers": [labels[m.pk] for m in r.members.all() if m.pk in labels],
            }
            for r in receptions
        ],
    }


def build_package(
    *,
    case: Case,
    travellers: list[Traveller],
    members: list[CaseMember],
    shared_flags: dict[str, list[str]],
    screening_flags: dict[Any, list[str]],
    booking: Booking | None,
    counselling_notes: str,
    needs: str,
    recipient_kind: str,
    sent_by_office: str,
) -> dict[str, Any]:
    """The package for ``members`` (already checked for consent), redacted for the recipient."""
    chosen = {m.pk for m in members}
    labels = {t.member.pk: t.label for t in travellers if t.member.pk in chosen}
    rows = []
    for t in travellers:
        if t.member.pk not in chosen:
            continue
        person = t.member.person
        document = t.document
        allowed = set(screening_flags.get(t.member.pk, []))
        rows.append(
            {
                "label": t.label,
                "relationship": t.member.relationship,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
                "sex": person.sex,
                "nationality": person.nationality,
                "languages": list(person.languages or []),
                "document": {
                    "kind": document.kind,
                    "number": document.number,
                    "expires_on": document.expires_on.isoformat() if document.expires_on else None,
                }
                if document is not None
                else None,
                "needs_for_the_journey": t.conditions,
                "vulnerabilities": [
                    flag for flag in shared_flags.get(str(t.member.pk), []) if flag in allowed
                ],
            }
        )
    receptions = list(Reception.objects.filter(case=case).prefetch_related("members"))
    package = {
        "version": PACKAGE_VERSION,
        "case": {
            "reference": case.reference,
            "programme": case.programme,
            "destination_country": case.destination_country,
            "destination_region": case.destination_region,
            "destination_place": case.destination_place,
            "sent_by_office": sent_by_office,
        },
        "travellers": rows,
        "journey": _journey(booking, receptions, labels),
        "needs": needs,
        "counselling_notes": counselling_notes,
    }
    return redact(package, recipient_kind)


def package_of(handover: Any) -> dict[str, Any]:
    """A stored package as shown or exported: redacted again, whatever was stored."""
    return redact(dict(handover.package or {}), handover.recipient_kind)
