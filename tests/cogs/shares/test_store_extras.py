"""Store functions the Discord layer added: crisis holds, card bookkeeping, unblocking by share, retention."""

from __future__ import annotations

from datetime import timedelta

from bot import store as core
from bot.db import Database
from cogs.shares import anonymity as anon
from cogs.shares import store as shares

from .conftest import GUILD, KEY, NOW

ALICE = 501_234_567_890_123_456
BOB = 502_345_678_901_234_567
MOD = 503_456_789_012_345_678
POST_AT = NOW + timedelta(seconds=60)


def tok(user: int) -> str:
    return anon.author_token(KEY, GUILD, user)


async def new_share(db: Database, user: int = ALICE, **kw: object) -> shares.Share:
    args: dict[str, object] = {"post_after": POST_AT, "require_approval": False, "needs_care": False}
    args.update(kw)
    return await shares.create_share(
        db,
        GUILD,
        tok(user),
        "t",
        "body",
        None,
        "per_share",
        key=KEY,
        now=NOW,
        **args,  # type: ignore[arg-type]
    )


async def test_crisis_language_holds_a_share_even_without_a_queue(db: Database) -> None:
    held = await new_share(db, needs_care=True, post_after=None)
    assert (held.status, held.needs_care, held.post_job_ref) == ("queued", True, None)
    assert await core.pending_jobs(db) == []
    assert (await shares.queue(db, GUILD))[0].needs_care
    assert await shares.set_alert_message(db, held.id, 9001)
    assert not await shares.set_alert_message(db, held.id, 9002)  # once
    assert (await shares.status_counts(db, GUILD))["needs_care"] == 1
    assert await shares.delete_by_author(db, GUILD, held.id, tok(ALICE), now=NOW)
    assert (await shares.get_share(db, held.id)).needs_care is False  # type: ignore[union-attr]


async def test_report_card_is_recorded_once_and_unannounced_work_is_listed(db: Database) -> None:
    share = await new_share(db)
    assert await shares.mark_posted(db, share.id, 1, 2, now=NOW)
    queued = await new_share(db, BOB, require_approval=True, post_after=None)
    report = await shares.add_report(db, share.id, tok(BOB), "worried", now=NOW)
    assert report is not None
    assert await shares.unannounced(db, GUILD) == ([queued.id], [report.id])
    assert await shares.set_report_message(db, report.id, 77)
    assert not await shares.set_report_message(db, report.id, 78)
    assert await shares.set_queue_message(db, queued.id, 88)
    assert await shares.unannounced(db, GUILD) == ([], [])
    assert (await shares.get_report(db, report.id)).message_id == 77  # type: ignore[union-attr]


async def test_unblock_by_the_share_even_after_the_author_deleted_it(db: Database) -> None:
    share = await new_share(db)
    assert await shares.block_author_of(db, share.id, "note", now=NOW)
    assert await shares.delete_by_author(db, GUILD, share.id, tok(ALICE), now=NOW)
    assert await shares.is_blocked(db, GUILD, tok(ALICE))
    assert not await shares.unblock_author_of(db, GUILD, share.id + 1)
    assert await shares.unblock_author_of(db, GUILD, share.id)
    assert not await shares.is_blocked(db, GUILD, tok(ALICE))


async def test_retention_wipes_only_old_unposted_and_rejected_shares(db: Database) -> None:
    old_pending = await new_share(db)
    old_queued = await new_share(db, BOB, require_approval=True, post_after=None)
    posted = await new_share(db)
    assert await shares.mark_posted(db, posted.id, 1, 3, now=NOW)
    rejected = await new_share(db, BOB, require_approval=True, post_after=None)
    assert await shares.reject(db, rejected.id, MOD, "why", now=NOW + timedelta(days=5))
    wiped = await shares.purge_expired(db, NOW + timedelta(days=1), now=NOW + timedelta(days=31))
    assert {s.id for s in wiped} == {old_pending.id, old_queued.id}
    wiped = await shares.purge_expired(db, NOW + timedelta(days=6), now=NOW + timedelta(days=36))
    assert [s.id for s in wiped] == [rejected.id]
    for share_id in (old_pending.id, old_queued.id, rejected.id):
        row = await db.fetchone(
            "SELECT status, body, author_token, reject_reason FROM shares WHERE id = ?", (share_id,)
        )
        assert row is not None and tuple(row) == ("deleted", None, None, None)
    assert (await shares.get_share(db, posted.id)).status == "posted"  # type: ignore[union-attr]
    assert await db.fetchval("SELECT count(*) FROM share_rate_events") == 0
