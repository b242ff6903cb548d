"""Durability: Discord errors and restarts never lose a share or post it twice; buttons outlive the bot."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord.http
import pytest

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.flags import Perm
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot
from tests.helpers import eventually, make_bot, run

from .flows import card_for, click, click_modal, post_due, queue_off, share_posts, share_row, submit


class _NoWaitAsyncio:
    """discord.py's `asyncio`, except that its HTTP retries (1 s, 3 s, 5 s... after a 500) don't wait."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(delay: float, result: Any = None) -> Any:
        return await asyncio.sleep(0, result)


@pytest.fixture
def quick_http_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http, "asyncio", _NoWaitAsyncio())


def posts_to(fake: FakeDiscord, channel_id: int) -> list[int]:
    return [c.status for c in fake.calls_to("POST", rf"/channels/{channel_id}/messages$")]


@pytest.mark.usefixtures("quick_http_retries")
async def test_server_errors_then_a_restart_post_the_share_exactly_once(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    await submit(fake, configured, configured.member.id, "Still here.")
    fake.inject_fault("POST", rf"/channels/{configured.shares.id}/messages$", 500, times=5)
    await post_due(bot, clock)  # discord.py tries five times, then the job fails and is booked for a retry
    assert posts_to(fake, configured.shares.id) == [500] * 5
    assert share_posts(fake, configured) == []
    assert (await share_row(bot, 1))["status"] == "pending"
    job = await bot.db.fetchone("SELECT status, attempts FROM jobs WHERE kind = 'shares:post'")
    assert job is not None and (job["status"], job["attempts"]) == ("pending", 1)

    await bot.close()
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as again:
        await again.scheduler.run_due()  # the pending job was armed again at start-up
        (post,) = share_posts(fake, configured)
        assert post.embeds[0]["description"] == "Still here."
        await post_due(again, clock, timedelta(hours=2))
        assert len(share_posts(fake, configured)) == 1
        assert posts_to(fake, configured.shares.id) == [500] * 5 + [200]
        assert (await share_row(again, 1))["message_id"] == post.id


async def test_a_post_whose_record_was_lost_is_not_sent_again(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await queue_off(fake, configured)
    await submit(fake, configured, configured.member.id, "Only once, please.")
    # The bot loads its own copy of the store (discord.py re-imports an extension's modules at every start).
    live_store = sys.modules["cogs.shares.store"]
    real_mark_posted = live_store.mark_posted
    crashes = [RuntimeError("the process died here")]

    async def crash_once(*args: Any, **kwargs: Any) -> bool:
        if crashes:
            raise crashes.pop()
        return await real_mark_posted(*args, **kwargs)

    monkeypatch.setattr(live_store, "mark_posted", crash_once)
    await post_due(bot, clock)  # Discord got the message, but the bot never recorded it
    assert len(share_posts(fake, configured)) == 1
    assert (await share_row(bot, 1))["message_id"] is None
    await post_due(bot, clock, timedelta(seconds=16))  # the retry finds its own message and adopts it
    (post,) = share_posts(fake, configured)
    assert (await share_row(bot, 1))["message_id"] == post.id
    assert posts_to(fake, configured.shares.id) == [200]


async def test_missing_permission_keeps_the_share_and_tells_moderators(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    await submit(fake, configured, configured.member.id, "Waiting patiently.")
    fake.deny_bot(configured.shares.id, int(Perm.SEND_MESSAGES))
    channel = bot.get_channel(configured.shares.id)
    assert isinstance(channel, discord.TextChannel)
    await eventually(lambda: not channel.permissions_for(channel.guild.me).send_messages)
    await post_due(bot, clock)
    notice = await card_for(fake, configured.share_queue.id, 1, "couldn't post")
    assert "Send Messages" in notice.embeds[0]["description"]
    assert "/share-mod retry" in notice.embeds[0]["description"]
    assert (await share_row(bot, 1))["status"] == "pending"
    await post_due(bot, clock, timedelta(seconds=16))  # retried, still refused: no second notice
    assert len([m for m in fake.messages(configured.share_queue.id) if "couldn't post" in str(m.embeds)]) == 1

    fake.set_overwrite(configured.shares.id, fake.bot_user.id)  # an admin fixes it...
    await eventually(lambda: channel.permissions_for(channel.guild.me).send_messages)
    fake.inject_fault("POST", rf"/channels/{configured.shares.id}/messages$", 403, code=50013)  # ...not quite
    await post_due(bot, clock, timedelta(seconds=31))
    refused = await card_for(fake, configured.share_queue.id, 1, "couldn't post")
    assert "Discord refused" in refused.embeds[0]["description"]
    assert share_posts(fake, configured) == []

    done = await run(fake, configured.guild.id, configured.moderator.id, "share-mod retry")
    assert "1 share will be posted" in done.text()
    await post_due(bot, clock)
    assert len(share_posts(fake, configured)) == 1
    await post_due(bot, clock, timedelta(hours=1))
    assert len(share_posts(fake, configured)) == 1


async def test_every_button_keeps_working_after_a_restart(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await submit(fake, configured, configured.member.id, "Before the restart.")
    card = await card_for(fake, configured.share_queue.id, 1)
    await bot.close()

    async with running_bot(make_bot(tmp_path, fake, clock), fake) as second:
        refused = await click(fake, card, "approve", configured.volunteer.id)
        assert "Only moderators" in refused.text()
        await click(fake, card, "approve", configured.moderator.id)
        await post_due(second, clock)
        (post,) = share_posts(fake, configured)

    async with running_bot(make_bot(tmp_path, fake, clock), fake) as third:
        await click(fake, post, "support", configured.volunteer.id)
        assert "Send support · 1" in str(fake.world.messages[post.id].components)
        await click_modal(fake, post, "reply", configured.volunteer.id, {"text": "Welcome back."})
        await click_modal(fake, post, "report", configured.volunteer2.id, {"reason": "Just checking."})
        report = await card_for(fake, configured.share_queue.id, 1, "reported")
        await post_due(third, clock)
        assert fake.messages(post.id)[0].embeds[0]["description"] == "Welcome back."
        await third.close()

    async with running_bot(make_bot(tmp_path, fake, clock), fake):
        await click(fake, report, "dismiss", configured.moderator.id)
        assert "Dismissed by" in str(fake.world.messages[report.id].embeds)
