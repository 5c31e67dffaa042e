"""A hand-over without consent is refused; no package or export for a government recipient ever
contains asylum history or trafficking details, whatever the user's permissions.

The sensitive case: a rejected asylum seeker (or a victim of trafficking) flagged as a victim of
trafficking and a survivor of violence, with a trafficking assessment, screening notes, case
notes, a place of return, a reception contact and counselling notes each holding a canary. The
hand-over to a government authority is sent by a user holding every role of the office; the
package built, the package stored and the package shown (``package_of``) are searched for the
category, the flags and the canaries. The origin office's package is the positive control.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.assessments.factories import assess, screen
from tests.conftest import Personas
from tests.consent.factories import ConsentFactory
from tests.factories import UserFactory
from tests.movements.factories import journey, origin_office, receive, share_with
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.assessments.models import Flag, Kind
from wayhome.cases.models import Case, CaseMember, MigrantCategory
from wayhome.cases.services import case_update
from wayhome.consent.models import DataSharingConsent
from wayhome.consent.services import consent_revoke
from wayhome.movements import services
from wayhome.movements.handover import never_shared_flags, package_of, redact
from wayhome.movements.models import Handover

pytestmark = pytest.mark.django_db

RK = DataSharingConsent.RecipientKind
PURPOSE = DataSharingConsent.Purpose
GOVERNMENT = RK.GOVERNMENT_AUTHORITY
AUTHORITY = "Nigeria Immigration Service"
PRINCIPAL = "Principal applicant (1)"
CHILD = "Child (2)"

CANARIES = {
    "trafficking details": "CANARY-trafficking-findings-6c1",
    "screening notes": "CANARY-screening-notes-0d4",
    "case notes": "CANARY-case-notes-9e2",
    "place of return": "CANARY-place-of-return-b7a",
    "reception contact": "CANARY-reception-contact-51f",
    "meeting place": "CANARY-meeting-place-3aa",
    "counselling notes": "CANARY-counselling-notes-e88",
    "needs": "CANARY-needs-2f0",
}
#: Never read into any package, whoever receives it.
NEVER_READ = ("trafficking details", "screening notes", "case notes")
FORBIDDEN_FLAGS = (Flag.VICTIM_OF_TRAFFICKING, Flag.SURVIVOR_OF_VIOLENCE)


def dump(package: Any) -> str:
    return json.dumps(package, ensure_ascii=False, sort_keys=True, default=str)


def forbidden_for_government(case: Case) -> list[str]:
    category = MigrantCategory(case.category)
    return [
        category.value,
        str(category.label),
        "rejected_asylum_seeker",
        str(MigrantCategory.REJECTED_ASYLUM_SEEKER.label),
        "victim_of_trafficking",
        str(MigrantCategory.VICTIM_OF_TRAFFICKING.label),
        "survivor_of_violence",
        str(Flag.SURVIVOR_OF_VIOLENCE.label),
        *CANARIES.values(),
    ]


def assert_clean(package: Any, case: Case) -> None:
    text = dump(package)
    for value in forbidden_for_government(case):
        assert value not in text, value
    lowered = text.casefold()
    for word in ("asylum", "traffick", "violence", "canary"):
        assert word not in lowered, word


def no_consent_refusal(call: Any) -> str:
    """The refusal's message, after checking its code and that nothing was saved."""
    before = Handover.objects.count()
    with pytest.raises(ValidationError) as caught:
        call()
    errors = caught.value.error_dict
    assert set(errors) == {"members"}
    assert [e.code for e in errors["members"]] == ["no_consent"]
    assert Handover.objects.count() == before
    return " ".join(caught.value.message_dict["members"])


@dataclass
class Sensitive:
    case: Case
    adult: CaseMember
    child: CaseMember
    everything: User  # holds every role of the office


@pytest.fixture
def sensitive(request: pytest.FixtureRequest, personas: Personas) -> Sensitive:
    """Of a rejected asylum seeker, unless the test asks for another category."""
    category = getattr(request, "param", MigrantCategory.REJECTED_ASYLUM_SEEKER)
    office = personas.office_a
    trip = journey(office)
    case = case_update(
        actor=None,
        case=trip.case,
        category=category,
        notes=CANARIES["case notes"],
        destination_place=CANARIES["place of return"],
    )
    screen(
        personas.caseworker_a,
        trip.adult,
        [Flag.VICTIM_OF_TRAFFICKING, Flag.SURVIVOR_OF_VIOLENCE, Flag.DISABILITY],
        notes=CANARIES["screening notes"],
    )
    assess(
        personas.caseworker_a, trip.adult, Kind.TRAFFICKING, details=CANARIES["trafficking details"]
    )
    receive(
        case,
        [trip.adult],
        receiver_kind="partner",
        receiver_name="Reception partner Lagos",
        contact=CANARIES["reception contact"],
        place=CANARIES["meeting place"],
    )
    everything = UserFactory.create(roles=[(office, role) for role in Role])
    return Sensitive(case, trip.adult, trip.child, everything)


