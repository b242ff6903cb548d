"""Without the Message Content intent the bot still runs, and the listener explains how to enable it."""

from __future__ import annotations

from bot.app import PeerBot
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.helpers import run


async def test_missing_intent_gives_portal_guidance_and_stays_off(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    assert not bot.message_content_enabled
    assert all(not identify.intents & (1 << 15) for identify in fake.identifies)
    ix = await run(
        fake, configured.guild.id, configured.admin.id, "crisis-listener on", {"channel": configured.general.id}
    )
    assert ix.ephemeral
    assert "Developer Portal" in ix.text() and "Message Content Intent" in ix.text()
    assert await bot.db.fetchval("SELECT count(*) FROM crisis_listen_channels") == 0
