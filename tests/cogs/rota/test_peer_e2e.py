"""Asking for a peer end to end: the private step, the thread, the alert, claim, tap out, close, feedback,
escalation, and the honest answer when nobody is on duty."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import PeerBot
from bot.scheduler import ManualClock
from cogs.rota import store as rota_store
from sandbox.demo import Server
from sandbox.flags import Perm
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot
from tests.cogs.rota.rota_helpers import (
    MON,
    SAMARITANS,
    TUE,
    add_shift,
    alert_for,
    ask_for_peer,
    click,
    custom_ids,
    has_on_duty,
    last,
    latest_request,
    move_to,
    posted_allowed_mentions,
)
from tests.helpers import eventually, make_bot, run, settle


async def go_on_duty(fake: FakeDiscord, server: Server, user_id: int, hours: float = 2) -> None:
    ix = await run(fake, server.guild.id, user_id, "duty on", {"hours": hours})
    assert "You're on duty until" in ix.text(), ix.text()


async def test_member_asks_volunteer_claims_member_closes_and_answers(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    # The volunteer signs up for a shift; 30 minutes before it they get a reminder, at its start the role.
    await add_shift(fake, s, s.volunteer.id, MON, "13:00", "17:00")
    await move_to(bot, clock, clock.now().replace(hour=12, minute=30))
    assert "starts" in fake.dm_messages(s.volunteer.id)[-1].text()
    await move_to(bot, clock, clock.now().replace(hour=13))
    assert await has_on_duty(fake, s, s.volunteer.id)

    send = await ask_for_peer(fake, s, s.member.id, wants="listen", urgency="high", topic="exams @everyone <@&1>")
    assert send.ephemeral
    request_id, thread_id, status = await latest_request(bot)
    assert status == "open" and thread_id is not None
    assert f"<#{thread_id}>" in send.text() and "1 volunteer on duty has been told" in send.text()

    # A private thread (type 12, not invitable) in the peer-support channel, with the member in it.
    thread = fake.world.channel(thread_id)
    assert thread.type == 12 and thread.parent_id == s.peer.id
    assert thread.thread is not None and thread.thread.invitable is False
    assert s.member.id in thread.thread_members
    intro = fake.messages(thread_id)[0]
    assert "private space" in intro.text() and "exams" in intro.text()
    assert f"peerbot:peer:close:{request_id}" in custom_ids(intro)

    # The alert pings the on-duty role only; the member's words can't ping anyone.
    alert = await alert_for(fake, s, request_id)
    assert alert.content.startswith(f"<@&{s.on_duty_role.id}>")
    assert "exams" in alert.text() and "High" in alert.text()
    mentions = posted_allowed_mentions(fake, s.volunteers.id)[-1]
    assert [int(r) for r in mentions["roles"]] == [s.on_duty_role.id]
    assert not mentions.get("parse")

    claim = await click(fake, alert.id, f"peerbot:peer:claim:{request_id}", s.volunteer.id)
    assert claim.ephemeral and f"<#{thread_id}>" in claim.text()
    assert fake.calls_to("PUT", rf"/channels/{thread_id}/thread-members/{s.volunteer.id}$")
    assert s.volunteer.id in thread.thread_members
    assert f"<@{s.volunteer.id}> has joined you" in last(fake, thread_id).text()
    edited = fake.world.messages[alert.id]
    assert "Claimed by" in edited.text() and custom_ids(edited) == []
    assert (await latest_request(bot))[2] == "claimed"

    close = await click(fake, intro.id, f"peerbot:peer:close:{request_id}", s.member.id)
    assert close.ephemeral and "did you feel heard" in close.text()
    assert thread.thread.archived and thread.thread.locked
    assert (await latest_request(bot))[2] == "closed"
    question = close.original
    assert question is not None
    answer = await click(fake, question.id, f"peerbot:peer:heard:{request_id}:4", s.member.id)
    assert "Thank you" in answer.text()
    rows = await bot.db.fetchall("SELECT * FROM peer_feedback")
    assert [(r["guild_id"], r["month"], r["rating"]) for r in rows] == [(s.guild.id, "2026-01", 4)]
    assert set(rows[0].keys()) == {"id", "guild_id", "month", "rating"}  # nothing that identifies the member


async def test_second_peer_points_to_the_open_thread_and_refusals_are_kind(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    s = configured
    await go_on_duty(fake, s, s.volunteer.id)
    await ask_for_peer(fake, s, s.member.id)
    request_id, thread_id, _ = await latest_request(bot)
    again = await run(fake, s.guild.id, s.member.id, "peer")
    assert again.ephemeral and f"<#{thread_id}>" in again.text() and "already have a conversation" in again.text()

    alert = await alert_for(fake, s, request_id)
    claim_id = f"peerbot:peer:claim:{request_id}"
    # Two volunteers press Claim at the same moment: the first wins, the second is told kindly.
    first = await fake.click(alert.id, claim_id, s.volunteer.id)
    second = await fake.click(alert.id, claim_id, s.volunteer2.id)
    await first.wait_response()
    await second.wait_response()
    assert second.ephemeral and "already picked this up" in second.text()
    assert s.volunteer2.id not in fake.world.channel(thread_id or 0).thread_members

    # Members can't claim; someone who can see the thread but isn't part of it can't close it.
    fake.set_overwrite(s.peer.id, s.volunteer2.id, allow=int(Perm.MANAGE_THREADS))
    intro = fake.messages(thread_id or 0)[0]
    refused = await click(fake, intro.id, f"peerbot:peer:close:{request_id}", s.volunteer2.id)
    assert refused.ephemeral and "Only the member, the volunteer with them, or a moderator" in refused.text()
    tap = await click(fake, intro.id, f"peerbot:peer:tapout:{request_id}", s.volunteer2.id)
    assert tap.ephemeral and "Only the volunteer who picked" in tap.text()
    assert (await latest_request(bot))[2] == "claimed"

    # A moderator may close it; the member is asked privately (DM) whether they felt heard.
    fake.set_overwrite(s.peer.id, s.moderator.id, allow=int(Perm.MANAGE_THREADS))
    closed = await click(fake, intro.id, f"peerbot:peer:close:{request_id}", s.moderator.id)
    assert "Closed" in closed.text()
    dm = await eventually(lambda: fake.dm_messages(s.member.id))
    assert "did you feel heard" in dm[-1].text()
    await click(fake, dm[-1].id, f"peerbot:peer:heard:{request_id}:5", s.member.id)
    assert await bot.db.fetchval("SELECT rating FROM peer_feedback") == 5


async def test_unclaimed_request_escalates_to_volunteers_then_moderators(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await go_on_duty(fake, s, s.volunteer.id)
    start = clock.now()
    await ask_for_peer(fake, s, s.member.id)
    request_id, thread_id, _ = await latest_request(bot)
    assert thread_id is not None
    await move_to(bot, clock, start + timedelta(minutes=4, seconds=59))
    assert len(fake.messages(thread_id)) == 1  # just the intro

    await move_to(bot, clock, start + timedelta(minutes=5))
    ping = last(fake, s.volunteers.id)
    assert ping.content.startswith(f"<@&{s.volunteer_role.id}>") and "5 minutes" in ping.text()
    assert f"peerbot:peer:claim:{request_id}" in custom_ids(ping)
    assert [int(r) for r in posted_allowed_mentions(fake, s.volunteers.id)[-1]["roles"]] == [s.volunteer_role.id]
    assert "someone will be with you soon" in last(fake, thread_id).text()

    await move_to(bot, clock, start + timedelta(minutes=10))
    ping = last(fake, s.volunteers.id)
    assert ping.content.startswith(f"<@&{s.moderator_role.id}>") and "moderator" in ping.text()
    assert "someone will be with you soon" in last(fake, thread_id).text()
    assert await bot.db.fetchval("SELECT escalation FROM peer_requests") == 2

    # Claimed now: nothing more is sent, ever.
    await click(fake, ping.id, f"peerbot:peer:claim:{request_id}", s.volunteer.id)
    before = len(fake.messages(s.volunteers.id))
    await move_to(bot, clock, start + timedelta(hours=1))
    assert len(fake.messages(s.volunteers.id)) == before


async def test_claim_stops_escalation(fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock) -> None:
    s = configured
    await go_on_duty(fake, s, s.volunteer.id)
    start = clock.now()
    await ask_for_peer(fake, s, s.member.id)
    request_id, _, _ = await latest_request(bot)
    await click(fake, (await alert_for(fake, s, request_id)).id, f"peerbot:peer:claim:{request_id}", s.volunteer.id)
    count = len(fake.messages(s.volunteers.id))
    await move_to(bot, clock, start + timedelta(minutes=11))
    assert len(fake.messages(s.volunteers.id)) == count


async def test_nobody_on_duty_is_honest_gives_lines_and_offers_it_to_the_next_volunteer(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await add_shift(fake, s, s.volunteer.id, TUE, "10:00", "12:00")  # Tue 6 Jan, 10:00 UTC (London winter)
    send = await ask_for_peer(fake, s, s.member.id)
    text = send.text()
    assert "nobody from the volunteer team is on duty right now" in text
    assert SAMARITANS in text  # crisis lines for GB, at once
    next_start = int(clock.now().replace(day=6, hour=10).timestamp())
    assert f"<t:{next_start}:F>" in text
    request_id, _, status = await latest_request(bot)
    assert status == "open"
    alert = await alert_for(fake, s, request_id)
    assert alert.content.startswith(f"<@&{s.volunteer_role.id}>")  # nobody holds the on-duty role to ping

    # The shift starts: the role is given and the waiting request is offered to the volunteer coming on.
    await move_to(bot, clock, clock.now().replace(day=6, hour=10))
    assert await has_on_duty(fake, s, s.volunteer.id)
    offer = last(fake, s.volunteers.id)
    assert f"<@{s.volunteer.id}> is on duty" in offer.text() and "1 member waiting" in offer.text()
    assert f"peerbot:peer:claim:{request_id}" in custom_ids(offer)
    assert (await latest_request(bot))[2] == "open"


async def test_waiting_request_is_shown_on_duty_on(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    s = configured
    await ask_for_peer(fake, s, s.member.id)
    request_id, _, _ = await latest_request(bot)
    on = await run(fake, s.guild.id, s.volunteer.id, "duty on")
    assert "1 member waiting for a peer" in on.text()
    offer = last(fake, s.volunteers.id)
    assert f"peerbot:peer:claim:{request_id}" in custom_ids(offer)
    assert [int(u) for u in posted_allowed_mentions(fake, s.volunteers.id)[-1]["users"]] == [s.volunteer.id]


async def test_tap_out_returns_the_request_to_the_queue_with_the_note(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    await go_on_duty(fake, s, s.volunteer.id)
    await go_on_duty(fake, s, s.volunteer2.id)
    await ask_for_peer(fake, s, s.member.id)
    request_id, thread_id, _ = await latest_request(bot)
    assert thread_id is not None
    await click(fake, (await alert_for(fake, s, request_id)).id, f"peerbot:peer:claim:{request_id}", s.volunteer.id)
    intro = fake.messages(thread_id)[0]

    opened = await (await fake.click(intro.id, f"peerbot:peer:tapout:{request_id}", s.volunteer.id)).wait_response()
    assert opened.modal is not None
    submitted = await (
        await fake.submit_modal(opened, s.volunteer.id, {"note": "They mostly want to vent about exams."})
    ).wait_response()
    await submitted.wait_followups(1)
    assert submitted.ephemeral and "That sounded heavy" in submitted.text()
    assert (await latest_request(bot))[2] == "open"
    assert s.volunteer.id not in fake.world.channel(thread_id).thread_members
    assert fake.calls_to("DELETE", rf"/channels/{thread_id}/thread-members/{s.volunteer.id}$")
    assert "Someone else will be with you soon" in last(fake, thread_id).text()
    realert = last(fake, s.volunteers.id)
    assert "tap out" in realert.text() and "vent about exams" in realert.text()
    assert f"peerbot:peer:claim:{request_id}" in custom_ids(realert)
    assert realert.content.startswith(f"<@&{s.on_duty_role.id}>")

    # Escalation starts again from the tap-out; the second volunteer takes over.
    clock.advance(timedelta(minutes=5))
    await bot.scheduler.run_due()
    assert last(fake, s.volunteers.id).content.startswith(f"<@&{s.volunteer_role.id}>")
    await click(fake, realert.id, f"peerbot:peer:claim:{request_id}", s.volunteer2.id)
    assert s.volunteer2.id in fake.world.channel(thread_id).thread_members


async def test_talk_to_a_peer_button_starts_the_private_step(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    s = configured
    crisis = await run(fake, s.guild.id, s.member.id, "crisis")
    button = await click(fake, crisis.original_id or 0, f"peerbot:peer:{s.guild.id}", s.member.id)
    assert button.ephemeral and "What would help most" in button.text()
    assert "peerbot:peer:ask:send" in custom_ids(button.original)
    # Pressing "Ask for a peer" without choosing is refused kindly and stores nothing.
    refused = await click(fake, button.original_id or 0, "peerbot:peer:ask:send", s.member.id)
    assert refused.ephemeral and "choose both" in refused.text()
    await settle()
    assert await bot.db.fetchval("SELECT count(*) FROM peer_requests") == 0


async def test_privacy_delete_removes_rota_data(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    s = configured
    await ask_for_peer(fake, s, s.member.id)
    assert "rota" in bot.user_data_deleters
    ask = await run(fake, s.guild.id, s.member.id, "privacy delete")
    await (await fake.click(ask.original_id or 0, custom_ids(ask.original)[0], s.member.id)).wait_response()
    await eventually(lambda: "deleted" in ask.text())
    assert await bot.db.fetchval("SELECT count(*) FROM peer_requests") == 0


async def test_request_stored_just_before_a_crash_is_announced_at_restart(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    # The bot stopped after storing the request but before opening the thread or alerting anyone.
    stored = await rota_store.create_request(
        bot.db, s.guild.id, s.member.id, "listen", "high", "can't sleep", clock.now()
    )
    assert stored is not None
    await bot.close()
    async with running_bot(make_bot(tmp_path, fake, clock), fake):
        alert = await eventually(
            lambda: [m for m in fake.messages(s.volunteers.id) if "would like to talk" in m.text()]
        )
        assert len(alert) == 1
        threads = await eventually(lambda: fake.calls_to("POST", rf"/channels/{s.peer.id}/threads$"))
        assert len(threads) == 1
