"""Country codes and names: strict validation, forgiving normalisation, autocomplete search."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.crisis.countries import country_name, is_valid_code, normalise_country, search
from cogs.crisis.lines import default_crisis_data


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("gb", "GB"),
        (" GB ", "GB"),
        ("UK", "GB"),
        ("uk", "GB"),
        ("United Kingdom", "GB"),
        ("great britain", "GB"),
        ("England", "GB"),
        ("GBR", "GB"),
        ("usa", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("deu", "DE"),
        ("Deutschland", "DE"),
        ("germany", "DE"),
        ("Côte d'Ivoire", "CI"),
        ("cote divoire", "CI"),
        ("Ivory Coast", "CI"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("Hong Kong SAR", "HK"),
        ("holland", "NL"),
        ("Türkiye", "TR"),
        ("turkey", "TR"),
        ("españa", "ES"),
        ("Czech Republic", "CZ"),
    ],
)
def test_normalise_country(typed: str, code: str) -> None:
    assert normalise_country(typed) == code


@pytest.mark.parametrize("typed", ["", "   ", "Narnia", "XK", "EU", "INTL", "u", "king"])
def test_normalise_country_never_guesses(typed: str) -> None:
    assert normalise_country(typed) is None


def test_is_valid_code_is_strict() -> None:
    assert is_valid_code("GB")
    assert is_valid_code("HK")
    for code in ("gb", "UK", "INTL", "XK", "G", "GBR", "", "ZZ"):
        assert not is_valid_code(code), code


def test_country_name() -> None:
    assert country_name("gb") == "United Kingdom"
    assert country_name("KR") == "South Korea"
    with pytest.raises(KeyError):
        country_name("ZZ")


def test_every_country_in_the_crisis_data_can_be_found_by_its_name_and_code() -> None:
    data = default_crisis_data()
    for code in data.codes:
        assert normalise_country(data.countries[code].name) == code, code
        assert search(code, limit=1)[0][0] == code
        assert search(data.countries[code].name, limit=1)[0][0] == code


def test_search_ranks_exact_then_prefix_and_data_countries_first() -> None:
    assert search("gb")[0] == ("GB", "United Kingdom")
    assert search("uk")[0][0] == "GB"
    assert [code for code, _ in search("united")[:3]] == ["GB", "US", "AE"]  # crisis data first; not "United
    # Mexican States" (Mexico's official name) before them
    assert search("ger")[0][0] == "DE"
    assert search("in")[0][0] == "IN"  # exact code first
    assert search("zeal")[0][0] == "NZ"  # word prefix
    assert search("stan")  # substring: Afghanistan, Pakistan...
    assert all(name for _, name in search("stan"))


def test_search_limits_and_discord_sizes() -> None:
    everything = search("", limit=500)
    assert len(everything) == 249
    assert len(search("")) == 25
    assert search("", limit=0) == []
    data_codes = set(default_crisis_data().codes)
    assert {code for code, _ in search("", limit=len(data_codes))} == data_codes  # preferred first when empty
    assert all(len(f"{name} ({code})") <= 100 for code, name in everything)  # Discord choice name limit
    assert search("a", preferred=())[0][0] != ""


def test_search_with_custom_preference() -> None:
    assert search("united", preferred={"AE"})[0][0] == "AE"


@given(st.text(max_size=60))
def test_normalise_and_search_never_raise(text: str) -> None:
    code = normalise_country(text)
    assert code is None or is_valid_code(code)
    for found, name in search(text):
        assert is_valid_code(found) and name
