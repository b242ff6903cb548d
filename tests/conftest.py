"""Fixtures: the loopback Discord, a standard server in it, and the real bot connected to both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server, build_server
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot
from tests.helpers import make_bot


@pytest.fixture
def message_content_allowed() -> bool:
    """Override in a test module to grant the Message Content intent in the Developer Portal."""
    return False


@pytest.fixture
async def fake(message_content_allowed: bool) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(message_content_allowed=message_content_allowed) as discord_fake:
        yield discord_fake
        assert discord_fake.unknown_routes() == [], "the bot called routes the stand-in does not know"
        assert discord_fake.server_errors() == []


@pytest.fixture
def server(fake: FakeDiscord) -> Server:
    return build_server(fake)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def bot(tmp_path: Path, fake: FakeDiscord, server: Server, clock: ManualClock) -> AsyncIterator[PeerBot]:
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as running:
        yield running
    assert_no_unsafe_mentions(fake)


async def configure(fake: FakeDiscord, server: Server) -> None:
    """Run the admin's /setup as a new admin would."""
    for command, options in (
        ("setup channels", server.channel_options()),
        ("setup roles", server.role_options()),
        ("setup region", {"timezone": "Europe/London", "country": "GB"}),
    ):
        ix = await fake.slash(server.guild.id, server.admin.id, command, options)
        await ix.wait_response()
        assert "Saved" in ix.text(), ix.text()


@pytest.fixture
async def configured(fake: FakeDiscord, server: Server, bot: PeerBot) -> Server:
    await configure(fake, server)
    return server


def assert_no_unsafe_mentions(fake: FakeDiscord) -> None:
    """Every message the bot sent must refuse @everyone/@here and user pings, and ping roles only by explicit list."""
    for allowed in fake.sent_allowed_mentions():
        assert allowed is not None, "a message was sent without allowed_mentions"
        parse = allowed.get("parse", [])
        assert "everyone" not in parse
        assert "users" not in parse
        assert "roles" not in parse
