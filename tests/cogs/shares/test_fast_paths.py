"""The paths a moderator or an author waits on (approve, reject/remove, delete) do their database work in one
transaction of a few round trips, answer, and only then reach Discord (issue #4: under 5 ms p99 at 1,000,000
shares). Round trips are counted where aiosqlite hands each statement to its thread, as bench/botproc.py does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import aiosqlite.core
import pytest

from bot import store as core
from bot.app import PeerBot
from bot.db import Database
from bot.scheduler import ManualClock
from cogs.shares import anonymity as anon
from cogs.shares import store as shares
from sandbox.demo import Server
from sandbox.models import Message
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord
from tests.helpers import run

from .conftest import GUILD, KEY, NOW, OTHER_GUILD
from .flows import card_for, cards, click, post_due, queue_off, settled, share_posts, share_row, submit

ALICE = 601_234_567_890_123_456
BOB = 602_345_678_901_234_567
MOD = 603_456_789_012_345_678
CHANNEL = 700_000_000_000_000_001
POST_AT = NOW + timedelta(seconds=75)


def tok(user: int, guild: int = GUILD) -> str:
    return anon.author_token(KEY, guild, user)


async def new_share(db: Database, user: int = ALICE, *, approval: bool = False) -> shares.Share:
    return await shares.create_share(
        db, GUILD, tok(user), "A title", "Something I needed to say.", None, "per_share",
        None if approval else POST_AT, approval, key=KEY, now=NOW,
    )  # fmt: skip


async def posted_share(db: Database) -> shares.Share:
    share = await new_share(db)
    assert await shares.mark_posted(db, share.id, CHANNEL, 9001, now=NOW)
    (job,) = await core.pending_jobs(db)
    await core.finish_job(db, job.id, "done", NOW)  # the post job that posted it
    await shares.add_reply(db, share.id, tok(BOB), "Sending you strength.", key=KEY, post_after=NOW, now=NOW)
    await shares.add_support(db, share.id, tok(BOB))
    assert await shares.add_report(db, share.id, tok(BOB), "Worried about them", now=NOW) is not None
    return share


async def jobs(db: Database) -> list[tuple[str, str, str]]:
    rows = await db.fetchall("SELECT kind, ref, status FROM jobs WHERE kind <> 'shares:reply' ORDER BY id")
    return [(r["kind"], r["ref"], r["status"]) for r in rows]


@contextmanager
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count aiosqlite round trips (every statement, fetch, BEGIN and COMMIT goes through `_execute`)."""
    count = [0]
    original: Any = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return await original(self, fn, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(aiosqlite.core.Connection, "_execute", counted)
        yield count


# -- approve ----------------------------------------------------------------------------------------------------


async def test_approve_is_four_round_trips_and_writes_its_post_job(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = await new_share(db, approval=True)
    with round_trips(monkeypatch) as trips:
        approved = await shares.approve(db, share.id, MOD, "loss", post_after=POST_AT, now=NOW, guild_id=GUILD)
    assert trips[0] == 4  # BEGIN, UPDATE ... RETURNING, the job, COMMIT
    assert approved is not None and approved == await shares.get_share(db, share.id)
    assert (approved.status, approved.post_after, approved.post_job_ref) == ("approved", POST_AT, str(share.id))
    assert approved.content_warnings == ["loss"] and approved.decided_by == MOD
    (job,) = await core.pending_jobs(db)
    assert (job.kind, job.ref, job.due_at, job.guild_id) == (shares.POST_JOB, str(share.id), POST_AT, GUILD)


async def test_approve_in_another_server_changes_nothing(db: Database) -> None:
    share = await new_share(db, approval=True)
    assert await shares.approve(db, share.id, MOD, post_after=POST_AT, guild_id=OTHER_GUILD) is None
    assert await shares.approve(db, share.id + 1, MOD, post_after=POST_AT, guild_id=GUILD) is None
    assert await shares.get_share(db, share.id) == share and await core.pending_jobs(db) == []


async def test_approving_a_held_share_moves_its_still_pending_job(db: Database) -> None:
    share = await new_share(db)
    assert await shares.queue_for_moderation(db, share.id)  # its first post job has not fired yet
    later = POST_AT + timedelta(minutes=3)
    approved = await shares.approve(db, share.id, MOD, post_after=later)
    assert approved is not None and approved.post_job_ref == str(share.id)
    (job,) = await core.pending_jobs(db)
    assert (job.ref, job.due_at) == (str(share.id), later)


# -- reject (moderators) ----------------------------------------------------------------------------------------


async def test_decline_tells_what_was_there_in_few_round_trips(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    held = await new_share(db, approval=True)
    with round_trips(monkeypatch) as trips:
        decided = await shares.decline(db, held.id, MOD, "Names a member", now=NOW, guild_id=GUILD)
    assert decided is not None and trips[0] == 4  # held: nothing on Discord but its card, which the answer edits
    before, after = decided
    assert (before.status, after.status, after.body) == ("queued", "rejected", None)
    assert after.reject_reason == "Names a member"
    assert after == await shares.get_share(db, held.id) and await jobs(db) == []

    posted = await posted_share(db)
    with round_trips(monkeypatch) as trips:
        decided = await shares.decline(db, posted.id, MOD, None, now=NOW, guild_id=GUILD)
    assert decided is not None and decided[0].status == "posted"
    assert trips[0] == 8  # BEGIN, read, UPDATE, replies, support, reports, the removal job, COMMIT
    assert (shares.REMOVE_JOB, str(posted.id), "pending") in await jobs(db)
    assert await db.fetchval("SELECT count(*) FROM share_replies WHERE body IS NOT NULL") == 0
    assert await db.fetchval("SELECT count(*) FROM share_support") == 0
    assert await db.fetchval("SELECT count(*) FROM share_reports WHERE status = 'open'") == 0
    assert await shares.decline(db, posted.id, MOD, None, guild_id=GUILD) is None  # decided already
    assert await shares.decline(db, (await new_share(db)).id, MOD, None, guild_id=OTHER_GUILD) is None


# -- delete (authors) -------------------------------------------------------------------------------------------


async def test_withdraw_a_posted_share_in_one_transaction(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    share = await posted_share(db)
    assert await shares.withdraw(db, GUILD, share.id, tok(BOB), now=NOW) is None  # not theirs
    assert await shares.withdraw(db, OTHER_GUILD, share.id, tok(ALICE, OTHER_GUILD), now=NOW) is None
    with round_trips(monkeypatch) as trips:
        done = await shares.withdraw(db, GUILD, share.id, tok(ALICE), now=NOW)
    assert trips[0] == 7  # BEGIN, UPDATE ... RETURNING, replies, support, reports, the removal job, COMMIT
    assert done is not None and done.removal
    assert (done.share.status, done.share.body, done.share.message_id) == ("deleted", None, 9001)
    assert done.share == await shares.get_share(db, share.id)
    assert await db.fetchval("SELECT count(*) FROM share_replies WHERE body IS NOT NULL") == 0
    assert await db.fetchval("SELECT count(*) FROM share_support") == 0
    assert await db.fetchval("SELECT count(*) FROM share_reports") == 0
    assert (shares.REMOVE_JOB, str(share.id), "pending") in await jobs(db)
    assert await shares.withdraw(db, GUILD, share.id, tok(ALICE), now=NOW) is None  # once


async def test_withdraw_writes_a_removal_only_when_something_is_on_discord(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = await new_share(db)  # pending: no message yet (a post job sending now deletes what it sent)
    with round_trips(monkeypatch) as trips:
        done = await shares.withdraw(db, GUILD, waiting.id, tok(ALICE), now=NOW)
    assert done is not None and not done.removal and trips[0] == 3
    assert await jobs(db) == [(shares.POST_JOB, str(waiting.id), "pending")]

    carded = await new_share(db, approval=True)
    assert await shares.set_queue_message(db, carded.id, 5555)  # the moderators' card shows its text
    done = await shares.withdraw(db, GUILD, carded.id, tok(ALICE), now=NOW)
    assert done is not None and done.removal
    assert (shares.REMOVE_JOB, str(carded.id), "pending") in await jobs(db)


async def test_withdraw_a_share_a_moderator_took_down(db: Database) -> None:
    share = await posted_share(db)
    assert await shares.reject(db, share.id, MOD, "Off topic", now=NOW) is not None
    removal = await db.fetchone("SELECT id FROM jobs WHERE kind = ? AND ref = ?", (shares.REMOVE_JOB, str(share.id)))
    assert removal is not None
    await core.finish_job(db, removal["id"], "done", NOW)  # the post already came down
    done = await shares.withdraw(db, GUILD, share.id, tok(ALICE), now=NOW)
    assert done is not None and not done.removal  # nothing left to take down: the finished job is left alone
    assert await db.fetchval("SELECT count(*) FROM share_reports") == 0  # closed reports go too
    row = await db.fetchone("SELECT reject_reason, author_token FROM shares WHERE id = ?", (share.id,))
    assert row is not None and tuple(row) == (None, None)


async def test_pending_removals_are_filtered_by_sqlite(db: Database) -> None:
    await core.put_job(db, shares.REMOVE_JOB, "1", NOW, GUILD)
    await core.put_job(db, shares.REMOVE_REPLY_JOB, "2", NOW - timedelta(minutes=1), GUILD)
    await core.put_job(db, shares.REMOVE_JOB, "3", NOW, OTHER_GUILD)
    await core.put_job(db, shares.POST_JOB, "4", NOW, GUILD)
    done = await core.put_job(db, shares.REMOVE_JOB, "5", NOW, GUILD)
    await core.finish_job(db, done.id, "done", NOW)
    assert [j.ref for j in await shares.pending_removals(db, GUILD)] == ["2", "1"]
    assert [j.ref for j in await shares.pending_removals(db)] == ["2", "1", "3"]


async def test_sharing_state_is_the_block_and_the_recent_submissions(db: Database) -> None:
    for minutes in (20, 0, 10):
        await shares.create_share(
            db, GUILD, tok(ALICE), None, "body", None, "per_share", POST_AT, False, key=KEY,
            now=NOW + timedelta(minutes=minutes),
        )  # fmt: skip
    since = NOW - timedelta(minutes=1)
    expected = await shares.submission_times(db, GUILD, tok(ALICE), since)
    assert await shares.sharing_state(db, GUILD, tok(ALICE), since) == (False, expected)
    assert len(expected) == 3 and expected == sorted(expected)
    await shares.block_author(db, GUILD, tok(ALICE), "why", now=NOW)
    assert await shares.sharing_state(db, GUILD, tok(ALICE), NOW + timedelta(minutes=5)) == (True, expected[1:])
    assert await shares.sharing_state(db, GUILD, tok(BOB), since) == (False, [])


# -- through Discord --------------------------------------------------------------------------------------------


async def late_warning(fake: FakeDiscord, card: Message, moderator: int) -> Callable[[], Awaitable[FakeInteraction]]:
    """A moderator opens "Approve with CW" on a card and sends it later, after the share changed meanwhile."""
    opened = await click(fake, card, "approve-cw", moderator)
    assert opened.modal is not None
    modal = opened.modal

    async def send() -> FakeInteraction:
        return await (await fake.submit_modal(modal, moderator, {"cw": "loss"})).wait_response()

    return send


async def test_approve_answers_then_arms_the_post(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await submit(fake, configured, configured.member.id, "Approved quickly.")
    card = await card_for(fake, configured.share_queue.id, 1)
    second_moderator = await late_warning(fake, card, configured.moderator.id)
    approved = await click(fake, card, "approve", configured.moderator.id)
    assert approved.response_type == 7  # the card is the answer
    row = await share_row(bot, 1)  # committed, with its durable post job, before answering
    assert row["status"] == "approved" and row["post_job_ref"] == "1"
    assert [j.ref for j in await core.pending_jobs(bot.db) if j.kind == shares.POST_JOB] == ["1"]
    await post_due(bot, clock)  # waits for the scheduler to be told (after the answer), then moves the clock
    assert share_posts(fake, configured)[0].embeds[0]["description"] == "Approved quickly."
    assert "already posted" in (await second_moderator()).text()


async def test_author_deletes_a_waiting_share_and_its_card_is_blanked(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    await submit(fake, configured, configured.member.id, "On second thought.")
    card = await card_for(fake, configured.share_queue.id, 1)
    moderator = await late_warning(fake, card, configured.moderator.id)
    stranger = await run(fake, configured.guild.id, configured.volunteer.id, "shares delete", {"id": "1"})
    assert "couldn't find a share `1` of yours" in stranger.text()
    done = await run(fake, configured.guild.id, configured.member.id, "shares delete", {"id": "#1"})
    assert not done.deferred and "won't be posted" in done.text()
    await settled(bot)
    blanked = str(fake.world.messages[card.id].embeds)
    assert "On second thought." not in blanked and "Deleted by its author" in blanked
    assert "already withdrawn by its author" in (await moderator()).text()
    nonsense = await run(fake, configured.guild.id, configured.member.id, "shares delete", {"id": "nonsense"})
    assert "couldn't find a share `nonsense` of yours" in nonsense.text()


async def test_moderator_remove_answers_kindly_when_nothing_is_left(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    await submit(fake, configured, configured.member.id, "Posted, then removed.")
    await post_due(bot, clock)
    (post,) = share_posts(fake, configured)
    unknown = await run(fake, configured.guild.id, configured.moderator.id, "share-mod remove", {"id": "#99"})
    assert "no share with that id" in unknown.text()
    done = await run(fake, configured.guild.id, configured.moderator.id, "share-mod remove", {"id": "1"})
    assert "Removed share **#1**" in done.text() and not done.deferred
    await settled(bot)
    assert fake.world.messages[post.id].deleted and cards(fake, configured.shares.id) == []
    again = await run(fake, configured.guild.id, configured.moderator.id, "share-mod remove", {"id": "1"})
    assert "already declined or taken down" in again.text()


async def test_removing_a_waiting_share_blanks_its_moderators_card(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    await submit(fake, configured, configured.member.id, "Waiting words to take back.")
    card = await card_for(fake, configured.share_queue.id, 1)
    assert "Waiting words to take back." in str(card.embeds)
    done = await run(fake, configured.guild.id, configured.moderator.id, "share-mod remove", {"id": "1"})
    assert "Removed share **#1**" in done.text()
    await settled(bot)
    blanked = str(fake.world.messages[card.id].embeds)
    assert "Waiting words to take back." not in blanked and "Taken down by a moderator" in blanked
