"""Demo portal content for ``seed_demo``: published country pages for Nigeria, Iraq and Senegal
(English and French, and Arabic for Iraq) maintained by the demo origin offices, one of them
not reviewed for over a year (the portal shows its notice), and two inquiries to the Berlin
office. Made through the services; each run creates only what is missing. DEMO DATA ONLY."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from wayhome.accounts.models import Office
from wayhome.portal import services
from wayhome.portal.models import BestTime, Channel, CountryPage, Inquiry

_DEMO = "(Demo content: the office keeps the real page up to date.)"
_DEMO_FR = "(Contenu de démonstration : le bureau tient la vraie page à jour.)"
_DEMO_AR = "(محتوى تجريبي: يحدّث المكتب الصفحة الحقيقية.)"

# (office code, country, language, title, assistance, practical information, days since review)
_PAGES: list[tuple[str, str, str, str, str, str, int]] = [
    (
        "ng-los",
        "NG",
        "en",
        "Returning to Nigeria",
        "Our staff meet you at the airport in Lagos and help you reach your home town.\n\n"
        "After you arrive, a reintegration officer plans support with you: for example help "
        "to start a small business, vocational training, a job placement, housing for the "
        "first months, medical care or counselling. Partners in Lagos and Ogun State deliver "
        f"part of it.\n\n{_DEMO}",
        "Bring your travel document and any certificates of your skills or schooling. The "
        "office in Lagos is open Monday to Friday. You can call it before you leave to ask "
        "questions.",
        30,
    ),
    (
        "ng-los",
        "NG",
        "fr",
        "Retourner au Nigeria",
        "Notre équipe vous accueille à l'aéroport de Lagos et vous aide à rejoindre votre "
        "ville.\n\nAprès votre arrivée, un conseiller prépare avec vous un plan de "
        "réintégration : par exemple l'aide à créer une petite entreprise, une formation, un "
        f"emploi, un logement pour les premiers mois, des soins ou un soutien psychologique."
        f"\n\n{_DEMO_FR}",
        "Apportez votre document de voyage et vos certificats de formation ou d'études. Le "
        "bureau de Lagos est ouvert du lundi au vendredi.",
        30,
    ),
    (
        "iq-bgw",
        "IQ",
        "en",
        "Returning to Iraq",
        "Staff meet you at Baghdad airport. Reintegration support is planned with you after "
        "you arrive: small business, training, job placement, housing, health care and "
        f"psychosocial support, with partners in Baghdad.\n\n{_DEMO}",
        "Bring your passport or laissez-passer and your civil documents if you have them: "
        "the office can help you replace lost documents.",
        60,
    ),
    (
        "iq-bgw",
        "IQ",
        "fr",
        "Retourner en Irak",
        "Notre équipe vous accueille à l'aéroport de Bagdad. L'aide à la réintégration est "
        "préparée avec vous après votre arrivée : petite entreprise, formation, emploi, "
        f"logement, soins et soutien psychologique.\n\n{_DEMO_FR}",
        "Apportez votre passeport ou laissez-passer et vos documents d'état civil si vous "
        "les avez.",
        60,
    ),
    (
        "iq-bgw",
        "IQ",
        "ar",
        "العودة إلى العراق",
        "يستقبلك فريقنا في مطار بغداد. نخطط معك بعد وصولك لدعم إعادة الإدماج: مشروع صغير، "
        f"تدريب مهني، عمل، سكن، رعاية صحية ودعم نفسي.\n\n{_DEMO_AR}",
        "أحضر جواز سفرك أو وثيقة السفر ووثائقك المدنية إن وجدت.",
        60,
    ),
    (
        "sn-dkr",
        "SN",
        "en",
        "Returning to Senegal",
        "Staff meet you at Dakar airport. After you arrive, a reintegration officer plans "
        "support with you: business start-up, training, job placement, housing, health care "
        f"or counselling, with partners in Dakar.\n\n{_DEMO}",
        "Bring your travel document. The office in Dakar answers questions by phone before "
        "you leave.",
        90,
    ),
    (
        "sn-dkr",
        "SN",
        "fr",
        "Retourner au Sénégal",
        "Notre équipe vous accueille à l'aéroport de Dakar. Après votre arrivée, un conseiller "
        "prépare avec vous un plan de réintégration : création d'entreprise, formation, "
        f"emploi, logement, soins ou soutien psychologique.\n\n{_DEMO_FR}",
        "Apportez votre document de voyage. Le bureau de Dakar répond à vos questions par "
        "téléphone avant votre départ.",
        400,  # overdue: the portal says so
    ),
]

_INQUIRIES: list[dict[str, Any]] = [
    {
        "name": "Demo Inquirer One",
        "phone": "+49 30 5555 0101",
        "email": "",
        "message": "I would like to know what help there is to go back to Lagos.",
        "preferred_language": "en",
        "country_of_origin": "NG",
        "best_time": BestTime.MORNING,
        "callback_consent": True,
    },
    {
        "name": "Demo Inquirer Two",
        "phone": "",
        "email": "inquirer-two@example.org",
        "message": "",
        "preferred_language": "ar",
        "country_of_origin": "IQ",
        "best_time": BestTime.AFTERNOON,
        "callback_consent": True,
    },
]


def seed_portal(ctx: Any) -> int:
    """Creates the demo pages and inquiries that are missing; returns how many."""
    made = 0
    today = timezone.localdate()
    offices = {o.code: o for o in Office.objects.filter(code__in=["ng-los", "iq-bgw", "sn-dkr"])}
    with transaction.atomic():
        for code, country, language, title, assistance, practical, days in _PAGES:
            office = offices.get(code)
            if (
                office is None
                or CountryPage.objects.filter(
                    office=office, country=country, language=language
                ).exists()
            ):
                continue
            services.country_page_create(
                actor=None,
                office=office,
                country=country,
                language=language,
                title=title,
                assistance=assistance,
                practical_information=practical,
                published=True,
                today=today - datetime.timedelta(days=days),
            )
            made += 1
        host = Office.objects.filter(code="de-ber").first()
        if host is not None and not Inquiry.objects.filter(office=host).exists():
            for values in _INQUIRIES:
                services.inquiry_submit(office=host, channel=Channel.PORTAL, **values)
                made += 1
    return made
