"""The benchmark run: `python -m bench [--smoke] [--out DIR] [--keep]`.

1. A bare discord.py bot (`/ok`, the baseline) starts in its own process against its own FakeDiscord.
2. Full size: 1,000 servers are built in a second FakeDiscord; a fresh SQLite file is migrated and seeded
   (bench/seed.py); peerbot starts in its own process (`python -m bench.botproc`, which runs the real bot plus
   measurement hooks). That first start syncs the commands; the bot is stopped, the scheduler test's reminders
   are added, and the bot is started again: that restart is the start-up measured.
3. Each command family is measured in rounds that alternate N peerbot steps with N baseline steps. The
   reminders fall due during the run; the families pause while they are sent (lateness measured per DM).
4. /crisis while another connection holds `BEGIN EXCLUSIVE` on the database; then throughput with 50
   concurrent /crisis interactions (and the baseline's /ok for reference); then peak memory.
5. Growth: the same families on a database and a server count 10x smaller (paired with the baseline again).
6. Results: `results.md` and `results.json` (bench/ for a full run; a temporary folder for --smoke).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import report
from bench.families import Baseline, Crisis, Family, Sample, peerbot_families, prune
from bench.proc import BotProcess, kill_all
from bench.seed import BENCH_REMINDER_KIND, FULL, Reminders, SeedReport, Sizes, add_reminders, seed
from bench.stats import ratio, summarise, summary
from bench.world import BenchWorld, build_world
from sandbox.server import FakeDiscord
from sandbox.state import Dispatch

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Config:
    name: str
    sizes: Sizes
    hot: int  # servers commands are sent in
    members_per_hot: int
    volunteers_per_hot: int
    samples: int  # steps per family (each paired with as many baseline steps)
    per_round: int
    growth_factor: float
    growth_samples: int
    locked_samples: int
    throughput_seconds: float
    concurrency: int
    reminders: int
    reminder_lead: float  # seconds from the measured start to the reminders' due time (at least)
    align_reminders: bool  # due on a whole minute, like real reminders
    scheduler_wait: float  # how long after the due time to wait for the DMs


FULL_RUN = Config(
    name="full",
    sizes=FULL,
    hot=4,
    members_per_hot=200,
    volunteers_per_hot=12,
    samples=2000,
    per_round=50,
    growth_factor=0.1,
    growth_samples=1000,
    locked_samples=1000,
    throughput_seconds=10.0,
    concurrency=50,
    reminders=1000,
    reminder_lead=45.0,
    align_reminders=True,
    scheduler_wait=60.0,
)
SMOKE_RUN = Config(
    name="smoke",
    sizes=Sizes(guilds=10, groups=100, shares=5000, resources=500, shifts=50, prefs=1000),
    hot=2,
    members_per_hot=20,
    volunteers_per_hot=4,
    samples=20,
    per_round=10,
    growth_factor=0.2,
    growth_samples=10,
    locked_samples=20,
    throughput_seconds=1.0,
    concurrency=50,
    reminders=20,
    reminder_lead=10.0,
    align_reminders=False,
    scheduler_wait=15.0,
)


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Bench:
    """State shared by the phases of one run."""

    def __init__(self, cfg: Config, workdir: Path, profile_dir: Path | None = None) -> None:
        self.cfg = cfg
        self.workdir = workdir
        self.profile_dir = profile_dir
        self.results: dict[str, Any] = {"config": asdict(cfg), "phases": {}, "profiled": profile_dir is not None}
        self.failed_calls: Counter[str] = Counter()
        self.started = time.perf_counter()

    def phase(self, name: str, started: float) -> None:
        took = time.perf_counter() - started
        self.results["phases"][name] = round(took, 2)
        say(f"  [{time.perf_counter() - self.started:6.1f}s] {name}: {took:.1f}s")

    # -- processes ------------------------------------------------------------------------------------------

    async def start_bot(self, proc: BotProcess, world: BenchWorld, probe: str) -> dict[str, Any]:
        """Start a bot; return its start-up times (seconds from spawning the process).

        `serving`: the first command (`probe`), sent right after the bot identified, was answered; the gateway sends
        READY and every GUILD_CREATE before it, so the bot had handled all of them, and `setup_hook` (migrations,
        cogs, every pending job armed on the scheduler) had finished before it connected at all.
        `on_ready`: discord.py's on_ready, which it fires `guild_ready_timeout` (2 s) after the last GUILD_CREATE.
        """
        fake = world.fake
        before = len(fake.identifies)
        await proc.start()
        deadline = time.monotonic() + 120
        while len(fake.identifies) <= before:
            if not proc.alive():
                raise RuntimeError(f"the {proc.mode} bot exited during start-up:\n{proc.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the {proc.mode} bot did not connect:\n{proc.log_tail()}")
            await asyncio.sleep(0.002)
        identified = time.perf_counter()
        hot = world.hot[0]
        ix = await fake.slash(hot.id, hot.members[0], probe)
        await ix.wait_response(60)
        first = await proc.dump()
        markers = dict(first["markers"])
        windows = [first]
        while "ready" not in markers:
            await asyncio.sleep(0.25)
            windows.append(await proc.dump())
            markers.update(windows[-1]["markers"])
        proc.windows.clear()
        wall = proc.spawned_wall
        return {
            "serving_s": (ix.callback_at or identified) - proc.spawned_perf,
            "identified_s": identified - proc.spawned_perf,
            "python_main_s": markers["process_main"] - wall,
            "setup_done_s": markers.get("setup_done", wall) - wall,
            "on_ready_s": markers["ready"] - wall,
            "max_lag_ms": max(w["max_lag_ms"] for w in windows),
            "max_callback_ms": max(w["max_callback_ms"] for w in windows),
            "max_callback_what": max(windows, key=lambda w: w["max_callback_ms"])["max_callback_what"],
            "rss_kb": proc.status().get("VmRSS"),
            "steps": [(name, round(seconds, 4)) for name, seconds in first.get("startup_steps", [])],
        }

    # -- sampling -------------------------------------------------------------------------------------------

    async def paired(
        self,
        family: Family,
        baseline: Family,
        steps: int,
        procs: tuple[BotProcess, BotProcess],
        fakes: tuple[FakeDiscord, FakeDiscord],
        checkpoint: Callable[[float], Awaitable[None]] | None = None,
    ) -> tuple[list[Sample], list[Sample]]:
        """`steps` steps of `family`, in rounds alternating with as many baseline steps."""
        await family.prepare()
        for _ in range(3):  # warm-up, not measured (first-use caches, e.g. member names fetched once)
            await family.step()
            await baseline.step()
        mine: list[Sample] = []
        theirs: list[Sample] = []
        estimate = 1.0
        await procs[0].profile(family.key)
        done = 0
        while done < steps:
            n = min(self.cfg.per_round, steps - done)
            if checkpoint is not None:
                await checkpoint(estimate)
            began = time.perf_counter()
            for _ in range(n):
                mine += await family.step()
            for _ in range(n):
                theirs += await baseline.step()
            estimate = max(0.5, time.perf_counter() - began)
            done += n
            now = time.perf_counter()
            for fake in fakes:
                self.failed_calls.update(prune(fake, 5.0, now))
        await procs[0].profile(None)
        for proc in procs:
            await proc.dump(family.key)
        return mine, theirs

    def label_results(
        self, family: Family, mine: list[Sample], theirs: list[Sample], procs: tuple[BotProcess, BotProcess]
    ) -> list[dict[str, Any]]:
        base = summarise(theirs, procs[1].durations)
        out = []
        for label in family.labels:
            stats = summarise([s for s in mine if s.label == label], procs[0].durations)
            if not stats["samples"]:
                continue
            out.append(
                {
                    "label": label,
                    "family": family.key,
                    "stats": stats,
                    "baseline": base,
                    "ratio_p50": ratio(stats["latency"]["p50"], base["latency"]["p50"]),
                    "ratio_p99": ratio(stats["latency"]["p99"], base["latency"]["p99"]),
                    "internal_ratio_p50": ratio(stats["bot_internal"]["p50"], base["bot_internal"]["p50"]),
                    "internal_ratio_p99": ratio(stats["bot_internal"]["p99"], base["bot_internal"]["p99"]),
                    "window": _window(procs[0].windows.get(family.key, {})),
                }
            )
        return out

    # -- one data size ----------------------------------------------------------------------------------------

    async def measure(
        self, label: str, sizes: Sizes, baseline: BotProcess, base_world: BenchWorld, *, main: bool
    ) -> dict[str, Any]:
        cfg = self.cfg
        out: dict[str, Any] = {"sizes": sizes.as_dict()}
        async with FakeDiscord() as fake:
            began = time.perf_counter()
            world = build_world(
                fake,
                sizes.guilds,
                hot=min(cfg.hot, sizes.guilds),
                members_per_hot=cfg.members_per_hot,
                volunteers_per_hot=cfg.volunteers_per_hot,
            )
            reminder_users = [fake.add_user(f"reminder-{i}").id for i in range(cfg.reminders)] if main else []
            arrivals: dict[int, float] = {}

            def on_dispatch(item: Dispatch) -> None:
                if item.event == "MESSAGE_CREATE" and item.guild_id is None:
                    arrivals.setdefault(int(item.data["channel_id"]), time.time())

            fake.world.listeners.append(on_dispatch)
            database = self.workdir / f"{label}.sqlite3"
            seeded: SeedReport = await asyncio.to_thread(seed, database, world, sizes, datetime.now(UTC))
            out["seed"] = asdict(seeded)
            self.phase(f"{label}: build servers and seed the database", began)
            group_ids = _hot_group_ids(database, world)

            began = time.perf_counter()
            peer = BotProcess("peerbot", fake, self.workdir, database, extra_env={})
            out["first_start"] = await self.start_bot(peer, world, "help")
            reminders: Reminders | None = None
            if main:
                await peer.stop()
                due = datetime.now(UTC) + timedelta(seconds=cfg.reminder_lead)
                if cfg.align_reminders:
                    due = due.replace(second=0, microsecond=0) + timedelta(minutes=1)
                reminders = await asyncio.to_thread(add_reminders, database, world, reminder_users, due)
                env = {"BENCH_REMINDER_KIND": BENCH_REMINDER_KIND} if reminders.kind == BENCH_REMINDER_KIND else {}
                if self.profile_dir is not None:
                    env["BENCH_PROFILE_DIR"] = str(self.profile_dir)
                peer = BotProcess("peerbot", fake, self.workdir, database, extra_env=env)
                out["startup"] = await self.start_bot(peer, world, "help")
            self.phase(f"{label}: start-up", began)

            procs = (peer, baseline)
            fakes = (fake, base_world.fake)
            scheduler: dict[str, Any] = {}

            async def run_scheduler() -> None:
                assert reminders is not None  # noqa: S101 - main run only
                began = time.perf_counter()
                interrupted = peer.profiling
                await peer.dump("before-scheduler")
                await asyncio.sleep(max(0.0, reminders.due.timestamp() - time.time() - 0.5))
                await peer.profile("scheduler")
                await asyncio.sleep(max(0.0, reminders.due.timestamp() - time.time()))
                due = reminders.due.timestamp()
                channels = {}
                deadline = due + cfg.scheduler_wait
                while time.time() < deadline:
                    channels = {u: fake.world.dm_channel_by_user.get(u) for u in reminders.users}
                    if all(c is not None and c in arrivals for c in channels.values()):
                        break
                    await asyncio.sleep(0.05)
                await peer.profile(f"{interrupted}-after-scheduler" if interrupted else None)
                window = await peer.dump("scheduler")
                late = [(arrivals[c] - due) * 1000 for c in channels.values() if c is not None and c in arrivals]
                scheduler.update(
                    {
                        "via": reminders.via,
                        "kind": reminders.kind,
                        "due": reminders.due.isoformat(),
                        "reminders": len(reminders.users),
                        "delivered": len(late),
                        "lateness_ms": summary(late),
                        "all_sent_after_ms": max(late) if late else None,
                        "window": _window(window),
                    }
                )
                self.phase(f"{label}: scheduler ({len(late)}/{len(reminders.users)} reminders)", began)

            async def checkpoint(estimate: float) -> None:
                if (
                    reminders is not None
                    and not scheduler
                    and time.time() + estimate + 1.5 >= reminders.due.timestamp()
                ):
                    await run_scheduler()

            base_family = Baseline(base_world)
            families: list[dict[str, Any]] = []
            for family in peerbot_families(world, group_ids):
                reason = family.unavailable()
                if reason is not None:
                    families.append({"label": family.title, "family": family.key, "available": False, "reason": reason})
                    continue
                began = time.perf_counter()
                steps = cfg.samples if main else cfg.growth_samples
                mine, theirs = await self.paired(family, base_family, steps, procs, fakes, checkpoint)
                measured = self.label_results(family, mine, theirs, procs)
                pairs = getattr(family, "pair_count", None)
                if pairs is not None and pairs < steps + 3 and measured:
                    measured[0]["note"] = f"only {pairs} member/group pairs: later joins were repeats"
                families += measured
                self.phase(f"{label}: {family.title} ({len(mine)} samples)", began)
            out["families"] = families

            if main:
                if not scheduler and reminders is not None:
                    await run_scheduler()
                out["scheduler"] = scheduler
                out["locked_crisis"] = await self.locked_crisis(database, world, peer)
                out["throughput"] = {
                    "peerbot": await self.throughput(Crisis(world), peer, fake, "throughput"),
                    "baseline": await self.throughput(
                        Baseline(base_world), baseline, base_world.fake, "baseline-throughput"
                    ),
                }
                out["memory_kb"] = peer.status()
                out["windows"] = {k: _window(v) for k, v in peer.windows.items()}
            out["bot_exit_status"] = await peer.stop()
            out["bot_log_tail"] = peer.log_tail(15)
            out["fake_server_errors"] = fake.server_errors()[:20]
            self.failed_calls.update(prune(fake, 0.0, time.perf_counter()))
        return out

    async def locked_crisis(self, database: Path, world: BenchWorld, peer: BotProcess) -> dict[str, Any]:
        """/crisis while another connection holds BEGIN EXCLUSIVE on the database file."""
        began = time.perf_counter()
        conn = sqlite3.connect(database, isolation_level=None, timeout=30, check_same_thread=False)
        try:
            await asyncio.to_thread(conn.execute, "BEGIN EXCLUSIVE")
            family = Crisis(world)
            samples: list[Sample] = []
            for i in range(self.cfg.locked_samples):
                samples += await family.step()
                if i % 100 == 99:
                    prune(world.fake, 5.0, time.perf_counter())
            await peer.dump("locked")
        finally:
            await asyncio.to_thread(conn.execute, "ROLLBACK")
            conn.close()
        self.phase("/crisis with the database locked", began)
        return summarise(samples, peer.durations)

    async def throughput(self, family: Family, proc: BotProcess, fake: FakeDiscord, label: str) -> dict[str, Any]:
        """Interactions answered per second with `concurrency` in flight, for a fixed time."""
        began = time.perf_counter()
        await proc.dump(f"before-{label}")
        stop = time.perf_counter() + self.cfg.throughput_seconds
        samples: list[Sample] = []

        async def worker() -> None:
            while time.perf_counter() < stop:
                samples.extend(await family.step())

        await proc.profile(label)
        cpu_bot, cpu_me = proc.cpu_seconds(), _own_cpu()
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self.cfg.concurrency)))
        elapsed = time.perf_counter() - start
        await proc.profile(None)
        cpu_bot, cpu_me = proc.cpu_seconds() - cpu_bot, _own_cpu() - cpu_me
        window = await proc.dump(label)
        self.failed_calls.update(prune(fake, 0.0, time.perf_counter()))
        ok = [s for s in samples if s.error is None]
        result = {
            "concurrency": self.cfg.concurrency,
            "seconds": elapsed,
            "answered": len(ok),
            "errors": dict(Counter(s.error for s in samples if s.error)),
            "per_second": len(ok) / elapsed if elapsed else 0.0,
            "latency": summary(s.latency_ms for s in ok),
            "bot_cpu_pct": 100 * cpu_bot / elapsed if elapsed else 0.0,
            "bench_cpu_pct": 100 * cpu_me / elapsed if elapsed else 0.0,
            "window": _window(window),
        }
        self.phase(f"throughput {family.title}: {result['per_second']:.0f}/s", began)
        return result

    # -- the whole run ----------------------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        cfg = self.cfg
        self.results["machine"] = report.machine()
        self.results["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        machine_busy, own = _machine_busy(), _own_cpu(children=True)
        async with FakeDiscord() as base_fake:
            base_world = build_world(
                base_fake, cfg.hot, hot=cfg.hot, members_per_hot=cfg.members_per_hot, volunteers_per_hot=2
            )
            baseline = BotProcess("baseline", base_fake, self.workdir, self.workdir / "baseline.sqlite3", extra_env={})
            began = time.perf_counter()
            self.results["baseline_startup"] = await self.start_bot(baseline, base_world, "ok")
            self.phase("baseline bot start", began)
            try:
                self.results["full"] = await self.measure("full", cfg.sizes, baseline, base_world, main=True)
                small = cfg.sizes.scaled(cfg.growth_factor)
                self.results["small"] = await self.measure("small", small, baseline, base_world, main=False)
            finally:
                await baseline.stop()
                self.results["baseline_windows"] = {k: _window(v) for k, v in baseline.windows.items()}
        self.results["failed_bot_calls"] = dict(self.failed_calls.most_common(30))
        self.results["total_seconds"] = round(time.perf_counter() - self.started, 1)
        # Other processes on the machine (noise): its busy CPU time minus this run's own (bench + bot processes).
        other = (_machine_busy() - machine_busy) - (_own_cpu(children=True) - own)
        self.results["machine"]["other_processes_cpu_pct"] = round(
            100 * max(0.0, other) / (self.results["total_seconds"] * (os.cpu_count() or 1)), 1
        )
        self.results["machine"]["load_average_after"] = report.load_average()
        return self.results


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _own_cpu(*, children: bool = False) -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    if children:  # bot processes that have exited and been waited for
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += kids.ru_utime + kids.ru_stime
    return total


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _window(window: dict[str, Any]) -> dict[str, Any]:
    skip = ("interactions", "markers", "seq", "mode", "pid", "startup_steps")
    return {k: v for k, v in window.items() if k not in skip}


def _hot_group_ids(database: Path, world: BenchWorld) -> dict[int, list[int]]:
    conn = sqlite3.connect(database)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'support_groups'").fetchone():
            return {}
        return {
            h.id: [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM support_groups WHERE guild_id = ? AND status = 'active' ORDER BY id", (h.id,)
                )
            ]
            for h in world.hot
        }
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmark peerbot against a bare bot.")
    parser.add_argument("--smoke", action="store_true", help="tiny data and sample counts: checks the harness works")
    parser.add_argument(
        "--out", type=Path, help="where to write results.md/.json (default: bench/, or a temp dir for --smoke)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (databases, bot logs)")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="diagnosis: also profile peerbot (pyinstrument) at start-up and per phase, with a census of live "
        "objects; writes profiles/ next to the results (numbers are then inflated: never commit them)",
    )
    args = parser.parse_args(argv)
    cfg = SMOKE_RUN if args.smoke else FULL_RUN
    temporary = args.smoke or args.profile
    out = args.out or (Path(tempfile.mkdtemp(prefix=f"peerbot-bench-{cfg.name}-")) if temporary else HERE)
    out.mkdir(parents=True, exist_ok=True)
    profile_dir = None
    if args.profile:
        profile_dir = out / "profiles"
        profile_dir.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="peerbot-bench-work-"))
    say(f"peerbot benchmark ({cfg.name}{', profiled' if args.profile else ''}); work folder {workdir}")
    bench = Bench(cfg, workdir, profile_dir)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        results = asyncio.run(bench.run())
    finally:
        kill_all()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    targets = report.targets(results)
    results["targets"] = targets
    report.write(results, out)
    for t in targets:
        say(f"{t['verdict']:4}  {t['name']}: {t['value']} (target {t['target']})")
    say(f"results: {out / 'results.md'} and {out / 'results.json'} ({results['total_seconds']}s)")
    missed = [t for t in targets if t["verdict"] == "MISS"]
    return 1 if missed and args.fail_on_miss else 0
