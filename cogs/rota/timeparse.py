"""Forgiving parsers for what volunteers type: times, weekdays, dates and IANA time zones.

Every parser raises :class:`ParseError` (a ``ValueError``) whose ``str()`` is a kind message that can be shown as is,
e.g. ``I couldn't read '25:00' as a time. Try 18:00 or 6pm.`` Input is matched case-insensitively and trimmed.

Times (:func:`parse_time`, returns a naive :class:`datetime.time`)
    * 24-hour with a separator: ``18:00``, ``6:30`` (= 06:30), ``18.30``, ``18h``, ``18h30``.
    * 12-hour: ``6pm``, ``6 pm``, ``6:30 pm``, ``6.30pm``, ``630pm``, ``6 p.m.``, ``6p``; ``12am`` is 00:00 and
      ``12pm`` is 12:00.
    * Digits only: ``0930``/``930`` and ``1800`` are HHMM / HMM on the 24-hour clock; ``18`` is 18:00 and ``06``
      (leading zero) or ``0`` are 24-hour hours too. A bare ``1`` ... ``12`` is **rejected as ambiguous** (6am or
      6pm?) so a shift is never silently created twelve hours off.
    * Words: ``noon``/``midday`` (12:00), ``midnight`` (00:00). ``24:00``/``24`` mean the midnight that ends a day and
      parse as 00:00 (a shift ending 00:00 ends at the end of its start day).
    * Seconds are not accepted; minutes must be 00-59 and hours 0-23.

Weekdays (:func:`parse_weekday`, returns 0 = Monday ... 6 = Sunday)
    English names, any unambiguous prefix of at least two letters (``mo``, ``tu``, ``tues``, ``th``, ``thurs``,
    ``sa``), the extra spellings ``weds``/``wednes``, a trailing ``.`` and plurals (``mondays``).

Dates (:func:`parse_date`, for ``/rota cant-make-it``)
    ``2025-03-10``; ``today``; ``tomorrow``; a weekday (``fri`` = the next Friday on or after today, ``next fri`` =
    strictly after today); ``10 Mar``, ``10th March 2025``, ``Mar 10``, ``March 10, 2025`` (without a year: the first
    such date on or after today). Slash dates like ``10/03`` are rejected as ambiguous (day/month or month/day?).

Time zones (:func:`parse_timezone`, :func:`search_timezones`)
    Names from :func:`zoneinfo.available_timezones` (tzdata), matched case-insensitively with spaces accepted for
    underscores (``america/new york``), or a unique city (``London`` -> ``Europe/London``). ``Factory``,
    ``localtime`` and ``posixrules`` are not offered. The name list is computed once and cached.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from functools import cache
from zoneinfo import available_timezones

from cogs.rota.schedule import WEEKDAY_NAMES

__all__ = [
    "ParseError",
    "parse_date",
    "parse_time",
    "parse_timezone",
    "parse_weekday",
    "search_timezones",
    "timezone_names",
]

_MAX_ECHO = 40

_EXCLUDED_ZONES = frozenset({"Factory", "localtime", "posixrules"})
_POPULAR_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)

_TIME_HINT = "Try 18:00 or 6pm."
_DATE_HINT = "Try 2025-03-10, 10 Mar, tomorrow or a weekday like friday."

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

_RE_12H = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?P<ampm>am|pm|a|p)")
_RE_12H_COMPACT = re.compile(r"(?P<h>\d{1,2})(?P<m>\d{2})(?P<ampm>am|pm|a|p)")
_RE_24H = re.compile(r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2})|h)")
_RE_DIGITS = re.compile(r"\d{1,4}")
_RE_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_RE_DAY_MONTH = re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[a-z]+)\.?(?:,?\s+(?P<y>\d{4}))?")
_RE_MONTH_DAY = re.compile(r"(?P<mon>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?")


class ParseError(ValueError):
    """Input a volunteer typed could not be understood. ``str(error)`` is a kind, user-facing message."""


def _echo(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_ECHO else text[: _MAX_ECHO - 1] + "…"


def _normalise(text: str) -> str:
    """Lower-case, trimmed and single-spaced."""
    return " ".join(text.lower().split())


# --------------------------------------------------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------------------------------------------------


def _make_time(hour: int, minute: int, original: str) -> time:
    if hour == 24 and minute == 0:
        return time(0, 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ParseError(f"I couldn't read '{_echo(original)}' as a time. {_TIME_HINT}")
    return time(hour, minute)


def _from_12h(hour: int, minute: int, ampm: str, original: str) -> time:
    if not 1 <= hour <= 12:
        raise ParseError(f"'{_echo(original)}' isn't a 12-hour time (use 1-12 with am/pm). {_TIME_HINT}")
    hour %= 12
    if ampm.startswith("p"):
        hour += 12
    return _make_time(hour, minute, original)


def _from_digits(digits: str, original: str) -> time:
    if len(digits) >= 3:
        return _make_time(int(digits[:-2]), int(digits[-2:]), original)
    hour = int(digits)
    if 1 <= hour <= 12 and not digits.startswith("0"):
        raise ParseError(
            f"'{_echo(original)}' could be {hour}am or {hour}pm. Try {hour:02d}:00, {(hour % 12) + 12:02d}:00, "
            f"{hour}am or {hour}pm."
        )
    return _make_time(hour, 0, original)


def parse_time(text: str) -> time:
    """Parse a wall-clock time such as ``18:00``, ``6pm``, ``6:30 pm``, ``18h`` or ``0930`` (see module docs)."""
    value = re.sub(r"([ap])\.?m\.?$", r"\1m", _normalise(text).replace(" ", ""))
    words = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
    if value in words:
        return words[value]
    for pattern in (_RE_12H, _RE_12H_COMPACT):
        match = pattern.fullmatch(value)
        if match:
            return _from_12h(int(match["h"]), int(match["m"] or 0), match["ampm"], text)
    match = _RE_24H.fullmatch(value)
    if match:
        return _make_time(int(match["h"]), int(match["m"] or 0), text)
    if _RE_DIGITS.fullmatch(value):
        return _from_digits(value, text)
    raise ParseError(f"I couldn't read '{_echo(text)}' as a time. {_TIME_HINT}")


# --------------------------------------------------------------------------------------------------------------------
# Weekdays and dates
# --------------------------------------------------------------------------------------------------------------------

_WEEKDAY_EXTRAS = {"weds": 2, "wednes": 2}


def parse_weekday(text: str) -> int:
    """Parse an English weekday name or abbreviation; returns 0 (Monday) ... 6 (Sunday)."""
    value = _normalise(text).rstrip(".")
    if value.endswith("days"):
        value = value[:-1]
    if value in _WEEKDAY_EXTRAS:
        return _WEEKDAY_EXTRAS[value]
    names = [name.lower() for name in WEEKDAY_NAMES]
    matches = [index for index, name in enumerate(names) if len(value) >= 2 and name.startswith(value)]
    if len(matches) == 1:
        return matches[0]
    raise ParseError(f"I couldn't read '{_echo(text)}' as a day of the week. Try Monday or mon.")


def _month_number(word: str) -> int | None:
    if word == "sept":
        return 9
    if len(word) < 3:
        return None
    return next((index for index, name in enumerate(_MONTH_NAMES, start=1) if name.startswith(word)), None)


def _first_on_or_after(month: int, day: int, today: date) -> date | None:
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _calendar_date(month: int, day: int, year: str | None, today: date) -> date | None:
    if year is None:
        return _first_on_or_after(month, day, today)
    try:
        return date(int(year), month, day)
    except ValueError:
        return None


def _parse_named_date(value: str, today: date) -> date | None:
    for pattern in (_RE_DAY_MONTH, _RE_MONTH_DAY):
        match = pattern.fullmatch(value)
        if match:
            month = _month_number(match["mon"])
            if month is not None:
                return _calendar_date(month, int(match["d"]), match["y"], today)
    return None


def _parse_weekday_date(value: str, today: date) -> date | None:
    strictly_after = value.startswith("next ")
    if strictly_after:
        value = value.removeprefix("next ")
    try:
        weekday = parse_weekday(value)
    except ParseError:
        return None
    ahead = (weekday - today.weekday()) % 7
    if strictly_after and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


def parse_date(text: str, today: date) -> date:
    """Parse a calendar date relative to ``today`` (the volunteer's local date); see module docs for formats."""
    value = _normalise(text)
    if value in ("today", "tonight"):
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    iso = _RE_ISO_DATE.fullmatch(value)
    if iso:
        try:
            return date(int(iso["y"]), int(iso["m"]), int(iso["d"]))
        except ValueError:
            raise ParseError(f"'{_echo(text)}' isn't a real date. {_DATE_HINT}") from None
    found = _parse_named_date(value, today) or _parse_weekday_date(value, today)
    if found is not None:
        return found
    if "/" in value:
        raise ParseError(f"'{_echo(text)}' could be read day-first or month-first. {_DATE_HINT}")
    raise ParseError(f"I couldn't read '{_echo(text)}' as a date. {_DATE_HINT}")


# --------------------------------------------------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------------------------------------------------


@cache
def timezone_names() -> tuple[str, ...]:
    """All usable IANA zone names (sorted), computed once."""
    return tuple(sorted(available_timezones() - _EXCLUDED_ZONES))


def _key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


@cache
def _zone_index() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Lookup tables: normalised full name -> name, and normalised last component -> names."""
    by_name: dict[str, str] = {}
    by_city: dict[str, list[str]] = {}
    for name in timezone_names():
        by_name[_key(name)] = name
        by_city.setdefault(_key(name.rsplit("/", 1)[-1]), []).append(name)
    return by_name, {city: tuple(names) for city, names in by_city.items()}


def parse_timezone(text: str) -> str:
    """Validate an IANA time zone name and return its canonical spelling (``"america/new york"`` ->
    ``"America/New_York"``). A unique city name is accepted too (``"london"`` -> ``"Europe/London"``)."""
    key = _key(text)
    by_name, by_city = _zone_index()
    if key in by_name:
        return by_name[key]
    if len(by_city.get(key, ())) == 1:
        return by_city[key][0]
    suggestions = search_timezones(text, limit=3) if key else []
    hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
    raise ParseError(f"I don't know the time zone '{_echo(text)}'.{hint} Use a name like Europe/London.")


def _rank(name: str, query: str) -> int | None:
    full = _key(name)
    parts = full.split("/")
    if full == query:
        return 0
    if parts[-1].startswith(query):
        return 1
    if full.startswith(query):
        return 2
    if any(part.startswith(query) for part in parts) or any(word.startswith(query) for word in full.split()):
        return 3
    return 4 if query in full else None


def _is_legacy(name: str) -> bool:
    return "/" not in name or name.startswith(("Etc/", "US/", "SystemV/"))


def search_timezones(query: str, limit: int = 25) -> list[str]:
    """Zone names matching ``query`` for autocomplete, best first (exact, city prefix, name prefix, word prefix,
    substring; region names before legacy aliases like ``US/Eastern``). An empty query gives popular zones."""
    if limit <= 0:
        return []
    key = _key(query)
    if not key:
        return list(_POPULAR_ZONES[:limit])
    ranked: list[tuple[int, bool, str]] = []
    for name in timezone_names():
        rank = _rank(name, key)
        if rank is not None:
            ranked.append((rank, _is_legacy(name), name))
    ranked.sort()
    return [name for _, _, name in ranked[:limit]]
