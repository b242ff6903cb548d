"""A bot running in its own process (`python -m bench.botproc`), connected to a FakeDiscord in this process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from sandbox.server import FakeDiscord

ROOT = Path(__file__).resolve().parent.parent
_CLK_TCK = os.sysconf("SC_CLK_TCK")


RUNNING: set[BotProcess] = set()


def kill_all() -> None:
    """Last resort when the benchmark itself is stopped: kill every bot process it started."""
    for proc in list(RUNNING):
        if proc.process is not None and proc.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.process.kill()
    RUNNING.clear()


class BotProcess:
    """One bot subprocess: start it, ask it for its measurements, read its memory and CPU, stop it."""

    def __init__(
        self,
        mode: str,
        fake: FakeDiscord,
        workdir: Path,
        database: Path,
        *,
        extra_env: dict[str, str],
        entry: tuple[str, ...] = ("-m", "bench.botproc"),
    ) -> None:
        self.mode = mode
        self.entry = entry  # what the interpreter runs (experiments can point it at a wrapper of bench.botproc)
        self.fake = fake
        self.workdir = workdir
        self.database = database
        self.extra_env = extra_env
        self.stats_file = workdir / f"{mode}-{database.stem}-stats.json"
        self.log_file = workdir / f"{mode}-{database.stem}.log"
        self.process: asyncio.subprocess.Process | None = None
        self.spawned_perf = 0.0
        self.spawned_wall = 0.0
        self._seq = 0
        self._log: Any = None
        # interaction id -> [seconds inside the bot, GC seconds, DB calls, DB await s, DB exec s], from every dump
        self.durations: dict[str, list[float]] = {}
        self.windows: dict[str, dict[str, Any]] = {}  # label -> what the bot measured in that window
        self.profiling: str | None = None  # the label being profiled (`--profile` only)

    @property
    def pid(self) -> int:
        assert self.process is not None  # noqa: S101 - started first
        return self.process.pid

    async def start(self) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_", "BENCH_"))},
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": self.fake.token,
            "DISCORD_API_BASE": self.fake.api_base,
            "DISCORD_GATEWAY_URL": self.fake.gateway_url,
            "DATABASE_PATH": str(self.database),
            "SECRET_KEY_FILE": str(self.workdir / "secret.key"),
            "LOG_LEVEL": "INFO",  # the default of `python -m bot run`
            "BENCH_STATS_FILE": str(self.stats_file),
            "BENCH_PARENT_PID": str(os.getpid()),
            **self.extra_env,
        }
        self.stats_file.unlink(missing_ok=True)
        self._seq = 0
        self._log = self.log_file.open("ab")
        self.spawned_perf = time.perf_counter()
        self.spawned_wall = time.time()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.entry,
            self.mode,
            cwd=self.workdir,
            env=env,
            stdout=self._log,
            stderr=self._log,
        )
        RUNNING.add(self)

    async def dump(self, label: str = "", timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The bot's measurements since the previous dump (SIGUSR1, then wait for the file); kept under `label`."""
        assert self.process is not None  # noqa: S101
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"{self.mode} bot exited ({self.process.returncode}); see {self.log_file}")
            with contextlib.suppress(FileNotFoundError, ValueError):
                data: dict[str, Any] = json.loads(self.stats_file.read_text(encoding="utf-8"))
                if data["seq"] > self._seq:
                    self._seq = data["seq"]
                    self.durations.update(data["interactions"])
                    if label:
                        self.windows[label] = data
                    return data
            await asyncio.sleep(0.005)
        raise TimeoutError(f"{self.mode} bot did not write its measurements")

    def status(self) -> dict[str, int]:
        """VmRSS / VmHWM (peak) in kB from /proc."""
        found: dict[str, int] = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(value.split()[0])
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def profile(self, label: str | None) -> None:
        """Start profiling the bot under `label` (stopping and writing any running profile), or just stop with None.
        Only when started with BENCH_PROFILE_DIR (`python -m bench --profile`)."""
        folder = self.extra_env.get("BENCH_PROFILE_DIR")
        if folder is None or self.process is None or self.process.returncode is not None:
            return
        (Path(folder) / "command").write_text("stop" if label is None else f"start {label}", encoding="utf-8")
        self.process.send_signal(signal.SIGUSR2)
        self.profiling = label
        await asyncio.sleep(0.05)

    async def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        RUNNING.discard(self)
        return int(self.process.returncode or 0)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
