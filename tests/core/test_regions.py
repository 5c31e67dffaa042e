"""Every country has its UN M49 area and region; the expectations here are written by hand from
the M49 list, not computed from the module under test."""

from __future__ import annotations

import pycountry
import pytest

from wayhome.core.regions import (
    AREA_COUNTRIES,
    AREA_REGIONS,
    REGIONS,
    SUBREGIONS,
    UNASSIGNED,
    area_label,
    area_of,
    region_label,
    region_of_area,
)

PYCOUNTRY_CODES = {country.alpha_2 for country in pycountry.countries}


def test_only_antarctica_has_no_area() -> None:
    assert {"AQ"} == UNASSIGNED
    assert area_of("AQ") == ""
    assert region_of_area(area_of("AQ")) == ""


def test_every_other_country_has_a_known_area() -> None:
    without = sorted(
        code for code in PYCOUNTRY_CODES - UNASSIGNED if area_of(code) not in SUBREGIONS
    )
    assert without == []


def test_the_table_lists_each_pycountry_code_once() -> None:
    listed = [code for countries in AREA_COUNTRIES.values() for code in countries]
    assert len(listed) == len(set(listed)) == 248
    assert set(listed) == PYCOUNTRY_CODES - {"AQ"}
    assert set(AREA_COUNTRIES) == set(SUBREGIONS)


def test_each_area_is_in_one_of_the_five_regions() -> None:
    assert set(REGIONS) == {"africa", "americas", "asia", "europe", "oceania"}
    assert set(AREA_REGIONS) == set(SUBREGIONS)
    assert all(region_of_area(area) in REGIONS for area in SUBREGIONS)
    assert {region_of_area(area) for area in SUBREGIONS} == set(REGIONS)


@pytest.mark.parametrize(
    ("region", "areas"),
    [
        (
            "africa",
            {
                "northern_africa",
                "eastern_africa",
                "middle_africa",
                "southern_africa",
                "western_africa",
            },
        ),
        ("americas", {"caribbean", "central_america", "south_america", "northern_america"}),
        (
            "asia",
            {"central_asia", "eastern_asia", "south_eastern_asia", "southern_asia", "western_asia"},
        ),
        ("europe", {"eastern_europe", "northern_europe", "southern_europe", "western_europe"}),
        ("oceania", {"australia_new_zealand", "melanesia", "micronesia", "polynesia"}),
    ],
)
def test_the_areas_of_a_region(region: str, areas: set[str]) -> None:
    assert {area for area in SUBREGIONS if region_of_area(area) == region} == areas


@pytest.mark.parametrize(
    ("area", "size"),
    [
        ("northern_africa", 7),
        ("eastern_africa", 22),
        ("middle_africa", 9),
        ("southern_africa", 5),
        ("western_africa", 17),
        ("caribbean", 28),
        ("central_america", 8),
        ("south_america", 16),
        ("northern_america", 5),
        ("central_asia", 5),
        ("eastern_asia", 8),
        ("south_eastern_asia", 11),
        ("southern_asia", 9),
        ("western_asia", 18),
        ("eastern_europe", 10),
        ("northern_europe", 16),
        ("southern_europe", 16),
        ("western_europe", 9),
        ("australia_new_zealand", 6),
        ("melanesia", 5),
        ("micronesia", 8),
        ("polynesia", 10),
    ],
)
def test_each_area_has_as_many_countries_as_in_m49(area: str, size: int) -> None:
    assert len(AREA_COUNTRIES[area]) == size


