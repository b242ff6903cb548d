"""Going on duty by hand end to end: /duty on, off, status, handoffs, limits, break reminders, overlapping duty,
and a missing permission leaving nothing half-done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.cogs.rota.rota_helpers import MON, add_shift, has_on_duty, last, move_to
from tests.helpers import run

NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


async def test_duty_on_gives_the_role_and_it_goes_after_the_time(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    on = await run(fake, s.guild.id, s.volunteer.id, "duty on")
    assert on.ephemeral and f"<t:{int((NOON + timedelta(hours=2)).timestamp())}:t>" in on.text()
    assert await has_on_duty(fake, s, s.volunteer.id)
    notice = last(fake, s.volunteers.id)
    assert f"<@{s.volunteer.id}> is on duty until" in notice.text()
    assert await bot.db.fetchval("SELECT count(*) FROM duty_sessions") == 1

    member = await run(fake, s.guild.id, s.member.id, "duty status")
    assert member.ephemeral and "1 volunteer is on duty" in member.text() and "<@" not in member.text()
    volunteer = await run(fake, s.guild.id, s.volunteer2.id, "duty status")
    assert f"<@{s.volunteer.id}>" in volunteer.text() and ":R>" in volunteer.text()

    await move_to(bot, clock, NOON + timedelta(hours=1, minutes=59))
    assert await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, NOON + timedelta(hours=2))
    assert not await has_on_duty(fake, s, s.volunteer.id)
    nobody = await run(fake, s.guild.id, s.member.id, "duty status")
    assert "Nobody is on duty right now" in nobody.text() and "/peer" in nobody.text()


async def test_duty_off_ends_early_and_replacing_duty_on(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await run(fake, s.guild.id, s.volunteer.id, "duty on", {"hours": 1})
    again = await run(fake, s.guild.id, s.volunteer.id, "duty on", {"hours": 3})
    assert "replaces your earlier" in again.text()
    await move_to(bot, clock, NOON + timedelta(hours=1))
    assert await has_on_duty(fake, s, s.volunteer.id)  # the first /duty on's end doesn't cut the second short
    off = await run(fake, s.guild.id, s.volunteer.id, "duty off")
    assert off.ephemeral and "You're off duty" in off.text()
    assert not await has_on_duty(fake, s, s.volunteer.id)
    off_again = await run(fake, s.guild.id, s.volunteer.id, "duty off")
    assert "weren't on duty" in off_again.text()


async def test_manual_duty_and_shift_overlap_never_remove_the_role_early(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, MON, "13:00", "15:00")
    await run(fake, s.guild.id, s.volunteer.id, "duty on", {"hours": 2})  # 12:00-14:00
    await move_to(bot, clock, NOON + timedelta(hours=1))  # the shift starts
    assert await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, NOON + timedelta(hours=2))  # the /duty on ends, the shift goes on
    assert await has_on_duty(fake, s, s.volunteer.id)
    off = await run(fake, s.guild.id, s.volunteer.id, "duty off")
    assert "rota shift runs until" in off.text()
    assert await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, NOON + timedelta(hours=3))
    assert not await has_on_duty(fake, s, s.volunteer.id)

    # And the other way round: a /duty on that outlasts the shift keeps the role until it ends.
    clock.set(NOON + timedelta(days=7, minutes=30))  # Monday 12:30, before next week's 13:00 shift
    await bot.scheduler.run_due()
    await run(fake, s.guild.id, s.volunteer.id, "duty on", {"hours": 3})  # 12:30-15:30
    await move_to(bot, clock, NOON + timedelta(days=7, hours=3))  # the shift ends at 15:00
    assert await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, NOON + timedelta(days=7, hours=3, minutes=30))
    assert not await has_on_duty(fake, s, s.volunteer.id)


async def test_non_volunteers_cannot_go_on_duty(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    s = configured
    ix = await run(fake, s.guild.id, s.member.id, "duty on")
    assert ix.ephemeral and f"<@&{s.volunteer_role.id}>" in ix.text()
    assert not await has_on_duty(fake, s, s.member.id)
    assert await bot.db.fetchval("SELECT count(*) FROM duty_sessions") == 0


async def test_missing_permission_is_clear_and_leaves_nothing_half_done(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    s = configured
    fake.set_role_position(s.guild.id, s.on_duty_role.id, fake.bot_role(s.guild.id).position + 1)
    ix = await run(fake, s.guild.id, s.volunteer.id, "duty on")
    assert ix.ephemeral
    assert "couldn't put you on duty" in ix.text() and "above my highest role" in ix.text()
    assert "Nothing was changed" in ix.text()
    assert not await has_on_duty(fake, s, s.volunteer.id)
    assert await bot.db.fetchval("SELECT count(*) FROM duty_sessions") == 0
    assert await bot.db.fetchval("SELECT count(*) FROM duty_roles") == 0
    warning = last(fake, s.volunteers.id).text()
    assert "/setup check" in warning and "Manage Roles" in warning

    # Discord refusing anyway (no Manage Roles on the bot's role) is handled the same way.
    fake.set_role_position(s.guild.id, s.on_duty_role.id, 1)
    fake.inject_fault("PUT", rf"/members/{s.volunteer.id}/roles/", 403, code=50013)
    refused = await run(fake, s.guild.id, s.volunteer.id, "duty on")
    assert refused.ephemeral and "haven't put you on duty" in refused.text()
    assert await bot.db.fetchval("SELECT count(*) FROM duty_sessions") == 0
    assert await bot.db.fetchval("SELECT count(*) FROM duty_roles") == 0


async def test_handoff_notes_are_shown_on_duty_and_listed(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    saved = await run(fake, s.guild.id, s.volunteer.id, "duty handoff", {"note": "Check on the **exam** thread @here"})
    assert saved.ephemeral and "Saved" in saved.text()
    on = await run(fake, s.guild.id, s.volunteer2.id, "duty on")
    assert "exam" in on.text() and "\\*\\*exam\\*\\*" in on.text()
    assert "1 handoff note" in last(fake, s.volunteers.id).text()
    assert "exam" not in last(fake, s.volunteers.id).text()  # the channel only gets the count
    listed = await run(fake, s.guild.id, s.volunteer.id, "duty handoffs")
    assert listed.ephemeral and "exam" in listed.text()
    clock.advance(timedelta(days=8))
    empty = await run(fake, s.guild.id, s.volunteer.id, "duty handoffs")
    assert "No handoff notes" in empty.text()


async def test_weekly_limit_warns_but_does_not_block(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    limit = await run(fake, s.guild.id, s.volunteer.id, "duty limit", {"hours": 3})
    assert limit.ephemeral and "3 h" in limit.text()
    await add_shift(fake, s, s.volunteer.id, MON, "18:00", "20:00")
    on = await run(fake, s.guild.id, s.volunteer.id, "duty on", {"hours": 2})
    assert "above the limit of 3 h" in on.text() and "4 h" in on.text()
    assert await has_on_duty(fake, s, s.volunteer.id)
    more = await add_shift(fake, s, s.volunteer.id, MON, "21:00", "22:00")
    assert "Saved" in more.text() and "above the limit" in more.text()
    removed = await run(fake, s.guild.id, s.volunteer.id, "duty limit", {"hours": 0})
    assert "removed" in removed.text()
    quiet = await add_shift(fake, s, s.volunteer.id, MON, "23:00", "23:30")
    assert "above the limit" not in quiet.text()


async def test_break_reminder_after_four_hours_on_duty(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await run(fake, s.guild.id, s.volunteer.id, "duty on", {"hours": 6})
    await move_to(bot, clock, NOON + timedelta(hours=3, minutes=59))
    assert fake.dm_messages(s.volunteer.id) == []
    await move_to(bot, clock, NOON + timedelta(hours=4))
    assert "gentle reminder to take a break" in fake.dm_messages(s.volunteer.id)[-1].text()
    await move_to(bot, clock, NOON + timedelta(hours=6))
    assert len(fake.dm_messages(s.volunteer.id)) == 1
