"""Tests for cogs.rota.coverage: the week grid (incl. DST weeks), gaps, the text table and the PNG heatmap."""

from __future__ import annotations

import random
import struct
import time as clock
import zlib
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.rota.coverage import (
    CellStatus,
    describe_range,
    render_heatmap_png,
    render_table,
    uncovered_hours,
    week_coverage,
    week_start_for,
)
from cogs.rota.schedule import Duty, Interval, Override, RotaShift, Shift, manual_duty

LONDON = "Europe/London"
NY = "America/New_York"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def rota(shift_id: int, name: str, weekday: int, start: time, end: time, tz: str = "UTC") -> RotaShift:
    return RotaShift(shift_id, shift_id * 10, name, Shift(weekday, start, end, tz))


def many_shifts(count: int, seed: int = 7) -> list[RotaShift]:
    rng = random.Random(seed)
    zones = [LONDON, NY, "Australia/Sydney", "Asia/Kolkata", "UTC"]
    result = []
    for index in range(count):
        start = time(rng.randrange(24), rng.choice([0, 15, 30, 45]))
        length = timedelta(minutes=rng.randrange(30, 12 * 60 + 1, 15))
        end = (datetime.combine(date(2000, 1, 1), start) + length).time()
        name = f"Volunteer with a long display name {index % 120} `x`\n"
        result.append(RotaShift(index, index % 120, name, Shift(rng.randrange(7), start, end, rng.choice(zones))))
    return result


class TestGrid:
    def test_simple_utc_week(self) -> None:
        cov = week_coverage([rota(1, "Alice", MON, time(9), time(17))], [], date(2024, 1, 8), "UTC")
        assert cov.start == utc(2024, 1, 8) and cov.end == utc(2024, 1, 15)
        assert [cov.cell(MON, h).status for h in (8, 9, 16, 17)] == [
            CellStatus.UNCOVERED,
            CellStatus.COVERED,
            CellStatus.COVERED,
            CellStatus.UNCOVERED,
        ]
        assert cov.cell(MON, 9).names == ("Alice",)
        assert cov.cell(MON, 9).min_count == 1
        assert cov.uncovered == (
            Interval(utc(2024, 1, 8), utc(2024, 1, 8, 9)),
            Interval(utc(2024, 1, 8, 17), utc(2024, 1, 15)),
        )
        assert cov.hours_by_volunteer == (("Alice", timedelta(hours=8)),)

    def test_partial_hours(self) -> None:
        cov = week_coverage([rota(1, "Alice", TUE, time(9, 30), time(10, 30))], [], date(2024, 1, 8), "UTC")
        for hour in (9, 10):
            cell = cov.cell(TUE, hour)
            assert cell.status is CellStatus.PARTIAL
            assert (cell.min_count, cell.max_count, cell.names) == (0, 1, ("Alice",))

    def test_counts_distinct_volunteers(self) -> None:
        shifts = [rota(1, "Alice", WED, time(9), time(12)), rota(2, "Bob", WED, time(10), time(11))]
        own_cover = Duty(10, "Alice", Interval(utc(2024, 1, 10, 9), utc(2024, 1, 10, 10)))
        cov = week_coverage(shifts, [], date(2024, 1, 8), "UTC", extra=[own_cover])
        assert cov.cell(WED, 9).min_count == 1
        assert (cov.cell(WED, 10).min_count, cov.cell(WED, 10).names) == (2, ("Alice", "Bob"))

    def test_shift_zone_differs_from_server_zone(self) -> None:
        # 2024-03-11: New York already on EDT (UTC-4), London still on GMT.
        cov = week_coverage([rota(1, "Nia", MON, time(18), time(22), NY)], [], date(2024, 3, 11), LONDON)
        covered = [h for h in range(24) if cov.cell(MON, h).status is CellStatus.COVERED]
        assert covered == [22, 23]
        assert [cov.cell(TUE, h).status for h in (0, 1, 2)] == [CellStatus.COVERED] * 2 + [CellStatus.UNCOVERED]

    def test_overrides_cover_and_gap(self) -> None:
        shifts = [rota(1, "Alice", MON, time(9), time(11)), rota(2, "Bob", TUE, time(9), time(11))]
        overrides = [Override(1, date(2024, 1, 8), 99, "Cara"), Override(2, date(2024, 1, 9))]
        cov = week_coverage(shifts, overrides, date(2024, 1, 8), "UTC")
        assert cov.cell(MON, 9).names == ("Cara",)
        assert cov.cell(TUE, 9).status is CellStatus.UNCOVERED

    def test_week_start_must_be_monday(self) -> None:
        with pytest.raises(ValueError, match="Monday"):
            week_coverage([], [], date(2024, 1, 9), "UTC")

    def test_empty_rota(self) -> None:
        cov = week_coverage([], [], date(2024, 1, 8), LONDON)
        assert all(cell.status is CellStatus.UNCOVERED for row in cov.cells for cell in row)
        assert cov.uncovered == (Interval(cov.start, cov.end),)