@pytest.mark.parametrize(
    ("country", "area", "region"),
    [
        # Africa
        ("SD", "northern_africa", "africa"),
        ("EG", "northern_africa", "africa"),
        ("EH", "northern_africa", "africa"),
        ("MA", "northern_africa", "africa"),
        ("ET", "eastern_africa", "africa"),
        ("ER", "eastern_africa", "africa"),
        ("SO", "eastern_africa", "africa"),
        ("SS", "eastern_africa", "africa"),
        ("ZW", "eastern_africa", "africa"),
        ("IO", "eastern_africa", "africa"),
        ("CM", "middle_africa", "africa"),
        ("TD", "middle_africa", "africa"),
        ("CF", "middle_africa", "africa"),
        ("CD", "middle_africa", "africa"),
        ("AO", "middle_africa", "africa"),
        ("ZA", "southern_africa", "africa"),
        ("SZ", "southern_africa", "africa"),
        ("MR", "western_africa", "africa"),
        ("NG", "western_africa", "africa"),
        ("CV", "western_africa", "africa"),
        ("SH", "western_africa", "africa"),
        # Americas
        ("MX", "central_america", "americas"),
        ("PA", "central_america", "americas"),
        ("HT", "caribbean", "americas"),
        ("CU", "caribbean", "americas"),
        ("PR", "caribbean", "americas"),
        ("VE", "south_america", "americas"),
        ("GF", "south_america", "americas"),
        ("GS", "south_america", "americas"),
        ("BV", "south_america", "americas"),
        ("GL", "northern_america", "americas"),
        ("BM", "northern_america", "americas"),
        ("US", "northern_america", "americas"),
        # Asia
        ("KZ", "central_asia", "asia"),
        ("TM", "central_asia", "asia"),
        ("MN", "eastern_asia", "asia"),
        ("KP", "eastern_asia", "asia"),
        ("TW", "eastern_asia", "asia"),
        ("TL", "south_eastern_asia", "asia"),
        ("MM", "south_eastern_asia", "asia"),
        ("IR", "southern_asia", "asia"),
        ("AF", "southern_asia", "asia"),
        ("PK", "southern_asia", "asia"),
        ("TR", "western_asia", "asia"),
        ("CY", "western_asia", "asia"),
        ("GE", "western_asia", "asia"),
        ("AM", "western_asia", "asia"),
        ("AZ", "western_asia", "asia"),
        ("IQ", "western_asia", "asia"),
        ("PS", "western_asia", "asia"),
        ("YE", "western_asia", "asia"),
        # Europe
        ("RU", "eastern_europe", "europe"),
        ("UA", "eastern_europe", "europe"),
        ("MD", "eastern_europe", "europe"),
        ("CZ", "eastern_europe", "europe"),
        ("GG", "northern_europe", "europe"),
        ("JE", "northern_europe", "europe"),
        ("IM", "northern_europe", "europe"),
        ("GB", "northern_europe", "europe"),
        ("EE", "northern_europe", "europe"),
        ("AL", "southern_europe", "europe"),
        ("RS", "southern_europe", "europe"),
        ("MK", "southern_europe", "europe"),
        ("GR", "southern_europe", "europe"),
        ("DE", "western_europe", "europe"),
        ("FR", "western_europe", "europe"),
        # Oceania
        ("AU", "australia_new_zealand", "oceania"),
        ("CX", "australia_new_zealand", "oceania"),
        ("PG", "melanesia", "oceania"),
        ("FJ", "melanesia", "oceania"),
        ("FM", "micronesia", "oceania"),
        ("UM", "micronesia", "oceania"),
        ("WS", "polynesia", "oceania"),
        ("PN", "polynesia", "oceania"),
    ],
)
def test_countries_are_in_their_m49_area(country: str, area: str, region: str) -> None:
    assert area_of(country) == area
    assert region_of_area(area) == region


@pytest.mark.parametrize("code", ["XK", "", "ZZ", "fr", "FRA"])
def test_an_unknown_code_has_no_area(code: str) -> None:
    assert area_of(code) == ""


def test_every_area_has_a_name() -> None:
    labels = {area: area_label(area) for area in SUBREGIONS}
    assert all(isinstance(label, str) and label.strip() for label in labels.values())
    assert len(set(labels.values())) == len(labels)


def test_area_and_region_names_are_the_m49_names() -> None:
    assert area_label("south_eastern_asia") == "South-eastern Asia"
    assert area_label("australia_new_zealand") == "Australia and New Zealand"
    assert area_label("middle_africa") == "Middle Africa"
    assert region_label("americas") == "Americas"


def test_an_unknown_area_or_region_is_named_by_its_code() -> None:
    assert area_label("") == ""
    assert area_label("atlantis") == "atlantis"
    assert region_of_area("") == ""
    assert region_of_area("atlantis") == ""
    assert region_label("atlantis") == "atlantis"
