"""Support groups end to end through the loopback Discord: the real bot, real interactions, a clock we move."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.flags import DEFAULT_BOT, Perm
from sandbox.models import Channel, Message, ScheduledEvent
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord
from tests.helpers import eventually, run, settle

TUE_18 = datetime(2040, 1, 3, 18, 0, tzinfo=UTC)  # the first Tuesday 18:00 London after the clock's start
STAMP = f"<t:{int(TUE_18.timestamp())}:F>"


async def create(fake: FakeDiscord, server: Server, where: Channel, **options: Any) -> FakeInteraction:
    values: dict[str, Any] = {
        "name": "Grief circle",
        "description": "A gentle space for anyone grieving.",
        "weekday": 1,
        "start": "6pm",
        "duration": 90,
        "where": where.id,
    }
    values.update(options)
    user = values.pop("user", server.facilitator.id)
    return await run(fake, server.guild.id, user, "group create", values)


def announcements(fake: FakeDiscord, server: Server) -> list[Message]:
    return fake.messages(server.groups.id)


def events(fake: FakeDiscord, server: Server) -> list[ScheduledEvent]:
    return sorted(fake.world.guilds[server.guild.id].events.values(), key=lambda e: e.scheduled_start_time)


def buttons(message: Message) -> dict[str, dict[str, Any]]:
    return {c["label"]: c for row in message.components for c in row["components"]}


def post_with(fake: FakeDiscord, server: Server, text: str) -> Message | Literal[False]:
    return next((m for m in announcements(fake, server) if text in m.text()), False)


def dm_texts(fake: FakeDiscord, user_id: int) -> list[str]:
    return [m.text() for m in fake.dm_messages(user_id)]


async def run_jobs(bot: PeerBot) -> int:
    """Let the bot finish what an interaction started (its reply comes first), then run the due jobs."""
    await settle()
    return await bot.scheduler.run_due()


async def click(fake: FakeDiscord, message: Message, label: str, user_id: int) -> FakeInteraction:
    ix = await fake.click(message.id, buttons(message)[label]["custom_id"], user_id)
    return await ix.wait_response()


async def test_create_join_remind_skip_edit_archive(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, voice: Channel
) -> None:
    g, member = configured.guild.id, configured.member.id
    made = await create(fake, configured, voice, capacity=8, tags="grief, loss")
    assert made.ephemeral and "is set up" in made.text() and STAMP in made.text()
    assert "24 h and 15 min" in made.text()

    # The announcement, with persistent Join / Leave buttons and seat counts.
    [post] = announcements(fake, configured)
    assert "Grief circle" in post.text() and "8 seats left of 8" in post.text() and STAMP in post.text()
    ids = {label: b["custom_id"] for label, b in buttons(post).items()}
    assert ids == {"Join": "peerbot:groups:join:1", "Leave": "peerbot:groups:leave:1"}

    # The native event for the next meeting.
    [event] = events(fake, configured)
    assert (event.entity_type, event.channel_id, event.status) == (2, voice.id, 1)
    assert event.scheduled_start_time == TUE_18.isoformat()
    assert event.scheduled_end_time == (TUE_18 + timedelta(minutes=90)).isoformat()

    # A member joins with the button: a private answer, and only the seat count changes in public.
    joined = await click(fake, post, "Join", member)
    assert joined.ephemeral and "You're in" in joined.text() and STAMP in joined.text()
    await eventually(lambda: post_with(fake, configured, "7 seats left"))
    [post] = announcements(fake, configured)
    assert "mo_member" not in post.text() and f"<@{member}>" not in post.text()

    # 24 hours before: the DM reminder, once.
    clock.set(TUE_18 - timedelta(hours=24))
    await run_jobs(bot)
    [reminder] = dm_texts(fake, member)
    assert "Reminder" in reminder and "Grief circle" in reminder and STAMP in reminder
    await run_jobs(bot)
    assert len(dm_texts(fake, member)) == 1

    # Skip tomorrow's meeting: the member is told, the event is cancelled, next week's is created.
    skipped = await run(fake, g, configured.facilitator.id, "group skip", {"group": "1", "date": "tomorrow"})
    assert skipped.ephemeral and "Skipped" in skipped.text()
    await run_jobs(bot)
    notice = dm_texts(fake, member)[-1]
    assert "won't meet" in notice and "Next meeting" in notice
    old, new = events(fake, configured)
    assert old.status == 4  # cancelled
    assert (new.status, new.scheduled_start_time) == (1, (TUE_18 + timedelta(days=7)).isoformat())

    # The 15-minute reminder of the skipped meeting never comes.
    clock.set(TUE_18 + timedelta(hours=1))
    await run_jobs(bot)
    assert len(dm_texts(fake, member)) == 2

    # Edit the time: the member is told, the event moves.
    edited = await run(fake, g, configured.facilitator.id, "group edit", {"group": "1", "start": "19:30"})
    assert "Saved" in edited.text() and "19:30" in edited.text()
    await run_jobs(bot)
    change = dm_texts(fake, member)[-1]
    assert "new time" in change and "19:30" in change
    assert events(fake, configured)[-1].scheduled_start_time == (TUE_18 + timedelta(days=7, minutes=90)).isoformat()

    # Archive (with a confirmation): event cancelled, announcement ended, buttons disabled, member told.
    asked = await (await fake.slash(g, configured.facilitator.id, "group archive", {"group": "1"})).wait_response()
    assert asked.ephemeral and "Archive" in asked.text()
    assert asked.original_id is not None
    await (
        await fake.click(
            asked.original_id, asked.components[0]["components"][0]["custom_id"], configured.facilitator.id
        )
    ).wait_response()
    await eventually(lambda: "is archived" in asked.text())
    assert all(e.status == 4 for e in events(fake, configured))
    await run_jobs(bot)
    assert "has ended" in dm_texts(fake, member)[-1]
    await eventually(lambda: post_with(fake, configured, "(ended)"))
    [post] = announcements(fake, configured)
    assert all(b.get("disabled") for b in buttons(post).values())

    # Nothing else happens for an archived group, and joining it is refused kindly.
    clock.set(TUE_18 + timedelta(days=8))
    await run_jobs(bot)
    assert "has ended" in dm_texts(fake, member)[-1]
    refused = await run(fake, g, configured.volunteer.id, "group join", {"group": "Grief circle"})
    assert refused.ephemeral and "has ended" in refused.text()


async def test_text_channel_group_gets_an_external_event_and_a_starting_now_post(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await create(fake, configured, configured.general)
    [event] = events(fake, configured)
    assert event.entity_type == 3 and event.channel_id is None
    assert event.entity_metadata == {"location": "#general"}
    assert event.scheduled_end_time == (TUE_18 + timedelta(minutes=90)).isoformat()

    clock.set(TUE_18)
    await run_jobs(bot)
    starting = [m for m in fake.messages(configured.general.id) if "starting now" in m.text()]
    assert len(starting) == 1 and "Grief circle" in starting[0].text()
    assert events(fake, configured)[0].status == 2  # live

    clock.set(TUE_18 + timedelta(minutes=90))
    await run_jobs(bot)
    done, following = events(fake, configured)
    assert done.status == 3  # completed
    assert following.status == 1 and following.scheduled_start_time == (TUE_18 + timedelta(days=7)).isoformat()
    await run_jobs(bot)
    assert len([m for m in fake.messages(configured.general.id) if "starting now" in m.text()]) == 1


async def test_voice_group_says_starting_now_in_the_groups_channel(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, stage: Channel
) -> None:
    await create(fake, configured, stage)
    assert events(fake, configured)[0].entity_type == 1
    clock.set(TUE_18 + timedelta(minutes=5))  # a little late is fine
    await run_jobs(bot)
    assert any("starting now" in m.text() for m in announcements(fake, configured))


async def test_private_group_has_no_event_but_still_reminds_by_dm(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, voice: Channel
) -> None:
    await create(fake, configured, voice, private=True)
    assert events(fake, configured) == []
    await run(fake, configured.guild.id, configured.member.id, "group join", {"group": "1"})
    clock.set(TUE_18 - timedelta(minutes=15))
    await run_jobs(bot)
    assert len(dm_texts(fake, configured.member.id)) == 1  # the 24 h reminder was due before the member joined
    # Making it public later creates the event; private again cancels it.
    await run(fake, configured.guild.id, configured.facilitator.id, "group edit", {"group": "1", "private": False})
    [event] = events(fake, configured)
    await run(fake, configured.guild.id, configured.facilitator.id, "group edit", {"group": "1", "private": True})
    assert event.status == 4


async def test_missing_manage_events_is_explained_and_the_group_still_works(
    fake: FakeDiscord, configured: Server, bot: PeerBot, voice: Channel
) -> None:
    fake.set_bot_permissions(configured.guild.id, DEFAULT_BOT & ~int(Perm.MANAGE_EVENTS) & ~int(Perm.CREATE_EVENTS))
    made = await create(fake, configured, voice)
    assert "Manage Events" in made.text() and "/setup check" in made.text()
    assert events(fake, configured) == []
    assert announcements(fake, configured)
    listed = await run(fake, configured.guild.id, configured.member.id, "group list")
    assert "Grief circle" in listed.text()


async def test_bad_input_is_refused_kindly_and_changes_nothing(
    fake: FakeDiscord, configured: Server, bot: PeerBot, voice: Channel
) -> None:
    g = configured.guild.id
    cases: list[tuple[dict[str, Any], str]] = [
        ({"start": "25:99"}, "couldn't read '25:99' as a time"),
        ({"timezone": "Europe/Londn"}, "Did you mean Europe/London"),
        ({"duration": 0}, "1 minute to 24 hours"),
        ({"duration": 24 * 60 + 1}, "1 minute to 24 hours"),
        ({"capacity": 0}, "number of seats"),
        ({"first_date": "2040-01-04"}, "is a Wednesday"),
        ({"user": configured.member.id}, "for facilitators"),
        ({"facilitator": configured.member.id}, "doesn't have the facilitator role"),
    ]
    for options, expected in cases:
        ix = await create(fake, configured, voice, **options)
        assert ix.ephemeral, options
        assert expected in ix.text(), (options, ix.text())
    assert announcements(fake, configured) == [] and events(fake, configured) == []
    assert "no support group meetings" in (await run(fake, g, configured.member.id, "group list")).text()

    await create(fake, configured, voice)
    duplicate = await create(fake, configured, voice, name="grief CIRCLE")
    assert "already has a group called" in duplicate.text()
    assert len(announcements(fake, configured)) == 1

    not_a_meeting = await run(fake, g, configured.facilitator.id, "group skip", {"group": "1", "date": "2040-01-04"})
    assert "doesn't meet on" in not_a_meeting.text()
    past = await run(fake, g, configured.facilitator.id, "group skip", {"group": "1", "date": "2039-12-27"})
    assert "already started or happened" in past.text()
    nothing = await run(fake, g, configured.facilitator.id, "group edit", {"group": "1"})
    assert "Nothing to change" in nothing.text()
    bad_leads = await run(fake, g, configured.facilitator.id, "group edit", {"group": "1", "reminders": "soon"})
    assert "reminder times" in bad_leads.text()
    unknown = await run(fake, g, configured.member.id, "group join", {"group": "Knitting"})
    assert "couldn't find a group" in unknown.text()
    assert len(events(fake, configured)) == 1 and events(fake, configured)[0].status == 1

    for command, options in (
        ("group edit", {"group": "1", "start": "19:00"}),
        ("group skip", {"group": "1", "date": "tomorrow"}),
        ("group archive", {"group": "1"}),
        ("group roster", {"group": "1"}),
    ):
        ix = await run(fake, g, configured.member.id, command, options)
        assert ix.ephemeral and "for facilitators" in ix.text(), command
    # Another facilitator may create groups, but not run someone else's.
    other = fake.add_member(g, "flo_facilitator", roles=[configured.facilitator_role.id])
    ix = await run(fake, g, other.id, "group skip", {"group": "1", "date": "tomorrow"})
    assert "Only the facilitator" in ix.text()
    assert len(dm_texts(fake, configured.member.id)) == 0


async def test_roster_is_private_and_the_waitlist_moves_up(
    fake: FakeDiscord, configured: Server, bot: PeerBot, voice: Channel
) -> None:
    g = configured.guild.id
    await create(fake, configured, voice, capacity=1)
    assert "1 seat left of 1" in (await run(fake, g, configured.volunteer2.id, "group list")).text()
    post = announcements(fake, configured)[0]
    first = await click(fake, post, "Join", configured.member.id)
    assert "You're in" in first.text()
    second = await click(fake, post, "Join", configured.volunteer.id)
    assert "number 1 on the waitlist" in second.text()
    again = await click(fake, post, "Join", configured.volunteer.id)
    assert "already on the waitlist" in again.text()

    roster = await run(fake, g, configured.facilitator.id, "group roster", {"group": "1"})
    assert roster.ephemeral
    assert f"<@{configured.member.id}>" in roster.text() and "Waitlist (1)" in roster.text()
    assert f"<@{configured.volunteer.id}>" in roster.text()
    admin_view = await run(fake, g, configured.admin.id, "group roster", {"group": "1"})
    assert f"<@{configured.member.id}>" in admin_view.text()

    listed = await run(fake, g, configured.volunteer2.id, "group list")
    assert "full (all 1 seat taken, 1 waiting)" in listed.text()
    assert str(configured.member.id) not in listed.text()

    left = await click(fake, post, "Leave", configured.member.id)
    assert "You've left" in left.text()
    await run_jobs(bot)
    [seat] = dm_texts(fake, configured.volunteer.id)
    assert "a seat opened up" in seat
    mine = await run(fake, g, configured.volunteer.id, "group mine")
    assert "You have a seat" in mine.text()
    nothing = await run(fake, g, configured.member.id, "group leave", {"group": "1"})
    assert "nothing to leave" in nothing.text()


async def test_list_shows_the_next_seven_days_soonest_first(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, voice: Channel
) -> None:
    g = configured.guild.id
    await create(fake, configured, voice, name="Tuesday group")
    await create(fake, configured, voice, name="Monday evening", weekday=0, start="20:00")
    later = await create(fake, configured, configured.general, name="Later", first_date="2040-01-17")
    assert "is set up" in later.text()
    listed = await run(fake, g, configured.member.id, "group list")
    assert listed.ephemeral
    text = listed.text()
    assert text.index("Monday evening") < text.index("Tuesday group")
    assert "Later" not in text
    monday = int(datetime(2040, 1, 2, 20, 0, tzinfo=UTC).timestamp())
    assert f"<t:{monday}:F>" in text and f"<t:{monday}:R>" in text
    assert f"<#{voice.id}>" in text and "open to everyone" in text

    # The list moves with time (it is cached until it can change).
    clock.set(datetime(2040, 1, 2, 20, 30, tzinfo=UTC))
    text = (await run(fake, g, configured.member.id, "group list")).text()
    assert text.index("Tuesday group") < text.index("Monday evening") and "Later" not in text
    assert f"<t:{monday}:F>" not in text
    clock.set(datetime(2040, 1, 10, 19, 0, tzinfo=UTC))
    text = (await run(fake, g, configured.member.id, "group list")).text()
    assert "Later" in text


async def test_mine_calendar_reminder_setting_and_autocomplete(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock, voice: Channel
) -> None:
    g, member = configured.guild.id, configured.member.id
    assert "haven't joined" in (await run(fake, g, member, "group mine")).text()
    await create(fake, configured, voice, name="Grief circle")
    await create(fake, configured, voice, name="Anxiety chat", weekday=3, timezone="America/New_York")
    choices = await fake.autocomplete(g, member, "group join", "group", "anx")
    assert [c["name"] for c in choices] == ["Anxiety chat"]
    assert await fake.autocomplete(g, member, "group leave", "group", "") == []
    await run(fake, g, member, "group join", {"group": choices[0]["value"]})
    assert [c["name"] for c in await fake.autocomplete(g, member, "group leave", "group", "")] == ["Anxiety chat"]
    zones = await fake.autocomplete(g, configured.facilitator.id, "group create", "timezone", "new_y")
    assert zones[0]["value"] == "America/New_York"
    other = fake.add_member(g, "flo_facilitator", roles=[configured.facilitator_role.id])
    assert await fake.autocomplete(g, other.id, "group edit", "group", "") == []
    assert len(await fake.autocomplete(g, configured.admin.id, "group edit", "group", "")) == 2

    mine = await run(fake, g, member, "group mine")
    assert "Anxiety chat" in mine.text() and "Grief circle" not in mine.text()
    calendar = await run(fake, g, member, "group calendar")
    [attachment] = calendar.original.attachments if calendar.original else []
    ics = attachment.text()
    assert attachment.filename.endswith(".ics")
    assert "DTSTART;TZID=America/New_York:20400105T180000" in ics and "RRULE:FREQ=WEEKLY;BYDAY=TH" in ics

    off = await run(fake, g, member, "group reminders", {"setting": "off"})
    assert "Reminders are off" in off.text()
    clock.set(datetime(2040, 1, 5, 23, 0, tzinfo=UTC))  # past both reminders of Thursday's meeting
    await run_jobs(bot)
    assert dm_texts(fake, member) == []
    await run(fake, g, member, "group reminders", {"setting": "on"})
    clock.set(datetime(2040, 1, 11, 23, 0, tzinfo=UTC))  # 24 h before next Thursday 18:00 New York (23:00 UTC)
    await run_jobs(bot)
    assert len(dm_texts(fake, member)) == 1
    clock.set(datetime(2040, 1, 12, 22, 45, tzinfo=UTC))
    await run_jobs(bot)
    assert len(dm_texts(fake, member)) == 2


async def test_closed_dms_are_recorded_once_and_never_retried(
    fake: FakeDiscord,
    configured: Server,
    bot: PeerBot,
    clock: ManualClock,
    voice: Channel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await create(fake, configured, voice)
    await run(fake, configured.guild.id, configured.member.id, "group join", {"group": "1"})
    fake.set_dms_closed(configured.member.id)
    caplog.set_level("INFO", logger="cogs.groups.cog")
    clock.set(TUE_18 - timedelta(hours=24))
    await run_jobs(bot)
    attempts = len(fake.calls_to("POST", r"/channels/\d+/messages$"))
    closed = [r for r in caplog.records if "DMs closed" in r.getMessage()]
    assert len(closed) == 1 and str(configured.member.id) in closed[0].getMessage()
    assert "Grief circle" not in closed[0].getMessage()  # ids only
    await run_jobs(bot)
    assert len(fake.calls_to("POST", r"/channels/\d+/messages$")) == attempts
    status = await bot.db.fetchval("SELECT status FROM jobs WHERE ref = ?", ("1:2040-01-03:1440",))
    assert status == "done"


async def test_deleting_my_data_frees_my_seat_for_the_waitlist(
    fake: FakeDiscord, configured: Server, bot: PeerBot, voice: Channel
) -> None:
    g = configured.guild.id
    await create(fake, configured, voice, capacity=1)
    await run(fake, g, configured.member.id, "group join", {"group": "1"})
    await run(fake, g, configured.volunteer.id, "group join", {"group": "1"})
    await run(fake, g, configured.member.id, "group reminders", {"setting": "off"})
    assert "groups" in bot.user_data_deleters
    asked = await (await fake.slash(g, configured.member.id, "privacy delete")).wait_response()
    assert asked.original_id is not None
    confirm = next(c for row in asked.components for c in row["components"] if c["label"] == "Delete my data")
    await (await fake.click(asked.original_id, confirm["custom_id"], configured.member.id)).wait_response()
    await eventually(lambda: "everything peerbot kept about you is deleted" in asked.text())
    await settle()
    await run_jobs(bot)
    assert any("a seat opened up" in t for t in dm_texts(fake, configured.volunteer.id))
    roster = await run(fake, g, configured.facilitator.id, "group roster", {"group": "1"})
    assert f"<@{configured.member.id}>" not in roster.text()
    assert f"<@{configured.volunteer.id}>" in roster.text()


async def test_help_lists_group_commands_by_audience(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    member = (await run(fake, configured.guild.id, configured.member.id, "help")).text()
    facilitator = (await run(fake, configured.guild.id, configured.facilitator.id, "help")).text()
    assert "group join" in member and "group calendar" in member and "group create" not in member
    assert "group create" in facilitator and "group roster" in facilitator


def count_db_round_trips(bot: PeerBot, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record when each database round trip (one trip to aiosqlite's thread) starts."""
    started: list[float] = []
    conn = bot.db._conn
    original = conn._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        started.append(time.perf_counter())
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(conn, "_execute", counted)
    return started


