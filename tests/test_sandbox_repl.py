"""The terminal sandbox, as a new admin would use it: real bot, loopback Discord, typed commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.repl import SandboxSession
from sandbox.server import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


async def test_session_runs_setup_help_and_crisis(
    fake: FakeDiscord, server: Server, bot: PeerBot, clock: ManualClock
) -> None:
    session = SandboxSession(fake, server, bot, clock)
    assert "not set" in await session.execute("/setup show")
    assert "Saved" in await session.execute("quickstart")
    shown = await session.execute("/setup show")
    assert "#shares" in shown and "@On duty" in shown
    assert "all good" in await session.execute("/setup check")
    assert "now mo_member" in await session.execute("as sam")
    crisis = await session.execute("/crisis country:GB")
    assert "116 123" in crisis and "[1] Talk to a peer" in crisis
    assert "volunteer team" in await session.execute("click 1")
    assert "Manage Server" not in await session.execute("/help")
    assert "Discord would not allow that" in await session.execute("/setup show")
    assert "unknown sandbox command" in await session.execute("dance")
    assert "should be name:value" in await session.execute("/crisis country:GB extra")


async def test_session_types_numbers_and_picks_from_menus(
    fake: FakeDiscord, server: Server, bot: PeerBot, clock: ManualClock
) -> None:
    session = SandboxSession(fake, server, bot, clock)
    await session.execute("quickstart")
    await session.execute("as val")
    assert "on duty until" in await session.execute("/duty on hours:2")
    assert " UTC" in await session.execute("/duty status")  # Discord timestamps shown as readable times
    await session.execute("as sam")
    asked = await session.execute('/peer topic:"rough day"')
    assert "pick N one of" in asked
    await session.execute("pick 1 listen")
    await session.execute("pick 2 medium")
    assert "finding someone" in await session.execute("click 3")
    assert "Claim" in await session.execute("read #volunteers")


def test_sandbox_command_in_a_terminal() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox"],
        input="/help\n/setup show\nquit\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "What I can do" in result.stdout
    assert "peerbot setup" in result.stdout
    assert "Traceback" not in result.stderr


async def test_session_shows_a_file_the_bot_sends(
    fake: FakeDiscord, server: Server, bot: PeerBot, clock: ManualClock
) -> None:
    session = SandboxSession(fake, server, bot, clock)
    await session.execute("quickstart")
    await session.execute("as sam")
    await session.execute("/crisis-settings country country:US")
    exported = await session.execute("/privacy export")
    assert "(file peerbot-my-data.json" in exported
    assert '"country": "US"' in exported
