"""IANA time zones: validation and autocomplete search, shared by every feature that asks for a zone."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class UnknownTimeZoneError(ValueError):
    """The text is not an IANA time zone name; the message says what to try instead."""


@functools.cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


@functools.cache
def _by_folded_name() -> dict[str, str]:
    return {z.casefold(): z for z in _all_zones()}


def validate_timezone(name: str) -> str:
    """The canonical spelling of an IANA zone name, or raise `UnknownTimeZoneError`."""
    found = _by_folded_name().get(name.strip().replace(" ", "_").casefold())
    if found is None:
        shown = name.strip()[:40]
        raise UnknownTimeZoneError(f"I don't know the time zone '{shown}'. Pick one from the list, like Europe/London.")
    try:
        ZoneInfo(found)
    except ZoneInfoNotFoundError as exc:  # listed but no data on this machine
        raise UnknownTimeZoneError(f"I don't have data for the time zone '{found}' on this server.") from exc
    return found


def search_timezones(query: str, limit: int = 25) -> list[str]:
    """Zones whose name starts with, then contains, the query (case and spaces ignored)."""
    q = query.strip().replace(" ", "_").casefold()
    zones = _all_zones()
    if not q:
        return list(zones[:limit])
    starts = [z for z in zones if z.casefold().startswith(q) or z.casefold().split("/")[-1].startswith(q)]
    contains = [z for z in zones if q in z.casefold() and z not in starts]
    return (starts + contains)[:limit]
