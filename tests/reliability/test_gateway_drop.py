"""The gateway dropping in the middle of a flow: the bot resumes, nothing is lost and nothing is sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.cogs.groups.test_groups_e2e import TUE_18, announcements, click, create, run_jobs
from tests.helpers import eventually, run


@pytest.fixture
def clock() -> ManualClock:
    # As in the groups tests: the loopback Discord refuses scheduled events before the real current time.
    return ManualClock(datetime(2040, 1, 2, 12, 0, tzinfo=UTC))


async def test_gateway_drop_mid_flow_loses_no_share_and_doubles_no_reminder(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    g, member = configured.guild.id, configured.member.id
    settings = {"queue": "off", "delay_min": 0, "delay_max": 0}
    await run(fake, g, configured.admin.id, "share-settings", settings)
    await create(fake, configured, configured.general)
    [post] = announcements(fake, configured)
    assert "You're in" in (await click(fake, post, "Join", member)).text()
    opened = await (await fake.slash(g, member, "share")).wait_response()
    assert opened.modal is not None

    # The connection drops while the member sends the share and while a reminder falls due.
    await fake.drop_gateway()
    submitted = await fake.submit_modal(opened.modal, member, {"body": "Sent while the gateway was down."})
    clock.set(TUE_18 - timedelta(hours=24))
    await run_jobs(bot)
    await fake.wait_for_resume(timeout=15)
    await (await submitted.wait_response()).wait_followups(1)
    assert "Your share" in submitted.text()

    # Drop again and run everything due once more: still one post and one reminder.
    for _ in range(2):
        await run_jobs(bot)
        await eventually(lambda: [m for m in fake.messages(configured.shares.id) if "gateway was down" in m.text()])
        await fake.drop_gateway()
        await fake.wait_for_resume(timeout=15)
    await run_jobs(bot)
    posts = [m for m in fake.messages(configured.shares.id) if "gateway was down" in m.text()]
    assert len(posts) == 1
    reminders = [m for m in fake.dm_messages(member) if "Grief circle" in m.text() and "Reminder" in m.text()]
    assert len(reminders) == 1
