"""The bot as a real process: it connects to the loopback Discord, and SIGTERM shuts it down cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from sandbox.demo import build_server
from sandbox.server import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


async def start_bot_process(fake: FakeDiscord, tmp_path: Path) -> asyncio.subprocess.Process:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_"))},
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "SECRET_KEY_FILE": str(tmp_path / "secret.key"),
        "LOG_LEVEL": "INFO",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )


async def test_sigterm_closes_the_bot_cleanly(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        server = build_server(fake)
        process = await start_bot_process(fake, tmp_path)
        try:
            await fake.wait_until_ready(timeout=30)
            ix = await (
                await fake.slash(server.guild.id, server.member.id, "crisis", {"country": "GB"})
            ).wait_response()
            assert "116 123" in ix.text()
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 15)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode == 0
        assert process.stderr is not None
        log = (await process.stderr.read()).decode()
        assert "Traceback" not in log
        assert fake.token not in log
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] >= 3
    assert oct((tmp_path / "secret.key").stat().st_mode & 0o777) == "0o600"
