"""The anonymity promise, tested as one: no member's user id is ever written anywhere in the database.

A member (``U``) goes through every part of the feature in two servers — shares posted, held, approved with
an added warning, rejected, deleted; replies, support, reports, a block, the rate limit — alongside other
members and a moderator. Then every column of every row of every table (read from ``sqlite_master``), and
the raw database and WAL files, are searched for the members' ids. Only the moderator's id may appear, and
only as ``shares.decided_by``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.db import Database
from cogs.shares import anonymity as anon
from cogs.shares import policy
from cogs.shares import store as shares

from .conftest import GUILD, KEY, NOW, OTHER_GUILD

U = 312_987_654_321_098_765
V = 323_876_543_210_987_654
W = 334_765_432_109_876_543
MOD = 345_654_321_098_765_432
MEMBERS = (U, V, W)
CHANNEL = 710_000_000_000_000_007
U_WORDS = ("U-title-kestrel", "U-body-lighthouse", "U-cw-marigold", "U-reply-quartz", "U-report-saffron")


def tok(user: int, guild: int = GUILD) -> str:
    return anon.author_token(KEY, guild, user)


def database_files(directory: Path) -> bytes:
    """The raw bytes of the database and its WAL (free pages and all)."""
    return b"".join(p.read_bytes() for p in sorted(directory.glob("t.db*")))


async def everything(db: Database) -> list[tuple[str, str, Any]]:
    """(table, column, value) for every value in the database."""
    tables = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    found: list[tuple[str, str, Any]] = []
    for table in tables:
        name = str(table["name"])
        assert name.replace("_", "").isalnum()
        rows = await db.fetchall(f'SELECT * FROM "{name}"')  # noqa: S608 - names from sqlite_master
        for row in rows:
            found.extend((name, column, row[column]) for column in row.keys())  # noqa: SIM118 - sqlite3.Row
    return found


async def lifecycle(db: Database) -> dict[str, int]:
    """Every action of the feature, with U taking part in each role."""
    ids: dict[str, int] = {}
    await shares.update_settings(db, GUILD, {"pseudonym_mode": "per_author", "per_hour": 10})
    await shares.update_settings(db, OTHER_GUILD, {"require_approval": True})
    post_at = policy.post_time(NOW, 30, 120)

    async def share(user: int, guild: int = GUILD, *, approval: bool = False, words: str = "") -> shares.Share:
        settings = await shares.get_settings(db, guild)
        token = tok(user, guild)
        assert not await shares.is_blocked(db, guild, token)
        times = await shares.submission_times(db, guild, token, policy.window_start(NOW))
        assert policy.next_allowed_at(times, NOW, settings.per_hour) is None
        return await shares.create_share(
            db, guild, token, f"{words} title" if words else "U-title-kestrel",
            words or "U-body-lighthouse", "U-cw-marigold" if not words else None,
            settings.pseudonym_mode, None if approval else post_at, approval, key=KEY, now=NOW,
        )  # fmt: skip

    # U shares; it is posted with a thread; others reply, support and report; U replies as the author.
    a = await share(U)
    ids["a"] = a.id
    assert await shares.mark_posted(db, a.id, CHANNEL, 720_000_000_000_000_001, thread_id=720_000_000_000_000_002)
    assert not await shares.mark_posted(db, a.id, CHANNEL, 720_000_000_000_000_001)
    for replier, text in ((V, "V reply"), (U, "U-reply-quartz"), (W, "W reply")):
        reply = await shares.add_reply(db, a.id, tok(replier), text, key=KEY, post_after=post_at, now=NOW)
        assert reply is not None
        assert await shares.mark_reply_posted(db, reply.id, 730_000_000_000_000_000 + reply.id)
    assert await shares.add_support(db, a.id, tok(V)) == (True, 1)
    assert await shares.add_support(db, a.id, tok(W)) == (True, 2)
    assert await shares.add_support(db, a.id, tok(U)) == (False, 2)
    report = await shares.add_report(db, a.id, tok(V), "V worried", now=NOW)
    assert report is not None
    assert await shares.resolve_report(db, GUILD, report.id)

    # U deletes a share of their own; another is held for moderators, approved with a warning and posted.
    b = await share(U)
    assert await shares.delete_by_author(db, GUILD, b.id, tok(U), now=NOW)
    c = await share(U)
    assert await shares.queue_for_moderation(db, c.id)
    assert [q.id for q in await shares.queue(db, GUILD)] == [c.id]
    approved = await shares.approve(db, c.id, MOD, "mentions self-harm", post_after=post_at, now=NOW)
    assert approved is not None
    assert await shares.mark_posted(db, c.id, CHANNEL, 720_000_000_000_000_003)

    # V's share: U supports, reports and replies to it; a moderator rejects it after the report.
    d = await share(V, words="V-share")
    ids["d"] = d.id
    assert await shares.mark_posted(db, d.id, CHANNEL, 720_000_000_000_000_004, thread_id=720_000_000_000_000_005)
    assert await shares.add_support(db, d.id, tok(U)) == (True, 1)
    assert await shares.add_reply(db, d.id, tok(U), "U-reply-quartz", key=KEY, post_after=post_at, now=NOW)
    assert await shares.add_report(db, d.id, tok(U), "U-report-saffron", now=NOW) is not None
    assert len(await shares.pending_reports(db, GUILD)) == 1
    assert await shares.reject(db, d.id, MOD, "Off-topic", now=NOW) is not None

    # In the moderated server: U's first share is approved with a warning, the second rejected, U blocked.
    e = await share(U, OTHER_GUILD, approval=True)
    ids["e"] = e.id
    assert await shares.set_queue_message(db, e.id, 740_000_000_000_000_001)
    assert await shares.approve(db, e.id, MOD, "CW: loss", post_after=post_at, now=NOW) is not None
    assert await shares.mark_posted(db, e.id, CHANNEL + 1, 720_000_000_000_000_006)
    f = await share(U, OTHER_GUILD, approval=True)
    assert await shares.reject(db, f.id, MOD, "Names another member", now=NOW) is not None
    assert await shares.block_author_of(db, f.id, "Repeatedly names members", now=NOW)
    assert await shares.is_blocked(db, OTHER_GUILD, tok(U, OTHER_GUILD))
    assert (await shares.list_blocks(db, OTHER_GUILD))[0].reason == "Repeatedly names members"
    assert await shares.recent_count(db, GUILD, tok(U), policy.window_start(NOW)) == 3
    return ids


async def test_no_member_id_anywhere_after_a_full_lifecycle(db: Database, tmp_path: Path) -> None:
    await lifecycle(db)
    values = await everything(db)
    tables = {table for table, _, _ in values}
    assert {"shares", "share_replies", "share_support", "share_reports", "share_blocks", "jobs"} <= tables
    for table, column, value in values:
        for member in MEMBERS:
            assert value != member, f"member id stored in {table}.{column}"
            assert str(member) not in str(value), f"member id inside {table}.{column}"
        if value == MOD or str(MOD) in str(value):
            assert (table, column) == ("shares", "decided_by")
    assert any(value == MOD for _, _, value in values)  # the scan does see integer columns

    # Nothing in the files either (text or SQLite's 8-byte big-endian integer), including freed pages.
    raw = database_files(tmp_path)
    assert str(MOD).encode() not in raw
    assert MOD.to_bytes(8, "big") in raw
    for member in MEMBERS:
        assert str(member).encode() not in raw
        assert member.to_bytes(8, "big") not in raw


async def test_moderator_views_carry_no_author(db: Database) -> None:
    ids = await lifecycle(db)
    for obj in [
        await shares.get_share(db, ids["a"]),
        *(await shares.queue(db, GUILD)),
        *(await shares.pending_reports(db, GUILD)),
        *(await shares.list_blocks(db, OTHER_GUILD)),
    ]:
        fields = vars(obj)
        assert not any("token" in name for name in fields)
        assert tok(U) not in repr(obj) and tok(U, OTHER_GUILD) not in repr(obj)


async def test_privacy_delete_leaves_none_of_the_members_words(db: Database) -> None:
    ids = await lifecycle(db)
    assert any(word in str(v) for _, _, v in await everything(db) for word in U_WORDS)
    delete_user_data = shares.make_user_data_deleter(KEY)
    async with db.transaction():  # as /privacy delete runs every feature's deleter
        removed = await delete_user_data(db, U)
    assert removed > 0
    for table, column, value in await everything(db):
        for word in U_WORDS:
            assert word not in str(value), f"{word} left in {table}.{column}"
        for guild in (GUILD, OTHER_GUILD):
            if (table, column) != ("share_blocks", "author_token"):
                assert value != tok(U, guild), f"U's token left in {table}.{column}"
    # Other members' data stays; U's posted shares are queued for removal from Discord; the block stays.
    d = await shares.get_share(db, ids["d"])
    assert d is not None and d.status == "rejected" and d.reject_reason == "Off-topic"
    assert await shares.is_blocked(db, OTHER_GUILD, tok(U, OTHER_GUILD))
    removal = await db.fetchall("SELECT ref FROM jobs WHERE kind = ? AND status = 'pending'", (shares.REMOVE_JOB,))
    assert {str(ids["a"]), str(ids["e"])} <= {r["ref"] for r in removal}
    assert await shares.recent_count(db, GUILD, tok(U), NOW - timedelta(days=1)) == 0