class TestDstWeeks:
    def test_spring_forward_23_hour_day(self) -> None:
        cov = week_coverage([rota(1, "Alice", SUN, time(0), time(6), LONDON)], [], date(2024, 3, 25), LONDON)
        skipped = cov.cell(SUN, 1)
        assert not skipped.exists and skipped.status is CellStatus.MISSING
        assert cov.cell(SUN, 0).real_length == timedelta(hours=1)
        assert cov.cell(SUN, 2).status is CellStatus.COVERED
        assert sum((c.real_length for c in (cov.cells[SUN])), timedelta(0)) == timedelta(hours=23)
        assert cov.end - cov.start == timedelta(days=7, hours=-1)
        table = render_table(cov)
        assert "hour skipped" in table
        sunday_column = [line[3:].split()[-1] for line in table.splitlines() if line[:2] == "01"]
        assert sunday_column == ["-"]

    def test_fall_back_25_hour_day(self) -> None:
        cov = week_coverage([rota(1, "Alice", SUN, time(0), time(3), LONDON)], [], date(2024, 10, 21), LONDON)
        repeated = cov.cell(SUN, 1)
        assert repeated.repeated and repeated.real_length == timedelta(hours=2)
        assert repeated.status is CellStatus.COVERED
        assert sum((c.real_length for c in cov.cells[SUN]), timedelta(0)) == timedelta(hours=25)
        table = render_table(cov)
        assert "happens twice" in table
        assert any(line.startswith("01") and line.endswith("1*") for line in table.splitlines())

    def test_lord_howe_half_hour_cell(self) -> None:
        cov = week_coverage([], [], date(2024, 9, 30), "Australia/Lord_Howe")
        assert cov.cell(SUN, 2).real_length == timedelta(minutes=30)
        assert cov.cell(SUN, 2).status is CellStatus.UNCOVERED

    def test_new_york_server_spring_week(self) -> None:
        cov = week_coverage([], [], date(2024, 3, 4), NY)
        assert not cov.cell(SUN, 2).exists
        assert cov.cell(SUN, 3).spans[0].start == utc(2024, 3, 10, 7)


class TestUncoveredHours:
    def test_window_ranges_merged(self) -> None:
        shifts = [
            rota(1, "Alice", MON, time(9), time(12)),
            rota(2, "Bob", MON, time(12), time(14)),
            rota(3, "Cara", TUE, time(20), time(2)),
        ]
        gaps = uncovered_hours(shifts, [], utc(2024, 1, 8, 6))
        assert gaps == [
            Interval(utc(2024, 1, 8, 6), utc(2024, 1, 8, 9)),
            Interval(utc(2024, 1, 8, 14), utc(2024, 1, 9, 20)),
            Interval(utc(2024, 1, 10, 2), utc(2024, 1, 10, 6)),
        ]

    def test_running_shift_and_manual_duty(self) -> None:
        shifts = [rota(1, "Alice", MON, time(9), time(12))]
        manual = Duty(5, "Dee", manual_duty(utc(2024, 1, 8, 12), 12))
        gaps = uncovered_hours(shifts, [], utc(2024, 1, 8, 10), timedelta(hours=20), extra=[manual])
        assert gaps == [Interval(utc(2024, 1, 9), utc(2024, 1, 9, 6))]

    def test_uncovered_override_opens_gap(self) -> None:
        shifts = [rota(1, "Alice", MON, time(0), time(12))]
        gaps = uncovered_hours(shifts, [Override(1, date(2024, 1, 8))], utc(2024, 1, 8), timedelta(hours=12))
        assert gaps == [Interval(utc(2024, 1, 8), utc(2024, 1, 8, 12))]

    def test_describe_range(self) -> None:
        same_day = Interval(utc(2024, 1, 8, 2), utc(2024, 1, 8, 6))
        overnight = Interval(utc(2024, 1, 8, 22), utc(2024, 1, 9, 6))
        assert describe_range(same_day, LONDON) == "Mon 08 Jan 02:00-06:00"
        assert describe_range(overnight, LONDON, with_date=False) == "Mon 22:00-Tue 06:00"
        to_midnight = Interval(utc(2024, 1, 8, 22), utc(2024, 1, 9))
        assert describe_range(to_midnight, LONDON, with_date=False) == "Mon 22:00-24:00"
        week_long = Interval(utc(2024, 1, 8, 18), utc(2024, 1, 15))
        assert describe_range(week_long, LONDON, with_date=False) == "Mon 08 Jan 18:00-Mon 15 Jan 00:00"
        assert describe_range(same_day, NY) == "Sun 07 Jan 21:00-Mon 08 Jan 01:00"


class TestWeekStart:
    def test_server_zone_decides_the_week(self) -> None:
        now = utc(2024, 1, 15, 2)  # Monday 02:00 UTC is still Sunday in New York
        assert week_start_for(now, "UTC") == date(2024, 1, 15)
        assert week_start_for(now, NY) == date(2024, 1, 8)
        assert week_start_for(now, NY, weeks_ahead=1) == date(2024, 1, 15)
        assert week_start_for(now, NY, weeks_ahead=-1) == date(2024, 1, 1)


