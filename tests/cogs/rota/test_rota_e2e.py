"""The weekly rota end to end: signing up, reminders and the on-duty role at the right instants (DST too),
covers, restarts, the views and the calendar, and bad input refused with nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot
from tests.cogs.rota.rota_helpers import (
    MON,
    PNG_MAGIC,
    SUN,
    TUE,
    WED,
    add_shift,
    click,
    custom_ids,
    has_on_duty,
    last,
    move_to,
    shift_count,
)
from tests.helpers import eventually, make_bot, run

# The clock starts on Monday 5 January 2026 at 12:00 UTC; Europe/London is on UTC in winter.
MONDAY = datetime(2026, 1, 5, tzinfo=UTC)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


async def test_shift_reminder_role_at_start_and_removal_at_end(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    added = await add_shift(fake, s, s.volunteer.id, MON, "14:00", "16:00")
    assert added.ephemeral and "Saved" in added.text() and "Mon 14:00-16:00 (Europe/London)" in added.text()
    assert f"<t:{int(at(MONDAY, 14).timestamp())}:F>" in added.text()

    await move_to(bot, clock, at(MONDAY, 13, 29))
    assert fake.dm_messages(s.volunteer.id) == []
    await move_to(bot, clock, at(MONDAY, 13, 30))
    reminder = fake.dm_messages(s.volunteer.id)[-1].text()
    assert "starts" in reminder and f"<t:{int(at(MONDAY, 14).timestamp())}:t>" in reminder
    assert not await has_on_duty(fake, s, s.volunteer.id)

    await move_to(bot, clock, at(MONDAY, 14))
    assert await has_on_duty(fake, s, s.volunteer.id)
    assert f"<@{s.volunteer.id}> is on duty" in last(fake, s.volunteers.id).text()
    status = await run(fake, s.guild.id, s.volunteer2.id, "duty status")
    assert f"<@{s.volunteer.id}>" in status.text()

    await move_to(bot, clock, at(MONDAY, 15, 59))
    assert await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, at(MONDAY, 16))
    assert not await has_on_duty(fake, s, s.volunteer.id)

    # Next week happens again (the chain of jobs continues).
    await move_to(bot, clock, at(MONDAY + timedelta(days=7), 13, 30))
    await move_to(bot, clock, at(MONDAY + timedelta(days=7), 14))
    assert await has_on_duty(fake, s, s.volunteer.id)
    assert len(fake.dm_messages(s.volunteer.id)) == 2


async def test_overnight_shift_is_confirmed_before_saving(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    asked = await add_shift(fake, s, s.volunteer.id, MON, "22:00", "02:00")
    assert asked.ephemeral and "ends the next day" in asked.text()
    assert await shift_count(bot) == 0
    _, no_id = custom_ids(asked.original)
    no = await fake.click(asked.original_id or 0, no_id, s.volunteer.id)
    await no.wait_response()
    await eventually(lambda: "nothing was saved" in asked.text())
    assert await shift_count(bot) == 0

    asked = await add_shift(fake, s, s.volunteer.id, MON, "22:00", "02:00")
    yes = await fake.click(asked.original_id or 0, custom_ids(asked.original)[0], s.volunteer.id)
    await yes.wait_response()
    await eventually(lambda: "Saved" in asked.text())
    assert "Mon 22:00-Tue 02:00" in asked.text()
    assert await shift_count(bot) == 1
    await move_to(bot, clock, at(MONDAY, 22))
    assert await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, at(MONDAY + timedelta(days=1), 2))
    assert not await has_on_duty(fake, s, s.volunteer.id)


async def test_bad_shift_input_is_refused_kindly_and_nothing_is_stored(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    s = configured
    too_long = await add_shift(fake, s, s.volunteer.id, MON, "08:00", "21:00")
    assert too_long.ephemeral and "at most 12 h" in too_long.text() and "Nothing was saved" in too_long.text()
    zero = await add_shift(fake, s, s.volunteer.id, MON, "18:00", "18:00")
    assert zero.ephemeral and "starts and ends at 18:00" in zero.text()
    bad_zone = await add_shift(fake, s, s.volunteer.id, MON, "18:00", "20:00", tz="Mars/Olympus")
    assert bad_zone.ephemeral and "Mars/Olympus" in bad_zone.text() and "Europe/London" in bad_zone.text()
    bad_time = await add_shift(fake, s, s.volunteer.id, MON, "25:00", "20:00")
    assert bad_time.ephemeral and "25:00" in bad_time.text()
    member = await add_shift(fake, s, s.member.id, MON, "18:00", "20:00")
    assert member.ephemeral and f"<@&{s.volunteer_role.id}>" in member.text()
    assert await shift_count(bot) == 0
    assert await bot.db.fetchval("SELECT count(*) FROM jobs WHERE kind LIKE 'rota:%'") == 0


async def test_time_zone_autocomplete_and_own_shift_autocomplete(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    s = configured
    zones = await fake.autocomplete(
        s.guild.id, s.volunteer.id, "rota add", "timezone", "new york", {"weekday": MON, "start": "1", "end": "2"}
    )
    assert "America/New_York" in [c["value"] for c in zones]
    await add_shift(fake, s, s.volunteer.id, WED, "10:00", "12:00", tz="America/New_York")
    await add_shift(fake, s, s.volunteer2.id, WED, "13:00", "15:00")
    mine = await fake.autocomplete(s.guild.id, s.volunteer.id, "rota remove", "shift", "")
    assert [c["name"] for c in mine] == ["Wed 10:00-12:00 (America/New_York)"]

    removed = await run(fake, s.guild.id, s.volunteer.id, "rota remove", {"shift": mine[0]["value"]})
    assert "Removed" in removed.text()
    other = await bot.db.fetchval("SELECT id FROM rota_shifts")
    refused = await run(fake, s.guild.id, s.volunteer.id, "rota remove", {"shift": other})
    assert refused.ephemeral and "couldn't find that shift among yours" in refused.text()
    assert await shift_count(bot) == 1
    listed = await run(fake, s.guild.id, s.volunteer2.id, "rota mine")
    assert "Wed 13:00-15:00 (Europe/London)" in listed.text()


async def test_cover_swap_role_follows_the_cover(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, WED, "10:00", "12:00")  # Wed 7 Jan
    wrong_day = await run(fake, s.guild.id, s.volunteer.id, "rota cant-make-it", {"date": "2026-01-08"})
    assert wrong_day.ephemeral and "don't have a shift on Thursday 08 January 2026" in wrong_day.text()
    asked = await run(fake, s.guild.id, s.volunteer.id, "rota cant-make-it", {"date": "wednesday"})
    assert asked.ephemeral and "asked the team" in asked.text()
    post = last(fake, s.volunteers.id)
    cover_id = next(c for c in custom_ids(post) if c.startswith("peerbot:rota:cover:"))
    again = await run(fake, s.guild.id, s.volunteer.id, "rota cant-make-it", {"date": "2026-01-07"})
    assert "already asked" in again.text()

    own = await click(fake, post.id, cover_id, s.volunteer.id)
    assert own.ephemeral and "your own shift" in own.text()
    member = await click(fake, post.id, cover_id, s.member.id)
    assert member.ephemeral and f"<@&{s.volunteer_role.id}>" in member.text()

    # volunteer2 and the admin press at the same moment: the first wins, the second is told kindly.
    first = await fake.click(post.id, cover_id, s.volunteer2.id)
    second = await fake.click(post.id, cover_id, s.admin.id)
    await first.wait_response()
    await first.wait_followups(1)
    await second.wait_response()
    assert "Thank you! You're covering" in first.text()
    assert second.ephemeral and "already covering" in second.text()
    edited = fake.world.messages[post.id]
    assert f"covered by <@{s.volunteer2.id}>" in edited.text()
    assert all(c.get("disabled") for row in edited.components for c in row["components"])
    told = await eventually(lambda: fake.dm_messages(s.volunteer.id))
    assert f"<@{s.volunteer2.id}> is covering your shift" in told[-1].text()
    assert await bot.db.fetchval("SELECT cover_id FROM rota_overrides") == s.volunteer2.id

    wednesday = MONDAY + timedelta(days=2)
    await move_to(bot, clock, at(wednesday, 9, 30))
    assert "cover shift" in fake.dm_messages(s.volunteer2.id)[-1].text()
    await move_to(bot, clock, at(wednesday, 10))
    assert await has_on_duty(fake, s, s.volunteer2.id)
    assert not await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, at(wednesday, 12))
    assert not await has_on_duty(fake, s, s.volunteer2.id)
    # The week after, the owner is back on.
    await move_to(bot, clock, at(wednesday + timedelta(days=7), 10))
    assert await has_on_duty(fake, s, s.volunteer.id)
    assert not await has_on_duty(fake, s, s.volunteer2.id)


async def test_restart_mid_shift_keeps_the_role_and_removes_it_at_the_end(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, MON, "13:00", "15:00")
    await move_to(bot, clock, at(MONDAY, 13))
    assert await has_on_duty(fake, s, s.volunteer.id)
    await bot.close()
    removals = len(fake.calls_to("DELETE", r"/roles/"))
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as again:
        await move_to(again, clock, at(MONDAY, 14))
        assert await has_on_duty(fake, s, s.volunteer.id)
        assert len(fake.calls_to("DELETE", r"/roles/")) == removals
        await move_to(again, clock, at(MONDAY, 15))
        assert not await has_on_duty(fake, s, s.volunteer.id)


async def test_shift_start_slept_through_is_caught_up_after_restart(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, MON, "12:10", "12:20")  # the reminder time has passed already
    await add_shift(fake, s, s.volunteer.id, MON, "13:00", "15:00")
    await bot.close()
    clock.set(at(MONDAY, 14))  # the bot was down through the 13:00 start
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as again:
        await again.scheduler.run_due()
        assert await has_on_duty(fake, s, s.volunteer.id)
        await move_to(again, clock, at(MONDAY, 15))
        assert not await has_on_duty(fake, s, s.volunteer.id)


async def test_role_removed_by_hand_is_not_readded_mid_block(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, MON, "13:00", "17:00")
    await add_shift(fake, s, s.volunteer.id, MON, "15:00", "16:00")  # a boundary inside the same block
    await move_to(bot, clock, at(MONDAY, 13))
    assert await has_on_duty(fake, s, s.volunteer.id)
    fake.set_member_roles(s.guild.id, s.volunteer.id, [s.volunteer_role.id])  # a moderator takes it off
    adds = len(fake.calls_to("PUT", r"/roles/"))
    await move_to(bot, clock, at(MONDAY, 15))
    await move_to(bot, clock, at(MONDAY, 16))
    assert not await has_on_duty(fake, s, s.volunteer.id)
    assert len(fake.calls_to("PUT", r"/roles/")) == adds
    await move_to(bot, clock, at(MONDAY, 17))
    assert await bot.db.fetchval("SELECT count(*) FROM duty_roles") == 0
    # The next block may give it again.
    await move_to(bot, clock, at(MONDAY + timedelta(days=7), 13))
    assert await has_on_duty(fake, s, s.volunteer.id)


async def test_role_given_by_hand_is_not_taken_back(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    fake.set_member_roles(s.guild.id, s.volunteer.id, [s.volunteer_role.id, s.on_duty_role.id])
    await add_shift(fake, s, s.volunteer.id, MON, "13:00", "14:00")
    await move_to(bot, clock, at(MONDAY, 14))
    assert await has_on_duty(fake, s, s.volunteer.id)


async def test_dst_shift_gets_its_role_at_the_right_utc_instant(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))  # Saturday; the UK springs forward on Sunday 29 March
    await add_shift(fake, s, s.volunteer.id, SUN, "09:00", "12:00")
    await move_to(bot, clock, datetime(2026, 3, 29, 7, 29, tzinfo=UTC))
    assert fake.dm_messages(s.volunteer.id) == []
    await move_to(bot, clock, datetime(2026, 3, 29, 7, 30, tzinfo=UTC))  # 08:30 BST
    assert fake.dm_messages(s.volunteer.id)
    await move_to(bot, clock, datetime(2026, 3, 29, 7, 59, tzinfo=UTC))
    assert not await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, datetime(2026, 3, 29, 8, 0, tzinfo=UTC))  # 09:00 BST
    assert await has_on_duty(fake, s, s.volunteer.id)
    await move_to(bot, clock, datetime(2026, 3, 29, 11, 0, tzinfo=UTC))  # 12:00 BST
    assert not await has_on_duty(fake, s, s.volunteer.id)


async def test_missing_permission_at_shift_start_is_reported_and_nothing_recorded(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, MON, "13:00", "15:00")
    fake.set_role_position(s.guild.id, s.on_duty_role.id, fake.bot_role(s.guild.id).position + 1)
    await move_to(bot, clock, at(MONDAY, 13))
    assert not await has_on_duty(fake, s, s.volunteer.id)
    assert await bot.db.fetchval("SELECT count(*) FROM duty_roles") == 0
    dm = fake.dm_messages(s.volunteer.id)[-1].text()
    assert "couldn't give you the on-duty role" in dm and "above my highest role" in dm
    warning = last(fake, s.volunteers.id).text()
    assert "above my highest role" in warning and "/setup check" in warning


async def test_rota_view_table_admin_png_and_calendar(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, MON, "18:00", "22:00")
    await add_shift(fake, s, s.volunteer2.id, WED, "10:00", "12:00")
    view = await run(fake, s.guild.id, s.volunteer.id, "rota view")
    assert view.ephemeral
    text = view.text()
    assert text.startswith("```") and "Rota, week of Mon 05 Jan 2026 (Europe/London)" in text
    assert "val_volunteer" in text and "Uncovered:" in text
    assert all(not m.attachments for m in [view.original, *view.followups] if m)
    asked = await run(fake, s.guild.id, s.volunteer.id, "rota view", {"image": True})
    assert "for admins" in asked.text()
    assert asked.original is not None and not asked.original.attachments

    admin = await run(fake, s.guild.id, s.admin.id, "rota view", {"week": 1})
    assert admin.ephemeral and "week of Mon 12 Jan 2026" in admin.text()
    message = admin.original
    assert message is not None and message.attachments
    assert message.attachments[0].data.startswith(PNG_MAGIC)

    calendar = await run(fake, s.guild.id, s.volunteer.id, "rota calendar")
    assert calendar.ephemeral and calendar.original is not None
    ics = calendar.original.attachments[0]
    assert ics.filename.endswith(".ics")
    body = ics.data.decode()
    assert body.startswith("BEGIN:VCALENDAR") and "RRULE:FREQ=WEEKLY;BYDAY=MO" in body
    assert "TZID=Europe/London" in body and body.rstrip().endswith("END:VCALENDAR")
    nothing = await run(fake, s.guild.id, s.admin.id, "rota calendar")
    assert nothing.ephemeral and "no shifts yet" in nothing.text()


async def test_daily_coverage_post_lists_uncovered_hours(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, TUE, "00:00", "12:00")
    before = len(fake.messages(s.volunteers.id))
    await move_to(bot, clock, at(MONDAY + timedelta(days=1), 8, 59))
    assert len(fake.messages(s.volunteers.id)) == before + 1  # only the on-duty notice at midnight
    await move_to(bot, clock, at(MONDAY + timedelta(days=1), 9))
    post = last(fake, s.volunteers.id).text()
    assert "Uncovered in the next 48 hours" in post
    gap_start = int(at(MONDAY + timedelta(days=1), 12).timestamp())
    assert f"<t:{gap_start}:f>" in post
    await move_to(bot, clock, at(MONDAY + timedelta(days=2), 9))
    assert "Uncovered in the next 48 hours" in last(fake, s.volunteers.id).text()
