"""Reminder lead times and each group's chain of due work: pure rules, no Discord and no database.

Lead times
----------
Each joined member gets a DM before every meeting at the group's lead times: by default 24 hours and 15 minutes
before (:data:`DEFAULT_LEADS`). Facilitators change them with ``/group edit reminders:`` using
:func:`parse_leads` (``24h, 15m``, ``1d and 1h``, ``90m``, ``1h30``, a bare number of minutes, or ``off``). At most
:data:`MAX_LEADS` lead times, each from 1 minute to 48 hours (so a meeting's reminders never reach back into the
previous week's meeting: 48 h + a 24 h meeting < 7 days).

Steps and the chain
-------------------
Every meeting has steps in time order (:func:`steps_of`): one ``reminder`` per lead time (largest first), ``start``
("starting now", the Discord event goes live) and ``end`` (the event completes, the next one is created). Each step
is a durable job of its own kind, with a ref that names the group, the meeting's local date and the lead time, so a
step can never be scheduled twice (``bot.scheduler`` keeps ``(kind, ref)`` unique):

=================  ==============================  ================================================
kind               ref                             grace (how late it may still run)
=================  ==============================  ================================================
``groups:reminder`` ``<group>:<YYYY-MM-DD>:<lead>`` the lead time, at most 1 hour (:func:`grace_for`)
``groups:start``   ``<group>:<YYYY-MM-DD>``        15 minutes
``groups:end``     ``<group>:<YYYY-MM-DD>``        6 days (housekeeping must happen)
``groups:sync``    ``<group>:sync:<stamp>``        6 days (repair after downtime)
``groups:notice``  ``<group>:<notice>``            1 day (DMs about a skip, a new time, a seat...)
=================  ==============================  ================================================

A group has **one pending step at a time**: the handler of a step schedules the next one *first*
(:func:`step_after`), then does its work, so 10,000 groups mean 10,000 pending jobs and start-up has nothing to
recompute. A step that can no longer run in time is passed over (the next one whose grace has not run out is
chosen), so a late handler never chains into a job that would only be marked missed. When a group changes (edit,
skip), the cog schedules :func:`first_step` from now; a step left over from the old plan re-checks itself when it
fires (:func:`step_is_current`) and only re-plans, so the chains converge on the same ``(kind, ref)``.

Lateness is judged by the handler, not the scheduler: step kinds are registered with a long scheduler grace
(:data:`SCHEDULER_GRACE`), so a late step still runs its handler, which continues the chain and then, if the step
is past its own grace (the table above), marks the job ``missed`` instead of doing the work. So a reminder is never
sent late (at most ``min(lead, 1 h)``, never after the meeting starts), and a late wake-up (a paused machine, a
restart) never breaks a group's chain. Only a step more than :data:`SCHEDULER_GRACE` overdue is dropped by the
scheduler; the start-up repair (``groups_needing_plan`` in the store) restarts such a group's chain.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cogs.groups.schedule import Meeting, WeeklyTime, is_meeting_date, meeting_on, meetings_from

__all__ = [
    "DEFAULT_LEADS",
    "GRACE",
    "KIND_END",
    "KIND_NOTICE",
    "KIND_REMINDER",
    "KIND_START",
    "KIND_SYNC",
    "SCHEDULER_GRACE",
    "STEP_KINDS",
    "LeadError",
    "Step",
    "decode_leads",
    "encode_leads",
    "first_step",
    "format_lead",
    "format_leads",
    "grace_for",
    "parse_leads",
    "parse_step_ref",
    "split_ref",
    "step_after",
    "step_is_current",
    "steps_of",
]

KIND_REMINDER = "groups:reminder"
KIND_START = "groups:start"
KIND_END = "groups:end"
KIND_SYNC = "groups:sync"
KIND_NOTICE = "groups:notice"
STEP_KINDS = (KIND_REMINDER, KIND_START, KIND_END, KIND_SYNC)

# How late the scheduler still runs a groups job (the handler then applies the step's own grace, below).
SCHEDULER_GRACE = timedelta(days=30)

GRACE: dict[str, timedelta] = {
    KIND_REMINDER: timedelta(hours=1),
    KIND_START: timedelta(minutes=15),
    KIND_END: timedelta(days=6),
    KIND_SYNC: timedelta(days=6),
    KIND_NOTICE: timedelta(days=1),
}

DEFAULT_LEADS: tuple[int, ...] = (24 * 60, 15)
MIN_LEAD = 1
MAX_LEAD = 48 * 60
MAX_LEADS = 4

_UNITS = {
    "d": 1440,
    "day": 1440,
    "days": 1440,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
}
_PART = re.compile(r"(\d{1,4})\s*([a-z]*)")
_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|&)\s*")
_OFF = frozenset({"off", "none", "no", "0", "never"})
_HINT = "Try `24h, 15m`, `1d and 1h`, `90m`, or `off`."


class LeadError(ValueError):
    """Reminder lead times that can't be used; ``str()`` is a kind message."""


