"""Helpers for running a real discord.py client against :class:`~sandbox.server.FakeDiscord`.

Typical pytest use::

    async with FakeDiscord() as fake:
        guild = fake.add_guild("Test")
        async with running_bot(make_bot(), fake) as bot:
            ix = await fake.slash(guild.id, user.id, "ping")
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from sandbox.server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.contextmanager
def discord_endpoints(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at the fake; restore both on exit."""
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway


async def _wait_ready(bot: discord.Client, fake: FakeDiscord, task: asyncio.Task[None], limit: float) -> None:
    """Wait for the bot's on_ready, failing fast (with the bot's own error) if start() dies."""

    async def ready() -> None:
        await fake.wait_until_ready(limit)
        await bot.wait_until_ready()

    waiter = asyncio.ensure_future(ready())
    try:
        done, _ = await asyncio.wait({waiter, task}, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not waiter.done():
            waiter.cancel()
    if task in done:
        task.result()  # re-raises the bot's exception (e.g. PrivilegedIntentsRequired)
        raise RuntimeError("the bot stopped before becoming ready")
    if waiter not in done:
        raise TimeoutError(f"the bot was not ready within {limit}s")


async def stop_bot(bot: discord.Client, task: asyncio.Task[None]) -> None:
    """Close the client and wait for its start() task to finish."""
    if not bot.is_closed():
        await bot.close()
    if not task.done():
        try:
            await asyncio.wait_for(task, 5)
        except TimeoutError:
            task.cancel()
    with contextlib.suppress(asyncio.CancelledError, discord.DiscordException, OSError):
        await task


@contextlib.asynccontextmanager
async def running_bot(bot: ClientT, fake: FakeDiscord, *, ready_timeout: float = 10.0) -> AsyncIterator[ClientT]:
    """Start ``bot`` against ``fake``, wait until it is ready, and close it (restoring discord.py) on exit.

    Tip: build the bot with ``guild_ready_timeout=0.05`` so on_ready does not wait discord.py's
    default two seconds after the last GUILD_CREATE.
    """
    with discord_endpoints(fake):
        task = asyncio.create_task(bot.start(fake.token), name="sandbox-bot")
        try:
            await _wait_ready(bot, fake, task, ready_timeout)
            yield bot
        finally:
            await stop_bot(bot, task)
