"""The private first step of a peer request ("what would help?", "how urgent?", **Ask for a peer**) is made of
persistent, stateless components: no view object is kept per message, the choices and the topic live in the
message itself, and the step keeps working after a restart, from a DM, and times out as before."""

from __future__ import annotations

import gc
import importlib
from pathlib import Path
from types import ModuleType

import discord
import pytest

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot
from tests.cogs.rota.rota_helpers import custom_ids, latest_request
from tests.helpers import eventually, make_bot, run, settle

ASK = "peerbot:peer:ask:"
WANTS, URGENCY, SEND = f"{ASK}wants", f"{ASK}urgency", f"{ASK}send"


def defaults(ix: FakeInteraction | None, custom_id: str) -> list[str]:
    """The options a select of the message shows as chosen."""
    message = ix.original if ix is not None else None
    assert message is not None
    for row in message.components:
        for comp in row.get("components") or []:
            if comp.get("custom_id") == custom_id:
                return [o["value"] for o in comp.get("options") or [] if o.get("default")]
    raise AssertionError(f"no {custom_id} in the message")


async def choose(fake: FakeDiscord, message_id: int, custom_id: str, user_id: int, value: str) -> FakeInteraction:
    return await (await fake.select(message_id, custom_id, user_id, [value])).wait_response()


def loaded_views() -> ModuleType:
    """The rota views module the running bot loaded (each start of the bot imports the cog's modules afresh)."""
    return importlib.import_module("cogs.rota.views")


def live_views(bot: PeerBot) -> int:
    store = bot._connection._view_store
    return len(store._views) + len(store._synced_message_views)


async def test_no_view_is_kept_per_answer_and_choices_live_in_the_message(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    s = configured
    await settle()
    before = live_views(bot)
    members = [fake.add_member(s.guild.id, f"asker{i}").id for i in range(20)]
    asks = [await run(fake, s.guild.id, m, "peer", {"topic": f"exams {i}"}) for i, m in enumerate(members)]
    await settle()
    assert live_views(bot) == before  # nothing routed through a per-message view
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, discord.ui.View)]
    assert not [v for v in alive if any(str(getattr(i, "custom_id", "")).startswith(ASK) for i in v.children)]

    ask = asks[0]
    assert ask.ephemeral and custom_ids(ask.original) == [WANTS, URGENCY, SEND]
    assert "exams 0" in ask.text()  # the member sees the words that go with the request
    message_id = ask.original_id or 0
    picked = await choose(fake, message_id, WANTS, members[0], "ideas")
    assert picked.response_type == 7  # the same message, updated: the choice is shown as made
    assert defaults(ask, WANTS) == ["ideas"] and defaults(ask, URGENCY) == []
    await choose(fake, message_id, URGENCY, members[0], "high")
    assert defaults(ask, WANTS) == ["ideas"] and defaults(ask, URGENCY) == ["high"]
    await choose(fake, message_id, WANTS, members[0], "listen")  # changing one's mind keeps the other choice
    assert defaults(ask, WANTS) == ["listen"] and defaults(ask, URGENCY) == ["high"]
    assert "exams 0" in ask.text()
    await settle()
    assert live_views(bot) == before

    send = await (await fake.click(message_id, SEND, members[0])).wait_response()
    await send.wait_followups(1)
    assert "finding someone for you" in ask.text() and custom_ids(ask.original) == []
    row = await bot.db.fetchone("SELECT wants, urgency, topic, member_id, guild_id FROM peer_requests")
    assert row is not None
    assert tuple(row) == ("listen", "high", "exams 0", members[0], s.guild.id)


async def test_the_step_survives_a_restart(
    tmp_path: Path, fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    s = configured
    ask = await run(fake, s.guild.id, s.member.id, "peer", {"topic": "can't sleep @everyone"})
    message_id = ask.original_id or 0
    await choose(fake, message_id, WANTS, s.member.id, "listen")
    await bot.close()
    async with running_bot(make_bot(tmp_path, fake, clock), fake) as again:
        await choose(fake, message_id, URGENCY, s.member.id, "medium")
        assert defaults(ask, WANTS) == ["listen"] and defaults(ask, URGENCY) == ["medium"]
        send = await (await fake.click(message_id, SEND, s.member.id)).wait_response()
        await send.wait_followups(1)
        row = await again.db.fetchone("SELECT wants, urgency, topic FROM peer_requests")
        assert row is not None and tuple(row) == ("listen", "medium", "can't sleep @everyone")
        _, thread_id, _ = await latest_request(again)
        assert thread_id is not None
        intro = fake.messages(thread_id)[0]
        assert "can't sleep" in intro.text()


async def test_from_a_dm_the_button_names_the_server(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    s = configured
    rota = bot.get_cog("Rota")
    assert rota is not None
    # A crisis card sent by DM (as the crisis listener does) carries its server in the Talk to a peer button.
    assert await rota._dm(s.member.id, "Crisis lines", view=loaded_views().peer_view(s.guild.id))
    card = fake.dm_messages(s.member.id)[-1]
    ask = await (await fake.click(card.id, f"peerbot:peer:{s.guild.id}", s.member.id)).wait_response()
    assert ask.ephemeral and "What would help most" in ask.text()
    send_id = f"{SEND}:{s.guild.id}"
    assert custom_ids(ask.original) == [WANTS, URGENCY, send_id]
    message_id = ask.original_id or 0
    await choose(fake, message_id, WANTS, s.member.id, "listen")
    await choose(fake, message_id, URGENCY, s.member.id, "low")
    assert custom_ids(ask.original) == [WANTS, URGENCY, send_id]
    send = await (await fake.click(message_id, send_id, s.member.id)).wait_response()
    await send.wait_followups(1)
    row = await bot.db.fetchone("SELECT guild_id, member_id, wants, urgency, topic FROM peer_requests")
    assert row is not None and tuple(row) == (s.guild.id, s.member.id, "listen", "low", None)


async def test_an_old_question_times_out_and_stores_nothing(
    fake: FakeDiscord, configured: Server, bot: PeerBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = configured
    ask = await run(fake, s.guild.id, s.member.id, "peer")
    message_id = ask.original_id or 0
    await choose(fake, message_id, WANTS, s.member.id, "listen")
    monkeypatch.setattr(loaded_views(), "ASK_TIMEOUT", -1.0)  # as if 10 minutes had passed
    late = await choose(fake, message_id, URGENCY, s.member.id, "high")
    assert late.response_type == 7
    await eventually(lambda: "timed out" in ask.text())
    assert "`/peer` asks again" in ask.text()
    assert all(c.get("disabled") for row in ask.components for c in row["components"])
    await settle()
    assert await bot.db.fetchval("SELECT count(*) FROM peer_requests") == 0
