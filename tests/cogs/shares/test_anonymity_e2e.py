"""The anonymity audit: after a full round of sharing, who wrote it is in no payload, log line or table.

One member (with a username, a display name and a server nickname of their own) shares, is approved with
an added warning, replies in their own thread, checks their status, and sends a second share that is held
for crisis language; other members reply, support and report; moderators decide. Then every REST request
the bot made (path, query, JSON body and file names), every log line (our own loggers at DEBUG, discord.py
at INFO as in production: at DEBUG discord.py itself logs whole gateway events), and every value of every
table, plus the raw database files, are searched for the author's id, username, display name and nickname.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.helpers import run

from .flows import card_for, click, click_modal, post_due, share_posts, submit


def database_files(directory: Path) -> bytes:
    """The raw bytes of the database and its WAL (free pages and all)."""
    return b"".join(p.read_bytes() for p in sorted(directory.glob("peerbot.sqlite3*")))


async def every_value(bot: PeerBot) -> list[tuple[str, str, Any]]:
    tables = await bot.db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    found: list[tuple[str, str, Any]] = []
    for table in tables:
        name = str(table["name"])
        assert name.replace("_", "").isalnum()
        for row in await bot.db.fetchall(f'SELECT * FROM "{name}"'):  # noqa: S608 - names from sqlite_master
            found.extend((name, column, row[column]) for column in row.keys())  # noqa: SIM118 - sqlite3.Row
    return found


async def test_the_author_is_in_no_payload_log_or_table(
    tmp_path: Path,
    fake: FakeDiscord,
    configured: Server,
    bot: PeerBot,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    for ours in ("bot", "cogs", "sandbox"):
        caplog.set_level(logging.DEBUG, logger=ours)
    g = configured.guild.id
    user = fake.add_member(g, "quiet_kestrel_author", nick="Nightingale Nick")
    fake.world.users[user.id].global_name = "Marigold Display"
    author = user.id
    secrets = [str(author), "quiet_kestrel_author", "Nightingale Nick", "Marigold Display"]

    ack = await submit(fake, configured, author, "The first time I said it out loud.", title="Out loud", cw="grief")
    assert "**#1**" in ack.text()
    card = await card_for(fake, configured.share_queue.id, 1)
    await click_modal(fake, card, "approve-cw", configured.moderator.id, {"cw": "loss"}, followups=0)
    await post_due(bot, clock)
    (post,) = share_posts(fake, configured)

    await click_modal(fake, post, "reply", configured.volunteer.id, {"text": "Proud of you."})
    await click_modal(fake, post, "reply", author, {"text": "Thank you all."})
    await click(fake, post, "support", configured.volunteer2.id)
    await click(fake, post, "support", configured.facilitator.id)
    assert "your own share" in (await click(fake, post, "support", author)).text()
    await click_modal(fake, post, "report", configured.facilitator.id, {"reason": "Checking this is okay."})
    report = await card_for(fake, configured.share_queue.id, 1, "reported")
    await click(fake, report, "dismiss", configured.moderator.id)
    await post_due(bot, clock)
    assert len(fake.messages(post.id)) == 2
    assert "posted" in (await run(fake, g, author, "shares status", {"id": "#1"})).text()
    assert "#1" in (await run(fake, g, author, "shares mine")).text()

    held = await submit(fake, configured, author, "Honestly I want to end my life.", followups=2)
    assert "isn't posted straight away" in held.text()
    await card_for(fake, configured.alerts.id, 2, "needs care")
    await card_for(fake, configured.share_queue.id, 2, "needs care")
    await post_due(bot, clock)

    # 1. Nothing the bot sent to Discord names the author.
    assert fake.calls
    for call in fake.calls:
        sent = json.dumps([call.path, call.query, call.json, call.files], ensure_ascii=False, default=str)
        for secret in secrets:
            assert secret not in sent, f"{secret!r} in {call.method} {call.path}"

    # 2. No log line names the author.
    assert "Share 1 posted" in caplog.text  # the capture does see our log lines
    for record in caplog.records:
        line = record.getMessage() + (record.exc_text or "")
        for secret in secrets:
            assert secret not in line, f"{secret!r} logged by {record.name}"

    # 3. No value in the database names the author, and neither do the raw files.
    values = await every_value(bot)
    assert {"shares", "share_replies", "share_support", "share_reports", "jobs"} <= {t for t, _, _ in values}
    for table, column, value in values:
        assert value != author, f"author id stored in {table}.{column}"
        for secret in secrets:
            assert secret not in str(value), f"{secret!r} inside {table}.{column}"
    raw = database_files(tmp_path)
    assert str(author).encode() not in raw and author.to_bytes(8, "big") not in raw
    for secret in secrets[1:]:
        assert secret.encode() not in raw
