"""The scheduler reads due work from the table: nothing armed in memory at start-up, batched claims and results,
exact wake-ups on the real clock, and the manual clock reaching work however far ahead it is."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import scheduler as scheduler_module
from bot import store
from bot.db import Database
from bot.scheduler import Clock, ManualClock, Scheduler
from bot.store import Job


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.connect(tmp_path / "t.db")
    await database.migrate()
    yield database
    await database.close()


async def statuses(db: Database) -> dict[str, str]:
    return {r["ref"]: r["status"] for r in await db.fetchall("SELECT ref, status FROM jobs")}


async def until(predicate: Any, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def count_calls(monkeypatch: pytest.MonkeyPatch, *names: str) -> Counter[str]:
    calls: Counter[str] = Counter()
    for name in names:
        original = getattr(store, name)

        async def counted(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return await _original(*args, **kwargs)

        monkeypatch.setattr(store, name, counted)
    return calls


# -- manual clock ------------------------------------------------------------------------------------------------


async def test_far_future_job_runs_when_the_clock_gets_there(db: Database) -> None:
    clock = ManualClock()
    ran: list[str] = []

    async def handler(job: Job) -> None:
        ran.append(job.ref)

    scheduler = Scheduler(db, clock)
    scheduler.register("ping", handler, grace=timedelta(days=1000))
    await scheduler.start()
    start = clock.now()
    await scheduler.schedule("ping", "next-year", start + timedelta(days=365))
    await scheduler.schedule("ping", "next-month", start + timedelta(days=30))
    clock.advance(timedelta(days=29))
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(days=400))
    assert await scheduler.run_due() == 2
    assert ran == ["next-month", "next-year"]  # in due order
    clock.set(start + timedelta(days=1500))
    await scheduler.schedule("ping", "too-late", start)  # far beyond its grace: missed, not run
    assert await scheduler.run_due() == 1
    assert ran == ["next-month", "next-year"]
    assert (await statuses(db))["too-late"] == "missed"


async def test_job_written_by_a_feature_without_schedule_still_runs(db: Database) -> None:
    clock = ManualClock()
    ran: list[str] = []

    async def handler(job: Job) -> None:
        ran.append(job.ref)

    scheduler = Scheduler(db, clock)
    scheduler.register("ping", handler)
    await scheduler.start()
    await store.put_job(db, "ping", "own-transaction", clock.now() - timedelta(minutes=1))
    await scheduler.run_due()
    assert ran == ["own-transaction"]


async def test_handler_sees_earlier_attempts_and_retry_waits_for_backoff(db: Database) -> None:
    clock = ManualClock()
    seen: list[int] = []

    async def flaky(job: Job) -> None:
        seen.append(job.attempts)
        if len(seen) == 1:
            raise RuntimeError("Discord is down")

    scheduler = Scheduler(db, clock)
    scheduler.register("flaky", flaky)
    await scheduler.start()
    await scheduler.schedule("flaky", "x", clock.now())
    await scheduler.run_due()
    clock.advance(scheduler_module.RETRY_BASE - timedelta(seconds=1))
    await scheduler.run_due()
    assert seen == [0]  # still backing off
    clock.advance(timedelta(seconds=1))
    await scheduler.run_due()
    assert seen == [0, 1]
    row = await db.fetchone("SELECT status, attempts FROM jobs WHERE ref = 'x'")
    assert row is not None and (row["status"], row["attempts"]) == ("done", 2)


async def test_due_times_are_stored_in_utc(db: Database) -> None:
    clock = ManualClock()
    scheduler = Scheduler(db, clock)
    scheduler.register("ping", lambda job: asyncio.sleep(0))
    local = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    job = await scheduler.schedule("ping", "local", local)
    assert job.due_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert await db.fetchval("SELECT due_at FROM jobs WHERE ref = 'local'") == "2026-07-01T08:00:00+00:00"


async def test_put_job_leaves_a_finished_job_alone(db: Database) -> None:
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    job = await store.put_job(db, "ping", "a", now)
    assert await store.finish_job(db, job.id, "done", now)
    again = await store.put_job(db, "ping", "a", now + timedelta(hours=1))
    assert (again.id, again.status, again.due_at) == (job.id, "done", now)


async def test_claims_and_results_are_batched(db: Database) -> None:
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    for n in range(40):
        await store.put_job(db, "ping", f"j{n}", now)
    jobs = await store.due_jobs(db, now, ["ping"], 100)
    claimed = await store.claim_jobs(db, [j.id for j in jobs], now)
    assert [j.ref for j in claimed] == [j.ref for j in jobs]
    assert {j.attempts for j in claimed} == {0}  # as they were before this run
    assert await store.claim_jobs(db, [j.id for j in jobs], now - timedelta(seconds=1)) == []  # not due then
    changed = await store.finish_jobs(db, [(j.id, "done", now) for j in claimed[:30]])
    assert changed == {j.id for j in claimed[:30]}
    assert await store.finish_jobs(db, [(claimed[0].id, "failed", now)]) == set()  # already finished
    assert Counter((await statuses(db)).values()) == {"done": 30, "pending": 10}


# -- real clock ------------------------------------------------------------------------------------------------


async def test_start_reads_nothing_up_front(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(500):
        await store.put_job(db, "ping", f"later-{n}", datetime.now(UTC) + timedelta(days=1 + n))
    calls = count_calls(monkeypatch, "pending_jobs", "due_jobs", "next_due")
    scheduler = Scheduler(db, Clock())
    scheduler.register("ping", lambda job: asyncio.sleep(0))
    await scheduler.start()
    try:
        await asyncio.sleep(0.1)
        assert calls["pending_jobs"] == 0
        assert calls["due_jobs"] == 1 and calls["next_due"] == 1  # one look, then asleep until tomorrow
    finally:
        scheduler.shutdown()


async def test_burst_runs_each_job_once_with_few_statements(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    due = datetime.now(UTC) + timedelta(milliseconds=300)
    for n in range(300):
        await store.put_job(db, "remind", f"r{n}", due)
    calls = count_calls(monkeypatch, "claim_jobs", "finish_jobs", "due_jobs")
    ran: Counter[str] = Counter()
    late: list[float] = []

    async def handler(job: Job) -> None:
        late.append((datetime.now(UTC) - job.due_at).total_seconds())
        ran[job.ref] += 1
        await asyncio.sleep(0.005)  # a Discord call

    scheduler = Scheduler(db, Clock())
    scheduler.register("remind", handler)
    await scheduler.start()
    try:

        async def all_done() -> bool:
            return set((await statuses(db)).values()) == {"done"}

        await until(all_done)
    finally:
        scheduler.shutdown()
    assert len(ran) == 300 and set(ran.values()) == {1}
    assert min(late) >= 0  # never early
    assert calls["claim_jobs"] <= 300 // (scheduler_module.WINDOW // 2) + 2
    assert calls["finish_jobs"] < 60


async def test_earlier_job_wakes_a_sleeping_runner(db: Database) -> None:
    done = asyncio.Event()

    async def handler(job: Job) -> None:
        if job.ref == "soon":
            done.set()

    scheduler = Scheduler(db, Clock())
    scheduler.register("ping", handler)
    await scheduler.start()
    try:
        await scheduler.schedule("ping", "later", Clock().now() + timedelta(seconds=30))
        await asyncio.sleep(0.05)  # the runner now sleeps until "later"
        await scheduler.schedule("ping", "soon", Clock().now() + timedelta(milliseconds=50))
        await asyncio.wait_for(done.wait(), 2)
    finally:
        scheduler.shutdown()


async def test_arm_wakes_the_runner_for_a_job_a_feature_wrote_itself(db: Database) -> None:
    done = asyncio.Event()

    async def handler(job: Job) -> None:
        done.set()

    scheduler = Scheduler(db, Clock())
    scheduler.register("ping", handler)
    await scheduler.start()
    try:
        await scheduler.schedule("ping", "later", Clock().now() + timedelta(seconds=30))
        await asyncio.sleep(0.05)
        job = await store.put_job(db, "ping", "own", Clock().now() + timedelta(milliseconds=50))
        scheduler.arm(job)
        await asyncio.wait_for(done.wait(), 2)
    finally:
        scheduler.shutdown()


async def test_slow_job_is_not_claimed_again_while_it_runs(db: Database) -> None:
    runs = 0
    release = asyncio.Event()

    async def slow(job: Job) -> None:
        nonlocal runs
        runs += 1
        await release.wait()

    scheduler = Scheduler(db, Clock())
    scheduler.register("slow", slow)
    await scheduler.start()
    try:
        await scheduler.schedule("slow", "s", Clock().now())
        await asyncio.sleep(0.1)
        for n in range(5):  # other work wakes the runner repeatedly meanwhile
            await scheduler.schedule("slow", f"other-{n}", Clock().now() + timedelta(hours=1))
            scheduler.fire_soon(0)
            await asyncio.sleep(0.02)
        assert runs == 1
        release.set()

        async def finished() -> bool:
            return (await statuses(db))["s"] == "done"

        await until(finished)
        assert runs == 1
    finally:
        scheduler.shutdown()


async def test_real_clock_retries_with_backoff(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler_module, "RETRY_BASE", timedelta(milliseconds=100))
    attempts: list[int] = []

    async def flaky(job: Job) -> None:
        attempts.append(job.attempts)
        if len(attempts) < 3:
            raise RuntimeError("Discord is down")

    scheduler = Scheduler(db, Clock())
    scheduler.register("flaky", flaky)
    await scheduler.start()
    try:
        await scheduler.schedule("flaky", "x", Clock().now())

        async def finished() -> bool:
            return (await statuses(db))["x"] == "done"

        await until(finished)
    finally:
        scheduler.shutdown()
    assert attempts == [0, 1, 2]


async def test_stale_jobs_are_missed_but_interrupted_ones_run(db: Database) -> None:
    now = datetime.now(UTC)
    await store.put_job(db, "ping", "stale", now - timedelta(hours=2))
    interrupted = await store.put_job(db, "ping", "interrupted", now - timedelta(hours=2))
    await store.count_attempt(db, interrupted.id)  # the bot died while running it
    await store.put_job(db, "ping", "fresh", now - timedelta(minutes=5))
    ran: list[str] = []

    async def handler(job: Job) -> None:
        ran.append(job.ref)

    scheduler = Scheduler(db, Clock())
    scheduler.register("ping", handler, grace=timedelta(hours=1))
    await scheduler.start()
    try:

        async def settled() -> bool:
            return "pending" not in (await statuses(db)).values()

        await until(settled)
    finally:
        scheduler.shutdown()
    assert sorted(ran) == ["fresh", "interrupted"]
    assert await statuses(db) == {"stale": "missed", "interrupted": "done", "fresh": "done"}


async def test_kind_registered_after_start_runs(db: Database) -> None:
    await store.put_job(db, "late-kind", "k", datetime.now(UTC))
    done = asyncio.Event()

    async def handler(job: Job) -> None:
        done.set()

    scheduler = Scheduler(db, Clock())
    await scheduler.start()
    try:
        await asyncio.sleep(0.05)
        scheduler.register("late-kind", handler)
        await asyncio.wait_for(done.wait(), 2)
    finally:
        scheduler.shutdown()


async def test_results_waiting_at_shutdown_are_written_by_flush(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler_module, "RESULT_DELAY", 60.0)  # never on its own during this test
    done = asyncio.Event()

    async def handler(job: Job) -> None:
        done.set()

    scheduler = Scheduler(db, Clock())
    scheduler.register("ping", handler)
    await scheduler.start()
    await scheduler.schedule("ping", "p", Clock().now())
    await asyncio.wait_for(done.wait(), 2)
    await asyncio.sleep(0.02)
    assert (await statuses(db))["p"] == "pending"
    scheduler.shutdown()
    await scheduler.flush()
    assert (await statuses(db))["p"] == "done"


async def test_run_now_runs_a_due_job_once_even_when_the_timer_looks_too(db: Database) -> None:
    ran: Counter[str] = Counter()
    release = asyncio.Event()

    async def handler(job: Job) -> None:
        ran[job.ref] += 1
        await release.wait()  # still running while the timer and a second run_now look at the table

    scheduler = Scheduler(db, Clock())
    scheduler.register("post", handler)
    await scheduler.start()
    try:
        job = await store.put_job(db, "post", "share-1", datetime.now(UTC))
        scheduler.run_now("post", "share-1")
        await until(lambda: _true(ran["share-1"] == 1))
        scheduler.expect(job.due_at)
        scheduler.run_now("post", "share-1")
        await asyncio.sleep(0.2)
        release.set()
        await until(lambda: _status_is(db, "share-1", "done"))
        assert ran == {"share-1": 1}
        assert (await store.get_job(db, job.id)).attempts == 1  # type: ignore[union-attr]
        # Not due yet: run_now leaves it to the timer, which runs it on time.
        later = await store.put_job(db, "post", "share-2", datetime.now(UTC) + timedelta(seconds=0.3))
        scheduler.run_now("post", "share-2")
        await asyncio.sleep(0.1)
        assert "share-2" not in ran
        scheduler.expect(later.due_at)
        await until(lambda: _status_is(db, "share-2", "done"))
        assert ran == {"share-1": 1, "share-2": 1}
    finally:
        scheduler.shutdown()
        await scheduler.flush()


async def _true(value: bool) -> bool:
    return value


async def _status_is(db: Database, ref: str, status: str) -> bool:
    return (await statuses(db)).get(ref) == status
