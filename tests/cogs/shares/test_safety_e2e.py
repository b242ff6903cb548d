"""Member text can't ping or break out of its embed; crisis language is held, and its author cared for."""

from __future__ import annotations

import re
from typing import Any

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.models import Message
from sandbox.server import FakeDiscord
from tests.helpers import run

from .flows import card_for, cards, click, click_modal, post_due, queue_off, share_posts, share_row, submit

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u202e"
PRIDE = "\N{WAVING WHITE FLAG}\ufe0f\u200d\N{RAINBOW}"  # a ZWJ emoji sequence that must survive


def nasty(server: Server) -> str:
    return (
        f"Hey @everyone and @here, <@&{server.moderator_role.id}> <@{server.admin.id}> <@!{server.admin.id}> "
        f"<#{server.general.id}> </share:1>\n"
        "```py\nprint('out of the box')\n```\n"
        "end of spoiler? || still hidden `code` \\|| \\\\|| "
        "@\u200beveryone @\u2060here z\u200bw\u200dx\ufeffy \u202egnp.exe "
        f"[click me](https://example.invalid) {PRIDE}\n"
        "> a quote\n# A HEADING\n-# small print"
    )


def bare(text: str) -> str:
    """What is left after removing every backslash escape (each escaped character is inert)."""
    return re.sub(r"\\.", "", text, flags=re.DOTALL)


def assert_inert(text: str, *, spoiler: bool = False) -> None:
    assert not any(ch in text.replace(PRIDE, "") for ch in ZERO_WIDTH), repr(text)
    left = bare(text)
    if spoiler:
        assert left.count("||") == 2 and left.endswith("||"), text
        left = left.replace("||", "")
    assert "|" not in left and "`" not in left, text
    assert not re.search(r"<[@#/]", left), text
    assert not re.search(r"@(everyone|here)", left), text
    assert "[click me](" not in left, text
    assert not re.search(r"(?m)^\s*(>|#|-#)", text), text  # no quotes, headings or sub-text


def embeds_text(messages: list[Message]) -> list[dict[str, Any]]:
    return [e for m in messages for e in m.embeds]


