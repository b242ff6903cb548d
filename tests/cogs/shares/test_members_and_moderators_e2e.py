"""Under a posted share (support, replies, reports), deleting, removing, blocking, retention, /privacy delete."""

from __future__ import annotations

from datetime import timedelta

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.models import Message
from sandbox.server import FakeDiscord
from tests.helpers import eventually, run

from .flows import (
    button,
    card_for,
    cards,
    click,
    click_modal,
    open_share_modal,
    post_due,
    queue_off,
    settled,
    share_posts,
    share_row,
    submit,
)


async def posted_share(
    fake: FakeDiscord, server: Server, bot: PeerBot, clock: ManualClock, body: str = "Something I carry."
) -> Message:
    await queue_off(fake, server)
    await submit(fake, server, server.member.id, body)
    await post_due(bot, clock)
    return share_posts(fake, server)[-1]


def support_label(fake: FakeDiscord, message: Message) -> str:
    current = fake.world.messages[message.id]
    [label] = [c["label"] for r in current.components for c in r["components"] if "support" in c["custom_id"]]
    return str(label)


async def test_support_is_counted_once_per_member_without_names(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    post = await posted_share(fake, configured, bot, clock)
    first = await click(fake, post, "support", configured.volunteer.id)
    assert first.response_type == 7  # the share's own buttons are updated...
    (thanks,) = await first.wait_followups(1)  # ...and the member is thanked privately
    assert thanks.ephemeral and "Sent" in thanks.text()
    assert support_label(fake, post) == "Send support · 1"
    await click(fake, post, "support", configured.volunteer2.id)
    assert support_label(fake, post) == "Send support · 2"
    again = await click(fake, post, "support", configured.volunteer.id)
    assert again.ephemeral and "already" in again.text()
    own = await click(fake, post, "support", configured.member.id)
    assert own.ephemeral and "your own share" in own.text()
    assert support_label(fake, post) == "Send support · 2"
    assert (await share_row(bot, 1))["support_count"] == 2
    for call in fake.calls_to("POST", r"/interactions/"):
        assert str(configured.volunteer.id) not in str(call.json)


async def test_anonymous_replies_go_into_a_thread_on_the_share(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    post = await posted_share(fake, configured, bot, clock)
    sent = await click_modal(fake, post, "reply", configured.volunteer.id, {"text": "You're not alone in this."})
    assert sent.ephemeral and "<t:" in sent.text()
    assert fake.calls_to("POST", rf"/messages/{post.id}/threads") == []  # nothing before the delay
    await post_due(bot, clock)
    thread_id = (await share_row(bot, 1))["thread_id"]
    assert thread_id == post.id  # a public thread opened on the share message
    (first,) = fake.messages(thread_id)
    assert first.embeds[0]["description"] == "You're not alone in this."
    assert first.embeds[0]["author"]["name"].startswith("Anonymous · ")

    await click_modal(fake, post, "reply", configured.member.id, {"text": "Thank you, truly."})
    await click_modal(fake, post, "reply", configured.volunteer.id, {"text": "Any time."})
    await post_due(bot, clock)
    # Each reply has its own random delay, so their order is not fixed.
    names = {m.embeds[0]["description"]: m.embeds[0]["author"]["name"] for m in fake.messages(thread_id)}
    assert set(names) == {"You're not alone in this.", "Thank you, truly.", "Any time."}
    assert names["Thank you, truly."] == f"{post.embeds[0]['author']['name']} (the author)"
    assert names["Any time."] == names["You're not alone in this."]  # one name per replier in a thread
    assert len(fake.calls_to("POST", r"/threads$")) == 1


async def test_reports_reach_moderators_who_dismiss_or_remove(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    post = await posted_share(fake, configured, bot, clock)
    ack = await click_modal(fake, post, "report", configured.volunteer.id, {"reason": "This sounds like a threat."})
    assert ack.ephemeral and "won't see that the report came from you" in ack.text()
    card = await card_for(fake, configured.share_queue.id, 1, "reported")
    assert "This sounds like a threat." in str(card.embeds) and "val_volunteer" not in str(card.embeds)
    again = await click_modal(fake, post, "report", configured.volunteer.id, {"reason": "again"})
    assert "already reported" in again.text()

    await click_modal(fake, post, "report", configured.volunteer2.id, {"reason": "Second report."})
    await eventually(lambda: sum("reported" in str(c.embeds) for c in cards(fake, configured.share_queue.id)) == 2)
    second = await card_for(fake, configured.share_queue.id, 1, "reported")
    assert second.id != card.id
    dismissed = await click(fake, second, "dismiss", configured.moderator.id)
    assert "Dismissed by" in str(fake.world.messages[second.id].embeds) and dismissed.response_type == 7

    refused = await click(fake, card, "remove", configured.volunteer.id)
    assert "Only moderators" in refused.text() and not fake.world.messages[post.id].deleted
    removed = await click(fake, card, "remove", configured.moderator.id)
    closed = str(fake.world.messages[card.id].embeds)
    assert removed.response_type == 7 and "Removed (" in closed and "a threat" not in closed
    await eventually(lambda: fake.world.messages[post.id].deleted)  # taken down right after the answer
    row = await share_row(bot, 1)
    assert (row["status"], row["body"]) == ("rejected", None)
    status = await run(fake, configured.guild.id, configured.member.id, "shares status", {"id": "1"})
    assert "taken down" in status.text()


async def test_without_a_queue_channel_reports_go_to_the_crisis_alerts_channel(
    fake: FakeDiscord, server: Server, bot: PeerBot, clock: ManualClock
) -> None:
    options = {"shares": server.shares.id, "crisis_alerts": server.alerts.id}
    for command, opts in (("setup channels", options), ("setup roles", server.role_options())):
        await run(fake, server.guild.id, server.admin.id, command, opts)
    ix = await submit(fake, server, server.member.id, "Posted straight away.")
    assert "will appear" in ix.text()  # no queue channel: no queue
    await post_due(bot, clock)
    post = share_posts(fake, server)[0]
    await click_modal(fake, post, "report", server.volunteer.id, {"reason": "Please look."})
    card = await card_for(fake, server.alerts.id, 1, "reported")
    assert "remove" in button(card, "remove")


async def test_author_deletes_one_share_or_all_of_them(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    post = await posted_share(fake, configured, bot, clock)
    await click_modal(fake, post, "reply", configured.volunteer.id, {"text": "Sending love."})
    await post_due(bot, clock)
    (reply_message,) = fake.messages(post.id)
    stranger = await run(fake, configured.guild.id, configured.volunteer.id, "shares delete", {"id": "#1"})
    assert "couldn't find" in stranger.text() and not fake.world.messages[post.id].deleted

    done = await run(fake, configured.guild.id, configured.member.id, "shares delete", {"id": "#1"})
    assert "Deleted" in done.text() and done.ephemeral and not done.deferred  # answered at once...
    await settled(bot)  # ...and taken down right after
    assert fake.world.messages[post.id].deleted and fake.world.messages[reply_message.id].deleted
    thread = fake.world.channels[post.id].thread
    assert thread is not None and thread.archived and thread.locked
    row = await share_row(bot, 1)
    assert (row["status"], row["body"], row["author_token"], row["pseudonym"]) == ("deleted", None, None, None)

    await submit(fake, configured, configured.member.id, "second")
    await submit(fake, configured, configured.member.id, "third")
    await post_due(bot, clock)
    assert len(share_posts(fake, configured)) == 2
    ask = await (await fake.slash(configured.guild.id, configured.member.id, "shares delete-all")).wait_response()
    assert "Are you sure" in ask.text()
    yes = ask.components[0]["components"][0]["custom_id"]
    await (await fake.click(ask.original_id or 0, yes, configured.member.id)).wait_response()
    await eventually(lambda: "2 shares deleted" in (ask.original.content if ask.original else ""))
    assert share_posts(fake, configured) == []
    assert await bot.db.fetchval("SELECT count(*) FROM shares WHERE body IS NOT NULL") == 0


async def test_moderator_removes_a_posted_share_by_command(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    post = await posted_share(fake, configured, bot, clock)
    refused = await run(fake, configured.guild.id, configured.member.id, "share-mod remove", {"id": "1"})
    assert "moderator" in refused.text() and not fake.world.messages[post.id].deleted
    done = await run(
        fake, configured.guild.id, configured.moderator.id, "share-mod remove", {"id": "#1", "reason": "Off topic."}
    )
    assert "Removed share **#1**" in done.text() and not done.deferred
    await settled(bot)  # taken down right after the answer
    assert fake.world.messages[post.id].deleted
    assert (await share_row(bot, 1))["reject_reason"] == "Off topic."


async def test_block_pauses_sharing_kindly_and_unblock_lifts_it(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    await submit(fake, configured, configured.member.id, "Something hurtful.")
    card = await card_for(fake, configured.share_queue.id, 1)
    blocked = await click_modal(fake, card, "block", configured.moderator.id, {"reason": "Repeated insults."})
    assert "can't share here" in blocked.text() and blocked.ephemeral
    paused = await open_share_modal(fake, configured, configured.member.id)
    assert paused.modal is None and "Sharing is paused for you" in paused.text()
    assert f"<@&{configured.moderator_role.id}>" in paused.text()
    assert (await open_share_modal(fake, configured, configured.volunteer.id)).modal is not None

    refused = await run(fake, configured.guild.id, configured.member.id, "share-mod unblock", {"id": "1"})
    assert "moderator" in refused.text()
    lifted = await run(fake, configured.guild.id, configured.moderator.id, "share-mod unblock", {"id": "#1"})
    assert "can share again" in lifted.text()
    assert (await open_share_modal(fake, configured, configured.member.id)).modal is not None
    again = await run(fake, configured.guild.id, configured.moderator.id, "share-mod unblock", {"id": "1"})
    assert "nothing to lift" in again.text()


async def test_retention_wipes_old_unposted_and_rejected_shares(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await submit(fake, configured, configured.member.id, "Never decided.")
    await submit(fake, configured, configured.member.id, "Declined.")
    await submit(fake, configured, configured.member.id, "Approved and posted.")
    held = await card_for(fake, configured.share_queue.id, 1)
    declined = await card_for(fake, configured.share_queue.id, 2)
    await click_modal(fake, declined, "reject", configured.moderator.id, {}, followups=0)
    await click(fake, await card_for(fake, configured.share_queue.id, 3), "approve", configured.moderator.id)
    await post_due(bot, clock)
    await post_due(bot, clock, timedelta(days=29))
    assert (await share_row(bot, 1))["body"] == "Never decided."
    assert (await share_row(bot, 2))["status"] == "rejected"  # kept a while so its author can read why
    await post_due(bot, clock, timedelta(days=2))
    one, two, three = [await share_row(bot, n) for n in (1, 2, 3)]
    assert (one["status"], one["body"], one["author_token"]) == ("deleted", None, None)
    assert (two["status"], two["reject_reason"], two["author_token"]) == ("deleted", None, None)
    assert (three["status"], three["body"]) == ("posted", "Approved and posted.")
    assert "Never decided." not in str(fake.world.messages[held.id].embeds)  # the moderators' card is blanked
    assert await bot.db.fetchval("SELECT count(*) FROM jobs WHERE kind = 'shares:purge' AND status = 'pending'") == 1


async def test_privacy_delete_takes_shares_down(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    post = await posted_share(fake, configured, bot, clock)
    ask = await (await fake.slash(configured.guild.id, configured.member.id, "privacy delete")).wait_response()
    yes = ask.components[0]["components"][0]["custom_id"]
    await (await fake.click(ask.original_id or 0, yes, configured.member.id)).wait_response()
    await eventually(lambda: fake.world.messages[post.id].deleted)
    assert (await share_row(bot, 1))["body"] is None
    assert cards(fake, configured.shares.id) == []
