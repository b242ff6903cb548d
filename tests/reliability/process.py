"""The bot as a real `python -m bot run` process against a FakeDiscord in the test process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sandbox.server import FakeDiscord
from tests.helpers import eventually

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """One run of the bot; its log goes to a file (a pipe nobody reads could fill up and stall the bot)."""

    def __init__(self, fake: FakeDiscord, workdir: Path, name: str) -> None:
        self.fake = fake
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def database(self) -> Path:
        return self.workdir / "bot.sqlite3"

    async def start(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Start the process and wait until it identified (a fresh IDENTIFY, not an earlier process's)."""
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_"))},
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": self.fake.token,
            "DISCORD_API_BASE": self.fake.api_base,
            "DISCORD_GATEWAY_URL": self.fake.gateway_url,
            "DATABASE_PATH": str(self.database),
            "SECRET_KEY_FILE": str(self.workdir / "secret.key"),
            "LOG_LEVEL": "INFO",
        }
        identified = len(self.fake.identifies)
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=self.workdir, env=env, stdout=log, stderr=log
            )
        await eventually(lambda: len(self.fake.identifies) > identified or self.exited(), timeout)
        assert not self.exited(), f"the bot exited at start-up:\n{self.log()}"
        await self.fake.wait_until_ready(timeout)

    def exited(self) -> bool:
        return self.process is not None and self.process.returncode is not None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash or an OOM kill."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()

    async def stop(self, timeout: float = 15.0) -> int:  # noqa: ASYNC109
        """SIGTERM and wait for a clean exit (killing it if it hangs); return its exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                await self.kill()
        return int(self.process.returncode or 0)
