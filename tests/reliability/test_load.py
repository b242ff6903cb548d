"""Load: 5,000 interactions with 100 in flight at once, every one answered, none with an error."""

from __future__ import annotations

import asyncio
import time

from bot.app import PeerBot
from sandbox.demo import Server
from sandbox.server import FakeDiscord

TOTAL = 5000
IN_FLIGHT = 100
COMMANDS = (("crisis", {}), ("help", {}), ("crisis", {"country": "US"}), ("crisis-settings forget", {}))


async def test_five_thousand_interactions_at_a_hundred_concurrent(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    gate = asyncio.Semaphore(IN_FLIGHT)
    members = [configured.member.id, configured.volunteer.id, configured.moderator.id, configured.facilitator.id]
    failures: list[str] = []

    async def one(n: int) -> None:
        command, options = COMMANDS[n % len(COMMANDS)]
        async with gate:
            ix = await fake.slash(configured.guild.id, members[n % len(members)], command, options)
            try:
                await ix.wait_response(timeout=3)
            except TimeoutError:
                failures.append(f"{command}: unanswered")
                return
            if "something went wrong" in ix.text() or not ix.ephemeral:
                failures.append(f"{command}: {ix.text()[:80]}")

    started = time.monotonic()
    await asyncio.gather(*(one(n) for n in range(TOTAL)))
    elapsed = time.monotonic() - started
    print(f"load: {TOTAL} interactions in {elapsed:.1f}s ({TOTAL / elapsed:.0f}/s)")  # noqa: T201
    assert failures == []
    assert len([ix for ix in fake.interactions if ix.response_type is None]) == 0
