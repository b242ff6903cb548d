"""Who is on duty: rota shifts (with covers) and manual duty, read from the store and merged.

Used by the rota cog for role changes and `/duty status`, and by other features (crisis alerts,
share escalations) to decide whom to ping.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db import Database
from cogs.rota import store
from cogs.rota.schedule import MAX_SHIFT_LENGTH, Duty, Interval, duties_between, merge_intervals


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
