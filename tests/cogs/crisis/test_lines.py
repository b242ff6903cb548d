"""The shipped crisis-line data validates, and broken data is refused with every problem named."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cogs.crisis.countries import is_valid_code
from cogs.crisis.lines import (
    DEFAULT_DATA_PATH,
    INTERNATIONAL,
    MAX_SHOWN_SERVICES,
    CrisisData,
    CrisisDataError,
    PhoneOption,
    Verification,
    display_hours,
    load_crisis_data,
    parse_crisis_data,
    parse_phone,
)

DIALABLE = re.compile(r"\+?[0-9 ()-]+")


@pytest.fixture(scope="module")
def data() -> CrisisData:
    return load_crisis_data()


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))
    return loaded


def test_shipped_data_validates(data: CrisisData) -> None:
    assert data.compiled == date(2026, 11, 24)
    assert len(data.codes) == 30
    assert INTERNATIONAL not in data.codes
    assert data.international.is_international
    assert data.is_draft  # the file says so; the lead must re-check every number before launch


def test_shipped_data_is_an_unchanged_copy_of_the_research() -> None:
    shared = Path("/work/shared/data/crisis_lines.json")
    if not shared.exists():
        pytest.skip("research copy not available here")
    assert DEFAULT_DATA_PATH.read_bytes() == shared.read_bytes()


def test_every_country_has_an_emergency_number_and_a_sourced_service(data: CrisisData) -> None:
    for code in data.codes:
        country = data.countries[code]
        assert country.emergency_number, code
        assert re.fullmatch(r"\d{2,6}", country.emergency_number), code
        assert country.emergency_sources, code
        assert country.services, code
        assert any(service.sources for service in country.services), code
        assert country.shown_services, code


def test_international_entry_has_no_number_but_says_to_call_local_emergency(data: CrisisData) -> None:
    intl = data.international
    assert intl.emergency_number is None
    assert intl.emergency_notes and "emergency number" in intl.emergency_notes
    assert all(s.is_directory for s in intl.shown_services)
    assert "https://findahelpline.com" in [s.web for s in intl.shown_services]
    assert all(s.verification is not Verification.UNCHECKED for s in intl.shown_services)


def test_codes_are_iso_3166_alpha_2(data: CrisisData) -> None:
    for code in data.codes:
        assert is_valid_code(code), code
    assert set(data.country_order) == set(data.countries)


def test_phone_numbers_are_dialable(data: CrisisData) -> None:
    numbers = 0
    for country in data.countries.values():
        for service in country.services:
            for option in service.dialable:
                assert option.number is not None
                assert DIALABLE.fullmatch(option.number), (country.code, option.number)
                assert 3 <= sum(ch.isdigit() for ch in option.number) <= 15
                numbers += 1
            for alternate in country.emergency_alternates:
                assert alternate.number.isdigit()
    assert numbers > 70


def test_at_most_three_services_shown_in_json_order(data: CrisisData, raw: dict[str, Any]) -> None:
    for code, country in data.countries.items():
        names = [s["name"] for s in raw["countries"][code]["services"]]
        shown = [s.name for s in country.shown_services]
        assert len(shown) <= MAX_SHOWN_SERVICES
        assert shown == [n for n in names if n in shown], code  # same relative order
        if code != INTERNATIONAL:
            assert shown == names[: len(shown)], code


def test_hours_absent_means_unknown(data: CrisisData) -> None:
    for country in data.countries.values():
        for service in country.services:
            if service.hours is None:
                assert service.hours_display is None
            elif service.hours_display is not None:
                assert service.hours_display in service.hours or service.hours_display.lower() in service.hours.lower()
                if "24/7" in service.hours_display:
                    assert "24/7" in service.hours


@pytest.mark.parametrize(
    ("raw_hours", "shown"),
    [
        (None, None),
        ("24/7", "24/7"),
        ("24/7 (per open-helplines)", "24/7"),
        ("daily 09:00\N{EN DASH}23:00 (as reported)", "daily 09:00\N{EN DASH}23:00"),
        ("NOT confirmed \N{EM DASH} one app says it closes at 05:00", None),
        ("24/7 since 1 June 2020 (funding was a 3-year grant \N{EM DASH} re-verify)", None),
        ("NOT 24/7 \N{EM DASH} open-helplines: daily 16:00\N{EN DASH}21:00", "NOT 24/7"),
        ("24/7 (phone); chat daily 13:00\N{EN DASH}03:00", "24/7 (phone); chat daily 13:00\N{EN DASH}03:00"),
    ],
)
def test_display_hours_is_conservative(raw_hours: str | None, shown: str | None) -> None:
    assert display_hours(raw_hours) == shown


def test_known_hard_cases_in_the_shipped_data(data: CrisisData) -> None:
    sweden = data.for_country("se")
    assert sweden is not None and sweden.services[0].hours_display is None  # "re-verify" in the data
    denmark = data.for_country("DK")
    assert denmark is not None and denmark.services[0].hours_display is None
    assert not denmark.services[0].verification.confirmed  # weak
    finland = data.for_country("FI")
    assert finland is not None
    other_languages = finland.services[1]
    assert [p.label for p in other_languages.phones] == ["Swedish", "Ukrainian", "Russian", "English"]
    assert other_languages.phones[-1].number is None  # "English: see notes" is never shown
    assert len(other_languages.dialable) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("116 123", (PhoneOption("116 123"),)),
        ("988, then press 1", (PhoneOption("988", then="press 1"),)),
        ("14416 or 1-800-891-4416", (PhoneOption("14416"), PhoneOption("1-800-891-4416"))),
        (
            "0800 111 0 111 / 0800 111 0 222 / 116 123",
            (PhoneOption("0800 111 0 111"), PhoneOption("0800 111 0 222"), PhoneOption("116 123")),
        ),
        (
            "135 (CABA and Greater Buenos Aires) / (011) 5275-1135 (rest of the country)",
            (
                PhoneOption("135", note="CABA and Greater Buenos Aires"),
                PhoneOption("(011) 5275-1135", note="rest of the country"),
            ),
        ),
        ("0722 178 177 (+254 722 178 177)", (PhoneOption("0722 178 177", note="+254 722 178 177"),)),
        (
            "Swedish 09 2525 0112; English: see notes",
            (PhoneOption("09 2525 0112", label="Swedish"), PhoneOption(None, label="English")),
        ),
    ],
)
def test_parse_phone(text: str, expected: tuple[PhoneOption, ...]) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["0800 CALL NOW", "1-800-SUICIDE", "call 116 123 now!", "12", "1234567890123456", "English: see notes", "+", ""],
)
def test_parse_phone_rejects_what_is_not_dialable(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_phone(text)


def test_for_country_is_case_insensitive_and_never_returns_intl(data: CrisisData) -> None:
    gb = data.for_country(" gb ")
    assert gb is not None and gb.code == "GB" and gb.emergency_number == "999"
    assert data.for_country("INTL") is None
    assert data.for_country("intl") is None
    assert data.for_country("CH") is None
    assert data.for_country(None) is None
    assert data.for_country("") is None


def test_is_stale(data: CrisisData) -> None:
    assert not data.is_stale(date(2026, 12, 1))
    assert data.is_stale(date(2027, 6, 1))


# --- broken copies ---------------------------------------------------------------------------------------------------


def _write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "crisis_lines.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _break(raw: dict[str, Any], change: str) -> dict[str, Any]:
    doc = copy.deepcopy(raw)
    countries = doc["countries"]
    if change == "no emergency number":
        del countries["GB"]["emergency_number"]
    elif change == "null emergency number":
        countries["AU"]["emergency_number"] = None
    elif change == "bad emergency number":
        countries["FR"]["emergency_number"] = "1-1-2"
    elif change == "not iso":
        countries["UK"] = countries.pop("GB")
        doc["country_order"] = ["UK" if c == "GB" else c for c in doc["country_order"]]
    elif change == "letters in phone":
        countries["IE"]["services"][0]["phone"] = "116 SAM"
    elif change == "no source":
        countries["NZ"]["services"] = [dict(countries["NZ"]["services"][0], source=[])]
    elif change == "no services":
        countries["BR"]["services"] = []
    elif change == "empty hours":
        countries["US"]["services"][0]["hours"] = ""
    elif change == "unknown field":
        countries["DE"]["services"][0]["hour"] = "24/7"
    elif change == "order mismatch":
        doc["country_order"].remove("JP")
    elif change == "bad date":
        doc["compiled"] = "24/11/2026"
    elif change == "bad url":
        countries["US"]["services"][0]["chat_url"] = "tel:988"
    elif change == "unknown verification":
        countries["CA"]["services"][0]["verification"] = "probably fine"
    elif change == "no intl":
        del countries["INTL"]
        doc["country_order"].remove("INTL")
    else:  # pragma: no cover
        raise AssertionError(change)
    return doc


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("no emergency number", "countries.GB: missing required field 'emergency_number'"),
        ("null emergency number", "countries.AU.emergency_number: is required"),
        ("bad emergency number", "countries.FR.emergency_number: '1-1-2' must be 2-6 digits"),
        ("not iso", "countries.UK: 'UK' is not an ISO 3166-1 alpha-2 country code"),
        ("letters in phone", "countries.IE.services[0].phone: '116 SAM' is not a dialable number"),
        ("no source", "countries.NZ.services[0].source: must list at least one entry"),
        ("no services", "countries.BR.services: must list at least one service"),
        ("empty hours", "countries.US.services[0].hours: must be a non-empty string, or null/absent when unknown"),
        ("unknown field", "countries.DE.services[0]: unknown field 'hour'"),
        ("order mismatch", "country_order: 'JP' is in countries but not in country_order"),
        ("bad date", "compiled: '24/11/2026' is not an ISO date"),
        ("bad url", "countries.US.services[0].chat_url: 'tel:988' is not an http(s) URL"),
        ("unknown verification", "countries.CA.services[0].verification: unknown verification wording"),
        ("no intl", "countries: the 'INTL' entry (international fallback) is missing"),
    ],
)
def test_corrupted_copy_names_the_problem(tmp_path: Path, raw: dict[str, Any], change: str, problem: str) -> None:
    path = _write(tmp_path, _break(raw, change))
    with pytest.raises(CrisisDataError) as caught:
        load_crisis_data(path)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems
    assert problem in str(caught.value)
    assert str(path) in str(caught.value)


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path, raw: dict[str, Any]) -> None:
    doc = _break(_break(_break(raw, "no emergency number"), "letters in phone"), "bad date")
    with pytest.raises(CrisisDataError) as caught:
        load_crisis_data(_write(tmp_path, doc))
    assert len(caught.value.problems) == 3
    assert "(3 problems)" in str(caught.value)


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"compiled": ', encoding="utf-8")
    with pytest.raises(CrisisDataError, match="not valid JSON"):
        load_crisis_data(broken)
    with pytest.raises(CrisisDataError, match="cannot read the file"):
        load_crisis_data(tmp_path / "missing.json")
    with pytest.raises(CrisisDataError, match="must be a JSON object"):
        parse_crisis_data([1, 2, 3])
