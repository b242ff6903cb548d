"""What members and moderators do with anonymous shares, as steps the end-to-end tests reuse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.models import Message
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord
from tests.helpers import eventually, run

AFTER_DELAY = timedelta(seconds=121)  # past the longest default posting delay


async def share_settings(fake: FakeDiscord, server: Server, **options: Any) -> FakeInteraction:
    ix = await run(fake, server.guild.id, server.admin.id, "share-settings", options)
    assert "Anonymous shares: settings" in ix.text(), ix.text()
    return ix


async def queue_off(fake: FakeDiscord, server: Server) -> None:
    await share_settings(fake, server, queue="off")


async def answered(ix: FakeInteraction, followups: int = 1) -> FakeInteraction:
    """Wait for the bot's answer (and its follow-ups, when it deferred first)."""
    await ix.wait_response()
    if ix.deferred:
        await ix.wait_followups(followups)
    return ix


async def open_share_modal(fake: FakeDiscord, server: Server, user_id: int) -> FakeInteraction:
    return await (await fake.slash(server.guild.id, user_id, "share")).wait_response()


async def submit(
    fake: FakeDiscord,
    server: Server,
    user_id: int,
    body: str,
    title: str | None = None,
    cw: str | None = None,
    *,
    followups: int = 1,
) -> FakeInteraction:
    """/share, fill the modal in, send it; return the submission's interaction (its answer is waited for)."""
    opened = await open_share_modal(fake, server, user_id)
    assert opened.modal is not None, f"/share did not open a modal: {opened.text()}"
    values = {"body": body, **({"title": title} if title else {}), **({"cw": cw} if cw else {})}
    return await answered(await fake.submit_modal(opened.modal, user_id, values), followups)


async def settled(bot: PeerBot) -> None:
    """Wait for what the shares cog does after answering (taking a share down)."""
    cog = bot.get_cog("Shares")
    assert cog is not None
    await cog.settled()  # type: ignore[attr-defined]


async def post_due(bot: PeerBot, clock: ManualClock, delta: timedelta = AFTER_DELAY) -> int:
    await settled(bot)
    clock.advance(delta)
    return await bot.scheduler.run_due()


def share_posts(fake: FakeDiscord, server: Server) -> list[Message]:
    return [m for m in fake.messages(server.shares.id) if not m.deleted and m.embeds]


def custom_ids(message: Message) -> list[str]:
    return [str(c["custom_id"]) for row in message.components for c in row.get("components", []) if "custom_id" in c]


def button(message: Message, action: str) -> str:
    found = [c for c in custom_ids(message) if c.startswith(f"peerbot:shares:{action}:")]
    assert found, f"no {action} button on message {message.id}: {custom_ids(message)}"
    return found[0]


def share_id_of(message: Message) -> int:
    return int(button(message, "support").rsplit(":", 1)[1])


async def click(fake: FakeDiscord, message: Message, action: str, user_id: int) -> FakeInteraction:
    return await (await fake.click(message.id, button(message, action), user_id)).wait_response()


async def click_modal(
    fake: FakeDiscord, message: Message, action: str, user_id: int, values: dict[str, Any], followups: int = 1
) -> FakeInteraction:
    """Press a button that opens a modal, fill it in and send it."""
    opened = await click(fake, message, action, user_id)
    assert opened.modal is not None, f"{action} did not open a modal: {opened.text()}"
    return await answered(await fake.submit_modal(opened.modal, user_id, values), followups)


def cards(fake: FakeDiscord, channel_id: int) -> list[Message]:
    return [m for m in fake.messages(channel_id) if not m.deleted and m.embeds]


async def card_for(fake: FakeDiscord, channel_id: int, share_id: int, title_part: str = "") -> Message:
    """The newest card about a share in a channel (waiting for it: cards are sent after the member's answer)."""

    def found() -> list[Message]:
        return [
            m
            for m in cards(fake, channel_id)
            if f"#{share_id}" in str(m.embeds[0].get("title", "")) and title_part in str(m.embeds[0].get("title", ""))
        ]

    return (await eventually(found))[-1]


async def share_row(bot: PeerBot, share_id: int) -> dict[str, Any]:
    row = await bot.db.fetchone("SELECT * FROM shares WHERE id = ?", (share_id,))
    assert row is not None
    return {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row
