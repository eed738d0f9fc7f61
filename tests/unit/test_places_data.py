"""Checks the shipped places reference file: complete, trilingual, uniquely coded and current."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

PLACES_FILE = Path(__file__).resolve().parents[2] / "recosa_learn" / "places" / "data" / "places.yaml"
LANGUAGES = ("fr", "en", "ar")
ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
EXPECTED_REGION_COUNTS = {"MA": 12, "CI": 14, "ML": 20, "SN": 14}
# Column sizes of recosa_learn.places.models, so the file always fits the database.
MAX_NAME, MAX_LABEL, MAX_LANGUAGES, MAX_REGION_CODE, MAX_MUNICIPALITY_CODE = 120, 40, 40, 20, 40


@pytest.fixture(scope="module")
def countries() -> list[dict]:
    """The list of countries as loaded from the YAML file."""
    with PLACES_FILE.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)["countries"]


def by_code(countries: list[dict]) -> dict[str, dict]:
    """Index the countries by ISO 3166-1 code."""
    return {country["code"]: country for country in countries}


def all_regions(countries: list[dict]) -> list[dict]:
    """Every region of every country."""
    return [region for country in countries for region in country["regions"]]


def all_municipalities(countries: list[dict]) -> list[dict]:
    """Every municipality of every region."""
    return [m for region in all_regions(countries) for m in region["municipalities"]]


def all_named(countries: list[dict]) -> list[dict]:
    """Every entry that carries a names mapping: countries, regions, municipalities."""
    return countries + all_regions(countries) + all_municipalities(countries)


def test_the_four_partner_countries_are_present_once(countries):
    assert [c["code"] for c in countries] == ["MA", "CI", "ML", "SN"]


def test_region_counts_match_the_current_territorial_organisation(countries):
    counts = {code: len(country["regions"]) for code, country in by_code(countries).items()}
    assert counts == EXPECTED_REGION_COUNTS


def test_every_name_is_given_in_french_english_and_arabic(countries):
    for entry in all_named(countries):
        names = entry["names"]
        assert set(names) == set(LANGUAGES), entry["code"]
        for lang in LANGUAGES:
            assert isinstance(names[lang], str) and names[lang].strip(), (entry["code"], lang)
            assert names[lang] == names[lang].strip(), (entry["code"], lang)
            assert len(names[lang]) <= MAX_NAME, (entry["code"], lang)


def test_every_municipality_has_all_three_names(countries):
    municipalities = all_municipalities(countries)
    assert municipalities
    for municipality in municipalities:
        assert all(municipality["names"].get(lang) for lang in LANGUAGES), municipality["code"]


def test_arabic_names_and_labels_are_written_in_arabic_script(countries):
    for entry in all_named(countries):
        assert ARABIC_LETTER.search(entry["names"]["ar"]), entry["code"]
    for country in countries:
        assert ARABIC_LETTER.search(country["region_label"]["ar"]), country["code"]


def test_french_and_english_names_contain_no_arabic_script(countries):
    for entry in all_named(countries):
        for lang in ("fr", "en"):
            assert not ARABIC_LETTER.search(entry["names"][lang]), (entry["code"], lang)


def test_codes_are_unique_across_the_whole_file(countries):
    codes = [entry["code"] for entry in all_named(countries)]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    assert not duplicates


def test_region_and_municipality_codes_carry_their_country_prefix(countries):
    for country in countries:
        prefix = country["code"] + "-"
        for region in country["regions"]:
            assert region["code"].startswith(prefix), region["code"]
            assert len(region["code"]) <= MAX_REGION_CODE, region["code"]
            for municipality in region["municipalities"]:
                assert municipality["code"].startswith(prefix), municipality["code"]
                assert len(municipality["code"]) <= MAX_MUNICIPALITY_CODE, municipality["code"]
                assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9-]+", municipality["code"]), municipality["code"]


def test_municipality_names_are_unique_within_a_region(countries):
    for region in all_regions(countries):
        names = [m["names"]["fr"] for m in region["municipalities"]]
        assert len(names) == len(set(names)), region["code"]


def test_languages_offered_start_with_the_default_and_are_supported(countries):
    for country in countries:
        assert country["languages"][0] == country["default_language"], country["code"]
        assert set(country["languages"]) <= set(LANGUAGES), country["code"]
        assert len(country["languages"]) == len(set(country["languages"])), country["code"]
        assert len(",".join(country["languages"])) <= MAX_LANGUAGES, country["code"]


def test_region_labels_are_trilingual(countries):
    for country in countries:
        label = country["region_label"]
        assert set(label) == set(LANGUAGES), country["code"]
        assert all(label[lang].strip() and len(label[lang]) <= MAX_LABEL for lang in LANGUAGES), country["code"]


def test_arabic_is_offered_in_morocco(countries):
    assert "ar" in by_code(countries)["MA"]["languages"]


def test_morocco_region_names_carry_no_annotation(countries):
    annotation = re.compile(r"[()\[\]{}*†/;]|\bEH\b", re.IGNORECASE)
    for region in by_code(countries)["MA"]["regions"]:
        for lang in LANGUAGES:
            assert not annotation.search(region["names"][lang]), (region["code"], lang)


def test_morocco_uses_the_twelve_iso_region_codes(countries):
    codes = [region["code"] for region in by_code(countries)["MA"]["regions"]]
    assert codes == [f"MA-{n:02d}" for n in range(1, 13)]


def test_mali_lists_the_regions_of_the_2023_reform(countries):
    names = {region["names"]["fr"] for region in by_code(countries)["ML"]["regions"]}
    new_regions = {"Bandiagara", "Bougouni", "Dioïla", "Douentza", "Kita", "Koutiala", "Nara", "Nioro", "San"}
    former_regions = {"Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti", "Tombouctou", "Gao", "Kidal",
                      "Ménaka", "Taoudénit"}
    assert names == new_regions | former_regions | {"District de Bamako"}


def test_cote_divoire_has_the_two_autonomous_districts(countries):
    codes = {region["code"] for region in by_code(countries)["CI"]["regions"]}
    assert {"CI-AB", "CI-YM"} <= codes


@pytest.mark.parametrize(
    ("municipality", "region"),
    [
        ("MA-SALE", "MA-04"), ("MA-RABAT", "MA-04"), ("MA-CASABLANCA", "MA-06"), ("MA-TANGER", "MA-01"),
        ("MA-FES", "MA-03"), ("MA-OUJDA", "MA-02"),
        ("CI-COCODY", "CI-AB"), ("CI-YOPOUGON", "CI-AB"), ("CI-ABOBO", "CI-AB"), ("CI-BOUAKE", "CI-VB"),
        ("CI-DALOA", "CI-SM"), ("CI-SAN-PEDRO", "CI-BS"), ("CI-KORHOGO", "CI-SV"),
        ("ML-BAMAKO", "ML-BKO"), ("ML-KAYES", "ML-1"), ("ML-SIKASSO", "ML-3"), ("ML-SEGOU", "ML-4"),
        ("ML-MOPTI", "ML-5"),
        ("SN-DAKAR", "SN-DK"), ("SN-KAOLACK", "SN-KL"), ("SN-SAINT-LOUIS", "SN-SL"), ("SN-THIES", "SN-TH"),
        ("SN-ZIGUINCHOR", "SN-ZG"), ("SN-TAMBACOUNDA", "SN-TC"),
    ],
)
def test_demo_municipalities_sit_in_their_region(countries, municipality, region):
    parent = {m["code"]: r["code"] for r in all_regions(countries) for m in r["municipalities"]}
    assert parent.get(municipality) == region


def test_each_country_has_a_demo_starter_set(countries):
    for country in countries:
        count = sum(len(region["municipalities"]) for region in country["regions"])
        assert 4 <= count <= 8, country["code"]
