"""Reminder lead times, the steps of a meeting, and how each group's chain of due work continues."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.groups.reminders import (
    DEFAULT_LEADS,
    KIND_END,
    KIND_REMINDER,
    KIND_START,
    LeadError,
    Step,
    first_step,
    format_lead,
    format_leads,
    grace_for,
    parse_leads,
    parse_step_ref,
    split_ref,
    step_after,
    step_is_current,
    steps_of,
)
from cogs.groups.schedule import WeeklyTime, meeting_on

WHEN = WeeklyTime(1, time(18, 0), 90, "Europe/London")  # Tuesdays 18:00-19:30
TUE = date(2040, 1, 3)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "leads"),
    [
        ("24h, 15m", (1440, 15)),
        ("15 min and 24 hours", (1440, 15)),
        ("1d & 1h", (1440, 60)),
        ("90", (90,)),
        ("1h30", (90,)),
        ("1h30m; 2h", (120, 90)),
        ("15m, 15 minutes", (15,)),
        ("off", ()),
        ("None", ()),
        ("48h", (2880,)),
    ],
)
def test_parse_leads(text: str, leads: tuple[int, ...]) -> None:
    assert parse_leads(text) == leads


@pytest.mark.parametrize("text", ["soon", "3 weeks", "49h", "0m", "30m1h", ",", "1m,2m,3m,4m,5m", "h"])
def test_bad_leads_get_a_kind_message(text: str) -> None:
    with pytest.raises(LeadError) as caught:
        parse_leads(text)
    assert str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_format_leads() -> None:
    assert format_leads(DEFAULT_LEADS) == "24 h and 15 min"
    assert format_leads((2880, 90, 5)) == "48 h, 1 h 30 min and 5 min"
    assert format_leads(()) == "no reminders"
    assert format_lead(60) == "1 h"


def test_steps_of_a_meeting_in_time_order() -> None:
    meeting = meeting_on(WHEN, TUE)
    steps = steps_of(meeting, (15, 1440))
    assert [(s.kind, s.lead) for s in steps] == [
        (KIND_REMINDER, 1440),
        (KIND_REMINDER, 15),
        (KIND_START, 0),
        (KIND_END, 0),
    ]
    assert [s.due for s in steps] == [
        utc(2040, 1, 2, 18),
        utc(2040, 1, 3, 17, 45),
        utc(2040, 1, 3, 18),
        utc(2040, 1, 3, 19, 30),
    ]
    assert [s.ref(7) for s in steps] == ["7:2040-01-03:1440", "7:2040-01-03:15", "7:2040-01-03", "7:2040-01-03"]


def test_refs_round_trip() -> None:
    assert parse_step_ref(KIND_REMINDER, "7:2040-01-03:15") == (7, TUE, 15)
    assert parse_step_ref(KIND_START, "7:2040-01-03") == (7, TUE, 0)
    assert split_ref("12:skip:2040-01-03") == (12, "skip:2040-01-03")
    with pytest.raises(ValueError):
        parse_step_ref(KIND_REMINDER, "7:2040-01-03")


def test_grace_never_lets_a_reminder_arrive_after_the_start() -> None:
    assert grace_for(KIND_REMINDER, 15) == timedelta(minutes=15)
    assert grace_for(KIND_REMINDER, 1440) == timedelta(hours=1)
    assert grace_for(KIND_START) == timedelta(minutes=15)


def test_chain_walks_every_step_then_the_next_meeting() -> None:
    now = utc(2040, 1, 2, 12)
    step = first_step(WHEN, now, frozenset(), DEFAULT_LEADS)
    seen: list[Step] = []
    while step is not None and len(seen) < 9:
        seen.append(step)
        step = step_after(WHEN, frozenset(), DEFAULT_LEADS, step, step.due)
    assert [(s.kind, s.local_date.day, s.lead) for s in seen] == [
        (KIND_REMINDER, 3, 1440),
        (KIND_REMINDER, 3, 15),
        (KIND_START, 3, 0),
        (KIND_END, 3, 0),
        (KIND_REMINDER, 10, 1440),
        (KIND_REMINDER, 10, 15),
        (KIND_START, 10, 0),
        (KIND_END, 10, 0),
        (KIND_REMINDER, 17, 1440),
    ]


def test_a_late_handler_passes_over_steps_that_can_no_longer_run() -> None:
    done = Step(KIND_REMINDER, TUE, 1440, utc(2040, 1, 2, 18))
    # The bot was busy (or down) until 18:20 on the day: the 15-minute reminder and the start are too late now.
    nxt = step_after(WHEN, frozenset(), DEFAULT_LEADS, done, utc(2040, 1, 3, 18, 20))
    assert nxt is not None and nxt.kind == KIND_END and nxt.local_date == TUE


def test_skipping_a_date_moves_the_chain_past_it() -> None:
    now = utc(2040, 1, 2, 12)
    skipped = frozenset({TUE})
    step = first_step(WHEN, now, skipped, DEFAULT_LEADS)
    assert step is not None and step.local_date == date(2040, 1, 10) and step.lead == 1440
    # A leftover job for the skipped date is no longer part of the plan...
    assert step_is_current(WHEN, skipped, DEFAULT_LEADS, KIND_REMINDER, TUE, 15) is None
    # ...and continuing from it restarts the chain at the current plan.
    leftover = Step(KIND_REMINDER, TUE, 15, utc(2040, 1, 3, 17, 45))
    assert step_after(WHEN, skipped, DEFAULT_LEADS, leftover, now) == step


def test_a_removed_lead_time_is_not_current() -> None:
    assert step_is_current(WHEN, frozenset(), (60,), KIND_REMINDER, TUE, 15) is None
    current = step_is_current(WHEN, frozenset(), (60,), KIND_REMINDER, TUE, 60)
    assert current is not None and current.due == utc(2040, 1, 3, 17)


def test_no_reminders_still_keeps_start_and_end() -> None:
    step = first_step(WHEN, utc(2040, 1, 2, 12), frozenset(), ())
    assert step is not None and step.kind == KIND_START


@settings(max_examples=100, deadline=None)
@given(
    hour=st.integers(0, 23),
    weekday=st.integers(0, 6),
    leads=st.sets(st.integers(1, 2880), max_size=4),
    duration=st.integers(1, 1440),
    offset=st.integers(0, 14 * 24 * 60),
)
def test_chain_is_strictly_increasing_and_never_doubles_a_ref(
    hour: int, weekday: int, leads: set[int], duration: int, offset: int
) -> None:
    when = WeeklyTime(weekday, time(hour, 30), duration, "America/New_York")
    now = utc(2040, 3, 1) + timedelta(minutes=offset)
    ordered = tuple(sorted(leads, reverse=True))
    step = first_step(when, now, frozenset(), ordered)
    refs: set[tuple[str, str]] = set()
    previous = None
    for _ in range(3 * (len(leads) + 2)):
        assert step is not None
        assert (step.kind, step.ref(1)) not in refs
        refs.add((step.kind, step.ref(1)))
        if previous is not None:
            assert step.due >= previous.due
        previous = step
        step = step_after(when, frozenset(), ordered, step, step.due)
