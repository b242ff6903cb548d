"""Tests for cogs.rota.timeparse: times, weekdays, dates and time zones as volunteers type them."""

from __future__ import annotations

import contextlib
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.rota.timeparse import (
    ParseError,
    parse_date,
    parse_time,
    parse_timezone,
    parse_weekday,
    search_timezones,
    timezone_names,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:00", time(18)),
        (" 18:00 ", time(18)),
        ("6:30", time(6, 30)),
        ("18.30", time(18, 30)),
        ("18h", time(18)),
        ("18H30", time(18, 30)),
        ("6h", time(6)),
        ("6pm", time(18)),
        ("6 PM", time(18)),
        ("6:30 pm", time(18, 30)),
        ("6.30pm", time(18, 30)),
        ("630pm", time(18, 30)),
        ("6 p.m.", time(18)),
        ("6p", time(18)),
        ("9am", time(9)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("12:30am", time(0, 30)),
        ("0930", time(9, 30)),
        ("930", time(9, 30)),
        ("1800", time(18)),
        ("18", time(18)),
        ("06", time(6)),
        ("0", time(0)),
        ("00:00", time(0)),
        ("24:00", time(0)),
        ("24", time(0)),
        ("noon", time(12)),
        ("Midday", time(12)),
        ("midnight", time(0)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00", "I couldn't read '25:00' as a time. Try 18:00 or 6pm."),
        ("18:60", "I couldn't read '18:60' as a time"),
        ("24:30", "I couldn't read '24:30' as a time"),
        ("13pm", "isn't a 12-hour time"),
        ("0am", "isn't a 12-hour time"),
        ("6", "'6' could be 6am or 6pm. Try 06:00, 18:00, 6am or 6pm."),
        ("12", "could be 12am or 12pm"),
        ("soon", "I couldn't read 'soon' as a time"),
        ("", "as a time"),
        ("18:00:30", "as a time"),
        ("12345", "as a time"),
        ("-1", "as a time"),
    ],
)
def test_parse_time_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_time(text)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_long_input_is_truncated_in_message() -> None:
    with pytest.raises(ParseError) as info:
        parse_time("x" * 500)
    assert len(str(info.value)) < 120


@settings(max_examples=200, deadline=None, database=None)
@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_24h_round_trip(hour: int, minute: int) -> None:
    assert parse_time(f"{hour:02d}:{minute:02d}") == time(hour, minute)
    assert parse_time(f"{hour:02d}{minute:02d}") == time(hour, minute)
    twelve = hour % 12 or 12
    assert parse_time(f"{twelve}:{minute:02d} {'pm' if hour >= 12 else 'am'}") == time(hour, minute)


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text(max_size=20))
def test_parse_time_only_raises_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon", 0),
        ("Monday", 0),
        ("MONDAYS", 0),
        ("mo", 0),
        ("tu", 1),
        ("tue", 1),
        ("tues", 1),
        ("Tuesday", 1),
        ("wed", 2),
        ("weds", 2),
        ("wednes", 2),
        ("th", 3),
        ("thu", 3),
        ("thur", 3),
        ("thurs", 3),
        ("fri.", 4),
        ("sa", 5),
        ("saturday", 5),
        ("sun", 6),
        (" Sunday ", 6),
    ],
)
def test_parse_weekday(text: str, expected: int) -> None:
    assert parse_weekday(text) == expected


@pytest.mark.parametrize("text", ["t", "s", "m", "", "funday", "mondayy", "1"])
def test_parse_weekday_errors(text: str) -> None:
    with pytest.raises(ParseError, match="day of the week"):
        parse_weekday(text)


TODAY = date(2025, 3, 12)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-10", date(2025, 3, 10)),
        ("2025-3-9", date(2025, 3, 9)),
        ("today", TODAY),
        ("Tomorrow", date(2025, 3, 13)),
        ("fri", date(2025, 3, 14)),
        ("wed", TODAY),
        ("next wed", date(2025, 3, 19)),
        ("next friday", date(2025, 3, 14)),
        ("10 Mar", date(2026, 3, 10)),
        ("12 mar", TODAY),
        ("20th March", date(2025, 3, 20)),
        ("10th March 2025", date(2025, 3, 10)),
        ("Mar 20", date(2025, 3, 20)),
        ("March 10, 2026", date(2026, 3, 10)),
        ("sept 3", date(2025, 9, 3)),
        ("29 feb", date(2028, 2, 29)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10/03", "day-first or month-first"),
        ("2025-02-30", "isn't a real date"),
        ("31 feb 2025", "as a date"),
        ("blah", "as a date"),
        ("10 ma", "as a date"),
    ],
)
def test_parse_date_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(text, TODAY)
    assert message in str(info.value)


class TestTimezones:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Europe/London", "Europe/London"),
            ("europe/london", "Europe/London"),
            ("America/New York", "America/New_York"),
            ("london", "Europe/London"),
            ("New York", "America/New_York"),
            ("UTC", "UTC"),
            ("port au prince", "America/Port-au-Prince"),
        ],
    )
    def test_valid(self, text: str, expected: str) -> None:
        assert parse_timezone(text) == expected

    @pytest.mark.parametrize("text", ["Mars/Olympus", "", "../../etc/passwd", "Factory", "localtime", "Indianapolis"])
    def test_invalid(self, text: str) -> None:
        with pytest.raises(ParseError, match="time zone"):
            parse_timezone(text)

    def test_invalid_suggests(self) -> None:
        with pytest.raises(ParseError, match="Did you mean Europe/London"):
            parse_timezone("Europe/Lond")

    def test_names_cached_and_clean(self) -> None:
        names = timezone_names()
        assert names is timezone_names()
        assert "Europe/London" in names and "Factory" not in names
        assert list(names) == sorted(names)

    def test_search_ranking(self) -> None:
        assert search_timezones("london")[0] == "Europe/London"
        assert search_timezones("new york") == ["America/New_York"]
        assert search_timezones("syd")[0] == "Australia/Sydney"
        results = search_timezones("america", limit=25)
        assert len(results) == 25 and all("America" in r for r in results)
        assert search_timezones("eastern")[-1] == "US/Eastern"

    def test_search_limits(self) -> None:
        assert search_timezones("a", limit=5) == search_timezones("a")[:5]
        assert search_timezones("a", limit=0) == []
        assert search_timezones("zzzz-nothing") == []
        assert search_timezones("")[0] == "UTC"
        assert all(len(name) <= 100 for name in search_timezones("a", limit=25))

    def test_search_results_are_valid(self) -> None:
        for name in search_timezones("au", limit=25):
            assert parse_timezone(name) == name
