"""Durable due work: armed from the database, missed outside the grace window, retried, never doubled."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot import store
from bot.db import Database
from bot.scheduler import Clock, ManualClock, Scheduler
from bot.store import Job


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = await Database.connect(tmp_path / "t.db")
    await database.migrate()
    yield database  # type: ignore[misc]
    await database.close()


async def test_due_job_runs_once_when_clock_moves(db: Database) -> None:
    clock = ManualClock()
    ran: list[str] = []

    async def handler(job: Job) -> None:
        ran.append(job.ref)

    scheduler = Scheduler(db, clock)
    scheduler.register("ping", handler)
    await scheduler.start()
    await scheduler.schedule("ping", "a", clock.now() + timedelta(minutes=5))
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(minutes=5))
    await scheduler.run_due()
    await scheduler.run_due()
    assert ran == ["a"]
    assert (await store.pending_jobs(db)) == []


async def test_restart_rearms_pending_and_marks_stale_missed(db: Database) -> None:
    clock = ManualClock()
    await store.put_job(db, "ping", "soon", clock.now() + timedelta(minutes=1))
    await store.put_job(db, "ping", "late-but-useful", clock.now() - timedelta(minutes=10))
    await store.put_job(db, "ping", "too-old", clock.now() - timedelta(days=2))
    ran: list[str] = []

    async def handler(job: Job) -> None:
        ran.append(job.ref)

    scheduler = Scheduler(db, clock)
    scheduler.register("ping", handler, grace=timedelta(hours=1))
    await scheduler.start()
    clock.advance(timedelta(minutes=1))
    await scheduler.run_due()
    assert sorted(ran) == ["late-but-useful", "soon"]
    statuses = {r["ref"]: r["status"] for r in await db.fetchall("SELECT ref, status FROM jobs")}
    assert statuses == {"soon": "done", "late-but-useful": "done", "too-old": "missed"}


async def test_failing_handler_is_retried_then_succeeds(db: Database) -> None:
    clock = ManualClock()
    calls = 0

    async def flaky(job: Job) -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RuntimeError("Discord is down")

    scheduler = Scheduler(db, clock)
    scheduler.register("flaky", flaky)
    await scheduler.start()
    await scheduler.schedule("flaky", "x", clock.now())
    for _ in range(4):
        await scheduler.run_due()
        clock.advance(timedelta(minutes=5))
    assert calls == 3
    assert await db.fetchval("SELECT status FROM jobs WHERE ref = 'x'") == "done"


async def test_real_clock_fires_at_the_due_time(db: Database) -> None:
    done = asyncio.Event()

    async def handler(job: Job) -> None:
        done.set()

    scheduler = Scheduler(db, Clock())
    scheduler.register("ping", handler)
    await scheduler.start()
    try:
        await scheduler.schedule("ping", "real", Clock().now() + timedelta(milliseconds=50))
        await asyncio.wait_for(done.wait(), 5)
    finally:
        scheduler.shutdown()


async def test_cancelled_job_does_not_run(db: Database) -> None:
    clock = ManualClock()
    ran: list[str] = []

    async def handler(job: Job) -> None:
        ran.append(job.ref)

    scheduler = Scheduler(db, clock)
    scheduler.register("ping", handler)
    await scheduler.start()
    await scheduler.schedule("ping", "group:1:a", clock.now())
    assert await scheduler.cancel("ping", "group:1:") == 1
    await scheduler.run_due()
    assert ran == []