def send(
    s: Sensitive,
    recipient_kind: str,
    *,
    office: Office | None = None,
    name: str = "",
    flags: Sequence[str] = (),
    members: list[CaseMember] | None = None,
    purpose: str = PURPOSE.REINTEGRATION_ASSISTANCE,
) -> Handover:
    return services.handover_send(
        actor=s.everything,
        case=s.case,
        recipient_kind=recipient_kind,
        recipient_office=office,
        recipient_name=name,
        purpose=purpose,
        members=members or [s.adult],
        shared_flags={str(s.adult.pk): list(flags)},
        counselling_notes=CANARIES["counselling notes"],
        needs=CANARIES["needs"],
    )


def consent_of_government(member: CaseMember, name: str = AUTHORITY, **kwargs: Any) -> Any:
    return ConsentFactory.create(
        person=member.person, recipient_kind=GOVERNMENT, recipient_name=name, **kwargs
    )


# --- consent -------------------------------------------------------------------------------------


def test_no_consent_no_hand_over(sensitive: Sensitive) -> None:
    origin = origin_office()
    message = no_consent_refusal(lambda: send(sensitive, RK.ORIGIN_OFFICE, office=origin))
    assert PRINCIPAL in message
    person = sensitive.adult.person
    assert person.family_name not in message
    assert person.given_name not in message
    no_consent_refusal(lambda: send(sensitive, GOVERNMENT, name=AUTHORITY))


def test_a_revoked_consent_is_no_consent(sensitive: Sensitive) -> None:
    origin = origin_office()
    consent = share_with(sensitive.adult, origin)
    consent_revoke(actor=None, consent=consent)
    no_consent_refusal(lambda: send(sensitive, RK.ORIGIN_OFFICE, office=origin))
    consent = consent_of_government(sensitive.adult)
    consent_revoke(actor=None, consent=consent)
    no_consent_refusal(lambda: send(sensitive, GOVERNMENT, name=AUTHORITY))


def test_a_consent_for_another_recipient_or_purpose_is_no_consent(sensitive: Sensitive) -> None:
    origin, elsewhere = origin_office(), origin_office()
    share_with(sensitive.adult, elsewhere)
    share_with(sensitive.adult, origin, purpose=PURPOSE.RESEARCH)
    no_consent_refusal(lambda: send(sensitive, RK.ORIGIN_OFFICE, office=origin))
    consent_of_government(sensitive.adult, name="Nigeria Police Force")
    no_consent_refusal(lambda: send(sensitive, GOVERNMENT, name=AUTHORITY))
    # A partner's consent of the same name does not cover the government authority.
    ConsentFactory.create(
        person=sensitive.adult.person, recipient_kind=RK.PARTNER, recipient_name=AUTHORITY
    )
    no_consent_refusal(lambda: send(sensitive, GOVERNMENT, name=AUTHORITY))


def test_each_traveller_handed_over_needs_their_own_consent(sensitive: Sensitive) -> None:
    origin = origin_office()
    share_with(sensitive.adult, origin)
    message = no_consent_refusal(
        lambda: send(
            sensitive, RK.ORIGIN_OFFICE, office=origin, members=[sensitive.adult, sensitive.child]
        )
    )
    assert CHILD in message
    assert PRINCIPAL not in message


def test_a_hand_over_with_consent_is_sent(sensitive: Sensitive) -> None:
    origin = origin_office()
    share_with(sensitive.adult, origin)
    before = Handover.objects.count()
    handover = send(sensitive, RK.ORIGIN_OFFICE, office=origin)
    assert Handover.objects.count() == before + 1
    saved = Handover.objects.get(pk=handover.pk)
    assert (saved.recipient_kind, saved.recipient_office_id, saved.sent_by_id) == (
        RK.ORIGIN_OFFICE,
        origin.pk,
        sensitive.everything.pk,
    )
    assert list(saved.members.all()) == [sensitive.adult]
    [traveller] = package_of(saved)["travellers"]
    person = sensitive.adult.person
    assert (traveller["label"], traveller["family_name"], traveller["given_name"]) == (
        PRINCIPAL,
        person.family_name,
        person.given_name,
    )


