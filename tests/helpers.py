"""Shared test helpers: a standard server in the loopback Discord, and building the real bot against it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.app import PeerBot
from bot.config import Settings
from bot.scheduler import Clock
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord

T = TypeVar("T")


def make_settings(tmp_path: Path, fake: FakeDiscord) -> Settings:
    return Settings(
        token=fake.token,
        database_path=tmp_path / "peerbot.sqlite3",
        secret_key_file=tmp_path / "secret.key",
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
    )


def make_bot(tmp_path: Path, fake: FakeDiscord, clock: Clock) -> PeerBot:
    return PeerBot(make_settings(tmp_path, fake), clock=clock, guild_ready_timeout=0.05)


async def eventually(predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
    """Poll until `predicate()` is truthy (the bot works asynchronously); return its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.01)


async def settle(rounds: int = 20) -> None:
    """Let the bot finish reacting to what was just dispatched (used before asserting that nothing happened)."""
    for _ in range(rounds):
        await asyncio.sleep(0.01)


async def run(
    fake: FakeDiscord, guild_id: int | None, user_id: int, command: str, options: dict[str, Any] | None = None
) -> FakeInteraction:
    """Invoke a slash command and wait for its answer (the follow-up too, when the bot deferred first)."""
    ix = await (await fake.slash(guild_id, user_id, command, options)).wait_response()
    if ix.deferred:
        await ix.wait_followups(1)
    return ix
