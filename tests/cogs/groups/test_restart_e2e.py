"""Restart safety: stop the bot before a reminder is due, start it again later, and count the DMs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.models import Channel
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot
from tests.helpers import make_bot, run, settle

TUE_18 = datetime(2040, 1, 3, 18, 0, tzinfo=UTC)
DAY_BEFORE = TUE_18 - timedelta(hours=24)


async def setup_group(fake: FakeDiscord, server: Server, voice: Channel) -> None:
    options: dict[str, object] = {"name": "Grief circle", "description": "A gentle space", "weekday": 1}
    made = await run(
        fake,
        server.guild.id,
        server.facilitator.id,
        "group create",
        options | {"start": "18:00", "duration": 90, "where": voice.id},
    )
    assert "is set up" in made.text(), made.text()
    joined = await run(fake, server.guild.id, server.member.id, "group join", {"group": "1"})
    assert "You're in" in joined.text()
    await settle()  # the announcement's seat count is updated after the answer


def reminders(fake: FakeDiscord, server: Server) -> list[str]:
    return [m.text() for m in fake.dm_messages(server.member.id) if "Reminder" in m.text()]


async def job_status(bot: PeerBot, ref: str) -> str | None:
    return await bot.db.fetchval("SELECT status FROM jobs WHERE kind = 'groups:reminder' AND ref = ?", (ref,))  # type: ignore[no-any-return]


async def test_a_reminder_due_while_down_but_within_grace_is_sent_once(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, voice: Channel
) -> None:
    await setup_group(fake, configured, voice)
    await bot.close()
    clock.set(DAY_BEFORE + timedelta(minutes=40))  # 40 minutes late: within the hour of grace
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as again:
        await again.scheduler.run_due()
        await settle()
        await again.scheduler.run_due()
        assert len(reminders(fake, configured)) == 1
        assert await job_status(again, "1:2040-01-03:1440") == "done"
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as third:
        await third.scheduler.run_due()
        assert len(reminders(fake, configured)) == 1
        # The chain went on: the 15-minute reminder comes too, once.
        clock.set(TUE_18 - timedelta(minutes=15))
        await third.scheduler.run_due()
        await third.scheduler.run_due()
    assert len(reminders(fake, configured)) == 2


async def test_a_stale_reminder_is_recorded_as_missed_and_not_sent(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, voice: Channel
) -> None:
    await setup_group(fake, configured, voice)
    await bot.close()
    clock.set(DAY_BEFORE + timedelta(hours=3))  # three hours late: stale
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as again:
        await again.scheduler.run_due()
        assert reminders(fake, configured) == []
        assert await job_status(again, "1:2040-01-03:1440") == "missed"
        clock.set(TUE_18 - timedelta(minutes=15))
        await again.scheduler.run_due()
        assert len(reminders(fake, configured)) == 1  # the next reminder still comes


async def test_a_reminder_interrupted_after_sending_is_never_sent_twice(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, voice: Channel
) -> None:
    await setup_group(fake, configured, voice)
    clock.set(DAY_BEFORE)
    await bot.scheduler.run_due()
    assert len(reminders(fake, configured)) == 1
    # Crash between the DM and marking the job done: the job is pending again when the bot restarts.
    await bot.db.execute("UPDATE jobs SET status = 'pending' WHERE ref = ?", ("1:2040-01-03:1440",))
    await bot.close()
    clock.advance(timedelta(minutes=5))
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as again:
        await again.scheduler.run_due()
        assert await job_status(again, "1:2040-01-03:1440") == "done"
    assert len(reminders(fake, configured)) == 1


async def test_after_a_long_downtime_the_group_is_repaired(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, voice: Channel
) -> None:
    await setup_group(fake, configured, voice)
    await bot.close()
    # Down for six weeks: every job is long overdue. The old event is retired and next week's created.
    clock.set(datetime(2040, 2, 13, 12, 0, tzinfo=UTC))  # Monday 13 February, noon
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as again:
        await again.scheduler.run_due()
        await settle()
        events = sorted(fake.world.guilds[configured.guild.id].events.values(), key=lambda e: e.scheduled_start_time)
        assert [e.status for e in events] == [4, 1]
        assert events[1].scheduled_start_time == datetime(2040, 2, 14, 18, 0, tzinfo=UTC).isoformat()
        assert reminders(fake, configured) == []
        clock.set(datetime(2040, 2, 13, 18, 0, tzinfo=UTC))
        await again.scheduler.run_due()
    assert len(reminders(fake, configured)) == 1
