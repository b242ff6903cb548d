"""Checking what facilitators type for a group: pure, no Discord and no database.

Every check raises :class:`GroupInputError` (a ``ValueError``) whose ``str()`` is a kind message that can be shown
as is. Times, dates and time zones are read by the rota's forgiving parsers (:mod:`cogs.rota.timeparse`: ``18:00``,
``6pm``, ``6:30 pm``; ``2025-03-10``, ``10 Mar``, ``next tue``; ``Europe/London`` or a unique city), whose errors
(``ParseError``, also a ``ValueError``) are just as kind, e.g. an unknown zone comes with close matches.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from cogs.groups.reminders import parse_leads
from cogs.groups.schedule import MAX_DURATION, WeeklyTime, is_meeting_date, local_today, meeting_on
from cogs.groups.store import ChannelKind, GroupDetails
from cogs.rota.schedule import WEEKDAY_NAMES
from cogs.rota.timeparse import ParseError, parse_date, parse_time, parse_timezone, timezone_names

__all__ = [
    "MAX_CAPACITY",
    "MAX_DESCRIPTION",
    "MAX_NAME",
    "Changes",
    "GroupInput",
    "GroupInputError",
    "Place",
    "apply_changes",
    "check_capacity",
    "check_duration",
    "clean_description",
    "clean_name",
    "new_details",
    "parse_first_date",
    "parse_skip_date",
    "parse_start",
    "parse_tags",
    "parse_zone",
]

MAX_NAME = 80
MAX_DESCRIPTION = 1000
MAX_CAPACITY = 1000
MAX_TAGS = 10
MAX_TAG = 30


class GroupInputError(ValueError):
    """Input for a group that can't be used; ``str()`` is a kind message."""


def clean_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise GroupInputError("Please give the group a name, like `Grief circle`.")
    if len(name) > MAX_NAME:
        raise GroupInputError(f"Please keep the name to {MAX_NAME} characters or fewer.")
    return name


def clean_description(text: str) -> str:
    description = text.strip()
    if len(description) > MAX_DESCRIPTION:
        raise GroupInputError(f"Please keep the description to {MAX_DESCRIPTION} characters or fewer.")
    return description


def check_duration(minutes: int) -> int:
    if not 1 <= minutes <= MAX_DURATION:
        raise GroupInputError(
            f"A meeting can last from 1 minute to 24 hours ({MAX_DURATION} minutes); you gave {minutes}. "
            "For example, 90 means an hour and a half."
        )
    return minutes


def check_capacity(capacity: int | None) -> int | None:
    if capacity is None:
        return None
    if not 1 <= capacity <= MAX_CAPACITY:
        raise GroupInputError(
            f"Capacity is the number of seats, from 1 to {MAX_CAPACITY}; you gave {capacity}. "
            "Leave it empty for no limit."
        )
    return capacity


def parse_start(text: str) -> time:
    """A meeting's start time (``18:00``, ``6pm``, ``6:30 pm``...)."""
    return parse_time(text)


def parse_zone(text: str) -> str:
    """An IANA time zone name. An unknown one gets a kind error with close matches: the rota parser's (prefix and
    substring matches), or else near spellings (``Europe/Londn`` -> Europe/London)."""
    try:
        return parse_timezone(text)
    except ParseError as exc:
        if "Did you mean" in str(exc):
            raise
        names = {name.casefold(): name for name in timezone_names()}
        close = difflib.get_close_matches(text.strip().casefold(), list(names), n=3, cutoff=0.75)
        if not close:
            raise
        shown = " or ".join(names[c] for c in close)
        raise ParseError(f"{str(exc).split('. Use')[0]}. Did you mean {shown}?") from exc


def parse_tags(text: str | None) -> tuple[str, ...]:
    """``grief, loss`` -> ``("grief", "loss")``: trimmed, lower-case, without duplicates, in the order given."""
    if not text:
        return ()
    tags: list[str] = []
    for part in text.replace(";", ",").split(","):
        tag = " ".join(part.lower().replace("#", "").split())
        if tag and tag not in tags:
            tags.append(tag)
    if any(len(tag) > MAX_TAG for tag in tags):
        raise GroupInputError(f"Please keep each topic tag to {MAX_TAG} characters or fewer.")
    if len(tags) > MAX_TAGS:
        raise GroupInputError(f"Please use at most {MAX_TAGS} topic tags.")
    return tuple(tags)


def parse_first_date(text: str, weekday: int, tz: str, now: datetime) -> date:
    """The first meeting date: on the group's weekday, today or later (in the group's zone)."""
    today = local_today(tz, now)
    chosen = parse_date(text, today)
    if chosen < today:
        raise GroupInputError(f"{chosen:%a %d %b %Y} has already passed. Please pick today or a later date.")
    if chosen.weekday() != weekday:
        raise GroupInputError(
            f"{chosen:%a %d %b %Y} is a {WEEKDAY_NAMES[chosen.weekday()]}, but the group meets on "
            f"{WEEKDAY_NAMES[weekday]}s. Please pick a {WEEKDAY_NAMES[weekday]}."
        )
    return chosen


