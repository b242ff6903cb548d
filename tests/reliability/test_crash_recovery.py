"""Crash recovery: `kill -9` the real bot process in the middle of a burst, restart it, and nothing is lost or doubled.

For each seed: a bot process is started against the loopback Discord and configured; one share is posted
before anything else (so there is a button from the first process to press later). Then eight shares and two
peer requests are sent at once, and the process is SIGKILLed at a seeded random moment in that burst. A new
process is started on the same database, and the test checks that:

* every acknowledged share (the member saw its confirmation) is stored and posted exactly once, and no share,
  acknowledged or not, is posted twice (deleted duplicates count too);
* every acknowledged peer request got exactly one private thread and exactly one volunteers' alert;
* the Support button under the share posted by the first process is answered by the second one;
* after a clean stop the database passes ``PRAGMA integrity_check``.

A second test kills the process while a group's reminder DMs are going out (reminders fall due on a whole
minute, so it waits for the next one): after the restart no member gets the reminder twice, every member
either got it or is accounted for as in flight at the kill, and the job is finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import Database
from cogs.groups.reminders import KIND_REMINDER
from sandbox.demo import Server, build_server
from sandbox.models import Message
from sandbox.server import FakeDiscord
from tests.cogs.rota.rota_helpers import custom_ids
from tests.helpers import eventually
from tests.reliability.process import BotProcess

SEEDS = (11, 22, 33)
BURST_SHARES = 8
STEP = 10.0  # seconds one interaction may take while the bot is alive
CONFIRMATION = re.compile(r"Your share \*\*#(\d+)\*\*")


async def slash(fake: FakeDiscord, server: Server, user_id: int, command: str, options: dict | None = None) -> str:
    ix = await (await fake.slash(server.guild.id, user_id, command, options)).wait_response(STEP)
    if ix.deferred:
        await ix.wait_followups(1, STEP)
    return ix.text()


async def until_answering(fake: FakeDiscord, server: Server, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Wait until the (new) process answers commands: identified is not yet ready to handle interactions."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            ix = await (await fake.slash(server.guild.id, server.member.id, "crisis", {"country": "GB"})).wait_response(
                2
            )
        except TimeoutError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            continue
        assert "116 123" in ix.text()
        return


async def configure(fake: FakeDiscord, server: Server) -> None:
    for command, options in (
        ("setup channels", server.channel_options()),
        ("setup roles", server.role_options()),
        ("setup region", {"timezone": "Europe/London", "country": "GB"}),
    ):
        assert "Saved" in await slash(fake, server, server.admin.id, command, options)
    settings = {"queue": "off", "per_hour": 60, "delay_min": 0, "delay_max": 0}
    assert "Anonymous shares: settings" in await slash(fake, server, server.admin.id, "share-settings", settings)


async def share(fake: FakeDiscord, server: Server, user_id: int, body: str) -> int:
    """/share and send the modal; return the share id from the member's confirmation (the acknowledgement)."""
    opened = await (await fake.slash(server.guild.id, user_id, "share")).wait_response(STEP)
    assert opened.modal is not None, opened.text()
    ix = await (await fake.submit_modal(opened.modal, user_id, {"body": body})).wait_response(STEP)
    await ix.wait_followups(1, STEP)
    found = CONFIRMATION.search(ix.text())
    assert found, ix.text()
    return int(found[1])


async def ask_for_peer(fake: FakeDiscord, server: Server, member_id: int) -> None:
    """/peer, both selects, Ask; returns once the member got the answer (sent after the thread and alert)."""
    ask = await (await fake.slash(server.guild.id, member_id, "peer")).wait_response(STEP)
    message_id = ask.original_id or 0
    for select, value in (("wants", "listen"), ("urgency", "medium")):
        await (await fake.select(message_id, f"peerbot:peer:ask:{select}", member_id, [value])).wait_response(STEP)
    send = await (await fake.click(message_id, "peerbot:peer:ask:send", member_id)).wait_response(STEP)
    await send.wait_followups(1, STEP)


def share_messages(fake: FakeDiscord, server: Server) -> list[Message]:
    """Every share the bot posted, deleted ones included (a duplicate removed later is still a duplicate)."""
    return [m for m in fake.messages(server.shares.id) if m.embeds and share_id_of(m) is not None]


def share_id_of(message: Message) -> int | None:
    for custom_id in custom_ids(message):
        if custom_id.startswith("peerbot:shares:support:"):
            return int(custom_id.rsplit(":", 1)[1])
    return None


