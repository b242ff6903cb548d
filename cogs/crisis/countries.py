"""ISO 3166-1 alpha-2 country codes: validation, normalisation and search for Discord autocomplete.

Backed by ``pycountry`` (the ISO 3166-1 list), plus a short table of everyday English names and a few native names
that ISO does not list (``UK``, ``USA``, ``Holland``, ``South Korea``, ``Ivory Coast``, ``Deutschland``...).

* :func:`is_valid_code` is strict: exactly two upper-case letters that ISO 3166-1 assigns (``"GB"``, not ``"gb"``,
  ``"UK"`` or ``"INTL"``). Use it to validate stored data.
* :func:`normalise_country` is forgiving, for what people type: ``"gb"``, ``" GB "``, ``"UK"``, ``"GBR"``,
  ``"United Kingdom"``, ``"great britain"`` and ``"England"`` all give ``"GB"``. Case, accents, punctuation and
  extra spaces are ignored. It returns ``None`` when nothing matches exactly (it never guesses).
* :func:`search` ranks countries for an autocomplete box by code or name (exact, then prefix, then word-prefix, then
  substring); within each tier, countries we have crisis data for come first.

The name index is built once, on first use, and cached.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

import pycountry

__all__ = [
    "country_name",
    "is_valid_code",
    "normalise_country",
    "search",
]

# Names people use that ISO 3166-1 (as shipped by pycountry) does not list. Keys are folded with _fold().
_ALIASES: dict[str, str] = {
    # United Kingdom. "UK" is exceptionally reserved in ISO 3166-1 for the United Kingdom.
    "uk": "GB",
    "u k": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    # United States
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "the us": "US",
    "the usa": "US",
    "the united states": "US",
    # Everyday English names that differ from ISO's
    "holland": "NL",
    "the netherlands": "NL",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "turkey": "TR",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "cote divoire": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "east timor": "TL",
    "vatican": "VA",
    "vatican city": "VA",
    "palestine": "PS",
    "macedonia": "MK",
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
    "republic of the congo": "CG",
    "brunei": "BN",
    "micronesia": "FM",
    "hong kong sar": "HK",
    "macau": "MO",
    "uae": "AE",
    "emirates": "AE",
    "the gambia": "GM",
    "the bahamas": "BS",
    "laos": "LA",
    "syria": "SY",
    "iran": "IR",
    "vietnam": "VN",
    "taiwan": "TW",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    # Native names for countries in our crisis data
    "eire": "IE",
    "deutschland": "DE",
    "espana": "ES",
    "italia": "IT",
    "nederland": "NL",
    "belgie": "BE",
    "belgique": "BE",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "polska": "PL",
    "brasil": "BR",
    "nippon": "JP",
    "nihon": "JP",
    "pilipinas": "PH",
    "aotearoa": "NZ",
    "bharat": "IN",
}

# Friendlier display names where ISO's official short name reads badly in a list of choices.
_DISPLAY: dict[str, str] = {
    "BN": "Brunei",
    "CD": "Congo (Democratic Republic)",
    "CG": "Congo (Republic)",
    "FM": "Micronesia",
    "MO": "Macao",
    "PS": "Palestine",
    "RU": "Russia",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}

_NON_WORD = re.compile(r"[^\w]+|_")
_CODE = re.compile(r"[A-Z]{2}")


def _fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: ``"Côte d'Ivoire"`` -> ``"cote divoire"``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("'", "").replace("\u2019", ""))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).split())


@dataclass(frozen=True)
class _Entry:
    code: str
    alpha_3: str
    name: str  # display name
    keys: tuple[str, ...]  # folded names that mean this country (display name first)


@dataclass(frozen=True)
class _Index:
    entries: dict[str, _Entry]  # alpha-2 -> entry, in display-name order
    by_key: dict[str, str]  # folded name, alpha-2 or alpha-3 -> alpha-2


@cache
def _index() -> _Index:
    keys: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    alpha_3: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        name = _DISPLAY.get(code) or str(getattr(country, "common_name", None) or country.name)
        names[code] = name
        alpha_3[code] = str(country.alpha_3).casefold()
        found = [_fold(name)]
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                found.append(_fold(str(value)))
        keys[code] = list(dict.fromkeys(found))
        by_key[code.casefold()] = code
        by_key[str(country.alpha_3).casefold()] = code
    for code, folded_names in keys.items():
        for key in folded_names:
            by_key.setdefault(key, code)
    for alias, code in _ALIASES.items():
        by_key.setdefault(alias, code)
        if alias not in keys[code]:
            keys[code].append(alias)
    ordered = sorted(names, key=lambda c: _fold(names[c]))
    entries = {code: _Entry(code, alpha_3[code], names[code], tuple(keys[code])) for code in ordered}
    return _Index(entries, by_key)


def is_valid_code(code: str) -> bool:
    """True if ``code`` is an assigned ISO 3166-1 alpha-2 code, written in upper case (``"GB"``; not ``"UK"``)."""
    return bool(_CODE.fullmatch(code)) and code in _index().entries


def normalise_country(value: str) -> str | None:
    """The alpha-2 code for a code, alpha-3 code or country name people type, or ``None`` if there is no exact match.

    >>> normalise_country("uk"), normalise_country("United Kingdom"), normalise_country("deu")
    ('GB', 'GB', 'DE')
    """
    return _index().by_key.get(_fold(value))


def country_name(code: str) -> str:
    """The English display name for an alpha-2 code (any case); raises ``KeyError`` for an unknown code."""
    return _index().entries[code.upper()].name


def _default_preferred() -> frozenset[str]:
    # Imported here: lines.py validates its codes with this module.
    from cogs.crisis.lines import default_crisis_data

    return frozenset(default_crisis_data().codes)


def search(query: str, limit: int = 25, *, preferred: Collection[str] | None = None) -> list[tuple[str, str]]:
    """Countries matching ``query`` by code or name, best first, as ``(alpha-2 code, display name)`` pairs.

    Tiers: exact code or name; name starts with the query; a word in it starts with the query; the query appears
    anywhere in it. Inside a tier, a match on the display name beats one on an official name or alias, then codes in
    ``preferred`` come first (by default the countries we ship crisis lines for), then alphabetical order. An empty
    query lists preferred countries first. ``limit`` defaults to 25, Discord's maximum number of autocomplete
    choices.
    """
    index = _index()
    wanted = _default_preferred() if preferred is None else frozenset(c.upper() for c in preferred)
    folded = _fold(query)
    ranked: list[tuple[int, int, int, int, str]] = []
    for position, entry in enumerate(index.entries.values()):
        by_name = _tier(folded, entry, entry.keys[:1])
        tier = by_name if by_name is not None else _tier(folded, entry, entry.keys[1:])
        if tier is not None:
            # The display name matching beats an official name or alias matching ("united" -> not Mexico first).
            ranked.append(
                (tier, 0 if by_name is not None else 1, 0 if entry.code in wanted else 1, position, entry.code)
            )
    ranked.sort()
    return [(code, index.entries[code].name) for *_, code in ranked[: max(limit, 0)]]


def _tier(folded: str, entry: _Entry, keys: tuple[str, ...]) -> int | None:
    if not folded:
        return 3
    if folded in (entry.code.casefold(), entry.alpha_3) or folded in keys:
        return 0
    if any(key.startswith(folded) for key in keys):
        return 1
    if any(word.startswith(folded) for key in keys for word in key.split()):
        return 2
    if any(folded in key for key in keys):
        return 3
    return None
