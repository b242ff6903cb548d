"""Rota coverage for ``/rota view``: a week grid in the server's time zone, gaps, a text table and a PNG heatmap.

Pure computation (no Discord, no SQL, no third-party imports: the PNG is encoded with :mod:`zlib`).

The grid
--------
:func:`week_coverage` takes the rota (shifts may each have their own zone), the cover overrides, optional extra
duties (e.g. manual ``/duty on``), a **week start** (the server-local Monday, as a ``date``) and the server zone, and
returns 7 days x 24 **local wall-clock hours**. Cell (day, h) holds the real instants whose server-local wall time
lies in ``[h:00, h+1:00)`` on that day; each boundary is the first instant whose local time is at or after the
boundary's wall time. Hence on DST days:

* **23-hour day** (spring forward): the skipped hour's cell has no real time (``exists`` is False, status
  ``MISSING``) and is shown as ``-``. It is never "uncovered". (With a 30-minute switch, Lord Howe, the cell is
  30 real minutes long.)
* **25-hour day** (fall back): the repeated hour's cell spans both real hours (``repeated`` is True, shown with a
  ``*``); its counts consider both.

Each cell reports ``min_count`` (fewest distinct volunteers on duty at any moment of the cell) and ``max_count``
(most), and the names of everyone on duty at some moment of it. Status: ``COVERED`` when ``min_count >= 1``,
``PARTIAL`` when someone is on for only part of it, ``UNCOVERED`` when nobody is. The week itself runs from the
first instant of Monday 00:00 to the first instant of the next Monday 00:00, server time.

Gaps
----
:func:`uncovered_hours` returns the exact uncovered ranges (merged, in UTC) of a window, by default the 48 hours from
``now``; :attr:`WeekCoverage.uncovered` holds the same for the grid's week. :func:`describe_range` formats one range in
a given zone.

Rendering
---------
:func:`render_table` gives a monospace text table (rows = hours, columns = days) of per-hour counts with a legend,
the week's gaps and hours per volunteer, trimmed ("+N more") to at most ``max_chars`` (default 1,900) characters so
that the cog can wrap it in a code block (6-8 more characters) inside Discord's 2,000 limit. Names are sanitised
(no backticks or control characters, at most 24 characters). :func:`render_heatmap_png` draws the same grid as a PNG.
"""

from __future__ import annotations

import enum
import struct
import unicodedata
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cogs.rota.schedule import (
    WEEKDAY_ABBREVIATIONS,
    Duty,
    Interval,
    Override,
    RotaShift,
    duties_between,
    get_zone,
    merge_intervals,
)

__all__ = [
    "CellStatus",
    "HourCell",
    "WeekCoverage",
    "describe_range",
    "render_heatmap_png",
    "render_table",
    "uncovered_hours",
    "week_coverage",
    "week_start_for",
]

DEFAULT_GAP_WINDOW = timedelta(hours=48)
TABLE_MAX_CHARS = 1900
_NAME_LIMIT = 24
_LINE_WIDTH = 56


class CellStatus(enum.Enum):
    MISSING = "missing"
    """The local hour does not exist (spring-forward gap)."""
    UNCOVERED = "uncovered"
    PARTIAL = "partial"
    COVERED = "covered"


@dataclass(frozen=True, slots=True)
class HourCell:
    """One server-local wall-clock hour of the week grid."""

    day: date
    hour: int
    spans: tuple[Interval, ...]
    """The real (UTC) time this wall-clock hour covers; empty when the hour is skipped by DST."""
    min_count: int
    max_count: int
    names: tuple[str, ...]

    @property
    def exists(self) -> bool:
        return bool(self.spans)

    @property
    def real_length(self) -> timedelta:
        return sum((span.duration for span in self.spans), timedelta(0))

    @property
    def repeated(self) -> bool:
        """True for the fall-back hour that happens twice (the cell is longer than an hour)."""
        return self.real_length > timedelta(hours=1)

    @property
    def status(self) -> CellStatus:
        if not self.exists:
            return CellStatus.MISSING
        if self.min_count > 0:
            return CellStatus.COVERED
        return CellStatus.PARTIAL if self.max_count > 0 else CellStatus.UNCOVERED


