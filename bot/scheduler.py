"""Due work (DESIGN §2): durable `jobs` rows, woken up by APScheduler, with a clock tests can move.

A feature writes a job (kind, ref, due time) in the same transaction as its own data, and registers
a handler for the kind. At start-up every pending job is armed again. When a job fires it is re-read;
work that is older than the kind's grace window is marked `missed` instead of run late, and a handler
that raises is retried with backoff up to `MAX_ATTEMPTS`, then marked `failed` — never silently dropped.
A job is marked `done` only after its handler returns, so a crash in between re-runs it: handlers
must make their Discord side effect idempotent (check what they already recorded) to never send twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot import store
from bot.db import Database
from bot.store import Job
from bot.tasks import spawn

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(seconds=15)
DEFAULT_GRACE = timedelta(hours=1)
Handler = Callable[[Job], Awaitable[None]]


class Clock:
    """The real clock. Always aware UTC."""

    manual = False

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock(Clock):
    """A clock that only moves when a test moves it."""

    manual = True

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, delta: timedelta) -> None:
        self._now += delta


@dataclass
class _Kind:
    handler: Handler
    grace: timedelta


class Scheduler:
    """Arms pending jobs on APScheduler (real clock) or keeps them for `run_due` (manual clock)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._kinds: dict[str, _Kind] = {}
        self._armed: dict[int, datetime] = {}
        self._running_jobs: set[int] = set()
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._running = False

    def register(self, kind: str, handler: Handler, *, grace: timedelta = DEFAULT_GRACE) -> None:
        self._kinds[kind] = _Kind(handler, grace)

    async def start(self) -> None:
        """Start the wake-up timer and arm every pending job whose handler is registered."""
        if not self.clock.manual:
            self._aps.start()
        self._running = True
        for job in await store.pending_jobs(self.db):
            self._arm(job)

    def shutdown(self) -> None:
        self._running = False
        if self._aps.running:
            self._aps.shutdown(wait=False)
        self._armed.clear()

    async def schedule(self, kind: str, ref: str, due_at: datetime, guild_id: int | None = None) -> Job:
        """Write (or move) the pending job and arm it. Call after the transaction that needs it commits."""
        job = await store.put_job(self.db, kind, ref, due_at.astimezone(UTC), guild_id)
        self._arm(job)
        return job

    async def cancel(self, kind: str, ref_prefix: str) -> int:
        """Cancel pending jobs of a kind whose ref starts with the prefix (disarmed when they fire)."""
        return await store.cancel_jobs(self.db, kind, ref_prefix)

    def _arm(self, job: Job, at: datetime | None = None) -> None:
        if not self._running or job.status != "pending" or job.kind not in self._kinds:
            return
        when = at or job.due_at
        if self.clock.manual:
            self._armed[job.id] = when
            return
        self._aps.add_job(
            self._fire,
            DateTrigger(run_date=max(when, self.clock.now())),
            args=[job.id],
            id=f"{job.kind}:{job.ref}",
            replace_existing=True,
            misfire_grace_time=None,  # lateness is judged by our own grace window in _fire
            coalesce=True,
        )

    async def run_due(self) -> int:
        """Manual clock only: fire, in due order, every armed job due by now (including ones this schedules)."""
        fired = 0
        while True:
            now = self.clock.now()
            due = sorted((when, job_id) for job_id, when in self._armed.items() if when <= now)
            if not due:
                return fired
            for _, job_id in due:
                self._armed.pop(job_id, None)
                await self._fire(job_id)
                fired += 1

    async def _fire(self, job_id: int) -> None:
        # The timer and fire_soon may both wake the same job: run its handler once at a time.
        if job_id in self._running_jobs:
            return
        self._running_jobs.add(job_id)
        try:
            await self._run(job_id)
        finally:
            self._running_jobs.discard(job_id)

    async def _run(self, job_id: int) -> None:
        job = await store.get_job(self.db, job_id)
        if job is None or job.status != "pending" or job.kind not in self._kinds:
            return
        now = self.clock.now()
        if job.due_at > now:  # rescheduled later since it was armed
            self._arm(job)
            return
        kind = self._kinds[job.kind]
        if now - job.due_at > kind.grace and job.attempts == 0:
            await store.finish_job(self.db, job.id, "missed", now)
            log.warning("Job %s:%s missed (due %s, grace %s)", job.kind, job.ref, job.due_at, kind.grace)
            return
        await store.count_attempt(self.db, job.id)
        try:
            await kind.handler(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            attempts = job.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                await store.finish_job(self.db, job.id, "failed", now)
                log.exception("Job %s:%s failed for good after %d attempts", job.kind, job.ref, attempts)
                return
            retry_at = now + RETRY_BASE * 2 ** (attempts - 1)
            log.exception("Job %s:%s failed (attempt %d); retrying at %s", job.kind, job.ref, attempts, retry_at)
            self._arm(job, retry_at)
            return
        await store.finish_job(self.db, job.id, "done", self.clock.now())

    def fire_soon(self, job_id: int) -> None:
        """Run a job now without waiting for the timer (e.g. right after the member's submission is stored)."""
        spawn(self._fire(job_id), name=f"job-{job_id}")