# --- a government authority ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sensitive",
    [MigrantCategory.REJECTED_ASYLUM_SEEKER, MigrantCategory.VICTIM_OF_TRAFFICKING],
    indirect=True,
)
def test_a_government_authority_never_receives_asylum_history_or_trafficking_details(
    sensitive: Sensitive,
) -> None:
    consent_of_government(sensitive.adult, purpose=PURPOSE.TRAVEL_ARRANGEMENTS)
    handover = send(
        sensitive,
        GOVERNMENT,
        name=f"  {AUTHORITY.upper()} ",  # the same authority, typed differently
        flags=[Flag.DISABILITY],
        purpose=PURPOSE.TRAVEL_ARRANGEMENTS,
    )
    stored = Handover.objects.get(pk=handover.pk)
    for package in (handover.package, stored.package, package_of(stored)):
        assert_clean(package, sensitive.case)
    shown = package_of(stored)
    # What it does receive: who travels, on which document and flights, and agreed flags.
    assert set(shown) == {"version", "case", "travellers", "journey"}
    assert set(shown["case"]) == {
        "reference",
        "programme",
        "destination_country",
        "destination_region",
        "sent_by_office",
    }
    [traveller] = shown["travellers"]
    assert traveller["family_name"] == sensitive.adult.person.family_name
    assert traveller["document"]["number"] == "ETD-4471-XK"
    assert traveller["vulnerabilities"] == [Flag.DISABILITY]
    assert len(shown["journey"]["flights"]) == 2
    assert [set(r) for r in shown["journey"]["receptions"]] == [{"receiver_kind", "travellers"}] * 2


def test_trafficking_and_violence_are_never_shared_with_a_government(
    sensitive: Sensitive,
) -> None:
    consent_of_government(sensitive.adult)
    before = Handover.objects.count()
    for flags in ([Flag.VICTIM_OF_TRAFFICKING], [Flag.DISABILITY, Flag.SURVIVOR_OF_VIOLENCE]):
        with pytest.raises(ValidationError) as caught:
            send(sensitive, GOVERNMENT, name=AUTHORITY, flags=flags)
        assert set(caught.value.message_dict) == {"shared_flags"}
    assert Handover.objects.count() == before


def test_an_unknown_recipient_kind_is_refused_and_treated_as_a_government(
    sensitive: Sensitive,
) -> None:
    assert never_shared_flags("embassy") == never_shared_flags(GOVERNMENT)
    assert set(FORBIDDEN_FLAGS) <= never_shared_flags(GOVERNMENT)
    with pytest.raises(ValidationError) as caught:
        send(sensitive, "embassy", name=AUTHORITY, flags=[Flag.VICTIM_OF_TRAFFICKING])
    assert {"recipient_kind", "shared_flags"} <= set(caught.value.message_dict)


@pytest.mark.parametrize(
    "sensitive",
    [MigrantCategory.REJECTED_ASYLUM_SEEKER, MigrantCategory.VICTIM_OF_TRAFFICKING],
    indirect=True,
)
def test_a_doctored_stored_package_is_redacted_when_shown(sensitive: Sensitive) -> None:
    origin = origin_office()
    share_with(sensitive.adult, origin)
    full = send(sensitive, RK.ORIGIN_OFFICE, office=origin, flags=list(FORBIDDEN_FLAGS))
    consent_of_government(sensitive.adult)
    handover = send(sensitive, GOVERNMENT, name=AUTHORITY)
    # The government's row is made to hold the origin office's full package...
    Handover.objects.filter(pk=handover.pk).update(package=full.package)
    doctored = Handover.objects.get(pk=handover.pk)
    assert "victim_of_trafficking" in dump(doctored.package)
    assert_clean(package_of(doctored), sensitive.case)
    # ... and a row whose kind is not a known one is shown as to a government.
    Handover.objects.filter(pk=handover.pk).update(recipient_kind="embassy")
    assert_clean(package_of(Handover.objects.get(pk=handover.pk)), sensitive.case)


def test_the_origin_office_receives_the_shared_flags_and_notes(sensitive: Sensitive) -> None:
    origin = origin_office()
    share_with(sensitive.adult, origin)
    handover = send(
        sensitive,
        RK.ORIGIN_OFFICE,
        office=origin,
        flags=[Flag.VICTIM_OF_TRAFFICKING, Flag.SURVIVOR_OF_VIOLENCE, Flag.PREGNANT],
    )
    shown = package_of(Handover.objects.get(pk=handover.pk))
    [traveller] = shown["travellers"]
    # Only flags of the person's screening: "pregnant" was not screened.
    assert traveller["vulnerabilities"] == [Flag.VICTIM_OF_TRAFFICKING, Flag.SURVIVOR_OF_VIOLENCE]
    assert shown["counselling_notes"] == CANARIES["counselling notes"]
    assert shown["needs"] == CANARIES["needs"]
    assert "category" not in shown["case"]  # not part of the minimum, for any recipient
    assert shown["case"]["destination_place"] == CANARIES["place of return"]
    receptions = {r["receiver_name"]: r for r in shown["journey"]["receptions"]}
    partner = receptions["Reception partner Lagos"]
    assert (partner["contact"], partner["place"]) == (
        CANARIES["reception contact"],
        CANARIES["meeting place"],
    )
    # Restricted details are never read into any package.
    text = dump(shown)
    for name in NEVER_READ:
        assert CANARIES[name] not in text, name


