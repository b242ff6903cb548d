"""Discord misbehaving: rate limits, server errors and a dropped gateway never lose an answer."""

from __future__ import annotations

import pytest

from bot.app import PeerBot
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.helpers import eventually, run

CRISIS_TEXT = "i want to kill myself"


@pytest.fixture
def message_content_allowed() -> bool:
    return True


async def listen(fake: FakeDiscord, server: Server) -> None:
    await run(fake, server.guild.id, server.admin.id, "crisis-listener on", {"channel": server.general.id})


async def test_rate_limited_alert_and_dm_are_retried(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await listen(fake, configured)
    alert_fault = fake.inject_fault(
        "POST", rf"/channels/{configured.alerts.id}/messages$", 429, times=2, retry_after=0.05
    )
    dm_fault = fake.inject_fault("POST", r"/users/@me/channels$", 429, times=1, retry_after=0.05)
    fake.user_message(configured.general.id, configured.member.id, CRISIS_TEXT)
    await eventually(lambda: fake.messages(configured.alerts.id))
    await eventually(lambda: fake.dm_messages(configured.member.id))
    assert alert_fault.hits == 2 and dm_fault.hits == 1
    assert len(fake.messages(configured.alerts.id)) == 1  # retried, not doubled


async def test_server_errors_on_the_alert_are_retried(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await listen(fake, configured)
    fault = fake.inject_fault("POST", rf"/channels/{configured.alerts.id}/messages$", 500, times=1)
    fake.user_message(configured.general.id, configured.member.id, CRISIS_TEXT)
    await eventually(lambda: fake.messages(configured.alerts.id), timeout=10)
    assert fault.hits == 1
    assert len(fake.messages(configured.alerts.id)) == 1


async def test_crisis_still_answers_after_the_gateway_drops(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    await fake.drop_gateway()
    await fake.wait_for_resume(timeout=15)
    ix = await run(fake, configured.guild.id, configured.member.id, "crisis")
    assert "116 123" in ix.text()


async def test_follow_up_rate_limit_is_retried(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    fault = fake.inject_fault("POST", r"/webhooks/\d+/[^/]+$", 429, times=1, retry_after=0.05)
    ix = await run(
        fake, configured.guild.id, configured.admin.id, "crisis-listener on", {"channel": configured.general.id}
    )
    assert "is on in" in ix.text()
    assert fault.hits == 1
