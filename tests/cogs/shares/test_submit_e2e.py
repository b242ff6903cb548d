"""Submitting a share end to end: stored first, posted after the random delay, the queue, limits, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.errors import SandboxError
from sandbox.server import FakeDiscord
from tests.helpers import run

from .flows import (
    answered,
    card_for,
    click,
    click_modal,
    open_share_modal,
    post_due,
    queue_off,
    share_id_of,
    share_posts,
    share_row,
    share_settings,
    submit,
)


async def count(bot: PeerBot, table: str) -> int:
    assert table in ("shares", "share_rate_events", "jobs")
    return int(await bot.db.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names


async def test_share_is_stored_first_then_posted_after_the_random_delay(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    ix = await submit(fake, configured, configured.member.id, "Today was heavy, but I made it.", title="Made it")
    assert ix.ephemeral
    assert "**#1**" in ix.text() and "<t:" in ix.text() and ":R>" in ix.text()
    assert f"<#{configured.shares.id}>" in ix.text()
    row = await share_row(bot, 1)
    assert row["status"] == "pending" and row["body"] == "Today was heavy, but I made it."
    due = datetime.fromisoformat(row["post_after"])
    assert timedelta(seconds=30) <= due - clock.now() <= timedelta(seconds=120)
    assert share_posts(fake, configured) == []

    await post_due(bot, clock, timedelta(seconds=29))
    assert share_posts(fake, configured) == []  # not before the window opens
    await post_due(bot, clock, timedelta(seconds=92))
    (post,) = share_posts(fake, configured)
    embed = post.embeds[0]
    assert embed["title"] == "Made it"
    assert embed["description"] == "Today was heavy, but I made it."
    assert embed["author"]["name"].startswith("Anonymous · ") and len(embed["author"]["name"]) == 16
    assert embed["author"]["name"] in ix.text()  # the confirmation said which name it would carry
    assert embed["timestamp"].startswith(clock.now().date().isoformat())
    assert "#1" in embed["footer"]["text"]
    labels = [c["label"] for row_ in post.components for c in row_["components"]]
    assert labels == ["Reply anonymously", "Send support", "Report"]
    assert (await share_row(bot, 1))["status"] == "posted"
    await post_due(bot, clock, timedelta(hours=1))
    assert len(share_posts(fake, configured)) == 1  # never twice


async def test_content_warning_puts_title_and_text_behind_a_spoiler(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    await submit(fake, configured, configured.member.id, "I miss her every day.", title="A year on", cw="grief")
    await post_due(bot, clock)
    embed = share_posts(fake, configured)[0].embeds[0]
    assert "title" not in embed
    assert embed["description"] == "⚠ **Content warning: grief**\n||**A year on**\nI miss her every day.||"


async def test_queue_is_on_with_a_queue_channel_and_moderators_approve(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    ix = await submit(fake, configured, configured.member.id, "Can I say this here?")
    assert "waiting for a moderator" in ix.text()
    card = await card_for(fake, configured.share_queue.id, 1)
    assert "Can I say this here?" in card.embeds[0]["description"]
    assert str(configured.member.id) not in str(card.embeds) and "mo_member" not in str(card.embeds)
    await post_due(bot, clock)
    assert share_posts(fake, configured) == []  # nothing is posted before a decision

    approved = await click(fake, card, "approve", configured.moderator.id)
    assert approved.response_type == 7  # the card itself is updated
    updated = fake.world.messages[card.id]
    assert "Approved by" in str(updated.embeds[0]) and "approve" not in str(updated.components)
    assert (await share_row(bot, 1))["decided_by"] == configured.moderator.id
    await post_due(bot, clock)
    (post,) = share_posts(fake, configured)
    assert post.embeds[0]["description"] == "Can I say this here?"


async def test_approve_with_cw_adds_a_warning_the_author_did_not(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await submit(fake, configured, configured.member.id, "It happened again last night.")
    card = await card_for(fake, configured.share_queue.id, 1)
    await click_modal(fake, card, "approve-cw", configured.moderator.id, {"cw": "self-harm"}, followups=0)
    await post_due(bot, clock)
    description = share_posts(fake, configured)[0].embeds[0]["description"]
    assert description == "⚠ **Content warning: self-harm**\n||It happened again last night.||"


async def test_rejected_share_is_wiped_and_its_author_reads_the_reason(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await submit(fake, configured, configured.member.id, "Names and details of another member.")
    card = await card_for(fake, configured.share_queue.id, 1)
    reason = "It names another member; please leave names out and share again."
    await click_modal(fake, card, "reject", configured.moderator.id, {"reason": reason}, followups=0)
    updated = fake.world.messages[card.id]
    assert "Names and details" not in str(updated.embeds) and "Declined by" in str(updated.embeds)
    row = await share_row(bot, 1)
    assert (row["status"], row["body"], row["reject_reason"]) == ("rejected", None, reason)

    mine = await run(fake, configured.guild.id, configured.member.id, "shares status", {"id": "#1"})
    assert mine.ephemeral and reason in mine.text()
    other = await run(fake, configured.guild.id, configured.volunteer.id, "shares status", {"id": "1"})
    assert "couldn't find" in other.text() and reason not in other.text()
    listed = await run(fake, configured.guild.id, configured.member.id, "shares mine")
    assert "#1" in listed.text() and "declined" in listed.text()
    await post_due(bot, clock)
    assert share_posts(fake, configured) == []


async def test_members_cannot_use_the_moderators_buttons(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await submit(fake, configured, configured.member.id, "Waiting my turn.")
    card = await card_for(fake, configured.share_queue.id, 1)
    for action in ("approve", "reject", "block", "approve-cw"):
        refused = await click(fake, card, action, configured.volunteer.id)
        assert refused.ephemeral and refused.modal is None
        assert "Only moderators can do that" in refused.text()
    assert (await share_row(bot, 1))["status"] == "queued"
    assert await count(bot, "share_rate_events") == 1


async def test_hourly_limit_is_kind_and_says_when(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    for n in range(3):
        await submit(fake, configured, configured.member.id, f"Share number {n}")
        clock.advance(timedelta(minutes=5))
    refused = await open_share_modal(fake, configured, configured.member.id)
    assert refused.modal is None and refused.ephemeral
    assert "You can share again <t:" in refused.text() and "limit" in refused.text()
    assert await count(bot, "shares") == 3
    clock.advance(timedelta(minutes=46))  # the first one leaves the rolling hour
    assert (await open_share_modal(fake, configured, configured.member.id)).modal is not None
    other = await open_share_modal(fake, configured, configured.volunteer.id)
    assert other.modal is not None  # per member


async def test_minimum_account_age(fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock) -> None:
    clock.set(datetime.now(UTC))  # the sandbox's accounts were created just now
    await share_settings(fake, configured, min_account_days=7)
    refused = await open_share_modal(fake, configured, configured.member.id)
    assert refused.modal is None and "You'll be able to share <t:" in refused.text()
    clock.advance(timedelta(days=8))
    assert (await open_share_modal(fake, configured, configured.member.id)).modal is not None


async def test_bad_input_is_refused_with_nothing_stored(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    empty = await submit(fake, configured, configured.member.id, "   \n  ")
    assert "empty" in empty.text() and empty.ephemeral

    opened = await open_share_modal(fake, configured, configured.member.id)
    assert opened.modal is not None
    inputs = opened.modal.inputs()
    assert (inputs["title"]["max_length"], inputs["body"]["max_length"], inputs["cw"]["max_length"]) == (100, 4000, 100)
    assert inputs["body"]["required"] and not inputs["title"]["required"] and not inputs["cw"]["required"]
    with pytest.raises(SandboxError, match="must be"):  # Discord itself refuses an over-long title
        await fake.submit_modal(opened.modal, configured.member.id, {"body": "ok", "title": "t" * 101})

    # A modified client that ignores max_length still gets a kind refusal, and nothing is stored.
    for spec in inputs.values():
        spec.pop("max_length", None)
    too_long = await answered(
        await fake.submit_modal(opened.modal, configured.member.id, {"body": "ok", "title": "t" * 101})
    )
    assert "The title is longer than 100 characters" in too_long.text()
    assert (await count(bot, "shares"), await count(bot, "share_rate_events")) == (0, 0)


async def test_sharing_needs_a_shares_channel(fake: FakeDiscord, server: Server, bot: PeerBot) -> None:
    member = await open_share_modal(fake, server, server.member.id)
    assert member.modal is None and "ask a server admin" in member.text()
    admin = await open_share_modal(fake, server, server.admin.id)
    assert "/setup channels shares:" in admin.text()


async def test_pseudonyms_per_share_by_default_and_per_author_by_choice(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    await submit(fake, configured, configured.member.id, "one")
    await submit(fake, configured, configured.member.id, "two")
    await share_settings(fake, configured, pseudonyms="per-author")
    await submit(fake, configured, configured.member.id, "three")
    clock.advance(timedelta(hours=1))
    await submit(fake, configured, configured.member.id, "four")
    await post_due(bot, clock)
    names = {share_id_of(m): m.embeds[0]["author"]["name"] for m in share_posts(fake, configured)}
    assert names[1] != names[2]
    assert names[3] == names[4]


async def test_timing_protection_can_be_switched_off(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    shown = await share_settings(fake, configured, queue="off", delay_min=0, delay_max=0)
    assert "Posting delay\noff" in shown.text(), shown.text()
    await submit(fake, configured, configured.member.id, "Right now, please.")
    await bot.scheduler.run_due()
    assert len(share_posts(fake, configured)) == 1


async def test_settings_are_for_admins(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    assert fake.command("share-settings")["default_member_permissions"] == "32"  # Manage Server
    fake.allow_command_for_everyone("share-settings", configured.guild.id)
    refused = await run(fake, configured.guild.id, configured.member.id, "share-settings", {"per_hour": 50})
    assert "Manage Server" in refused.text()
    shown = await share_settings(fake, configured, per_hour=5)
    assert "Saved." in shown.text() and "5" in shown.text()