def test_a_partner_receives_the_flags_but_not_the_category(sensitive: Sensitive) -> None:
    ConsentFactory.create(person=sensitive.adult.person, recipient_name="Hope Partners")
    handover = send(sensitive, RK.PARTNER, name="Hope Partners", flags=[Flag.VICTIM_OF_TRAFFICKING])
    shown = package_of(Handover.objects.get(pk=handover.pk))
    assert "category" not in shown["case"]
    assert shown["travellers"][0]["vulnerabilities"] == [Flag.VICTIM_OF_TRAFFICKING]
    assert shown["counselling_notes"] == CANARIES["counselling notes"]


# --- redact, on any package ----------------------------------------------------------------------

SECRET = "\u27e6secret\u27e7"  # brackets the ordinary text below never holds
plain = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.", max_size=10
)
secret = plain.map(lambda text: SECRET + text)
flags = st.lists(st.sampled_from(Flag.values), unique=True, max_size=len(Flag.values))

traveller = st.fixed_dictionaries(
    {
        "label": plain,
        "given_name": plain,
        "family_name": plain,
        "vulnerabilities": flags,
        "needs_for_the_journey": st.lists(st.sampled_from(["escort", "wheelchair"]), unique=True),
    },
    optional={"document": st.none() | st.fixed_dictionaries({"number": plain})},
)
reception = st.fixed_dictionaries(
    {"receiver_kind": st.sampled_from(["family", "partner"]), "receiver_name": plain},
    optional={"contact": secret, "place": secret, "travellers": st.lists(plain, max_size=2)},
)
package_strategy = st.fixed_dictionaries(
    {
        "version": st.just(1),
        "case": st.fixed_dictionaries(
            {"reference": plain, "programme": st.sampled_from(["AVR", "AVRR", "VHR"])},
            optional={
                "category": st.sampled_from(MigrantCategory.values),
                "destination_place": secret,
                "destination_country": st.just("NG"),
            },
        ),
        "travellers": st.lists(traveller, max_size=3),
        "journey": st.fixed_dictionaries(
            {"flights": st.just([]), "receptions": st.lists(reception, max_size=3)},
            optional={"arrival_date": st.none() | st.just("2027-05-01")},
        ),
    },
    optional={"needs": secret, "counselling_notes": secret},
)


def expected_for_government(package: dict[str, Any]) -> dict[str, Any]:
    """The rule in words: drop the category, the place, the notes and needs, the receiver's name,
    contact and meeting place of receptions, and the trafficking and violence flags. Nothing
    else."""
    result = copy.deepcopy(package)
    result.pop("needs", None)
    result.pop("counselling_notes", None)
    result["case"].pop("category", None)
    result["case"].pop("destination_place", None)
    for person in result["travellers"]:
        person["vulnerabilities"] = [
            f for f in person["vulnerabilities"] if f not in FORBIDDEN_FLAGS
        ]
    for row in result["journey"]["receptions"]:
        row.pop("receiver_name", None)
        row.pop("contact", None)
        row.pop("place", None)
    return result


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    package=package_strategy,
    unknown=plain.filter(lambda kind: kind not in RK.values),
)
def test_redact_removes_what_a_government_never_receives(
    package: dict[str, Any], unknown: str
) -> None:
    untouched = copy.deepcopy(package)
    redacted = redact(package, GOVERNMENT)
    assert package == untouched  # a copy: the stored package is not changed
    text = dump(redacted)
    assert SECRET not in text
    for value in ("victim_of_trafficking", "survivor_of_violence", "rejected_asylum_seeker"):
        assert value not in text
    assert redacted == expected_for_government(package)
    assert redact(redacted, GOVERNMENT) == redacted  # idempotent
    assert redact(package, unknown) == redacted  # an unknown kind: the most restricted
    # The origin office receives the package as built.
    assert redact(package, RK.ORIGIN_OFFICE) == package
    # A partner: everything but the category.
    partner = redact(package, RK.PARTNER)
    assert "category" not in partner["case"]
    assert partner["travellers"] == package["travellers"]
    assert partner.get("counselling_notes") == package.get("counselling_notes")