def live_share_ids(fake: FakeDiscord, server: Server) -> set[int]:
    return {share_id_of(m) or 0 for m in share_messages(fake, server) if not m.deleted}


async def burst(
    fake: FakeDiscord, server: Server, seed: int, shares: dict[int, int], peers: list[int]
) -> list[asyncio.Task[None]]:
    """Start the burst; acknowledged share ids (-> burst index) and peer requesters are recorded as they come."""
    authors = [server.member.id, server.volunteer.id, server.volunteer2.id, server.moderator.id]

    async def one_share(n: int) -> None:
        share_id = await share(fake, server, authors[n % len(authors)], f"Burst share {n} (seed {seed}).")
        shares[share_id] = n

    async def one_peer(member_id: int) -> None:
        await ask_for_peer(fake, server, member_id)
        peers.append(member_id)

    jobs = [one_share(n) for n in range(BURST_SHARES)]
    jobs += [one_peer(server.facilitator.id), one_peer(server.member.id)]
    return [asyncio.create_task(job) for job in jobs]


@pytest.mark.parametrize("seed", SEEDS)
async def test_kill_nine_mid_burst_loses_and_doubles_nothing(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    async with FakeDiscord() as fake:
        server = build_server(fake)
        first = BotProcess(fake, tmp_path, "first")
        second = BotProcess(fake, tmp_path, "second")
        tasks: list[asyncio.Task[None]] = []
        try:
            await first.start()
            await until_answering(fake, server)
            await configure(fake, server)
            early = await share(fake, server, server.member.id, "Posted before the crash.")
            await eventually(lambda: early in live_share_ids(fake, server), STEP)
            (early_post,) = [m for m in share_messages(fake, server) if share_id_of(m) == early]

            acked: dict[int, int] = {}
            peers: list[int] = []
            tasks = await burst(fake, server, seed, acked, peers)
            await asyncio.sleep(rng.uniform(0.0, 0.4))  # the burst takes about half a second
            await first.kill()
            await asyncio.sleep(0.2)  # let requests the process sent before dying reach the fake
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            failures = [r for r in results if isinstance(r, Exception) and not isinstance(r, asyncio.CancelledError)]
            assert failures == [], f"an interaction failed before the kill: {failures!r}\n{first.log()}"
            acked_ids = set(acked)
            print(f"seed {seed}: {len(acked_ids)} shares and {len(peers)} peer requests acknowledged")  # noqa: T201

            await second.start()
            await until_answering(fake, server)
            await eventually(lambda: acked_ids <= live_share_ids(fake, server), 30)

            support = await (
                await fake.click(early_post.id, f"peerbot:shares:support:{early}", server.admin.id)
            ).wait_response(STEP)
            await support.wait_followups(1, STEP)
            assert "Sent" in support.text(), support.text()

            assert await second.stop() == 0, second.log()
        finally:
            for task in tasks:
                task.cancel()
            for process in (first, second):
                if process.process is not None and process.process.returncode is None:
                    await process.kill()

        posted = Counter(share_id_of(m) for m in share_messages(fake, server))
        assert [sid for sid, n in posted.items() if n > 1] == [], f"posted more than once: {posted}"
        for request_id, member_id in _requests(second.database):
            if member_id not in peers:
                continue  # not acknowledged: the member never heard back, so its alert is not promised yet
            threads = fake.calls_to("POST", rf"/channels/{server.peer.id}/threads$")
            named = [c for c in threads if (c.json or {}).get("name") == f"Peer support {request_id}"]
            assert len(named) == 1, f"request {request_id}: {len(named)} threads"
            claim = f"peerbot:peer:claim:{request_id}"
            alerts = [m for m in fake.messages(server.volunteers.id) if claim in custom_ids(m)]
            assert len(alerts) == 1, f"request {request_id}: {len(alerts)} alerts"
        assert fake.unknown_routes() == []
        assert fake.server_errors() == []
        assert "Traceback" not in second.log(), second.log()

    with sqlite3.connect(second.database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = dict(conn.execute("SELECT id, status FROM shares").fetchall())
    for share_id in acked_ids | {early}:
        assert stored.get(share_id) == "posted", f"share {share_id}: {stored.get(share_id)}"
    assert {sid for sid in posted if sid is not None} <= set(stored)


def _requests(database: Path) -> list[tuple[int, int]]:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return [(int(r[0]), int(r[1])) for r in conn.execute("SELECT id, member_id FROM peer_requests")]


REMINDED = 150
GROUP_NAME = "Crash-test evening circle"


async def seed_due_reminder(database: Path, server: Server, members: list[int], due: datetime) -> str:
    """A group meeting one minute after `due`, with a 1-minute reminder and `members` joined; returns its ref."""
    db = await Database.connect(database)
    try:
        await db.migrate()
        meeting = due + timedelta(minutes=1)
        group_id = await db.insert(
            "INSERT INTO support_groups (guild_id, name, name_key, weekday, start_time, duration_minutes, tz,"
            " channel_id, channel_kind, facilitator_id, lead_minutes, created_at)"
            " VALUES (?, ?, ?, ?, ?, 60, 'UTC', ?, 'text', ?, '1', ?)",
            (server.guild.id, GROUP_NAME, GROUP_NAME.casefold(), meeting.weekday(), meeting.strftime("%H:%M"),
             server.groups.id, server.facilitator.id, (due - timedelta(days=7)).isoformat()),
        )  # fmt: skip
        await db.executemany(
            "INSERT INTO group_members (group_id, user_id, status, since) VALUES (?, ?, 'joined', ?)",
            [(group_id, user_id, (due - timedelta(days=1)).isoformat()) for user_id in members],
        )
        ref = f"{group_id}:{meeting.date().isoformat()}:1"
        await db.execute(
            "INSERT INTO jobs (kind, ref, guild_id, due_at) VALUES (?, ?, ?, ?)",
            (KIND_REMINDER, ref, server.guild.id, due.isoformat()),
        )
    finally:
        await db.close()
    return ref


def reminder_state(database: Path, ref: str) -> tuple[str, dict[int, str]]:
    """The reminder job's status, and each member's row in group_reminders_sent (claimed, sent...)."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        (status,) = conn.execute("SELECT status FROM jobs WHERE kind = ? AND ref = ?", (KIND_REMINDER, ref)).fetchone()
        outcomes = dict(conn.execute("SELECT user_id, outcome FROM group_reminders_sent").fetchall())
    return status, outcomes


async def test_kill_nine_while_reminders_go_out_never_sends_twice(tmp_path: Path) -> None:
    rng = random.Random(7)
    async with FakeDiscord() as fake:
        server = build_server(fake)
        members = [fake.add_member(server.guild.id, f"circle_{n}").id for n in range(REMINDED)]
        first = BotProcess(fake, tmp_path, "first")
        second = BotProcess(fake, tmp_path, "second")
        now = datetime.now(UTC)
        due = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        if due - now < timedelta(seconds=15):  # time to start the process first
            due += timedelta(minutes=1)
        ref = await seed_due_reminder(first.database, server, members, due)

        def reminded(user_id: int) -> int:
            return sum(GROUP_NAME in m.text() for m in fake.dm_messages(user_id))

        try:
            await first.start()
            await until_answering(fake, server)
            wait = (due - datetime.now(UTC)).total_seconds()
            await asyncio.sleep(wait + rng.uniform(0.05, 0.25))  # into the sending
            await first.kill()
            before = sum(reminded(user_id) for user_id in members)
            print(f"{before}/{REMINDED} reminders were sent before the kill")  # noqa: T201
            await second.start()
            await until_answering(fake, server)
            await eventually(lambda: reminder_state(second.database, ref)[0] != "pending", 30)
            assert await second.stop() == 0, second.log()
        finally:
            for process in (first, second):
                if process.process is not None and process.process.returncode is None:
                    await process.kill()

        status, outcomes = reminder_state(second.database, ref)
        assert status == "done", status
        counts = {user_id: reminded(user_id) for user_id in members}
        assert max(counts.values()) == 1, f"a reminder was sent twice: {counts}"
        for user_id, count in counts.items():
            if count == 1:
                assert outcomes.get(user_id) in ("sent", "sending"), (user_id, outcomes.get(user_id))
            else:  # claimed in the instant of the kill: never sent twice means this one is not retried
                assert user_id in outcomes and outcomes[user_id] != "sent", (user_id, outcomes.get(user_id))
        lost = [user_id for user_id, count in counts.items() if count == 0]
        assert len(lost) <= 1, f"{len(lost)} members lost their reminder at the kill"
        assert "Traceback" not in second.log(), second.log()
