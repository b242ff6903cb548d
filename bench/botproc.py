"""Bench-only entry point for a bot process: `python -m bench.botproc peerbot|baseline`.

`peerbot` runs the real bot as `python -m bot run` does (same settings from the environment, same `PeerBot`),
plus measurement hooks that never change what the bot does:

* an event-loop lag probe (a task that sleeps 10 ms and records how late it woke up);
* a timer around every event-loop callback (`asyncio.events.Handle._run`) that names the slowest one: the
  slow-callback detection `loop.set_debug()` does, without debug mode's overhead;
* a timer on every garbage collection (`gc.callbacks`), so a slow callback can be split into GC and the rest;
* bot-side interaction timing: from the moment the gateway frame carrying INTERACTION_CREATE reaches the bot
  (before decompression) to the moment the bot issues its interaction callback request, with the GC time and
  the database calls (`aiosqlite`: how many, time awaited, time executing in its thread) made in between.

`baseline` is a bare discord.py bot with one slash command, `/ok`, answering "ok" ephemerally, with the same
intents, client class and hooks.

On SIGUSR1 the process writes its measurements since the previous dump to `BENCH_STATS_FILE` (JSON, atomically)
and starts a new window. `BENCH_REMINDER_KIND`, when set, registers a bench-only durable job kind whose handler
sends a DM (the scheduler measurement's fallback when no feature provides reminder jobs).

Diagnosis only (`python -m bench --profile`): with `BENCH_PROFILE_DIR` set, start-up is profiled with pyinstrument
until `setup_hook` returns, SIGUSR2 starts or stops a profile of the running bot (as the `command` file in that
folder says: `start <label>` or `stop`), and each stop also writes a census of live objects, tasks and timers.
`BENCH_ASYNCIO_DEBUG=1` turns on asyncio debug mode (slow-callback warnings in the log).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import json
import logging
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

log = logging.getLogger("bench.botproc")

SLOW_CALLBACK = 0.050  # seconds: a callback at least this long is listed by name
PROBE_INTERVAL = 0.010
perf = time.perf_counter


class Stats:
    """What the hooks measured in the current window (reset after every dump)."""

    def __init__(self) -> None:
        self.seq = 0
        self.markers: dict[str, float] = {}
        self.reset()

    def reset(self) -> None:
        self.max_lag = 0.0
        self.max_callback = 0.0
        self.max_callback_what = ""
        self.max_callback_gc = 0.0  # garbage collection time inside the slowest callback
        self.slow: list[tuple[float, str]] = []
        self.gc_max = [0.0, 0.0, 0.0]  # longest collection per generation
        self.gc_count = [0, 0, 0]
        self.gc_total = 0.0
        self.db_calls = 0
        self.db_await = 0.0
        self.db_exec = 0.0
        # interaction id -> [seconds inside the bot, GC seconds, DB calls, DB await seconds, DB exec seconds]
        self.interactions: dict[str, list[float]] = {}
        self.window_start = time.time()


STATS = Stats()
_GC_CLOCK = [0.0, 0.0]  # [start of the running collection, total collection time so far]
_RECEIVED = [0.0]
_STARTED: dict[str, tuple[float, float]] = {}  # interaction id -> (frame received, GC clock then)
_DB: dict[str, list[float]] = {}  # interaction id -> [calls, await seconds, exec seconds]
CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("bench_interaction", default=None)


def mark(name: str) -> None:
    STATS.markers.setdefault(name, time.time())


def _describe(handle: asyncio.Handle) -> str:
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro: Any = owner.get_coro()
        where = ""
        frame = getattr(coro, "cr_frame", None)
        if frame is not None:
            where = f" (now at {Path(frame.f_code.co_filename).name}:{frame.f_lineno})"
        return f"task {owner.get_name()!r}: {getattr(coro, '__qualname__', repr(coro))}{where}"
    return repr(callback)[:200]


def _describe_task(task: asyncio.Task[Any]) -> str:
    coro: Any = task.get_coro()
    frame = getattr(coro, "cr_frame", None)
    where = f" at {Path(frame.f_code.co_filename).name}:{frame.f_lineno}" if frame is not None else ""
    return f"{getattr(coro, '__qualname__', repr(coro))}{where}"


def install_gc_timer() -> None:
    """Time every garbage collection (they run inside whatever callback allocated at the wrong moment)."""

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            _GC_CLOCK[0] = perf()
            return
        took = perf() - _GC_CLOCK[0]
        _GC_CLOCK[1] += took
        generation = int(info.get("generation", 0))
        STATS.gc_count[generation] += 1
        STATS.gc_total += took
        STATS.gc_max[generation] = max(STATS.gc_max[generation], took)

    gc.callbacks.append(on_gc)


def install_callback_timer() -> None:
    original = asyncio.events.Handle._run

    def timed_run(self: asyncio.Handle) -> None:
        gc_before = _GC_CLOCK[1]
        start = perf()
        original(self)
        took = perf() - start
        if took > STATS.max_callback:
            STATS.max_callback = took
            STATS.max_callback_what = _describe(self)
            STATS.max_callback_gc = _GC_CLOCK[1] - gc_before
        if took >= SLOW_CALLBACK and len(STATS.slow) < 50:
            gc_ms = (_GC_CLOCK[1] - gc_before) * 1000
            STATS.slow.append((took, f"{_describe(self)} [gc {gc_ms:.1f} ms]"))

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]


def install_interaction_timer() -> None:
    """Time each interaction inside the bot: gateway frame received -> callback request issued."""
    from discord.gateway import DiscordWebSocket
    from discord.state import ConnectionState
    from discord.webhook.async_ import AsyncWebhookAdapter

    received = DiscordWebSocket.received_message

    async def received_message(self: DiscordWebSocket, msg: Any, /) -> None:
        _RECEIVED[0] = perf()
        await received(self, msg)

    parse = ConnectionState.parse_interaction_create

    def parse_interaction_create(self: ConnectionState, data: Any) -> None:
        key = str(data["id"])
        _STARTED[key] = (_RECEIVED[0], _GC_CLOCK[1])
        if len(_STARTED) > 20000:  # interactions the bot never answered: forget the oldest
            for old in list(_STARTED)[:10000]:
                _STARTED.pop(old, None)
        token = CURRENT.set(key)  # the tasks discord.py creates for this interaction inherit it
        try:
            parse(self, data)
        finally:
            CURRENT.reset(token)

    respond = AsyncWebhookAdapter.create_interaction_response

    def create_interaction_response(self: AsyncWebhookAdapter, interaction_id: int, *args: Any, **kwargs: Any) -> Any:
        key = str(interaction_id)
        started = _STARTED.pop(key, None)
        if started is not None:
            db = _DB.pop(key, [0, 0.0, 0.0])
            STATS.interactions[key] = [perf() - started[0], _GC_CLOCK[1] - started[1], *db]
        return respond(self, interaction_id, *args, **kwargs)

    DiscordWebSocket.received_message = received_message  # type: ignore[method-assign]
    ConnectionState.parse_interaction_create = parse_interaction_create  # type: ignore[method-assign]
    AsyncWebhookAdapter.create_interaction_response = create_interaction_response  # type: ignore[method-assign]


def install_db_timer() -> None:
    """Count aiosqlite calls (every statement, fetch and commit goes through `Connection._execute`)."""
    import aiosqlite.core

    original: Any = aiosqlite.core.Connection._execute

    async def _execute(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        spent = [0.0]

        def timed() -> Any:  # runs on the connection's thread
            began = perf()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] = perf() - began

        start = perf()
        try:
            return await original(self, timed)
        finally:
            waited = perf() - start
            STATS.db_calls += 1
            STATS.db_await += waited
            STATS.db_exec += spent[0]
            key = CURRENT.get()
            if key is not None and key in _STARTED:  # only until the interaction's first response
                record = _DB.setdefault(key, [0, 0.0, 0.0])
                record[0] += 1
                record[1] += waited
                record[2] += spent[0]

    aiosqlite.core.Connection._execute = _execute  # type: ignore[method-assign]


async def watch_parent(stop: asyncio.Event) -> None:
    """Stop the bot if the benchmark that started it is gone (it never leaves a bot running behind it)."""
    parent = int(os.environ.get("BENCH_PARENT_PID", "0") or 0)
    if not parent:
        return
    for _ in iter(int, 1):  # forever, once a second
        await asyncio.sleep(1.0)
        if os.getppid() != parent:
            stop.set()
            return


async def lag_probe() -> None:
    loop = asyncio.get_running_loop()
    while True:
        start = loop.time()
        await asyncio.sleep(PROBE_INTERVAL)
        lag = loop.time() - start - PROBE_INTERVAL
        if lag > STATS.max_lag:
            STATS.max_lag = lag


def dump(path: Path, mode: str) -> None:
    STATS.seq += 1
    data = {
        "seq": STATS.seq,
        "mode": mode,
        "pid": os.getpid(),
        "markers": STATS.markers,
        "window_start": STATS.window_start,
        "window_end": time.time(),
        "max_lag_ms": STATS.max_lag * 1000,
        "max_callback_ms": STATS.max_callback * 1000,
        "max_callback_what": STATS.max_callback_what,
        "max_callback_gc_ms": STATS.max_callback_gc * 1000,
        "slow_callbacks": [{"ms": t * 1000, "what": w} for t, w in sorted(STATS.slow, reverse=True)[:10]],
        "gc_max_ms": [t * 1000 for t in STATS.gc_max],
        "gc_count": STATS.gc_count,
        "gc_total_ms": STATS.gc_total * 1000,
        "gc_tracked_objects": sum(gc.get_count()),
        "db_calls": STATS.db_calls,
        "db_await_ms": STATS.db_await * 1000,
        "db_exec_ms": STATS.db_exec * 1000,
        "interactions": STATS.interactions,
        "startup_steps": STARTUP_STEPS[:40],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)
    _DB.clear()
    STATS.reset()


# -- profiling (diagnosis only) ---------------------------------------------------------------------------------


class Profiling:
    def __init__(self, folder: Path) -> None:
        from pyinstrument import Profiler

        self.folder = folder
        self.factory = Profiler
        self.current: tuple[str, Any] | None = None
        self.startup: Any = Profiler(interval=0.0005, async_mode="disabled")

    def start_startup(self) -> None:
        self.startup.start()

    def stop_startup(self) -> None:
        if self.startup is not None and self.startup.is_running:
            self.startup.stop()
            self._write("startup", self.startup)

    def command(self) -> None:
        """SIGUSR2: the `command` file says `start <label>` or `stop`."""
        words = (self.folder / "command").read_text(encoding="utf-8").split()
        if self.current is not None:
            label, profiler = self.current
            profiler.stop()
            self._write(label, profiler)
            self._census(label)
            self.current = None
        if words and words[0] == "start":
            profiler = self.factory(interval=0.0005, async_mode="disabled")
            profiler.start()
            self.current = (words[1] if len(words) > 1 else "window", profiler)

    def _census(self, label: str) -> None:
        objects = gc.get_objects()
        census = Counter(type(o).__qualname__ for o in objects)
        lines = [f"{count:>9}  {name}" for name, count in census.most_common(40)]
        tasks = Counter(_describe_task(o) for o in objects if isinstance(o, asyncio.Task))
        timers = Counter(
            repr(getattr(o, "_callback", None))[:120] for o in objects if isinstance(o, asyncio.TimerHandle)
        )
        lines += ["", "Live tasks by coroutine:"] + [f"{n:>9}  {what}" for what, n in tasks.most_common(15)]
        lines += ["", "Timer handles by callback:"] + [f"{n:>9}  {what}" for what, n in timers.most_common(10)]
        total = sum(census.values())
        (self.folder / f"{label}.heap.txt").write_text(f"{total} objects tracked by gc\n" + "\n".join(lines) + "\n")

    def _write(self, label: str, profiler: Any) -> None:
        text = profiler.output_text(unicode=True, color=False, show_all=False)
        (self.folder / f"{label}.profile.txt").write_text(text, encoding="utf-8")


PROFILING: Profiling | None = None


# -- the two bots ----------------------------------------------------------------------------------------------


STARTUP_STEPS: list[tuple[str, float]] = []


def _timed(owner: Any, name: str, label: Any) -> None:
    """Record how long each call of the coroutine method `owner.name` takes (start-up breakdown)."""
    original = getattr(owner, name)

    async def timed(*args: Any, **kwargs: Any) -> Any:
        began = perf()
        try:
            return await original(*args, **kwargs)
        finally:
            STARTUP_STEPS.append((label(*args) if callable(label) else label, perf() - began))

    setattr(owner, name, timed)


def install_startup_timers() -> None:
    """The steps of `PeerBot.setup_hook`, timed (only the first call of each matters: start-up)."""
    from discord.ext import commands

    from bot.app import PeerBot
    from bot.db import Database
    from bot.scheduler import Scheduler

    _timed(Database, "migrate", "database: check migrations")
    _timed(PeerBot, "_detect_message_content", "REST: application info")
    _timed(commands.bot.BotBase, "load_extension", lambda _bot, name, *a: f"load {name}")
    _timed(Scheduler, "start", "scheduler: start (reads no jobs)")
    _timed(PeerBot, "sync_if_changed", "command sync check")


def make_peerbot(settings: Any) -> Any:
    from bot.app import PeerBot

    install_startup_timers()

    kind = os.environ.get("BENCH_REMINDER_KIND", "")

    class BenchPeerBot(PeerBot):
        async def setup_hook(self) -> None:
            await super().setup_hook()
            if kind:
                await self._bench_reminders(kind)
            mark("setup_done")
            if PROFILING is not None:
                PROFILING.stop_startup()

        async def _bench_reminders(self, kind: str) -> None:
            import discord

            from bot import store
            from bot.store import Job

            async def send(job: Job) -> None:
                channel = await self.create_dm(discord.Object(int(job.ref.split(":")[0])))
                await channel.send("Reminder: your group meets in 15 minutes.")

            self.scheduler.register(kind, send)
            for job in await store.pending_jobs(self.db):
                if job.kind == kind:  # arm them (the scheduler armed only kinds registered before it started)
                    await self.scheduler.schedule(kind, job.ref, job.due_at, job.guild_id)

    return BenchPeerBot(settings)


def make_baseline(settings: Any) -> Any:
    import discord
    from discord import app_commands
    from discord.ext import commands

    from bot.app import intents, point_discord_at

    class Baseline(commands.AutoShardedBot):
        async def login(self, token: str) -> None:
            point_discord_at(settings.api_base, settings.gateway_url)
            await super().login(token)

        async def setup_hook(self) -> None:
            @app_commands.command(name="ok", description="Answers ok.")
            async def ok(interaction: discord.Interaction) -> None:
                await interaction.response.send_message("ok", ephemeral=True)

            self.tree.add_command(ok)
            await self.tree.sync()
            mark("setup_done")

    return Baseline(
        command_prefix=commands.when_mentioned,
        intents=intents(),
        allowed_mentions=discord.AllowedMentions.none(),
        help_command=None,
    )


async def run(mode: str) -> None:
    from bot.config import configure_logging, load_settings

    settings = load_settings(require_token=True)
    configure_logging(settings.log_level)
    loop = asyncio.get_running_loop()
    if os.environ.get("BENCH_ASYNCIO_DEBUG") == "1":
        loop.set_debug(True)
        loop.slow_callback_duration = SLOW_CALLBACK
    stats_file = Path(os.environ["BENCH_STATS_FILE"])
    loop.add_signal_handler(signal.SIGUSR1, dump, stats_file, mode)
    if PROFILING is not None:
        loop.add_signal_handler(signal.SIGUSR2, PROFILING.command)
    probe = asyncio.create_task(lag_probe(), name="bench-lag-probe")
    bot = make_peerbot(settings) if mode == "peerbot" else make_baseline(settings)

    async def on_connect() -> None:
        mark("connect")

    async def on_ready() -> None:
        mark("ready")

    bot.add_listener(on_connect, "on_connect")
    bot.add_listener(on_ready, "on_ready")
    stop = asyncio.Event()
    watchdog = asyncio.create_task(watch_parent(stop), name="bench-parent-watchdog")
    async with bot:  # shut down as `python -m bot run` does: close in this task, then let start() finish
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runner = asyncio.create_task(bot.start(settings.token), name="bot")
        stopper = asyncio.create_task(stop.wait(), name="stop-signal")
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        await bot.close()
        stopper.cancel()
        if runner.done():
            runner.result()
        else:
            await runner
    for task in (probe, watchdog):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def main(argv: list[str]) -> int:
    global PROFILING
    mode = argv[0] if argv else "peerbot"
    if mode not in ("peerbot", "baseline"):
        sys.stderr.write("usage: python -m bench.botproc peerbot|baseline\n")
        return 2
    mark("process_main")
    folder = os.environ.get("BENCH_PROFILE_DIR")
    if folder and mode == "peerbot":
        PROFILING = Profiling(Path(folder))
        PROFILING.start_startup()
    install_gc_timer()
    install_callback_timer()
    install_interaction_timer()
    install_db_timer()
    asyncio.run(run(mode))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