def _echo(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def _parse_one(chunk: str, original: str) -> int:
    compact = chunk.replace(" ", "")
    pos, total, last_unit = 0, 0, None
    while pos < len(compact):
        match = _PART.match(compact, pos)
        if match is None or match.end() == pos:
            raise LeadError(f"I couldn't read '{_echo(original)}' as reminder times. {_HINT}")
        number, unit = int(match[1]), match[2]
        if unit == "":
            # "1h30" means 1 h 30 min; a bare number on its own means minutes.
            unit = "m"
        if unit not in _UNITS or (last_unit is not None and _UNITS[unit] >= _UNITS[last_unit]):
            raise LeadError(f"I couldn't read '{_echo(original)}' as reminder times. {_HINT}")
        total += number * _UNITS[unit]
        last_unit = unit
        pos = match.end()
    return total


def parse_leads(text: str) -> tuple[int, ...]:
    """Reminder lead times in minutes, largest first, without duplicates; ``()`` for ``off``."""
    value = " ".join(text.lower().split())
    if value in _OFF:
        return ()
    chunks = [c for c in _SPLIT.split(value) if c]
    if not chunks:
        raise LeadError(f"Please give at least one reminder time. {_HINT}")
    leads = sorted({_parse_one(chunk, text) for chunk in chunks}, reverse=True)
    for lead in leads:
        if not MIN_LEAD <= lead <= MAX_LEAD:
            raise LeadError(f"Reminders can be from 1 minute to 48 hours before a meeting. {_HINT}")
    if len(leads) > MAX_LEADS:
        raise LeadError(f"Please pick at most {MAX_LEADS} reminder times.")
    return tuple(leads)


def format_lead(minutes: int) -> str:
    """``1440`` -> ``24 h``, ``90`` -> ``1 h 30 min``, ``15`` -> ``15 min``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def format_leads(leads: Sequence[int]) -> str:
    """``(1440, 15)`` -> ``24 h and 15 min``; ``()`` -> ``no reminders``."""
    parts = [format_lead(lead) for lead in leads]
    if not parts:
        return "no reminders"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def encode_leads(leads: Sequence[int]) -> str:
    return ",".join(str(lead) for lead in leads)


def decode_leads(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part)


# --------------------------------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One piece of due work for one meeting. ``lead`` is the reminder's lead time (0 for start and end)."""

    kind: str
    local_date: date
    lead: int
    due: datetime

    @property
    def key(self) -> tuple[str, date, int]:
        return (self.kind, self.local_date, self.lead)

    def ref(self, group_id: int) -> str:
        if self.kind == KIND_REMINDER:
            return f"{group_id}:{self.local_date.isoformat()}:{self.lead}"
        return f"{group_id}:{self.local_date.isoformat()}"

    @property
    def grace(self) -> timedelta:
        return grace_for(self.kind, self.lead)


def grace_for(kind: str, lead: int = 0) -> timedelta:
    """How late a step may still run. A reminder: its lead time, at most an hour (never after the start)."""
    if kind == KIND_REMINDER:
        return min(GRACE[KIND_REMINDER], timedelta(minutes=lead))
    return GRACE[kind]


def steps_of(meeting: Meeting, leads: Sequence[int]) -> list[Step]:
    """The meeting's steps in time order: reminders (largest lead first), start, end."""
    reminders = [
        Step(KIND_REMINDER, meeting.local_date, lead, meeting.start - timedelta(minutes=lead))
        for lead in sorted(set(leads), reverse=True)
    ]
    return [
        *reminders,
        Step(KIND_START, meeting.local_date, 0, meeting.start),
        Step(KIND_END, meeting.local_date, 0, meeting.end),
    ]


def _steps_from(when: WeeklyTime, instant: datetime, skipped: Collection[date], leads: Sequence[int]) -> Iterator[Step]:
    for meeting in meetings_from(when, instant, skipped):
        yield from steps_of(meeting, leads)


def first_step(when: WeeklyTime, now: datetime, skipped: Collection[date], leads: Sequence[int]) -> Step | None:
    """The first step due strictly after ``now``: where a new or changed group's chain starts."""
    return next((s for s in _steps_from(when, now, skipped, leads) if s.due > now), None)


def step_is_current(
    when: WeeklyTime, skipped: Collection[date], leads: Sequence[int], kind: str, local_date: date, lead: int
) -> Step | None:
    """The step with this key in the group's *current* plan (with its current due time), or None if the plan has
    no such step any more (the date was skipped or moved, the lead time removed)."""
    if kind not in (KIND_REMINDER, KIND_START, KIND_END) or not is_meeting_date(when, local_date, skipped):
        return None
    if kind == KIND_REMINDER and lead not in leads:
        return None
    meeting = meeting_on(when, local_date)
    return next((s for s in steps_of(meeting, leads) if s.key == (kind, local_date, lead)), None)


def step_after(
    when: WeeklyTime, skipped: Collection[date], leads: Sequence[int], done: Step, now: datetime
) -> Step | None:
    """The step that follows ``done`` in the current plan and can still run in time at ``now``.

    If ``done`` is no longer part of the plan, the chain restarts at :func:`first_step`.
    """
    current = step_is_current(when, skipped, leads, done.kind, done.local_date, done.lead)
    if current is None:
        return first_step(when, now, skipped, leads)
    meeting_start = meeting_on(when, done.local_date).start
    passed = False
    for step in _steps_from(when, meeting_start, skipped, leads):
        if passed and step.due + step.grace > now:
            return step
        if step.key == current.key:
            passed = True
    return None


def parse_step_ref(kind: str, ref: str) -> tuple[int, date, int]:
    """``(group_id, local_date, lead)`` from a reminder/start/end job ref; ValueError if malformed."""
    parts = ref.split(":")
    if kind == KIND_REMINDER and len(parts) == 3:
        return int(parts[0]), date.fromisoformat(parts[1]), int(parts[2])
    if kind in (KIND_START, KIND_END) and len(parts) == 2:
        return int(parts[0]), date.fromisoformat(parts[1]), 0
    raise ValueError(f"malformed {kind} ref {ref!r}")


def split_ref(ref: str) -> tuple[int, str]:
    """``(group_id, rest)`` from any groups job ref."""
    head, _, rest = ref.partition(":")
    return int(head), rest
