"""Who is on duty: rota shifts (with covers) and manual duty, read from the store and merged.

Used by the rota cog for role changes and `/duty status`, and by other features (crisis alerts,
share escalations) to decide whom to ping.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db import Database
from cogs.rota import store
from cogs.rota.schedule import (
    MAX_SHIFT_LENGTH,
    Duty,
    Interval,
    duties_between,
    merge_intervals,
    occurrence_on,
)


async def duties(db: Database, guild_id: int, start: datetime, end: datetime) -> list[Duty]:
    """Every duty (rota, cover or manual) overlapping [start, end)."""
    found = duties_between(
        await store.guild_shifts(db, guild_id), await store.guild_overrides(db, guild_id), start, end
    )
    for volunteer_id, interval in await store.manual_duties(db, guild_id, start):
        if interval.start < end:
            found.append(Duty(volunteer_id, str(volunteer_id), interval))
    return found


async def on_duty_blocks(db: Database, guild_id: int, now: datetime) -> dict[int, Interval]:
    """volunteer id -> the merged stretch of duty they are in right now (so `end` is when the role goes)."""
    # Look back one maximal shift so a shift that started earlier and is still running is included.
    nearby = await duties(db, guild_id, now - MAX_SHIFT_LENGTH - timedelta(hours=1), now + MAX_SHIFT_LENGTH * 2)
    by_volunteer: dict[int, list[Interval]] = {}
    for duty in nearby:
        by_volunteer.setdefault(duty.volunteer_id, []).append(duty.interval)
    blocks: dict[int, Interval] = {}
    for volunteer_id, intervals in by_volunteer.items():
        for block in merge_intervals(intervals):
            if block.contains(now):
                blocks[volunteer_id] = block
    return blocks


async def volunteer_block(db: Database, guild_id: int, volunteer_id: int, now: datetime) -> Interval | None:
    """The merged stretch of duty one volunteer is in right now (None when off duty).

    Same answer as ``on_duty_blocks(...).get(volunteer_id)``, but reads only that volunteer's shifts, covers and
    manual duty, so a role change at a shift boundary stays cheap in a guild with thousands of shifts.
    """
    start, end = now - MAX_SHIFT_LENGTH - timedelta(hours=1), now + MAX_SHIFT_LENGTH * 2
    own = await store.volunteer_shifts(db, guild_id, volunteer_id)
    intervals = [
        d.interval
        for d in duties_between(own, await store.volunteer_overrides(db, guild_id, volunteer_id), start, end)
        if d.volunteer_id == volunteer_id
    ]
    for entry, local_date in await store.covers_taken_by(
        db, guild_id, volunteer_id, (start - timedelta(days=2)).date()
    ):
        occurrence = occurrence_on(entry.shift, local_date).interval
        if occurrence.start < end and occurrence.end > start:
            intervals.append(occurrence)
    intervals += await store.volunteer_manual_duties(db, guild_id, volunteer_id, start)
    return next((block for block in merge_intervals(intervals) if block.contains(now)), None)
