"""`python -m bot backup PATH` while the bot writes (a consistent, checked copy), and `restore PATH`."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot
from tests.helpers import eventually, make_bot, run

ROOT = Path(__file__).resolve().parents[2]


async def cli(workdir: Path, database: Path, *args: str) -> tuple[int, str]:
    """`python -m bot ARGS` as an admin would run it, in its own process; returns (exit code, output)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_"))},
        "PYTHONPATH": str(ROOT),
        "DATABASE_PATH": str(database),
        "SECRET_KEY_FILE": str(workdir / "secret.key"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=workdir, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def counts(path: Path) -> tuple[str, int, int]:
    conn = sqlite3.connect(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        prefs = conn.execute(
            "SELECT count(*) FROM crisis_member_prefs WHERE user_id BETWEEN 1000000 AND 1999999999"
        ).fetchone()[0]
        phrases = conn.execute("SELECT count(*) FROM crisis_phrases WHERE phrase LIKE 'backup test %'").fetchone()[0]
    finally:
        conn.close()
    return integrity, prefs, phrases


async def test_backup_while_the_bot_writes_then_restore(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    g, member = configured.guild.id, configured.member.id
    database = bot.settings.database_path
    await run(fake, g, member, "crisis-settings country", {"country": "US"})

    # The bot keeps committing two-table transactions while another process takes the backup.
    stop = asyncio.Event()
    written = 0

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            async with bot.db.transaction():
                await bot.db.execute(
                    "INSERT INTO crisis_member_prefs (user_id, country, quiet) VALUES (?, 'GB', 0)",
                    (1_000_000 + written,),
                )
                await bot.db.execute(
                    "INSERT INTO crisis_phrases (guild_id, phrase) VALUES (?, ?)", (g, f"backup test {written}")
                )
            written += 1

    task = asyncio.create_task(writer())
    await eventually(lambda: written >= 20)
    backups = tmp_path / "backups"
    backups.mkdir()
    code, out = await cli(tmp_path, database, "backup", str(backups))
    during = written
    await eventually(lambda: written >= during + 20)  # the bot was never blocked by the backup
    stop.set()
    await task
    assert code == 0, out
    assert "Backed up" in out and "secret key" in out
    (copy,) = backups.glob("*.sqlite3")
    assert not list(backups.glob(".*partial"))
    assert copy.stat().st_mode & 0o777 == 0o600
    integrity, prefs, phrases = counts(copy)
    assert integrity == "ok"
    assert prefs == phrases, "the copy is not one consistent snapshot"
    assert 20 <= prefs <= during

    # Backups never overwrite, and say so.
    code, out = await cli(tmp_path, database, "backup", str(copy))
    assert code == 1 and "already exists" in out

    # Restore, with the bot stopped: the member's saved country comes back; the old file is kept aside.
    await bot.close()
    conn = sqlite3.connect(database)
    conn.execute("DELETE FROM crisis_member_prefs")
    conn.commit()
    conn.close()
    code, out = await cli(tmp_path, database, "restore", str(copy))
    assert code == 0, out
    assert "Restored" in out and "up to date" in out
    assert [name for name in os.listdir(tmp_path) if name.startswith(f"{database.name}.before-restore-")]
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as restarted:
        assert (
            await restarted.db.fetchval("SELECT country FROM crisis_member_prefs WHERE user_id = ?", (member,)) == "US"
        )
        crisis = await run(fake, g, member, "crisis")
        assert crisis.ephemeral and "988" in crisis.text()  # the restored US preference is used


async def test_restore_refuses_what_is_not_a_peerbot_backup(tmp_path: Path) -> None:
    database = tmp_path / "peerbot.sqlite3"
    code, out = await cli(tmp_path, database, "migrate")
    assert code == 0, out
    stranger = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(stranger)
    conn.execute("CREATE TABLE notes (x)")
    conn.close()
    code, out = await cli(tmp_path, database, "restore", str(stranger))
    assert code == 1 and "not a peerbot database" in out
    code, out = await cli(tmp_path, database, "restore", str(tmp_path / "missing.sqlite3"))
    assert code == 1 and "There is no backup" in out
    code, out = await cli(tmp_path, database, "backup")
    assert code == 2 and "needs a PATH" in out
    assert not [n for n in os.listdir(tmp_path) if ".before-restore-" in n], "a refused restore changed nothing"
