"""What facilitators type: each bad value gets a kind message (shown as is), good ones are normalised."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.groups.schedule import WeeklyTime
from cogs.groups.store import GroupDetails
from cogs.groups.validate import (
    GroupInput,
    Place,
    apply_changes,
    check_capacity,
    check_duration,
    clean_description,
    clean_name,
    new_details,
    parse_first_date,
    parse_skip_date,
    parse_start,
    parse_tags,
    parse_zone,
)

NOW = datetime(2040, 1, 2, 12, 0, tzinfo=UTC)  # Monday
WHEN = WeeklyTime(1, time(18, 0), 90, "Europe/London")


@pytest.mark.parametrize(("text", "wall"), [("18:00", time(18)), ("6pm", time(18)), ("6:30 pm", time(18, 30))])
def test_start_times(text: str, wall: time) -> None:
    assert parse_start(text) == wall


@pytest.mark.parametrize("text", ["25:99", "24:30", "six", "6", ""])
def test_bad_start_times(text: str) -> None:
    with pytest.raises(ValueError, match=r"Try 18:00 or 6pm|could be"):
        parse_start(text)


def test_unknown_zone_offers_close_matches() -> None:
    with pytest.raises(ValueError, match=r"Europe/London"):
        parse_zone("Europe/Londn")
    assert parse_zone("london") == "Europe/London"


@pytest.mark.parametrize("minutes", [0, -5, 1441, 10_000])
def test_bad_durations(minutes: int) -> None:
    with pytest.raises(ValueError, match="1 minute to 24 hours"):
        check_duration(minutes)


def test_durations_at_the_limits() -> None:
    assert check_duration(1) == 1
    assert check_duration(1440) == 1440


@pytest.mark.parametrize("capacity", [0, -1, 1001])
def test_bad_capacity(capacity: int) -> None:
    with pytest.raises(ValueError, match="number of seats"):
        check_capacity(capacity)


def test_capacity_none_means_no_limit() -> None:
    assert check_capacity(None) is None
    assert check_capacity(8) == 8


def test_names_and_descriptions() -> None:
    assert clean_name("  Grief   circle ") == "Grief circle"
    with pytest.raises(ValueError):
        clean_name("   ")
    with pytest.raises(ValueError):
        clean_name("x" * 81)
    with pytest.raises(ValueError):
        clean_description("x" * 1001)


def test_tags() -> None:
    assert parse_tags("Grief, #loss; grief ,  new  parents") == ("grief", "loss", "new parents")
    assert parse_tags(None) == ()
    with pytest.raises(ValueError):
        parse_tags(",".join(f"t{i}" for i in range(11)))


def test_first_date_must_be_on_the_weekday_and_not_past() -> None:
    assert parse_first_date("2040-01-10", 1, "Europe/London", NOW) == date(2040, 1, 10)
    with pytest.raises(ValueError, match="Wednesday"):
        parse_first_date("2040-01-11", 1, "Europe/London", NOW)
    with pytest.raises(ValueError, match="passed"):
        parse_first_date("2039-12-26", 1, "Europe/London", NOW)


def test_skip_date_must_be_a_meeting_that_has_not_started() -> None:
    assert parse_skip_date("tomorrow", WHEN, frozenset(), NOW) == date(2040, 1, 3)
    assert parse_skip_date("next tue", WHEN, frozenset(), NOW) == date(2040, 1, 3)
    with pytest.raises(ValueError, match="doesn't meet on Wed 04 Jan 2040"):
        parse_skip_date("2040-01-04", WHEN, frozenset(), NOW)
    with pytest.raises(ValueError, match="already skipped"):
        parse_skip_date("2040-01-03", WHEN, frozenset({date(2040, 1, 3)}), NOW)
    with pytest.raises(ValueError, match="already started or happened"):
        parse_skip_date("2039-12-27", WHEN, frozenset(), NOW)
    later = WeeklyTime(1, time(18, 0), 90, "Europe/London", first_date=date(2040, 1, 17))
    with pytest.raises(ValueError, match="before the group's first meeting"):
        parse_skip_date("2040-01-10", later, frozenset(), NOW)
    with pytest.raises(ValueError, match="couldn't read"):
        parse_skip_date("someday", WHEN, frozenset(), NOW)


@given(st.text(max_size=30))
def test_start_parser_either_parses_or_explains(text: str) -> None:
    try:
        parsed = parse_start(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert isinstance(parsed, time)


def _details(**changes: object) -> GroupDetails:
    base = new_details(
        GroupInput(
            name="Grief circle",
            description="A gentle space",
            weekday=1,
            start="18:00",
            duration=90,
            place=Place(5, "voice", "Support Room"),
            facilitator_id=99,
            capacity=4,
            first_date="2040-01-10",
        ),
        default_tz="Europe/London",
        now=NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_new_details_use_the_servers_zone_by_default() -> None:
    details = _details()
    assert (details.tz, details.start, details.first_date, details.leads) == (
        "Europe/London",
        time(18),
        date(2040, 1, 10),
        (1440, 15),
    )
    with pytest.raises(ValueError, match="Please give"):
        new_details(GroupInput(name="x"), default_tz="UTC", now=NOW)


def test_apply_changes_tells_what_kind_of_change() -> None:
    old = _details()
    words = apply_changes(old, GroupInput(description="New words", tags="none"), NOW)
    assert not words.moved and not words.new_place and not words.more_seats
    later = apply_changes(old, GroupInput(start="7pm"), NOW)
    assert later.moved and later.details.start == time(19)
    place = apply_changes(old, GroupInput(place=Place(6, "text", "general")), NOW)
    assert place.new_place and not place.moved and place.details.channel_kind == "text"
    assert apply_changes(old, GroupInput(capacity=0), NOW).details.capacity is None
    assert apply_changes(old, GroupInput(capacity=0), NOW).more_seats
    assert apply_changes(old, GroupInput(capacity=6), NOW).more_seats
    assert not apply_changes(old, GroupInput(capacity=2), NOW).more_seats
    assert apply_changes(old, GroupInput(reminders="1h"), NOW).details.leads == (60,)
    # A new weekday drops the old first date (it's on the old weekday).
    moved_day = apply_changes(old, GroupInput(weekday=3), NOW)
    assert moved_day.moved and moved_day.details.first_date is None
    with pytest.raises(ValueError, match="Nothing to change"):
        apply_changes(old, GroupInput(start="18:00", capacity=4), NOW)
    with pytest.raises(ValueError, match="number of seats"):
        apply_changes(old, GroupInput(capacity=-2), NOW)
