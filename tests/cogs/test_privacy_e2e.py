"""`/privacy export` returns, as a JSON file, every row the bot keeps under the member's id; `/privacy delete`
removes them. The export's table list is checked against the live schema so a new column cannot be missed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bot.app import PeerBot
from bot.db import Database
from cogs.privacy.store import EXPORTS
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.cogs.rota.rota_helpers import ask_for_peer, custom_ids
from tests.cogs.shares.flows import card_for, click, submit
from tests.helpers import eventually, run

# Columns named like an id that hold something other than a member (a server, channel, message, row...).
NOT_A_MEMBER = re.compile(
    r"^(id|guild_id|channel_id|message_id|thread_id|share_id|group_id|resource_id|shift_id|event_id"
    r"|.*_channel_id|.*_message_id|.*_role_id|post_job_id)$"
)
MEMBER_ID = re.compile(r"(_id|_by)$")


async def test_export_covers_every_column_that_can_hold_a_member_id(tmp_path: Path) -> None:
    db = await Database.connect(tmp_path / "schema.sqlite3")
    try:
        await db.migrate()
        tables = [r["name"] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
        member_columns = set()
        for table in tables:
            for column in await db.fetchall(f"SELECT name FROM pragma_table_info('{table}')"):  # noqa: S608
                name = column["name"]
                if MEMBER_ID.search(name) and not NOT_A_MEMBER.match(name):
                    member_columns.add((table, name))
    finally:
        await db.close()
    exported = {(e.table, e.column) for e in EXPORTS}
    assert member_columns, "the schema scan found nothing: the pattern is wrong"
    assert member_columns <= exported, f"not in /privacy export: {sorted(member_columns - exported)}"


async def _export(fake: FakeDiscord, guild_id: int, user_id: int) -> dict[str, Any]:
    ix = await run(fake, guild_id, user_id, "privacy export")
    assert ix.ephemeral
    message = ix.original
    assert message is not None
    assert "Only you can see this" in message.text()
    (attachment,) = message.attachments
    assert attachment.filename.endswith(".json")
    data: dict[str, Any] = json.loads(attachment.data)
    return data


async def test_export_then_delete_end_to_end(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    s = configured
    g, m = s.guild.id, s.member.id
    await run(fake, g, m, "crisis-settings country", {"country": "US"})
    await ask_for_peer(fake, s, m, topic="my private topic")
    await run(fake, g, s.volunteer2.id, "crisis-settings country", {"country": "FR"})
    # A group seat, written as /group join stores it; and someone else's, which must not appear.
    group_id = await bot.db.insert(
        "INSERT INTO support_groups (guild_id, name, name_key, weekday, start_time, duration_minutes, tz,"
        " first_date, channel_id, channel_kind, facilitator_id, capacity, created_at) VALUES"
        " (?, 'Grief circle', 'grief circle', 0, '19:00', 60, 'UTC', '2040-01-02', ?, 'text', ?, 10, '2040-01-01')",
        (g, s.groups.id, s.facilitator.id),
    )
    for user in (m, s.volunteer2.id):
        await bot.db.execute(
            "INSERT INTO group_members (group_id, user_id, status, since) VALUES (?, ?, 'joined', '2040-01-01')",
            (group_id, user),
        )

    data = await _export(fake, g, m)
    assert data["user_id"] == str(m)
    assert "one-way token" in data["anonymous_shares"]
    sections = data["data"]
    assert sections["crisis line preferences"][0]["country"] == "US"
    assert sections["your peer requests"][0]["topic"] == "my private topic"
    assert [row["group_id"] for row in sections["support group sign-ups"]] == [group_id]
    text = json.dumps(data)
    assert str(s.volunteer2.id) not in text and "FR" not in text
    # The facilitator sees the group they facilitate, but not who signed up.
    volunteer = await _export(fake, g, s.facilitator.id)
    assert volunteer["data"]["support groups you facilitate"][0]["name"] == "Grief circle"
    assert str(m) not in json.dumps(volunteer)

    ask = await run(fake, g, m, "privacy delete")
    await (await fake.click(ask.original_id or 0, custom_ids(ask.original)[0], m)).wait_response()
    await eventually(lambda: "deleted" in ask.text())
    after = await _export(fake, g, m)
    assert all(rows == [] for rows in after["data"].values()), after["data"]


async def test_every_export_query_is_valid_sql(tmp_path: Path) -> None:
    # Catches a typo in a column list even for tables the end-to-end test leaves empty.
    db = await Database.connect(tmp_path / "x.sqlite3")
    try:
        await db.migrate()
        for export in EXPORTS:
            await db.fetchall(export.sql, (1,))
    finally:
        await db.close()


async def test_a_moderators_decisions_stay_without_their_id(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    s = configured
    submitted = await submit(fake, s, s.member.id, "A share the moderator approves.")
    share_id = int(re.findall(r"#(\d+)", submitted.text())[0])
    card = await card_for(fake, s.share_queue.id, share_id)
    approved = await click(fake, card, "approve", s.moderator.id)
    assert approved.response_type == 7, approved.text()

    data = await _export(fake, s.guild.id, s.moderator.id)
    assert [row["id"] for row in data["data"]["shares you moderated"]] == [share_id]
    assert "A share the moderator approves" not in json.dumps(data)  # the member's words are not the moderator's
    ask = await run(fake, s.guild.id, s.moderator.id, "privacy delete")
    await (await fake.click(ask.original_id or 0, custom_ids(ask.original)[0], s.moderator.id)).wait_response()
    await eventually(lambda: "deleted" in ask.text())
    assert (await _export(fake, s.guild.id, s.moderator.id))["data"]["shares you moderated"] == []
    assert await bot.db.fetchval("SELECT status FROM shares WHERE id = ?", (share_id,)) in ("approved", "posted")