def parse_skip_date(text: str, when: WeeklyTime, skipped: Collection[date], now: datetime) -> date:
    """A date the group would meet on and that has not started yet (so it can still be skipped)."""
    chosen = parse_date(text, local_today(when.tz, now))
    day = f"{chosen:%a %d %b %Y}"
    if chosen in skipped:
        raise GroupInputError(f"The meeting on {day} is already skipped.")
    if not is_meeting_date(when, chosen):
        if chosen.weekday() != when.weekday:
            reason = f"that's a {WEEKDAY_NAMES[chosen.weekday()]} and the group meets on {WEEKDAY_NAMES[when.weekday]}s"
        else:
            reason = "that's before the group's first meeting"
        raise GroupInputError(f"The group doesn't meet on {day}: {reason}. Please pick a meeting date.")
    if meeting_on(when, chosen).start <= now:
        raise GroupInputError(f"The meeting on {day} has already started or happened, so it can't be skipped.")
    return chosen


# --------------------------------------------------------------------------------------------------------------------
# Whole commands: /group create and /group edit
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where a group meets (the cog reads it off the Discord channel)."""

    channel_id: int
    kind: ChannelKind
    name: str


@dataclass(frozen=True, slots=True)
class GroupInput:
    """What a facilitator typed into ``/group create`` or ``/group edit``; None means "not given"."""

    name: str | None = None
    description: str | None = None
    weekday: int | None = None
    start: str | None = None
    duration: int | None = None
    timezone: str | None = None
    place: Place | None = None
    facilitator_id: int | None = None
    capacity: int | None = None
    first_date: str | None = None
    tags: str | None = None
    private: bool | None = None
    reminders: str | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """The result of an edit: the new details and what kind of change it is."""

    details: GroupDetails
    moved: bool
    """The meeting time changed (weekday, start, length, zone or first date): members are told."""
    new_place: bool
    """It meets somewhere else: members are told, and the Discord event is replaced."""
    more_seats: bool
    """Capacity raised or removed: seats go to members waiting."""


def new_details(given: GroupInput, *, default_tz: str, now: datetime) -> GroupDetails:
    """The details of a new group; raises ``ValueError`` (a kind message) for anything that can't be used."""
    if (
        given.name is None
        or given.weekday is None
        or given.start is None
        or given.duration is None
        or given.place is None
        or given.facilitator_id is None
    ):
        raise GroupInputError("Please give the name, weekday, start time, duration and place.")
    tz = parse_zone(given.timezone) if given.timezone else default_tz
    return GroupDetails(
        name=clean_name(given.name),
        description=clean_description(given.description or ""),
        weekday=given.weekday,
        start=parse_start(given.start),
        duration=check_duration(given.duration),
        tz=tz,
        channel_id=given.place.channel_id,
        channel_kind=given.place.kind,
        channel_name=given.place.name,
        facilitator_id=given.facilitator_id,
        capacity=check_capacity(given.capacity),
        first_date=parse_first_date(given.first_date, given.weekday, tz, now) if given.first_date else None,
        tags=parse_tags(given.tags),
        private=bool(given.private),
        **({"leads": parse_leads(given.reminders)} if given.reminders is not None else {}),
    )


def apply_changes(old: GroupDetails, given: GroupInput, now: datetime) -> Changes:
    """Apply an edit. ``capacity`` 0 removes the limit; ``tags`` ``none`` clears them; a new weekday drops a first
    date that is no longer on it. Raises ``ValueError`` (a kind message) for anything that can't be used."""
    new = old
    if given.name is not None:
        new = replace(new, name=clean_name(given.name))
    if given.description is not None:
        new = replace(new, description=clean_description(given.description))
    if given.weekday is not None:
        new = replace(new, weekday=given.weekday)
    if given.start is not None:
        new = replace(new, start=parse_start(given.start))
    if given.duration is not None:
        new = replace(new, duration=check_duration(given.duration))
    if given.timezone is not None:
        new = replace(new, tz=parse_zone(given.timezone))
    if given.place is not None:
        place = given.place
        new = replace(new, channel_id=place.channel_id, channel_kind=place.kind, channel_name=place.name)
    if given.facilitator_id is not None:
        new = replace(new, facilitator_id=given.facilitator_id)
    if given.capacity is not None:
        new = replace(new, capacity=None if given.capacity == 0 else check_capacity(given.capacity))
    if given.first_date is not None:
        new = replace(new, first_date=parse_first_date(given.first_date, new.weekday, new.tz, now))
    elif new.first_date is not None and new.first_date.weekday() != new.weekday:
        new = replace(new, first_date=None)  # the next meeting on the new weekday is the first
    if given.tags is not None:
        new = replace(new, tags=() if given.tags.strip().lower() in ("none", "-") else parse_tags(given.tags))
    if given.private is not None:
        new = replace(new, private=given.private)
    if given.reminders is not None:
        new = replace(new, leads=parse_leads(given.reminders))
    if new == old:
        raise GroupInputError("Nothing to change: pick at least one option with a new value.")
    moved = (new.weekday, new.start, new.duration, new.tz, new.first_date) != (
        old.weekday,
        old.start,
        old.duration,
        old.tz,
        old.first_date,
    )
    more_seats = old.capacity is not None and (new.capacity is None or new.capacity > old.capacity)
    return Changes(new, moved, new.channel_id != old.channel_id, more_seats)