async def test_mentions_and_markdown_in_shares_and_replies_are_inert(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    title = f"@everyone ||spoiler|| `code` <@&{configured.moderator_role.id}>\u200b"
    await submit(fake, configured, configured.member.id, nasty(configured), title=title, cw="grief || @here `x`")
    await submit(fake, configured, configured.volunteer.id, nasty(configured), title=title)
    await post_due(bot, clock)
    posts = share_posts(fake, configured)  # in random order: each share has its own delay
    [warned] = [m for m in posts if "Content warning" in m.embeds[0]["description"]]
    [plain] = [m for m in posts if m is not warned]
    await click_modal(fake, plain, "reply", configured.volunteer2.id, {"text": nasty(configured)})
    await post_due(bot, clock)

    description = warned.embeds[0]["description"]
    label, hidden = description.split("\n", 1)
    assert label.startswith("⚠ **Content warning: grief ") and "|" not in bare(label)
    assert_inert(hidden, spoiler=True)
    assert PRIDE in hidden  # emoji joiners survive
    assert_inert(plain.embeds[0]["description"])
    assert_inert(plain.embeds[0]["title"])
    (reply_message,) = fake.messages(plain.id)
    assert_inert(reply_message.embeds[0]["description"])

    everything = [m for m in fake.world.messages.values() if m.author_id == fake.bot_user.id]
    for message in everything:
        assert not message.mention_everyone and message.mention_ids == [] and message.mention_role_ids == []
    for message in [warned, plain, reply_message]:
        assert not message.content  # member text only ever travels inside embeds


async def test_text_reaching_moderators_is_inert_too(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await submit(fake, configured, configured.member.id, nasty(configured), cw="@everyone")
    card = await card_for(fake, configured.share_queue.id, 1)
    hidden = card.embeds[0]["description"].split("\n", 1)[1]
    assert_inert(hidden, spoiler=True)
    for message in cards(fake, configured.share_queue.id):
        assert not message.mention_everyone and message.mention_role_ids == []


CRISIS = "I can't do this any more. I want to kill myself tonight."


async def test_crisis_language_is_held_and_the_author_gets_help_privately(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)  # even with posting straight away
    ix = await submit(fake, configured, configured.member.id, CRISIS, followups=2)
    confirmation, care = ix.original, ix.followups[0]
    assert confirmation is not None
    assert "isn't posted straight away" in confirmation.text() and "**#1**" in confirmation.text()
    assert confirmation.ephemeral and care.ephemeral
    assert "116 123" in care.text()  # the server's default country, GB
    assert CRISIS not in care.text()
    peer = [c["custom_id"] for r in care.components for c in r["components"]]
    assert peer == [f"peerbot:peer:{configured.guild.id}"]

    alert = await card_for(fake, configured.alerts.id, 1, "needs care")
    assert alert.content == f"<@&{configured.moderator_role.id}>"
    call = next(c for c in fake.calls_to("POST", rf"/channels/{configured.alerts.id}/messages"))
    assert [int(r) for r in call.json["allowed_mentions"]["roles"]] == [configured.moderator_role.id]
    for secret in (str(configured.member.id), "mo_member", "kill myself"):
        assert secret not in str(alert.embeds) + alert.content
    card = await card_for(fake, configured.share_queue.id, 1, "needs care")
    assert "kill myself" in card.embeds[0]["description"]  # moderators read it to decide

    await post_due(bot, clock)
    assert share_posts(fake, configured) == []
    row = await share_row(bot, 1)
    assert (row["status"], row["needs_care"], row["post_after"]) == ("queued", 1, None)
    await click_modal(fake, card, "approve-cw", configured.moderator.id, {"cw": "suicide"}, followups=0)
    await post_due(bot, clock)
    assert share_posts(fake, configured)[0].embeds[0]["description"].startswith("⚠ **Content warning: suicide**")


async def test_without_a_queue_the_held_share_waits_in_the_alerts_channel(
    fake: FakeDiscord, server: Server, bot: PeerBot
) -> None:
    options = {"shares": server.shares.id, "crisis_alerts": server.alerts.id}
    await run(fake, server.guild.id, server.admin.id, "setup channels", options)
    await run(fake, server.guild.id, server.admin.id, "setup roles", server.role_options())
    await run(fake, server.guild.id, server.admin.id, "crisis-settings country", {"country": "US"})
    await run(fake, server.guild.id, server.member.id, "crisis-settings country", {"country": "US"})
    ix = await submit(fake, server, server.member.id, CRISIS, followups=2)
    assert "988" in ix.followups[0].text()  # the member's own saved country wins
    alert = await card_for(fake, server.alerts.id, 1, "needs care (")
    assert "below" in str(alert.embeds)
    card = await card_for(fake, server.alerts.id, 1, "Share #1 needs care")
    assert card.id > alert.id
    refused = await click(fake, card, "approve", server.member.id)
    assert "Only moderators" in refused.text()
    await click(fake, card, "approve", server.moderator.id)
    assert (await share_row(bot, 1))["status"] == "approved"


async def test_a_share_that_fills_the_modal_continues_in_a_second_embed(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await queue_off(fake, configured)
    # 4000 characters, a title and a warning, and every "|" grows by its escape: too much for one embed.
    words = " ".join(f"word{n % 10}" + ("|" if n % 10 == 0 else "") for n in range(800))[:4000].strip()
    await submit(fake, configured, configured.member.id, words, title="T" * 100, cw="C" * 100)
    await post_due(bot, clock)
    (post,) = share_posts(fake, configured)
    first, second = post.embeds
    assert len(first["description"]) <= 4096 and len(second["description"]) <= 4096
    assert sum(len(str(e)) for e in post.embeds) < 6000
    assert_inert(first["description"].split("\n", 1)[1], spoiler=True)
    assert_inert(second["description"], spoiler=True)
    shown = (first["description"].split("\n", 2)[2] + " " + second["description"]).replace("||", "")
    assert shown.replace("\\|", "|").split() == words.split()
    assert "footer" in second and "author" in first


async def test_a_share_too_long_once_escaped_is_refused_with_nothing_stored(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    refused = await submit(fake, configured, configured.member.id, "|" * 4000)
    assert "special characters" in refused.text() and refused.ephemeral
    assert await bot.db.fetchval("SELECT count(*) FROM shares") == 0
