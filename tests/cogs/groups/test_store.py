"""The groups store against a real SQLite database: names, seats and the waitlist, DM claims, privacy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot import store as core
from bot.db import Database
from cogs.groups import store
from cogs.groups.reminders import GRACE, KIND_END, KIND_REMINDER, KIND_START, KIND_SYNC, STEP_KINDS
from cogs.groups.store import GroupDetails

GUILD = 900_000_000_000_000_001
OTHER = 900_000_000_000_000_002
NOW = datetime(2040, 1, 2, 12, 0, tzinfo=UTC)
A, B, C, D = 11, 12, 13, 14


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.connect(tmp_path / "groups.db")
    await database.migrate()
    yield database
    await database.close()


def details(name: str = "Grief circle", **changes: object) -> GroupDetails:
    base = GroupDetails(
        name=name,
        description="A gentle space",
        weekday=1,
        start=time(18, 0),
        duration=90,
        tz="Europe/London",
        channel_id=5,
        channel_kind="voice",
        channel_name="Support Room",
        facilitator_id=99,
    )
    return GroupDetails(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})  # type: ignore[arg-type]


async def test_create_and_read_back(db: Database) -> None:
    made = await store.create_group(
        db, GUILD, details(capacity=8, tags=("grief", "loss"), first_date=date(2040, 1, 10), leads=(60,)), NOW
    )
    again = await store.get_group(db, made.id)
    assert again == made
    assert made.details.tags == ("grief", "loss") and made.details.leads == (60,)
    assert made.when.first_date == date(2040, 1, 10)
    assert made.active and made.seats_left == 8 and made.version == 1
    assert await store.find_group(db, GUILD, str(made.id)) == made
    assert await store.find_group(db, GUILD, "  GRIEF   circle ") == made
    assert await store.find_group(db, OTHER, str(made.id)) is None


async def test_names_are_unique_among_a_servers_active_groups(db: Database) -> None:
    first = await store.create_group(db, GUILD, details(), NOW)
    assert await store.name_taken(db, GUILD, "grief CIRCLE")
    assert not await store.name_taken(db, GUILD, "Grief circle", except_id=first.id)
    with pytest.raises(store.DuplicateNameError):
        await store.create_group(db, GUILD, details("GRIEF circle"), NOW)
    await store.create_group(db, OTHER, details(), NOW)  # another server may use it
    assert await store.archive_group(db, first.id, NOW)
    assert not await store.archive_group(db, first.id, NOW)
    await store.create_group(db, GUILD, details(), NOW)  # archiving frees the name
    other = await store.create_group(db, GUILD, details("Anxiety"), NOW)
    with pytest.raises(store.DuplicateNameError):
        await store.update_group(db, other.id, details("grief circle"), new_version=False)


async def test_update_bumps_the_version_only_for_when_or_where(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(), NOW)
    same = await store.update_group(db, group.id, details(description="New words"), new_version=False)
    assert same.version == 1 and same.details.description == "New words"
    moved = await store.update_group(db, group.id, details(start=time(19, 0)), new_version=True)
    assert moved.version == 2 and moved.details.start == time(19, 0)


async def test_waitlist_first_come_first_served(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(capacity=2), NOW)
    assert (await store.join(db, group.id, A, NOW)).status == "joined"
    assert (await store.join(db, group.id, B, NOW + timedelta(seconds=1))).status == "joined"
    c = await store.join(db, group.id, C, NOW + timedelta(seconds=2))
    d = await store.join(db, group.id, D, NOW + timedelta(seconds=3))
    assert (c.status, c.position, d.status, d.position) == ("waiting", 1, "waiting", 2)
    again = await store.join(db, group.id, D, NOW)
    assert again.already and again.status == "waiting" and again.position == 2
    loaded = await store.get_group(db, group.id)
    assert loaded is not None and (loaded.joined, loaded.waiting, loaded.seats_left) == (2, 2, 0)

    left = await store.leave(db, group.id, A, NOW + timedelta(minutes=1))
    assert left.was == "joined" and left.promoted == (C,)
    assert await store.membership(db, group.id, C) == "joined"
    assert (await store.join(db, group.id, D, NOW)).position == 1
    assert (await store.leave(db, group.id, D, NOW)).promoted == ()  # a waiting member frees no seat
    assert (await store.leave(db, group.id, D, NOW)).was is None
    assert await store.roster(db, group.id) == store.Roster((B, C), ())


async def test_join_is_one_statement_and_brings_back_what_the_answer_needs(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(capacity=1), NOW)
    await store.set_reminders(db, GUILD, B, False)
    await store.set_reminders(db, OTHER, A, False)  # another server's setting doesn't matter here
    await store.add_skip(db, group.id, date(2040, 1, 3), None, NOW)
    await store.add_skip(db, group.id, date(2039, 12, 1), None, NOW)  # before `skips_since`: not wanted
    calls = 0
    fetchone = db.fetchone

    async def counted(sql: str, params: object = ()) -> object:
        nonlocal calls
        calls += 1
        return await fetchone(sql, params)  # type: ignore[arg-type]

    db.fetchone = counted  # type: ignore[method-assign]
    since = date(2040, 1, 1)
    first = await store.join(db, group.id, A, NOW, skips_since=since)
    assert calls == 1  # one round trip: no transaction, no separate reads
    assert (first.status, first.already, first.position, first.reminders) == ("joined", False, 0, True)
    assert first.skipped == frozenset({date(2040, 1, 3)}) and not first.ended
    second = await store.join(db, group.id, B, NOW + timedelta(seconds=1), skips_since=since)
    assert (second.status, second.position, second.reminders) == ("waiting", 1, False)
    again = await store.join(db, group.id, B, NOW, skips_since=since)  # already waiting: a second round trip
    assert (again.status, again.already, again.position, again.reminders) == ("waiting", True, 1, False)
    assert again.skipped == frozenset({date(2040, 1, 3)})
    assert calls == 4

    # An archived group can't be joined, even by a click racing the archive; a missing group is an error.
    await store.archive_group(db, group.id, NOW)
    ended = await store.join(db, group.id, C, NOW)
    assert ended.ended and not ended.already and await store.membership(db, group.id, C) is None
    assert (await store.join(db, group.id, A, NOW)).already  # still in: nothing changes
    with pytest.raises(LookupError):
        await store.join(db, 12345, A, NOW)


async def test_many_joins_at_once_never_exceed_the_capacity(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(capacity=3), NOW)
    users = list(range(100, 120))
    results = await asyncio.gather(
        *(store.join(db, group.id, u, NOW + timedelta(seconds=i)) for i, u in enumerate(users))
    )
    assert [r.status for r in results] == ["joined"] * 3 + ["waiting"] * 17
    assert [r.position for r in results[3:]] == list(range(1, 18))
    loaded = await store.get_group(db, group.id)
    assert loaded is not None and (loaded.joined, loaded.waiting) == (3, 17)
    assert (await store.leave(db, group.id, users[0], NOW + timedelta(minutes=1))).promoted == (users[3],)


async def test_raising_or_removing_capacity_fills_seats_from_the_waitlist(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(capacity=1), NOW)
    for i, user in enumerate((A, B, C, D)):
        await store.join(db, group.id, user, NOW + timedelta(seconds=i))
    await store.update_group(db, group.id, details(capacity=2), new_version=False)
    assert await store.fill_seats(db, group.id, NOW) == (B,)
    await store.update_group(db, group.id, details(capacity=None), new_version=False)
    assert await store.fill_seats(db, group.id, NOW) == (C, D)
    # Lowering the capacity pushes nobody out.
    await store.update_group(db, group.id, details(capacity=1), new_version=False)
    assert await store.fill_seats(db, group.id, NOW) == ()
    assert len((await store.roster(db, group.id)).joined) == 4


async def test_memberships_and_autocomplete_only_show_the_members_own(db: Database) -> None:
    one = await store.create_group(db, GUILD, details("Grief circle", capacity=1), NOW)
    two = await store.create_group(db, GUILD, details("Anxiety", facilitator_id=77), NOW)
    await store.join(db, one.id, B, NOW)
    await store.join(db, one.id, A, NOW + timedelta(seconds=1))
    await store.join(db, two.id, A, NOW)
    mine = await store.memberships(db, GUILD, A)
    assert [(m.group.id, m.status, m.position) for m in mine] == [(one.id, "waiting", 1), (two.id, "joined", 0)]
    assert await store.search_memberships(db, GUILD, A, "anx") == [(two.id, "Anxiety")]
    assert await store.search_memberships(db, GUILD, C, "") == []
    assert await store.search_groups(db, GUILD, "") == [(two.id, "Anxiety"), (one.id, "Grief circle")]
    assert await store.search_groups(db, GUILD, "", facilitator_id=77) == [(two.id, "Anxiety")]
    assert await store.search_groups(db, GUILD, "100%") == []


async def test_skips(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(), NOW)
    assert await store.add_skip(db, group.id, date(2040, 1, 3), "Holiday", NOW)
    assert not await store.add_skip(db, group.id, date(2040, 1, 3), None, NOW)
    assert await store.add_skip(db, group.id, date(2039, 12, 27), None, NOW)
    assert await store.skipped_dates(db, group.id, date(2040, 1, 1)) == {date(2040, 1, 3)}
    assert await store.guild_skips(db, GUILD, date(2040, 1, 1)) == {group.id: frozenset({date(2040, 1, 3)})}
    skip = await store.get_skip(db, group.id, date(2040, 1, 3))
    assert skip is not None and skip.reason == "Holiday"


async def test_a_reminder_can_be_claimed_once_per_group_date_lead_and_member(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(), NOW)
    day = date(2040, 1, 3)
    assert await store.claim_reminder(db, group.id, day, 1440, A, NOW)
    assert not await store.claim_reminder(db, group.id, day, 1440, A, NOW)
    assert await store.claim_reminder(db, group.id, day, 15, A, NOW)
    assert await store.claim_reminder(db, group.id, day, 1440, B, NOW)
    await store.finish_reminder(db, group.id, day, 1440, A, "sent")
    await store.finish_reminder(db, group.id, day, 1440, B, "dm_closed")
    await store.release_reminder(db, group.id, day, 1440, A)  # only an unfinished claim can be given back
    await store.release_reminder(db, group.id, day, 15, A)
    assert await store.reminder_outcomes(db, group.id, day, 1440) == {A: "sent", B: "dm_closed"}
    assert await store.claim_reminder(db, group.id, day, 15, A, NOW)
    assert await store.prune_logs(db, group.id, date(2040, 1, 4), NOW) == 3


async def test_reminder_recipients_respect_the_members_setting(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(capacity=2), NOW)
    for i, user in enumerate((A, B, C)):
        await store.join(db, group.id, user, NOW + timedelta(seconds=i))
    await store.set_reminders(db, GUILD, B, False)
    await store.set_reminders(db, OTHER, A, False)  # another server's setting doesn't matter here
    assert await store.reminder_recipients(db, group.id) == [A]  # C waits, B turned them off
    assert not await store.reminders_enabled(db, GUILD, B)
    await store.set_reminders(db, GUILD, B, True)
    assert await store.reminder_recipients(db, group.id) == [A, B]


async def test_delete_user_data_removes_seats_waitlist_settings_and_logs(db: Database) -> None:
    group = await store.create_group(db, GUILD, details(capacity=1), NOW)
    await store.join(db, group.id, A, NOW)
    await store.join(db, group.id, B, NOW + timedelta(seconds=1))
    other = await store.create_group(db, OTHER, details(), NOW)
    await store.join(db, other.id, B, NOW)
    await store.set_reminders(db, GUILD, A, False)
    await store.claim_reminder(db, group.id, date(2040, 1, 3), 15, A, NOW)
    await store.claim_notice(db, group.id, "skip:2040-01-03", A, NOW)
    assert await store.seats_held(db, A) == [group.id]
    async with db.transaction():  # /privacy delete runs every deleter inside one transaction
        removed = await store.delete_user_data(db, A)
    assert removed == 4
    assert await store.membership(db, group.id, A) is None
    assert await store.reminders_enabled(db, GUILD, A)
    assert await store.reminder_outcomes(db, group.id, date(2040, 1, 3), 15) == {}
    assert await store.fill_seats(db, group.id, NOW) == (B,)
    async with db.transaction():
        assert await store.delete_user_data(db, B) == 2
    assert await store.roster(db, group.id) == store.Roster((), ())
    assert await store.delete_user_data(db, C) == 0


async def test_groups_needing_plan_finds_broken_chains_only(db: Database) -> None:
    live = await store.create_group(db, GUILD, details("Live"), NOW)
    stale = await store.create_group(db, GUILD, details("Stale"), NOW)
    bare = await store.create_group(db, GUILD, details("Bare"), NOW)
    gone = await store.create_group(db, GUILD, details("Gone"), NOW)
    await store.archive_group(db, gone.id, NOW)
    ten = await store.create_group(db, GUILD, details("Ten"), NOW)  # id prefix test: "1" must not match "10"
    await core.put_job(db, KIND_START, f"{live.id}:2040-01-03", NOW + timedelta(hours=30), GUILD)
    await core.put_job(db, KIND_REMINDER, f"{stale.id}:2040-01-02:15", NOW - timedelta(hours=2), GUILD)
    await core.put_job(db, KIND_END, f"{ten.id}9:2040-01-03", NOW + timedelta(hours=30), GUILD)
    live_after = {kind: NOW - GRACE[kind] for kind in STEP_KINDS}
    assert await store.groups_needing_plan(db, live_after) == [stale.id, bare.id, ten.id]
    await core.put_job(db, KIND_SYNC, f"{bare.id}:sync:x", NOW, GUILD)
    assert await store.groups_needing_plan(db, live_after) == [stale.id, ten.id]


async def test_find_group_survives_odd_input(db: Database) -> None:
    made = await store.create_group(db, GUILD, details(), NOW)
    for text in ("9" * 30, "²", "", "   ", "%", "-1"):
        assert await store.find_group(db, GUILD, text) is None
    assert await store.find_group(db, GUILD, f" {made.id} ") == made
