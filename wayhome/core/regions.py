"""World regions of countries, after the UN M49 standard.

Source: "Standard country or area codes for statistical use" (series M, No. 49), United Nations
Statistics Division, https://unstats.un.org/unsd/methodology/m49/. The table below is data,
copied and reviewed by hand country by country against that list; it is not computed from
anything, so a change to M49 means a change here (and in ``tests/core/test_regions.py``).

An *area* is an M49 sub-region, except where M49 splits a sub-region further: Sub-Saharan Africa
is given as its intermediate regions (Eastern, Middle, Southern and Western Africa) and Latin
America and the Caribbean as its intermediate regions (Caribbean, Central America, South America).
The Channel Islands, an intermediate region of Northern Europe, stay in Northern Europe. Each
area belongs to one of the five M49 *regions* (Africa, Americas, Asia, Europe, Oceania).

Every ISO 3166-1 alpha-2 code that pycountry knows has an area, except:

- ``AQ`` (Antarctica), which M49 puts in no region: its area is ``""``.
- Taiwan (``TW``) is not in the M49 list (UNSD counts it within China, without a code of its
  own). It is given China's area, Eastern Asia, so that returns to and from it are counted in a
  region rather than among "not known"; this is our choice, not M49's.

M49 also places the small territories the older lists left out: Bouvet Island and South Georgia in
South America, the British Indian Ocean Territory and the French Southern Territories in Eastern
Africa, Christmas Island, the Cocos (Keeling) Islands and Heard and McDonald Islands in Australia
and New Zealand, the United States Minor Outlying Islands in Micronesia.

Codes are stable slugs (``"western_africa"``); labels are the M49 English names, translated.
``""`` is the area, and the region, of a country with none and of a code not known.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The five M49 regions, in M49 order.
REGIONS: dict[str, Promise] = {
    "africa": _("Africa"),
    "americas": _("Americas"),
    "asia": _("Asia"),
    "europe": _("Europe"),
    "oceania": _("Oceania"),
}

#: The areas (M49 sub-regions, or intermediate regions where M49 has them), in M49 order.
SUBREGIONS: dict[str, Promise] = {
    "northern_africa": _("Northern Africa"),
    "eastern_africa": _("Eastern Africa"),
    "middle_africa": _("Middle Africa"),
    "southern_africa": _("Southern Africa"),
    "western_africa": _("Western Africa"),
    "caribbean": _("Caribbean"),
    "central_america": _("Central America"),
    "south_america": _("South America"),
    "northern_america": _("Northern America"),
    "central_asia": _("Central Asia"),
    "eastern_asia": _("Eastern Asia"),
    "south_eastern_asia": _("South-eastern Asia"),
    "southern_asia": _("Southern Asia"),
    "western_asia": _("Western Asia"),
    "eastern_europe": _("Eastern Europe"),
    "northern_europe": _("Northern Europe"),
    "southern_europe": _("Southern Europe"),
    "western_europe": _("Western Europe"),
    "australia_new_zealand": _("Australia and New Zealand"),
    "melanesia": _("Melanesia"),
    "micronesia": _("Micronesia"),
    "polynesia": _("Polynesia"),
}

#: The region of each area.
AREA_REGIONS: dict[str, str] = {
    "northern_africa": "africa",
    "eastern_africa": "africa",
    "middle_africa": "africa",
    "southern_africa": "africa",
    "western_africa": "africa",
    "caribbean": "americas",
    "central_america": "americas",
    "south_america": "americas",
    "northern_america": "americas",
    "central_asia": "asia",
    "eastern_asia": "asia",
    "south_eastern_asia": "asia",
    "southern_asia": "asia",
    "western_asia": "asia",
    "eastern_europe": "europe",
    "northern_europe": "europe",
    "southern_europe": "europe",
    "western_europe": "europe",
    "australia_new_zealand": "oceania",
    "melanesia": "oceania",
    "micronesia": "oceania",
    "polynesia": "oceania",
}

#: The countries (ISO 3166-1 alpha-2) of each area, in the order of M49's list (by English
#: name), written as space-separated codes to keep the table readable.
_AREA_CODES: dict[str, str] = {
    # Algeria, Egypt, Libya, Morocco, Sudan, Tunisia, Western Sahara
    "northern_africa": "DZ EG LY MA SD TN EH",
    # British Indian Ocean Territory, Burundi, Comoros, Djibouti, Eritrea, Ethiopia, French
    # Southern Territories, Kenya, Madagascar, Malawi, Mauritius, Mayotte, Mozambique, Réunion,
    # Rwanda, Seychelles, Somalia, South Sudan, Uganda, Tanzania, Zambia, Zimbabwe
    "eastern_africa": "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW",
    # Angola, Cameroon, Central African Republic, Chad, Congo, Democratic Republic of the Congo,
    # Equatorial Guinea, Gabon, Sao Tome and Principe
    "middle_africa": "AO CM CF TD CG CD GQ GA ST",
    # Botswana, Eswatini, Lesotho, Namibia, South Africa
    "southern_africa": "BW SZ LS NA ZA",
    # Benin, Burkina Faso, Cabo Verde, Côte d'Ivoire, Gambia, Ghana, Guinea, Guinea-Bissau,
    # Liberia, Mali, Mauritania, Niger, Nigeria, Saint Helena, Senegal, Sierra Leone, Togo
    "western_africa": "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    # Anguilla, Antigua and Barbuda, Aruba, Bahamas, Barbados, Bonaire, Sint Eustatius and Saba,
    # British Virgin Islands, Cayman Islands, Cuba, Curaçao, Dominica, Dominican Republic,
    # Grenada, Guadeloupe, Haiti, Jamaica, Martinique, Montserrat, Puerto Rico, Saint Barthélemy,
    # Saint Kitts and Nevis, Saint Lucia, Saint Martin (French part), Saint Vincent and the
    # Grenadines, Sint Maarten (Dutch part), Trinidad and Tobago, Turks and Caicos Islands,
    # United States Virgin Islands
    "caribbean": (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI"
    ),
    # Belize, Costa Rica, El Salvador, Guatemala, Honduras, Mexico, Nicaragua, Panama
    "central_america": "BZ CR SV GT HN MX NI PA",
    # Argentina, Bolivia, Bouvet Island, Brazil, Chile, Colombia, Ecuador, Falkland Islands,
    # French Guiana, Guyana, Paraguay, Peru, South Georgia and the South Sandwich Islands,
    # Suriname, Uruguay, Venezuela
    "south_america": "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",
    # Bermuda, Canada, Greenland, Saint Pierre and Miquelon, United States of America
    "northern_america": "BM CA GL PM US",
    # Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan
    "central_asia": "KZ KG TJ TM UZ",
    # China, Hong Kong, Macao, North Korea, Japan, Mongolia, Republic of Korea, Taiwan (see above)
    "eastern_asia": "CN HK MO KP JP MN KR TW",
    # Brunei Darussalam, Cambodia, Indonesia, Lao PDR, Malaysia, Myanmar, Philippines, Singapore,
    # Thailand, Timor-Leste, Viet Nam
    "south_eastern_asia": "BN KH ID LA MY MM PH SG TH TL VN",
    # Afghanistan, Bangladesh, Bhutan, India, Iran, Maldives, Nepal, Pakistan, Sri Lanka
    "southern_asia": "AF BD BT IN IR MV NP PK LK",
    # Armenia, Azerbaijan, Bahrain, Cyprus, Georgia, Iraq, Israel, Jordan, Kuwait, Lebanon, Oman,
    # Qatar, Saudi Arabia, State of Palestine, Syria, Türkiye, United Arab Emirates, Yemen
    "western_asia": "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    # Belarus, Bulgaria, Czechia, Hungary, Poland, Republic of Moldova, Romania, Russian
    # Federation, Slovakia, Ukraine
    "eastern_europe": "BY BG CZ HU PL MD RO RU SK UA",
    # Åland Islands, Denmark, Estonia, Faroe Islands, Finland, Guernsey, Iceland, Ireland, Isle of
    # Man, Jersey, Latvia, Lithuania, Norway, Svalbard and Jan Mayen, Sweden, United Kingdom
    "northern_europe": "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB",
    # Albania, Andorra, Bosnia and Herzegovina, Croatia, Gibraltar, Greece, Holy See, Italy,
    # Malta, Montenegro, North Macedonia, Portugal, San Marino, Serbia, Slovenia, Spain
    "southern_europe": "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES",
    # Austria, Belgium, France, Germany, Liechtenstein, Luxembourg, Monaco, Netherlands,
    # Switzerland
    "western_europe": "AT BE FR DE LI LU MC NL CH",
    # Australia, Christmas Island, Cocos (Keeling) Islands, Heard Island and McDonald Islands,
    # New Zealand, Norfolk Island
    "australia_new_zealand": "AU CX CC HM NZ NF",
    # Fiji, New Caledonia, Papua New Guinea, Solomon Islands, Vanuatu
    "melanesia": "FJ NC PG SB VU",
    # Guam, Kiribati, Marshall Islands, Micronesia (Federated States of), Nauru, Northern Mariana
    # Islands, Palau, United States Minor Outlying Islands
    "micronesia": "GU KI MH FM NR MP PW UM",
    # American Samoa, Cook Islands, French Polynesia, Niue, Pitcairn, Samoa, Tokelau, Tonga,
    # Tuvalu, Wallis and Futuna
    "polynesia": "AS CK PF NU PN WS TK TO TV WF",
}

#: The countries of each area, as tuples of codes.
AREA_COUNTRIES: dict[str, tuple[str, ...]] = {
    area: tuple(codes.split()) for area, codes in _AREA_CODES.items()
}

#: Codes M49 puts in no region (their area is ``""``).
UNASSIGNED: frozenset[str] = frozenset({"AQ"})

_AREA_OF: dict[str, str] = {
    country: area for area, countries in AREA_COUNTRIES.items() for country in countries
}


def area_of(country: str) -> str:
    """The area (M49 sub-region slug) of the ISO 3166-1 alpha-2 code ``country``; ``""`` for a
    code M49 puts in no region (Antarctica) and for a code not known."""
    return _AREA_OF.get(country, "")


def area_label(area: str) -> str:
    """The name of ``area`` in the active language; an unknown code (``""`` too) is returned as
    it is, like ``country_name`` does, for the caller to say "not known" in its own words."""
    label = SUBREGIONS.get(area)
    return str(label) if label is not None else area


def region_of_area(area: str) -> str:
    """The M49 region (``"africa"``...) of ``area``; ``""`` for ``""`` or an unknown code."""
    return AREA_REGIONS.get(area, "")


def region_label(region: str) -> str:
    """The name of ``region`` in the active language; an unknown code is returned as it is."""
    label = REGIONS.get(region)
    return str(label) if label is not None else region