@dataclass(frozen=True, slots=True)
class WeekCoverage:
    """Coverage of one server-local week (see module docs)."""

    week_start: date
    tz: str
    start: datetime
    end: datetime
    cells: tuple[tuple[HourCell, ...], ...]
    """``cells[day][hour]``: day 0 = Monday, hour 0-23 (wall clock)."""
    uncovered: tuple[Interval, ...]
    hours_by_volunteer: tuple[tuple[str, timedelta], ...]
    """(name, real time on duty this week), most hours first."""

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.week_start + timedelta(days=i) for i in range(7))

    def cell(self, day: int, hour: int) -> HourCell:
        return self.cells[day][hour]


# --------------------------------------------------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------------------------------------------------


def week_start_for(now: datetime, tz: str, weeks_ahead: int = 0) -> date:
    """The server-local Monday of the week containing ``now``, shifted by ``weeks_ahead`` weeks."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(get_zone(tz)).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _first_instant_at_or_after(local: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant whose local wall time (in ``zone``) is at or after the naive ``local``.

    Equals the fold=0 reading when ``local`` exists (the first one if ambiguous); for a wall time inside a gap it is
    the instant the gap ends (the transition), found by bisection to the second.
    """
    after = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(after, zone) == local:
        return after
    before = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    while after - before > timedelta(seconds=1):
        middle = before + timedelta(seconds=(after - before).total_seconds() // 2)
        if _wall(middle, zone) >= local:
            after = middle
        else:
            before = middle
    return after


def _hour_boundaries(day: date, zone: ZoneInfo) -> list[datetime]:
    """25 instants: the start of each wall-clock hour of ``day`` and the start of the next day."""
    walls = [datetime.combine(day, time(hour)) for hour in range(24)]
    walls.append(datetime.combine(day + timedelta(days=1), time(0)))
    return [_first_instant_at_or_after(wall, zone) for wall in walls]


def describe_range(interval: Interval, tz: str, *, with_date: bool = True) -> str:
    """A range in zone ``tz``: ``Mon 10 Mar 02:00-06:00``, ``Mon 10 Mar 22:00-24:00``,
    ``Mon 10 Mar 22:00-Tue 11 Mar 06:00``. With ``with_date=False`` the dates are left out (``Mon 22:00-Tue 06:00``)
    unless the range is 6 days or longer, where a weekday alone would be ambiguous."""
    zone = get_zone(tz)
    start, end = interval.start.astimezone(zone), interval.end.astimezone(zone)
    if end - start >= timedelta(days=6):
        with_date = True
    day_format = "%a %d %b " if with_date else "%a "
    head = start.strftime(day_format + "%H:%M")
    if end.date() == start.date():
        return f"{head}-{end:%H:%M}"
    if end.date() == start.date() + timedelta(days=1) and end.time() == time(0):
        return f"{head}-24:00"
    return f"{head}-{end.strftime(day_format + '%H:%M')}"


# --------------------------------------------------------------------------------------------------------------------
# Sweeping duties into constant segments
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Segment:
    start: datetime
    end: datetime
    volunteers: frozenset[int]


def _segments(duties: Sequence[Duty], start: datetime, end: datetime) -> list[_Segment]:
    """Split ``[start, end)`` into maximal pieces during which the set of on-duty volunteers is constant."""
    events: list[tuple[datetime, int, int]] = []
    for duty in duties:
        begin, finish = max(duty.interval.start, start), min(duty.interval.end, end)
        if begin < finish:
            events += [(begin, 1, duty.volunteer_id), (finish, -1, duty.volunteer_id)]
    events.sort(key=lambda event: event[0])
    active: Counter[int] = Counter()
    segments: list[_Segment] = []
    cursor, index = start, 0
    while cursor < end:
        while index < len(events) and events[index][0] <= cursor:
            active[events[index][2]] += events[index][1]
            index += 1
        boundary = min(events[index][0], end) if index < len(events) else end
        segments.append(_Segment(cursor, boundary, frozenset(v for v, n in active.items() if n > 0)))
        cursor = boundary
    return segments


def _gaps(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of ``[start, end)`` not covered by any of ``intervals``."""
    gaps: list[Interval] = []
    cursor = start
    for block in merge_intervals(intervals):
        if block.end <= cursor:
            continue
        if block.start >= end:
            break
        if block.start > cursor:
            gaps.append(Interval(cursor, block.start))
        cursor = max(cursor, block.end)
    if cursor < end:
        gaps.append(Interval(cursor, end))
    return gaps


def uncovered_hours(
    shifts: Iterable[RotaShift],
    overrides: Iterable[Override],
    now: datetime,
    window: timedelta = DEFAULT_GAP_WINDOW,
    *,
    extra: Iterable[Duty] = (),
) -> list[Interval]:
    """Exact uncovered ranges of ``[now, now + window)`` as merged UTC intervals (covers applied)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    start = now.astimezone(UTC)
    end = start + window
    duties = [*duties_between(shifts, overrides, start, end), *extra]
    return _gaps((d.interval for d in duties), start, end)


# --------------------------------------------------------------------------------------------------------------------
# The week grid
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sweep:
    segments: list[_Segment]
    starts: list[datetime]
    names: dict[int, str]


def _cell(day: date, hour: int, span: Interval | None, sweep: _Sweep) -> HourCell:
    if span is None:
        return HourCell(day, hour, (), 0, 0, ())
    segments = sweep.segments
    first = max(bisect_right(sweep.starts, span.start) - 1, 0)
    counts: list[int] = []
    present: set[int] = set()
    for segment in segments[first:]:
        if segment.start >= span.end:
            break
        if segment.end > span.start:
            counts.append(len(segment.volunteers))
            present |= segment.volunteers
    labels = tuple(sorted({sweep.names[v] for v in present}, key=str.casefold))
    return HourCell(day, hour, (span,), min(counts, default=0), max(counts, default=0), labels)


def _hours_by_volunteer(duties: Sequence[Duty], start: datetime, end: datetime) -> tuple[tuple[str, timedelta], ...]:
    per_volunteer: dict[int, list[Interval]] = {}
    names: dict[int, str] = {}
    for duty in duties:
        begin, finish = max(duty.interval.start, start), min(duty.interval.end, end)
        if begin < finish:
            per_volunteer.setdefault(duty.volunteer_id, []).append(Interval(begin, finish))
            names.setdefault(duty.volunteer_id, duty.volunteer_name)
    totals = [
        (names[vid], sum((b.duration for b in merge_intervals(spans)), timedelta(0)))
        for vid, spans in per_volunteer.items()
    ]
    totals.sort(key=lambda item: (-item[1], item[0].casefold()))
    return tuple(totals)


def week_coverage(
    shifts: Iterable[RotaShift],
    overrides: Iterable[Override],
    week_start: date,
    tz: str,
    *,
    extra: Iterable[Duty] = (),
) -> WeekCoverage:
    """Coverage of the server-local week starting on Monday ``week_start`` in zone ``tz`` (see module docs)."""
    if week_start.weekday() != 0:
        raise ValueError(f"week_start must be a Monday, got {week_start:%A %Y-%m-%d}")
    zone = get_zone(tz)
    days = [week_start + timedelta(days=i) for i in range(7)]
    boundaries = [_hour_boundaries(day, zone) for day in days]
    start, end = boundaries[0][0], boundaries[-1][-1]
    duties = [*duties_between(shifts, overrides, start, end), *extra]
    names: dict[int, str] = {}
    for duty in duties:
        names.setdefault(duty.volunteer_id, duty.volunteer_name)
    segments = _segments(duties, start, end)
    sweep = _Sweep(segments, [s.start for s in segments], names)
    cells = tuple(
        tuple(
            _cell(day, hour, Interval(b[hour], b[hour + 1]) if b[hour] < b[hour + 1] else None, sweep)
            for hour in range(24)
        )
        for day, b in zip(days, boundaries, strict=True)
    )
    uncovered = merge_intervals(Interval(s.start, s.end) for s in segments if not s.volunteers)
    return WeekCoverage(week_start, tz, start, end, cells, tuple(uncovered), _hours_by_volunteer(duties, start, end))


# --------------------------------------------------------------------------------------------------------------------
# Text table
# --------------------------------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    """A name safe inside a code block: no backticks/control characters, single-spaced, at most 24 characters."""
    cleaned = "".join(" " if unicodedata.category(c).startswith("C") else c for c in name.replace("`", "'"))
    cleaned = " ".join(cleaned.split()) or "?"
    return cleaned if len(cleaned) <= _NAME_LIMIT else cleaned[: _NAME_LIMIT - 1] + "…"


def _mark(cell: HourCell) -> str:
    status = cell.status
    if status is CellStatus.MISSING:
        return "-"
    if status is CellStatus.UNCOVERED:
        mark = "!"
    elif status is CellStatus.PARTIAL:
        mark = "~" + (str(cell.max_count) if cell.max_count <= 9 else "+")
    else:
        mark = str(cell.min_count) if cell.min_count <= 9 else "9+"
    return mark + ("*" if cell.repeated else "")


def _grid_lines(coverage: WeekCoverage) -> list[str]:
    lines = ["   " + "".join(f"{WEEKDAY_ABBREVIATIONS[i]:>4}" for i in range(7))]
    lines.append("   " + "".join(f"{day.day:>4}" for day in coverage.days))
    for hour in range(24):
        lines.append(f"{hour:02d} " + "".join(f"{_mark(coverage.cell(d, hour)):>4}" for d in range(7)))
    return lines


def _legend_lines(coverage: WeekCoverage) -> list[str]:
    lines = ["N = on duty all hour, ~N = part of it, ! = nobody"]
    statuses = {cell.status for row in coverage.cells for cell in row}
    repeated = any(cell.repeated for row in coverage.cells for cell in row)
    dst = []
    if CellStatus.MISSING in statuses:
        dst.append("- = hour skipped")
    if repeated:
        dst.append("* = hour happens twice")
    if dst:
        lines.append(", ".join(dst) + " (clock change)")
    return lines


def _fit_items(label: str, items: Sequence[str], budget: int) -> list[str]:
    """Wrap ``label`` + comma-separated ``items`` into lines, dropping items ("+N more") to stay within ``budget``."""
    for shown in range(len(items), -1, -1):
        parts = list(items[:shown])
        if shown < len(items):
            parts.append(f"+{len(items) - shown} more")
        lines = _wrap(label, parts)
        if sum(len(line) + 1 for line in lines) <= budget:
            return lines
    return []


def _wrap(label: str, parts: Sequence[str]) -> list[str]:
    lines = [label]
    for index, part in enumerate(parts):
        piece = part + ("," if index < len(parts) - 1 else "")
        if len(lines[-1]) + 1 + len(piece) > _LINE_WIDTH and lines[-1].strip():
            lines.append("  " + piece)
        else:
            lines[-1] += " " + piece
    return lines


def _format_hours(length: timedelta) -> str:
    hours = length.total_seconds() / 3600
    return f"{hours:.0f}h" if hours == int(hours) else f"{hours:.1f}h"


def render_table(coverage: WeekCoverage, *, max_chars: int = TABLE_MAX_CHARS, title: str | None = None) -> str:
    """The week as a monospace table (no code fences) of at most ``max_chars`` characters; see module docs."""
    heading = title if title is not None else f"Rota, week of {coverage.week_start:%a %d %b %Y} ({coverage.tz})"
    lines = [_clean_line(heading), *_grid_lines(coverage), *_legend_lines(coverage)]
    used = sum(len(line) + 1 for line in lines)
    if used > max_chars:
        raise ValueError(f"max_chars={max_chars} is too small for the grid ({used} characters)")
    gaps = [describe_range(g, coverage.tz, with_date=False) for g in coverage.uncovered]
    gap_lines = _fit_items("Uncovered:", gaps or ["none"], max_chars - used)
    used += sum(len(line) + 1 for line in gap_lines)
    people = [f"{_clean_name(name)} {_format_hours(length)}" for name, length in coverage.hours_by_volunteer]
    people_lines = _fit_items("On duty:", people or ["nobody"], max_chars - used)
    return "\n".join([*lines, *gap_lines, *people_lines])


def _clean_line(text: str) -> str:
    cleaned = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text.replace("`", "'"))
    return " ".join(cleaned.split())[: _LINE_WIDTH * 2]


# --------------------------------------------------------------------------------------------------------------------
# PNG heatmap (stdlib only)
# --------------------------------------------------------------------------------------------------------------------

_Color = tuple[int, int, int]

_BACKGROUND: _Color = (255, 255, 255)
_INK: _Color = (33, 37, 41)
_COLORS: dict[CellStatus, _Color] = {
    CellStatus.MISSING: (206, 212, 218),
    CellStatus.UNCOVERED: (224, 49, 49),
    CellStatus.PARTIAL: (250, 176, 5),
}
_GREENS: tuple[_Color, ...] = ((140, 233, 154), (64, 192, 87), (43, 138, 62))

# 3x5 bitmap font: rows top to bottom, "#" = ink.
_FONT: dict[str, tuple[str, str, str, str, str]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", ".##", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", ".#.", ".#."),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    "A": (".#.", "#.#", "###", "#.#", "#.#"),
    "B": ("##.", "#.#", "##.", "#.#", "##."),
    "C": (".##", "#..", "#..", "#..", ".##"),
    "D": ("##.", "#.#", "#.#", "#.#", "##."),
    "E": ("###", "#..", "##.", "#..", "###"),
    "F": ("###", "#..", "##.", "#..", "#.."),
    "G": (".##", "#..", "#.#", "#.#", ".##"),
    "H": ("#.#", "#.#", "###", "#.#", "#.#"),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "J": ("..#", "..#", "..#", "#.#", ".#."),
    "K": ("#.#", "#.#", "##.", "#.#", "#.#"),
    "L": ("#..", "#..", "#..", "#..", "###"),
    "M": ("#.#", "###", "###", "#.#", "#.#"),
    "N": ("##.", "#.#", "#.#", "#.#", "#.#"),
    "O": (".#.", "#.#", "#.#", "#.#", ".#."),
    "P": ("##.", "#.#", "##.", "#..", "#.."),
    "Q": (".#.", "#.#", "#.#", "##.", ".##"),
    "R": ("##.", "#.#", "##.", "#.#", "#.#"),
    "S": (".##", "#..", ".#.", "..#", "##."),
    "T": ("###", ".#.", ".#.", ".#.", ".#."),
    "U": ("#.#", "#.#", "#.#", "#.#", "###"),
    "V": ("#.#", "#.#", "#.#", "#.#", ".#."),
    "W": ("#.#", "#.#", "###", "###", "#.#"),
    "X": ("#.#", "#.#", ".#.", "#.#", "#.#"),
    "Y": ("#.#", "#.#", ".#.", ".#.", ".#."),
    "Z": ("###", "..#", ".#.", "#..", "###"),
    " ": ("...", "...", "...", "...", "..."),
    "+": ("...", ".#.", "###", ".#.", "..."),
    "-": ("...", "...", "###", "...", "..."),
    "*": ("...", "#.#", ".#.", "#.#", "..."),
    ":": ("...", ".#.", "...", ".#.", "..."),
    "/": ("..#", "..#", ".#.", "#..", "#.."),
    "_": ("...", "...", "...", "...", "###"),
    ".": ("...", "...", "...", "...", ".#."),
    "?": ("###", "..#", ".#.", "...", ".#."),
}

_SCALE = 2
_ADVANCE = 4 * _SCALE
_CELL_W = 40
_CELL_H = 16
_LEFT = 4 * _ADVANCE
_TITLE_H = 18
_HEAD_H = 28
_LEGEND_H = 26


class _Canvas:
    """An RGB raster with rectangle and 3x5-font text drawing, encoded as PNG."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(_BACKGROUND) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: _Color) -> None:
        x0, x1 = max(x0, 0), min(x1, self.width)
        if x0 >= x1:
            return
        run = bytes(color) * (x1 - x0)
        for y in range(max(y0, 0), min(y1, self.height)):
            offset = (y * self.width + x0) * 3
            self.pixels[offset : offset + len(run)] = run

    def text(self, x: int, y: int, text: str, color: _Color = _INK, scale: int = _SCALE) -> None:
        for index, char in enumerate(text.upper()):
            glyph = _FONT.get(char, _FONT["?"])
            left = x + index * 4 * scale
            for row, bits in enumerate(glyph):
                for col, bit in enumerate(bits):
                    if bit == "#":
                        px, py = left + col * scale, y + row * scale
                        self.rect(px, py, px + scale, py + scale, color)

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(b"\x00" + self.pixels[y * stride : (y + 1) * stride] for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _cell_color(cell: HourCell) -> _Color:
    status = cell.status
    if status is CellStatus.COVERED:
        return _GREENS[min(cell.min_count, len(_GREENS)) - 1]
    return _COLORS[status]


def _cell_label(cell: HourCell) -> str:
    """The count drawn in a heatmap cell (the colour already says covered / partly / nobody)."""
    count = cell.min_count if cell.status is CellStatus.COVERED else cell.max_count
    if count == 0:
        return ""
    return (str(count) if count <= 9 else "9+") + ("*" if cell.repeated else "")


def _draw_cells(canvas: _Canvas, coverage: WeekCoverage, top: int) -> None:
    for day in range(7):
        x = _LEFT + day * _CELL_W
        for hour in range(24):
            y = top + hour * _CELL_H
            cell = coverage.cell(day, hour)
            canvas.rect(x, y, x + _CELL_W - 1, y + _CELL_H - 1, _cell_color(cell))
            label = _cell_label(cell)
            ink = (255, 255, 255) if cell.status is CellStatus.COVERED and cell.min_count >= 2 else _INK
            canvas.text(x + (_CELL_W - len(label) * _ADVANCE) // 2, y + 3, label, ink)
    for hour in range(24):
        canvas.text(_ADVANCE // 2, top + hour * _CELL_H + 3, f"{hour:02d}")


def _draw_legend(canvas: _Canvas, top: int) -> None:
    items: list[tuple[_Color, str]] = [
        (_COLORS[CellStatus.UNCOVERED], "NONE"),
        (_COLORS[CellStatus.PARTIAL], "PART"),
        (_GREENS[0], "1"),
        (_GREENS[1], "2"),
        (_GREENS[2], "3+"),
        (_COLORS[CellStatus.MISSING], "DST"),
    ]
    x = _LEFT
    for color, label in items:
        canvas.rect(x, top, x + 12, top + 12, color)
        canvas.text(x + 16, top + 1, label)
        x += 16 + len(label) * _ADVANCE + 10


def render_heatmap_png(coverage: WeekCoverage) -> bytes:
    """The week grid as a PNG (days across, hours down; red = nobody, amber = partly, greens = 1/2/3+ on duty,
    grey = hour skipped by DST). About 320 x 460 pixels, a few kilobytes."""
    width = _LEFT + 7 * _CELL_W + _ADVANCE
    top = _TITLE_H + _HEAD_H
    height = top + 24 * _CELL_H + _LEGEND_H
    canvas = _Canvas(width, height)
    title = f"WEEK OF {coverage.week_start.isoformat()} {coverage.tz}"
    scale = _SCALE if len(title) * _ADVANCE <= width - 8 else 1
    canvas.text(4, 3, title[: (width - 8) // (4 * scale)], scale=scale)
    for day, current in enumerate(coverage.days):
        x = _LEFT + day * _CELL_W + (_CELL_W - 3 * _ADVANCE) // 2
        canvas.text(x, _TITLE_H, WEEKDAY_ABBREVIATIONS[day])
        canvas.text(x + (3 * _ADVANCE - len(str(current.day)) * _ADVANCE) // 2, _TITLE_H + 13, str(current.day))
    _draw_cells(canvas, coverage, top)
    _draw_legend(canvas, top + 24 * _CELL_H + 8)
    return canvas.png()
