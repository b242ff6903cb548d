"""The shares store against a real SQLite database: status machine, jobs, deletion, support, reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot import store as core
from bot.db import Database
from cogs.shares import anonymity as anon
from cogs.shares import policy
from cogs.shares import store as shares

from .conftest import GUILD, KEY, NOW, OTHER_GUILD

ALICE = 401_234_567_890_123_456
BOB = 402_345_678_901_234_567
MOD = 403_456_789_012_345_678
CHANNEL = 700_000_000_000_000_001
POST_AT = NOW + timedelta(seconds=75)


def tok(user: int, guild: int = GUILD) -> str:
    return anon.author_token(KEY, guild, user)


async def new_share(db: Database, user: int = ALICE, *, approval: bool = False, **kw: Any) -> shares.Share:
    args: dict[str, Any] = {
        "title": "A title",
        "body": "Something I needed to say.",
        "cw": None,
        "pseudonym_mode": "per_share",
        "post_after": POST_AT,
        "require_approval": approval,
        "now": NOW,
    }
    args.update(kw)
    guild = args.pop("guild", GUILD)
    return await shares.create_share(db, guild, tok(user, guild), key=KEY, **args)


async def jobs(db: Database) -> list[tuple[str, str, str]]:
    rows = await db.fetchall("SELECT kind, ref, status FROM jobs ORDER BY id")
    return [(r["kind"], r["ref"], r["status"]) for r in rows]


async def test_settings_defaults_and_update(db: Database) -> None:
    assert await shares.get_settings(db, GUILD) == shares.ShareSettings(GUILD)
    updated = await shares.update_settings(db, GUILD, {"per_hour": 5, "pseudonym_mode": "per_author"})
    assert (updated.per_hour, updated.pseudonym_mode, updated.delay_max_s) == (5, "per_author", 120)
    assert await shares.get_settings(db, GUILD) == updated
    updated = await shares.update_settings(db, GUILD, {"require_approval": True, "delay_min_s": 0, "delay_max_s": 0})
    assert updated.require_approval is True
    assert (await shares.get_settings(db, GUILD)).delay_max_s == 0
    assert await shares.get_settings(db, OTHER_GUILD) == shares.ShareSettings(OTHER_GUILD)


@pytest.mark.parametrize(
    "changes",
    [{"per_hour": 0}, {"delay_min_s": 200}, {"pseudonym_mode": "per_moon"}, {"colour": "blue"}],
)
async def test_invalid_settings_change_nothing(db: Database, changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        await shares.update_settings(db, GUILD, changes)
    assert await shares.get_settings(db, GUILD) == shares.ShareSettings(GUILD)


async def test_create_stores_pending_share_and_post_job_together(db: Database) -> None:
    share = await new_share(db, cw="grief")
    assert share.status == "pending"
    assert share.is_postable
    assert (share.title, share.body, share.content_warnings) == ("A title", "Something I needed to say.", ["grief"])
    assert share.post_after == POST_AT
    assert share.created_at == NOW
    assert share.post_job_ref == str(share.id)
    assert share.pseudonym == anon.share_pseudonym(KEY, share.id, tok(ALICE))
    (job,) = await core.pending_jobs(db)
    assert (job.kind, job.ref, job.due_at, job.guild_id) == (shares.POST_JOB, str(share.id), POST_AT, GUILD)
    assert shares.share_id_from_job_ref(job.ref) == share.id
    assert "body" not in repr(share) and "Something" not in repr(share)


async def test_moderated_share_is_queued_without_a_job(db: Database) -> None:
    share = await new_share(db, approval=True, post_after=None)
    assert share.status == "queued"
    assert share.post_after is None
    assert not share.is_postable
    assert await jobs(db) == []
    (queued,) = await shares.queue(db, GUILD)
    assert (queued.id, queued.body, queued.submitted_hour) == (share.id, share.body, NOW.replace(minute=0))
    assert not hasattr(queued, "author_token")


async def test_failed_job_write_rolls_back_the_share(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken_put_job(*args: Any, **kwargs: Any) -> core.Job:
        raise RuntimeError("disk full")

    monkeypatch.setattr(core, "put_job", broken_put_job)  # as cogs.shares.store calls it
    with pytest.raises(RuntimeError, match="disk full"):
        await new_share(db)
    assert await db.fetchval("SELECT count(*) FROM shares") == 0
    assert await db.fetchval("SELECT count(*) FROM share_rate_events") == 0


async def test_failed_share_insert_writes_no_job(db: Database) -> None:
    await db.execute("CREATE TRIGGER refuse_shares BEFORE INSERT ON shares BEGIN SELECT RAISE(ABORT, 'refused'); END")
    with pytest.raises(Exception, match="refused"):
        await new_share(db)
    assert await jobs(db) == []
    assert await db.fetchval("SELECT count(*) FROM share_rate_events") == 0
    assert await shares.recent_count(db, GUILD, tok(ALICE), NOW - timedelta(hours=1)) == 0


async def test_invalid_submission_is_refused_before_storing(db: Database) -> None:
    with pytest.raises(ValueError, match="empty"):
        await new_share(db, body="   ")
    with pytest.raises(ValueError, match="post_after"):
        await new_share(db, post_after=None)
    assert await db.fetchval("SELECT count(*) FROM shares") == 0


async def test_mark_posted_is_idempotent(db: Database) -> None:
    share = await new_share(db)
    assert await shares.mark_posted(db, share.id, CHANNEL, 9001, now=POST_AT)
    assert not await shares.mark_posted(db, share.id, CHANNEL, 9002, now=POST_AT)
    posted = await shares.get_share(db, share.id)
    assert posted is not None
    assert (posted.status, posted.message_id, posted.posted_at) == ("posted", 9001, POST_AT)
    assert not posted.is_postable
    assert await shares.set_thread(db, share.id, 9100)
    assert not await shares.set_thread(db, share.id, 9101)
    assert (await shares.share_by_message(db, 9001)) == await shares.get_share(db, share.id)


async def test_queued_share_cannot_be_posted_until_approved_with_extra_cw(db: Database) -> None:
    share = await new_share(db, approval=True, post_after=None)
    assert not await shares.mark_posted(db, share.id, CHANNEL, 9001)
    assert await shares.set_queue_message(db, share.id, 5555)
    approved = await shares.approve(db, share.id, MOD, "  self-harm mention ", post_after=POST_AT, now=NOW)
    assert approved is not None
    assert (approved.status, approved.decided_by, approved.decided_at) == ("approved", MOD, NOW)
    assert approved.content_warnings == ["self-harm mention"]
    assert approved.post_job_ref == str(share.id)
    assert await jobs(db) == [(shares.POST_JOB, str(share.id), "pending")]
    assert await shares.approve(db, share.id, MOD, post_after=POST_AT) is None  # decided already
    assert await shares.queue(db, GUILD) == []
    assert await shares.mark_posted(db, share.id, CHANNEL, 9001)


async def test_held_share_gets_a_new_job_generation_on_approval(db: Database) -> None:
    share = await new_share(db)
    assert await shares.queue_for_moderation(db, share.id)
    assert not await shares.queue_for_moderation(db, share.id)
    # The original post job fires while the share is held: not postable, so it just finishes.
    (job,) = await core.pending_jobs(db)
    held = await shares.get_share(db, share.id)
    assert held is not None and not held.is_postable
    await core.finish_job(db, job.id, "done", NOW)
    approved = await shares.approve(db, share.id, MOD, post_after=POST_AT + timedelta(minutes=5))
    assert approved is not None
    assert approved.post_job_ref == f"{share.id}:1"
    assert shares.share_id_from_job_ref(approved.post_job_ref) == share.id
    assert await jobs(db) == [
        (shares.POST_JOB, str(share.id), "done"),
        (shares.POST_JOB, f"{share.id}:1", "pending"),
    ]


async def test_reschedule_after_a_failed_job(db: Database) -> None:
    share = await new_share(db)
    (job,) = await core.pending_jobs(db)
    await core.finish_job(db, job.id, "failed", NOW)
    assert [s.id for s in await shares.unposted(db, GUILD)] == [share.id]
    again = await shares.reschedule_post(db, share.id, POST_AT + timedelta(minutes=10))
    assert again is not None and again.post_job_ref == f"{share.id}:1"
    await shares.mark_posted(db, share.id, CHANNEL, 9001)
    assert await shares.reschedule_post(db, share.id, POST_AT) is None
    assert await shares.unposted(db, GUILD) == []


async def test_reject_wipes_text_keeps_token_for_blocking(db: Database) -> None:
    share = await new_share(db, approval=True, post_after=None, cw="cw")
    rejected = await shares.reject(db, share.id, MOD, "Names a member", now=NOW)
    assert rejected is not None
    assert (rejected.status, rejected.title, rejected.body, rejected.content_warning) == ("rejected", None, None, None)
    assert (rejected.reject_reason, rejected.decided_by) == ("Names a member", MOD)
    assert await shares.reject(db, share.id, MOD, "again") is None
    assert await jobs(db) == []  # never posted: nothing to remove
    assert await shares.block_author_of(db, share.id, "Repeated personal attacks")
    assert await shares.is_blocked(db, GUILD, tok(ALICE))
    assert not await shares.is_blocked(db, GUILD, tok(BOB))
    assert not await shares.is_blocked(db, OTHER_GUILD, tok(ALICE, OTHER_GUILD))


async def test_reject_posted_share_writes_removal_job(db: Database) -> None:
    share = await new_share(db)
    await shares.mark_posted(db, share.id, CHANNEL, 9001)
    assert await shares.reject(db, share.id, MOD, None) is not None
    assert (shares.REMOVE_JOB, str(share.id), "pending") in await jobs(db)


async def test_delete_only_by_the_authors_token(db: Database) -> None:
    share = await new_share(db)
    assert not await shares.delete_by_author(db, GUILD, share.id, tok(BOB))
    assert not await shares.delete_by_author(db, OTHER_GUILD, share.id, tok(ALICE, OTHER_GUILD))
    assert not await shares.delete_by_author(db, GUILD, share.id, tok(ALICE, OTHER_GUILD))
    assert not await shares.delete_by_author(db, GUILD, share.id + 1, tok(ALICE))
    intact = await shares.get_share(db, share.id)
    assert intact is not None and intact.body == share.body
    assert await shares.is_author(db, share.id, tok(ALICE))
    assert not await shares.is_author(db, share.id, tok(BOB))
    assert await shares.delete_by_author(db, GUILD, share.id, tok(ALICE))
    assert not await shares.delete_by_author(db, GUILD, share.id, tok(ALICE))
    assert not await shares.is_author(db, share.id, tok(ALICE))


async def test_delete_wipes_text_and_children(db: Database) -> None:
    share = await new_share(db, cw="loss")
    await shares.mark_posted(db, share.id, CHANNEL, 9001, thread_id=9100)
    await shares.add_reply(db, share.id, tok(BOB), "Sending you strength.", key=KEY, post_after=NOW)
    await shares.add_support(db, share.id, tok(BOB))
    await shares.add_report(db, share.id, tok(BOB), "Worried about them")
    assert await shares.delete_by_author(db, GUILD, share.id, tok(ALICE), now=NOW)

    row = await db.fetchone("SELECT * FROM shares WHERE id = ?", (share.id,))
    assert row is not None
    kept = {k: row[k] for k in row.keys() if row[k] is not None}  # noqa: SIM118 - sqlite3.Row
    assert set(kept) <= {
        "id", "guild_id", "status", "created_at", "post_after", "posted_at",
        "channel_id", "message_id", "thread_id", "post_job_ref", "support_count",
    }  # fmt: skip
    assert kept["status"] == "deleted"
    reply = await db.fetchone("SELECT body, author_token, pseudonym, status FROM share_replies")
    assert reply is not None and tuple(reply) == (None, None, None, "deleted")
    assert await db.fetchval("SELECT count(*) FROM share_support") == 0
    assert await db.fetchval("SELECT count(*) FROM share_reports") == 0
    assert (shares.REMOVE_JOB, str(share.id), "pending") in await jobs(db)
    # The post job's handler now finds nothing to post.
    deleted = await shares.get_share(db, share.id)
    assert deleted is not None and not deleted.is_postable and deleted.message_id == 9001


async def test_rate_limit_through_the_store(db: Database) -> None:
    token = tok(ALICE)
    for minutes in (0, 10, 20):
        await new_share(db, now=NOW + timedelta(minutes=minutes))
    await new_share(db, BOB, now=NOW + timedelta(minutes=25))
    at = NOW + timedelta(minutes=30)
    since = policy.window_start(at)
    assert await shares.recent_count(db, GUILD, token, since) == 3
    times = await shares.submission_times(db, GUILD, token, since)
    assert policy.next_allowed_at(times, at, 3) == NOW + timedelta(hours=1)
    assert await shares.recent_count(db, OTHER_GUILD, tok(ALICE, OTHER_GUILD), since) == 0
    # Deleting a share does not give the submission back.
    first = (await shares.shares_by_author(db, GUILD, token))[-1]
    assert await shares.delete_by_author(db, GUILD, first.id, token)
    assert await shares.recent_count(db, GUILD, token, since) == 3
    # Old rows are pruned.
    assert await shares.prune_rate_events(db, NOW + timedelta(minutes=15)) == 2
    assert await shares.recent_count(db, GUILD, token, NOW - timedelta(days=1)) == 1
    assert await shares.recent_count(db, GUILD, tok(BOB), NOW - timedelta(days=1)) == 1


async def test_support_is_counted_once_per_member(db: Database) -> None:
    share = await new_share(db)
    assert await shares.add_support(db, share.id, tok(BOB)) == (False, 0)  # not posted yet
    await shares.mark_posted(db, share.id, CHANNEL, 9001)
    assert await shares.add_support(db, share.id, tok(BOB)) == (True, 1)
    assert await shares.add_support(db, share.id, tok(BOB)) == (False, 1)
    assert await shares.add_support(db, share.id, tok(ALICE)) == (False, 1)  # own share
    assert await shares.add_support(db, share.id, tok(MOD)) == (True, 2)
    assert await shares.add_support(db, 999, tok(BOB)) == (False, 0)
    after = await shares.get_share(db, share.id)
    assert after is not None and after.support_count == 2


async def test_reports_queue_without_reporter(db: Database) -> None:
    share = await new_share(db)
    assert await shares.add_report(db, share.id, tok(BOB), "x") is None  # not posted
    await shares.mark_posted(db, share.id, CHANNEL, 9001)
    report = await shares.add_report(db, share.id, tok(BOB), "  Seems at risk  ", now=NOW)
    assert report is not None and (report.reason, report.status, report.guild_id) == ("Seems at risk", "open", GUILD)
    assert await shares.add_report(db, share.id, tok(BOB), "again") is None
    assert [r.id for r in await shares.pending_reports(db, GUILD)] == [report.id]
    assert await shares.pending_reports(db, OTHER_GUILD) == []
    assert not await shares.resolve_report(db, OTHER_GUILD, report.id)
    assert await shares.resolve_report(db, GUILD, report.id, "dismissed")
    assert await shares.pending_reports(db, GUILD) == []
    assert await db.fetchval("SELECT reporter_token FROM share_reports") is None


async def test_replies_label_the_author_and_post_once(db: Database) -> None:
    share = await new_share(db)
    assert await shares.add_reply(db, share.id, tok(BOB), "hi", key=KEY, post_after=NOW) is None  # not posted
    await shares.mark_posted(db, share.id, CHANNEL, 9001, thread_id=9100)
    mine = await shares.add_reply(db, share.id, tok(ALICE), "Thank you all.", key=KEY, post_after=POST_AT)
    theirs = await shares.add_reply(db, share.id, tok(BOB), "You're not alone.", key=KEY, post_after=POST_AT)
    assert mine is not None and theirs is not None
    assert mine.is_author and mine.pseudonym == f"{share.pseudonym} (the author)"
    assert not theirs.is_author and theirs.pseudonym == anon.reply_pseudonym(KEY, share.id, tok(BOB))
    assert (shares.REPLY_JOB, str(theirs.id), "pending") in await jobs(db)
    assert await shares.mark_reply_posted(db, theirs.id, 9200)
    assert not await shares.mark_reply_posted(db, theirs.id, 9201)
    again = await shares.get_reply(db, theirs.id)
    assert again is not None and (again.status, again.message_id) == ("posted", 9200)
    with pytest.raises(ValueError, match="empty"):
        await shares.add_reply(db, share.id, tok(BOB), "   ", key=KEY, post_after=NOW)


async def test_blocks_list_and_lift_by_id(db: Database) -> None:
    assert await shares.block_author(db, GUILD, tok(ALICE), "spam", now=NOW)
    assert not await shares.block_author(db, GUILD, tok(ALICE), "spam again")
    (block,) = await shares.list_blocks(db, GUILD)
    assert (block.reason, block.created_at) == ("spam", NOW)
    assert not await shares.unblock(db, OTHER_GUILD, block.id)
    assert await shares.unblock(db, GUILD, block.id)
    assert not await shares.is_blocked(db, GUILD, tok(ALICE))


async def test_per_author_mode_keeps_one_name(db: Database) -> None:
    first = await new_share(db, pseudonym_mode="per_author")
    second = await new_share(db, pseudonym_mode="per_author")
    per_share = await new_share(db)
    assert first.pseudonym == second.pseudonym == anon.author_pseudonym(KEY, tok(ALICE))
    assert per_share.pseudonym != first.pseudonym


async def test_delete_author_data_is_per_guild(db: Database) -> None:
    here = await new_share(db)
    there = await new_share(db, guild=OTHER_GUILD)
    bobs = await new_share(db, BOB)
    await shares.mark_posted(db, bobs.id, CHANNEL, 9001)
    await shares.add_support(db, bobs.id, tok(ALICE))
    assert await shares.delete_author_data(db, GUILD, tok(ALICE), now=NOW) >= 3
    wiped = await shares.get_share(db, here.id)
    assert wiped is not None and (wiped.status, wiped.body) == ("deleted", None)
    kept = await shares.get_share(db, there.id)
    assert kept is not None and kept.body == there.body
    assert await shares.recent_count(db, GUILD, tok(ALICE), NOW - timedelta(days=1)) == 0
    assert await shares.recent_count(db, OTHER_GUILD, tok(ALICE, OTHER_GUILD), NOW - timedelta(days=1)) == 1
    assert await db.fetchval("SELECT count(*) FROM share_support") == 0
    still = await shares.get_share(db, bobs.id)
    assert still is not None and still.support_count == 1  # the anonymous count stays
