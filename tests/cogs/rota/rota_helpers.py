"""Shared steps for the rota end-to-end tests (a plain module: the fixtures stay in tests/conftest.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.models import Message
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord
from tests.helpers import eventually, run

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SAMARITANS = "116 123"


def custom_ids(message: Message | None) -> list[str]:
    """Every component custom id of a message, in order."""
    if message is None:
        return []
    found: list[str] = []
    stack: list[dict[str, Any]] = list(message.components)
    while stack:
        comp = stack.pop(0)
        if comp.get("custom_id"):
            found.append(str(comp["custom_id"]))
        stack[:0] = list(comp.get("components") or [])
    return found


def last(fake: FakeDiscord, channel_id: int) -> Message:
    messages = fake.messages(channel_id)
    assert messages, f"no messages in channel {channel_id}"
    return messages[-1]


async def move_to(bot: PeerBot, clock: ManualClock, when: datetime) -> int:
    """Move the clock and run every job due by then (as the real timer would have)."""
    clock.set(when)
    return await bot.scheduler.run_due()


async def add_shift(
    fake: FakeDiscord, server: Server, user_id: int, weekday: int, start: str, end: str, tz: str | None = None
) -> FakeInteraction:
    options: dict[str, Any] = {"weekday": weekday, "start": start, "end": end}
    if tz is not None:
        options["timezone"] = tz
    return await run(fake, server.guild.id, user_id, "rota add", options)


async def shift_count(bot: PeerBot) -> int:
    return int(await bot.db.fetchval("SELECT count(*) FROM rota_shifts"))


async def has_on_duty(fake: FakeDiscord, server: Server, user_id: int) -> bool:
    return server.on_duty_role.id in fake.member_roles(server.guild.id, user_id)


async def ask_for_peer(
    fake: FakeDiscord,
    server: Server,
    member_id: int,
    *,
    wants: str = "listen",
    urgency: str = "medium",
    topic: str | None = None,
) -> FakeInteraction:
    """`/peer`, the private step (both selects), then **Ask for a peer**; returns the click with its answer."""
    ask = await run(fake, server.guild.id, member_id, "peer", {"topic": topic} if topic else None)
    assert ask.ephemeral
    message_id = ask.original_id or 0
    await (await fake.select(message_id, "peerbot:peer:ask:wants", member_id, [wants])).wait_response()
    await (await fake.select(message_id, "peerbot:peer:ask:urgency", member_id, [urgency])).wait_response()
    send = await (await fake.click(message_id, "peerbot:peer:ask:send", member_id)).wait_response()
    await send.wait_followups(1)
    return send


async def latest_request(bot: PeerBot) -> tuple[int, int | None, str]:
    """(id, thread id, status) of the newest peer request."""
    row = await bot.db.fetchone("SELECT id, thread_id, status FROM peer_requests ORDER BY id DESC LIMIT 1")
    assert row is not None, "no peer request stored"
    return int(row["id"]), row["thread_id"], str(row["status"])


async def click(fake: FakeDiscord, message_id: int, custom_id: str, user_id: int) -> FakeInteraction:
    """Press a button and wait for the bot's answer (and its first follow-up when it deferred)."""
    ix = await (await fake.click(message_id, custom_id, user_id)).wait_response()
    if ix.response_type == 5:
        await ix.wait_followups(1)
    return ix


async def alert_for(fake: FakeDiscord, server: Server, request_id: int) -> Message:
    """The newest volunteers-channel message with a Claim button for the request."""
    wanted = f"peerbot:peer:claim:{request_id}"
    return await eventually(
        lambda: next((m for m in reversed(fake.messages(server.volunteers.id)) if wanted in custom_ids(m)), None)
    )


def posted_allowed_mentions(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    """allowed_mentions of every message the bot posted in a channel, oldest first."""
    return [c.json.get("allowed_mentions") or {} for c in fake.calls_to("POST", rf"/channels/{channel_id}/messages$")]
