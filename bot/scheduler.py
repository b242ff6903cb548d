"""Due work (DESIGN §2): durable `jobs` rows, woken up by one timer, with a clock tests can move.

A feature writes a job (kind, ref, due time) in the same transaction as its own data, and registers a handler
for the kind. The `jobs` table is the only list of due work: nothing is loaded into memory at start-up. One
APScheduler (AsyncIOScheduler) timer is set for the next due time (read from the table's `(status, due_at)`
index, so it is exact); when it fires, the scheduler handles everything due in batches:

* **claim**: read the due jobs (one query) and count a run for each of them (one `UPDATE ... RETURNING`, one
  commit), at most `WINDOW` jobs at a time, refilled when half of them are done;
* **run** each handler (concurrently, in due order); work older than the kind's grace window is marked `missed`
  instead of run late, and a handler that raises is retried with backoff up to `MAX_ATTEMPTS`, then marked
  `failed`: never silently dropped;
* **finish**: the results are written in one statement (one commit) for everything that finished meanwhile.

A job is marked `done` only after its handler returns, so a crash in between re-runs it: handlers must make their
Discord side effect idempotent (check what they already recorded) to never send twice. A job is never run by two
handlers at once: it stays in memory as busy from its claim until its result is written.

`schedule` (or `arm`, for a job a feature's store wrote itself) wakes the runner when the new job is due before its
next wake-up; the runner also looks at the table at least every `MAX_SLEEP`, so a job written without either is
still run, and a jump of the wall clock is caught up. With the manual clock (tests) there is no runner: `run_due`
runs what the table says is due by the clock's time, one job at a time, however far the clock was moved.
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
# Handlers running at once: enough to keep the database and Discord busy, few enough that each claimed job
# starts at once (so it was re-read just before it ran) and the first DMs of a burst go out first.
WINDOW = 64
# The runner reads the table at least this often (clock jumps; jobs written without `schedule`/`arm`).
MAX_SLEEP = timedelta(seconds=60)
# After a database error the runner tries again this much later.
ERROR_PAUSE = 1.0
# Results are written this long after the first of them comes in: one statement for all that finish meanwhile.
# A crash in between runs those jobs again (which handlers must allow for anyway).
RESULT_DELAY = 0.01
Handler = Callable[[Job], Awaitable[None]]
TIMER = "peerbot-jobs"  # the one APScheduler job: "look at the table"


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
    """Runs the `jobs` table's due work: a runner task on the real clock, `run_due` on the manual clock."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._kinds: dict[str, _Kind] = {}
        self._running = False
        # Claimed and not yet written back (running, or its result waiting to be written): never claimed again.
        self._busy: set[int] = set()
        self._in_flight = 0  # handlers running (real clock)
        self._retry_at: dict[int, datetime] = {}  # job id -> not before (backoff after a failure), in memory
        self._results: list[tuple[int, str, datetime]] = []  # finished, not yet written
        self._writer: asyncio.Task[None] | None = None
        self._timer = AsyncIOScheduler(timezone=UTC)
        self._looking = False  # a look at the table is under way
        self._look_again = False  # woken while looking: look once more before setting the timer
        self._claiming = asyncio.Lock()  # one claim at a time: a job is marked busy before anyone looks again
        self._wake_at: datetime | None = None  # when the runner will look again (None: it is looking now)
        self._backlog = False  # due work was left for want of room in the window

    # -- set-up ---------------------------------------------------------------------------------------------

    def register(self, kind: str, handler: Handler, *, grace: timedelta = DEFAULT_GRACE) -> None:
        self._kinds[kind] = _Kind(handler, grace)
        self._wake()

    async def start(self) -> None:
        """Start running due work (every registered kind). Reads nothing up front: the table is the schedule."""
        self._running = True
        if not self.clock.manual and not self._timer.running:
            self._timer.start()
            self._set_timer(self.clock.now())

    def shutdown(self) -> None:
        """Stop waking up. Running handlers finish (or are cancelled) with the bot's other tasks; `flush` then
        writes their results."""
        self._running = False
        if self._timer.running:
            self._timer.shutdown(wait=False)

    async def flush(self) -> None:
        """Write every finished job's result now (at shutdown, and after each job on the manual clock)."""
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()  # a write it had started is repeated below: finishing a job twice is a no-op
            await asyncio.wait([self._writer])
        await self._write_results(give_up=True)

    # -- what features call -----------------------------------------------------------------------------------

    async def schedule(self, kind: str, ref: str, due_at: datetime, guild_id: int | None = None) -> Job:
        """Write (or move) the pending job and arm it. Call after the transaction that needs it commits."""
        job = await store.put_job(self.db, kind, ref, due_at.astimezone(UTC), guild_id)
        self.arm(job)
        return job

    def arm(self, job: Job) -> None:
        """Tell the scheduler about a pending job a feature wrote itself (in its own transaction)."""
        if job.status != "pending" or job.kind not in self._kinds:
            return
        self._retry_at.pop(job.id, None)  # moved by its feature: its new due time wins over a backoff
        self._wake(job.due_at)

    def expect(self, due_at: datetime) -> None:
        """A feature's store wrote a pending job due at `due_at` in its own transaction: make sure the timer
        looks at the table by then (no database work: the row is the schedule)."""
        self._wake(due_at)

    async def cancel(self, kind: str, ref_prefix: str) -> int:
        """Cancel pending jobs of a kind whose ref starts with the prefix (a job already running finishes)."""
        return await store.cancel_jobs(self.db, kind, ref_prefix)

    def fire_soon(self, job_id: int) -> None:
        """Run due work now without waiting for the timer (e.g. right after the member's submission is stored)."""
        if self.clock.manual:
            spawn(self._run_one_by_one(), name=f"job-{job_id}")
        else:
            self._wake()

    def run_now(self, kind: str, ref: str) -> None:
        """Run this pending, due job at once instead of at the timer's next look: for work a member is watching
        for (a share posted with no delay). It is claimed like any other (its run counted first, and never while
        another run holds it), so it still runs once; if that can't happen now, the timer runs it."""
        if self.clock.manual or not self._running or len(self._busy) > store.CLAIM_SKIP_MAX:
            self._wake()
            return
        spawn(self._run_by_ref(kind, ref), name=f"job-{kind}-{ref}")

    async def _run_by_ref(self, kind: str, ref: str) -> None:
        try:
            async with self._claiming:
                job = await store.claim_job(self.db, kind, ref, self.clock.now(), self._busy)
                if job is not None:
                    self._busy.add(job.id)
        except Exception:
            log.exception("Could not claim job %s:%s at once; the timer will run it", kind, ref)
            self._wake()
            return
        if job is not None:
            self._in_flight += 1
            await self._run_in_window(job)

    async def run_due(self) -> int:
        """Manual clock only: run, in due order and one at a time, every job due by now (including ones this
        schedules); return how many were run or marked missed."""
        return await self._run_one_by_one()

    # -- claiming ---------------------------------------------------------------------------------------------

    async def _claim(self, now: datetime, room: int) -> tuple[list[Job], int]:
        """Take up to `room` due jobs: mark the stale ones missed, count a run for the others (batched
        statements). Returns the claimed jobs (busy from now on) and how many due jobs were looked at."""
        async with self._claiming:
            self._retry_at = {job_id: at for job_id, at in self._retry_at.items() if at > now}
            waiting = self._busy | self._retry_at.keys()
            rows = await store.due_jobs(self.db, now, list(self._kinds), room + len(waiting))
            candidates = [j for j in rows if j.id not in waiting][:room]
            missed: list[Job] = []
            runnable: list[Job] = []
            for job in candidates:
                late = now - job.due_at > self._kinds[job.kind].grace
                (missed if late and job.attempts == 0 else runnable).append(job)
            if missed:
                gone = await store.finish_jobs(self.db, [(j.id, "missed", now) for j in missed])
                for job in missed:
                    if job.id in gone:
                        grace = self._kinds[job.kind].grace
                        log.warning("Job %s:%s missed (due %s, grace %s)", job.kind, job.ref, job.due_at, grace)
            claimed = await store.claim_jobs(self.db, [j.id for j in runnable], now) if runnable else []
            self._busy.update(j.id for j in claimed)
        return claimed, len(candidates)

    # -- running ----------------------------------------------------------------------------------------------

    async def _execute(self, job: Job) -> None:
        """Run one claimed job's handler and record the outcome (written later, with others)."""
        now = self.clock.now()
        kind = self._kinds.get(job.kind)
        if kind is None:  # unregistered meanwhile (a cog unloaded): leave it pending
            self._busy.discard(job.id)
            return
        try:
            await kind.handler(job)
        except asyncio.CancelledError:
            self._busy.discard(job.id)  # still pending, its run counted: it runs again
            raise
        except Exception:
            attempts = job.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                log.exception("Job %s:%s failed for good after %d attempts", job.kind, job.ref, attempts)
                self._record(job.id, "failed", now)
                return
            retry_at = now + RETRY_BASE * 2 ** (attempts - 1)
            log.exception("Job %s:%s failed (attempt %d); retrying at %s", job.kind, job.ref, attempts, retry_at)
            self._retry_at[job.id] = retry_at
            self._busy.discard(job.id)
            self._wake(retry_at)
            return
        self._record(job.id, "done", self.clock.now())

    def _record(self, job_id: int, status: str, at: datetime) -> None:
        self._results.append((job_id, status, at))
        if not self.clock.manual and (self._writer is None or self._writer.done()):
            self._writer = spawn(self._write_soon(), name="scheduler-results")

    async def _write_soon(self) -> None:
        """Write results a moment after they come in, so that everything finishing meanwhile shares the write."""
        failures = 0
        while self._results:
            await asyncio.sleep(RESULT_DELAY if not failures else ERROR_PAUSE)
            failures = 0 if await self._write_results(give_up=failures >= 2) else failures + 1

    async def _write_results(self, *, give_up: bool) -> bool:
        """Write the results waiting, in one statement; False if that failed and they were put back."""
        batch, self._results = self._results, []
        if not batch:
            return True
        try:
            await store.finish_jobs(self.db, batch)
        except asyncio.CancelledError:
            self._results[:0] = batch
            raise
        except Exception:
            if not give_up:
                log.exception("Could not record %d finished jobs; trying again", len(batch))
                self._results[:0] = batch
                return False
            # Still pending in the table: they run again (handlers are idempotent) rather than being lost.
            log.exception("Could not record %d finished jobs; they will run again", len(batch))
        for job_id, _, _ in batch:
            self._busy.discard(job_id)
        return True

    async def _run_one_by_one(self) -> int:
        """The manual clock's way: claim one due job, run it, write its result, until nothing is due."""
        ran = 0
        while True:
            claimed, looked_at = await self._claim(self.clock.now(), 1)
            if not looked_at:
                return ran
            for job in claimed:
                await self._execute(job)
            await self.flush()
            ran += looked_at

    # -- the runner (real clock) --------------------------------------------------------------------------------

    def _wake(self, due: datetime | None = None) -> None:
        """Make the scheduler look at the table now if work is (or may be) due before its next look."""
        if not self._timer.running:
            return
        if self._looking:
            self._look_again = True
        elif due is None or self._wake_at is None or due < self._wake_at:
            self._set_timer(due or self.clock.now())

    def _set_timer(self, when: datetime) -> None:
        self._wake_at = when
        self._timer.add_job(
            self._look,
            DateTrigger(run_date=max(when, self.clock.now())),
            id=TIMER,
            replace_existing=True,
            misfire_grace_time=None,  # late (a busy loop, a paused machine) is still run
            max_instances=2,  # the next look may be set while this one returns; `_looking` keeps them apart
        )

    async def _look(self) -> None:
        """The timer fired: claim and start what is due, then set the timer for the next look."""
        if self._looking or not self._running:
            return
        self._looking = True
        try:
            while True:
                self._look_again = False
                try:
                    delay = await self._tick()
                except Exception:
                    log.exception("The scheduler could not read the jobs table; trying again")
                    delay = ERROR_PAUSE
                if delay > 0 and not self._look_again:
                    break
        finally:
            self._looking = False
        if self._running and self._timer.running:
            self._set_timer(self.clock.now() + timedelta(seconds=delay))

    async def _tick(self) -> float:
        """Claim and start what is due (while there is room); return how long to sleep before looking again."""
        room = WINDOW - self._in_flight
        if room < WINDOW // 2:  # the next handler to finish below half the window wakes us
            self._backlog = True
            self._wake_at = self.clock.now()
            return MAX_SLEEP.total_seconds()
        now = self.clock.now()
        claimed, looked_at = await self._claim(now, room)
        for job in claimed:
            self._in_flight += 1
            spawn(self._run_in_window(job), name=f"job-{job.kind}-{job.id}")
        self._backlog = looked_at >= room  # more may be due: look again when there is room
        if self._backlog:
            self._wake_at = now
            return 0.0 if self._in_flight < WINDOW // 2 else MAX_SLEEP.total_seconds()
        upcoming = await store.next_due(self.db, now, list(self._kinds))
        wake = min((t for t in (upcoming, *self._retry_at.values()) if t is not None), default=now + MAX_SLEEP)
        self._wake_at = min(wake, now + MAX_SLEEP)
        return max(0.0, (self._wake_at - self.clock.now()).total_seconds())

    async def _run_in_window(self, job: Job) -> None:
        try:
            await self._execute(job)
        finally:
            self._in_flight -= 1
            if self._backlog and self._in_flight < WINDOW // 2:
                self._wake()
