"""`roster.volunteer_block` (one volunteer's rows only) agrees with `roster.on_duty_blocks` (the whole guild)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.db import Database
from cogs.rota import roster, store
from cogs.rota.schedule import Interval, Shift, occurrences_from

GUILD = 42
VOLUNTEERS = (1, 2, 3)
ZONES = ("Europe/London", "America/New_York", "UTC")
START = datetime(2026, 3, 23, 0, 0, tzinfo=UTC)  # a week with the UK's spring-forward switch


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.connect(tmp_path / "roster.db")
    await database.migrate()
    yield database
    await database.close()


@pytest.mark.parametrize("seed", range(4))
async def test_volunteer_block_matches_the_whole_guild_view(db: Database, seed: int) -> None:
    rnd = random.Random(seed)
    shifts = []
    for _ in range(8):
        hour, length = rnd.randrange(24), rnd.randrange(1, 12)
        shift = Shift(rnd.randrange(7), time(hour), time((hour + length) % 24), rnd.choice(ZONES))
        shifts.append(await store.add_shift(db, GUILD, rnd.choice(VOLUNTEERS), shift))
    for entry in rnd.sample(shifts, 3):  # some occurrences given away, to a cover or to nobody yet
        occurrence = next(occurrences_from(entry.shift, START + timedelta(days=rnd.randrange(7))))
        cover = await store.request_cover(db, entry.shift_id, occurrence.local_date)
        assert cover is not None
        if rnd.random() < 0.7:
            await store.take_cover(db, cover.id, rnd.choice(VOLUNTEERS))
    for _ in range(3):
        begin = START + timedelta(minutes=rnd.randrange(7 * 24 * 60))
        await store.start_duty(db, GUILD, rnd.choice(VOLUNTEERS), Interval(begin, begin + timedelta(hours=2)))
    for step in range(0, 7 * 24 * 60, 173):
        now = START + timedelta(minutes=step)
        everyone = await roster.on_duty_blocks(db, GUILD, now)
        for volunteer_id in VOLUNTEERS:
            assert await roster.volunteer_block(db, GUILD, volunteer_id, now) == everyone.get(volunteer_id), (
                seed,
                now,
                volunteer_id,
            )