class TestTable:
    def test_small_rota_marks(self) -> None:
        shifts = [rota(1, "Alice", MON, time(9), time(17)), rota(2, "Bob", MON, time(16, 30), time(17, 30))]
        table = render_table(week_coverage(shifts, [], date(2024, 1, 8), "UTC"))
        lines = table.splitlines()
        row = {line[:2]: line[3:].split() for line in lines if line[:2].isdigit() and line[2] == " "}
        assert row["08"] == ["!"] * 7
        assert row["09"] == ["1"] + ["!"] * 6
        assert row["16"][0] == "1"  # Bob only from 16:30: one volunteer for the whole hour
        assert row["17"][0] == "~1"
        assert "Uncovered: Mon 00:00-09:00, Mon 08 Jan 17:30-Mon 15 Jan 00:00" in " ".join(table.split())
        assert "Alice 8h" in table and "Bob 1h" in table
        assert "! = nobody" in table

    def test_three_hundred_shifts_fit(self) -> None:
        shifts = many_shifts(300)
        table = render_table(week_coverage(shifts, [], date(2024, 3, 25), LONDON))
        assert len(table) <= 1900
        assert "`" not in table
        assert "more" in table
        assert len(table.splitlines()) < 60

    def test_many_gaps_trimmed(self) -> None:
        shifts = [rota(i, f"V{i}", i % 7, time(i % 24), time(i % 24, 30)) for i in range(168)]
        cov = week_coverage(shifts, [], date(2024, 1, 8), "UTC")
        table = render_table(cov, max_chars=1200)
        assert len(table) <= 1200
        assert "Uncovered:" in table and "more" in table

    def test_too_small_budget(self) -> None:
        with pytest.raises(ValueError, match="too small"):
            render_table(week_coverage([], [], date(2024, 1, 8), "UTC"), max_chars=100)

    def test_custom_title_sanitised(self) -> None:
        table = render_table(week_coverage([], [], date(2024, 1, 8), "UTC"), title="```evil\ntitle")
        assert table.splitlines()[0] == "'''evil title"


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        offset += 12 + length
    return chunks


class TestHeatmap:
    def test_valid_png(self) -> None:
        cov = week_coverage([rota(1, "Alice", MON, time(9), time(17))], [], date(2024, 3, 25), LONDON)
        chunks = _png_chunks(render_heatmap_png(cov))
        kinds = [kind for kind, _ in chunks]
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
        width, height, depth, color = struct.unpack(">IIBB", chunks[0][1][:10])
        assert (depth, color) == (8, 2)
        assert 200 <= width <= 1000 and 300 <= height <= 1000
        raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
        assert len(raw) == height * (1 + width * 3)
        assert {raw[y * (1 + width * 3)] for y in range(height)} == {0}

    def test_colours_present(self) -> None:
        cov = week_coverage([rota(1, "Alice", MON, time(9), time(17))], [], date(2024, 1, 8), "UTC")
        chunks = _png_chunks(render_heatmap_png(cov))
        raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
        assert bytes((224, 49, 49)) in raw  # uncovered red
        assert bytes((140, 233, 154)) in raw  # covered by one

    def test_fast_for_three_hundred_shifts(self) -> None:
        shifts = many_shifts(300)
        began = clock.perf_counter()
        png = render_heatmap_png(week_coverage(shifts, [], date(2024, 3, 25), LONDON))
        assert clock.perf_counter() - began < 0.3
        assert len(png) < 100_000

    def test_pillow_can_open_it_when_installed(self) -> None:
        image_module = pytest.importorskip("PIL.Image")
        import io

        cov = week_coverage(many_shifts(20), [], date(2024, 1, 8), "UTC")
        image = image_module.open(io.BytesIO(render_heatmap_png(cov)))
        image.load()
        assert image.mode == "RGB"


@settings(max_examples=25, deadline=None, database=None)
@given(
    seed=st.integers(0, 10_000),
    count=st.integers(0, 40),
    tz=st.sampled_from([LONDON, NY, "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata"]),
    week=st.sampled_from(
        [date(2024, 3, 4), date(2024, 3, 25), date(2024, 9, 30), date(2024, 10, 28), date(2024, 4, 1)]
    ),
)
def test_cells_partition_the_week_and_match_gaps(seed: int, count: int, tz: str, week: date) -> None:
    cov = week_coverage(many_shifts(count, seed), [], week, tz)
    spans = [span for row in cov.cells for cell in row for span in cell.spans]
    assert spans[0].start == cov.start and spans[-1].end == cov.end
    for left, right in pairwise(spans):
        assert left.end == right.start
    gap_total = sum((gap.duration for gap in cov.uncovered), timedelta(0))
    uncovered_cells = sum(
        (c.real_length for row in cov.cells for c in row if c.status is CellStatus.UNCOVERED), timedelta(0)
    )
    assert uncovered_cells <= gap_total
    for row in cov.cells:
        for cell in row:
            if cell.status is CellStatus.UNCOVERED:
                assert any(g.start <= cell.spans[0].start and cell.spans[0].end <= g.end for g in cov.uncovered)
            if cell.status is CellStatus.COVERED:
                assert not any(g.overlaps(cell.spans[0]) for g in cov.uncovered)