async def test_join_answers_after_two_round_trips_and_leaves_the_rest_for_after(
    fake: FakeDiscord, configured: Server, bot: PeerBot, voice: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = configured.guild.id
    await create(fake, configured, voice, capacity=1)
    await create(fake, configured, voice, name="Open circle")  # no seat limit
    await run(fake, g, configured.volunteer.id, "group reminders", {"setting": "off"})
    await settle()
    trips = count_db_round_trips(bot, monkeypatch)

    def before_answer(ix: FakeInteraction) -> int:
        assert ix.dispatched_at is not None and ix.callback_at is not None
        return sum(1 for t in trips if ix.dispatched_at <= t < ix.callback_at)

    # Finding the group, then one statement that joins and reads the reminder setting and skipped dates.
    joined = await run(fake, g, configured.member.id, "group join", {"group": "1"})
    assert "You're in" in joined.text() and "I'll send you a DM 24 h and 15 min before" in joined.text()
    assert before_answer(joined) == 2
    waiting = await run(fake, g, configured.volunteer.id, "group join", {"group": "1"})
    assert "number 1 on the waitlist" in waiting.text() and before_answer(waiting) == 2
    await settle()
    first = len(trips)
    off = await run(fake, g, configured.volunteer.id, "group join", {"group": "Open circle"})
    assert "Reminders are off for you" in off.text() and before_answer(off) == 2
    await settle()
    assert len(trips) - first == 2  # nothing shows its counts (no seat limit, no cached list): nothing more to read
    again = await run(fake, g, configured.volunteer.id, "group join", {"group": "1"})
    assert "already on the waitlist" in again.text() and before_answer(again) == 3

    # After the answer: the capped group's announcement shows the new counts; the open one's isn't edited
    # (it says "open to everyone" whatever the counts).
    await eventually(lambda: post_with(fake, configured, "full (all 1 seat taken, 1 waiting)"))
    open_post = post_with(fake, configured, "Open circle")
    assert open_post
    await settle()
    assert fake.calls_to("PATCH", rf"/channels/{configured.groups.id}/messages/{open_post.id}$") == []
