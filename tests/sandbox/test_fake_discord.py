"""The real discord.py client against FakeDiscord: sync, every interaction path, REST and gateway behaviour."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from typing import Any

import discord
import pytest

from sandbox import FakeDiscord, SandboxError
from sandbox.flags import Perm
from sandbox.testing import discord_endpoints, running_bot

NO_MENTIONS = {"parse": []}


async def wait_for(predicate: object, within: float = 2.0) -> None:
    """Poll a zero-argument predicate until true (for gateway events reaching the bot's cache)."""
    assert callable(predicate)
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


# -- commands and interactions -------------------------------------------------------------------
async def test_sync_stores_schema_once(fake: FakeDiscord, bot: Any) -> None:
    names = {c["name"] for c in fake.commands()}
    assert names == {"ping", "setup", "slow", "feedback", "vote", "crisis", "card", "measure", "admin"}
    assert fake.sync_count() == 1
    setup = fake.command("setup")
    channels = setup["options"][0]
    assert (channels["name"], channels["type"]) == ("channels", 1)
    assert [(o["name"], o["type"]) for o in channels["options"]] == [("shares", 7), ("limit", 4)]
    assert fake.command("crisis")["options"][0]["autocomplete"] is True
    assert not fake.unknown_routes()


async def test_plain_command_answers_ephemerally(fake: FakeDiscord, world: Any, bot: Any) -> None:
    ix = await (await fake.slash(world.guild.id, world.alice.id, "ping")).wait_response()
    assert (ix.response_type, ix.ephemeral, ix.content) == (4, True, "pong")
    assert fake.messages(world.guild.system_channel_id or 0) == []  # ephemeral replies are not channel messages


async def test_subcommand_with_channel_and_integer(fake: FakeDiscord, world: Any, bot: Any) -> None:
    ix = await fake.slash(
        world.guild.id, world.alice.id, "setup channels", options={"shares": world.shares.id, "limit": 3}
    )
    await ix.wait_response()
    assert ix.text() == f"shares=<#{world.shares.id}> limit=3"
    assert not ix.ephemeral
    posted = fake.messages(ix.channel_id)[-1]
    assert posted.type == 20 and posted.interaction_metadata is not None
    assert posted.interaction_metadata["name"] == "setup"
    with pytest.raises(SandboxError, match="must be within"):
        await fake.slash(
            world.guild.id, world.alice.id, "setup channels", options={"shares": world.shares.id, "limit": 99}
        )


async def test_defer_then_followups(fake: FakeDiscord, world: Any, bot: Any) -> None:
    ix = await (await fake.slash(world.guild.id, world.alice.id, "slow")).wait_response()
    assert ix.response_type == 5
    await ix.wait_followups(2)
    assert ix.content == "done slowly"  # the first follow-up replaced the "thinking..." message
    assert "one more thing" in ix.text() and "Extra" in ix.text()
    assert [m.flags & 128 for m in fake.messages(ix.channel_id)] == [0, 0]


async def test_modal_round_trip(fake: FakeDiscord, world: Any, bot: Any) -> None:
    ix = await (await fake.slash(world.guild.id, world.alice.id, "feedback")).wait_response()
    assert ix.response_type == 9 and ix.modal is not None
    assert ix.modal.title == "Feedback" and "feedback_text" in ix.modal.inputs()
    with pytest.raises(SandboxError, match="required"):
        await fake.submit_modal(ix.modal, world.alice.id, values={})
    sub = await (await fake.submit_modal(ix.modal, world.alice.id, values={"feedback_text": "lovely"})).wait_response()
    assert (sub.content, sub.ephemeral) == ("thanks: lovely", True)


async def test_button_click_updates_message(fake: FakeDiscord, world: Any, bot: Any) -> None:
    ix = await (await fake.slash(world.guild.id, world.alice.id, "vote")).wait_response()
    assert ix.original is not None
    [row] = ix.components
    assert row["components"][0]["custom_id"] == "vote:yes"
    click = await (await fake.click(ix.original.id, "vote:yes", world.alice.id)).wait_response()
    assert click.response_type == 7
    assert fake.messages(ix.channel_id)[-1].content == "alice voted yes"
    assert fake.messages(ix.channel_id)[-1].components == []


async def test_autocomplete_returns_choices(fake: FakeDiscord, world: Any, bot: Any) -> None:
    choices = await fake.autocomplete(world.guild.id, world.alice.id, "crisis", focused="country", value="uni")
    assert [c["value"] for c in choices] == ["United Kingdom", "United States"]


async def test_attachments_both_ways(fake: FakeDiscord, world: Any, bot: Any, png: bytes) -> None:
    ix = await (await fake.slash(world.guild.id, world.alice.id, "card")).wait_response()
    assert ix.original is not None
    [att] = ix.original.attachments
    assert (att.filename, att.data, att.image_size()) == ("card.png", png, (2, 1))
    assert ix.text() == "Card\nsee attachment\npeerbot"
    upload = fake.attachment("notes.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    measured = await (
        await fake.slash(world.guild.id, world.alice.id, "measure", options={"upload": upload})
    ).wait_response()
    assert measured.content == "notes.ics: 32 bytes"


async def test_dm_slash_command(fake: FakeDiscord, world: Any, bot: Any) -> None:
    ix = await (await fake.slash(None, world.alice.id, "ping")).wait_response()
    assert ix.content == "pong" and "user" in ix.payload and "member" not in ix.payload


async def test_unsynced_command_is_a_clear_error(fake: FakeDiscord, world: Any, bot: Any) -> None:
    with pytest.raises(SandboxError, match="never synced"):
        await fake.slash(world.guild.id, world.alice.id, "nope")


# -- REST behaviour ------------------------------------------------------------------------------
async def test_dm_send_and_closed_dms(fake: FakeDiscord, world: Any, bot: Any) -> None:
    user = await bot.fetch_user(world.alice.id)
    await user.send("hello there")
    assert [m.content for m in fake.dm_messages(world.alice.id)] == ["hello there"]
    closed = fake.add_member(world.guild.id, "bob", dms_closed=True)
    with pytest.raises(discord.Forbidden) as info:
        await (await bot.fetch_user(closed.id)).send("hi")
    assert info.value.code == 50007


async def test_channel_send_permissions_and_files(fake: FakeDiscord, world: Any, bot: Any) -> None:
    channel = bot.get_channel(world.shares.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("schedule", file=discord.File(io.BytesIO(b"BEGIN:VCALENDAR"), "rota.ics"))
    sent = fake.messages(world.shares.id)[-1]
    assert sent.attachments[0].text() == "BEGIN:VCALENDAR" and sent.attachments[0].content_type == "text/calendar"
    fake.deny_bot(world.shares.id, int(Perm.SEND_MESSAGES))
    await wait_for(lambda: not channel.permissions_for(channel.guild.me).send_messages)
    with pytest.raises(discord.Forbidden) as info:
        await channel.send("nope")
    assert info.value.code == 50013


async def test_role_add_reaches_cache(make_bot: Any) -> None:
    async with FakeDiscord(members_allowed=True) as fake:
        guild = fake.add_guild("Roles")
        role = fake.add_role(guild.id, "Volunteer")
        high = fake.add_role(guild.id, "Admins", position=99)
        user = fake.add_member(guild.id, "carol")
        intents = discord.Intents.default()
        intents.members = True
        async with running_bot(make_bot(intents), fake) as bot:
            g = bot.get_guild(guild.id)
            assert g is not None
            member = g.get_member(user.id)
            assert member is not None  # chunked via REQUEST_GUILD_MEMBERS
            await member.add_roles(discord.Object(role.id))
            assert fake.member_roles(guild.id, user.id) == [role.id]
            await wait_for(lambda: any(r.id == role.id for r in g.get_member(user.id).roles))  # type: ignore[union-attr]
            with pytest.raises(discord.Forbidden) as info:
                await member.add_roles(discord.Object(high.id))
            assert info.value.code == 50013


async def test_private_thread_and_member(fake: FakeDiscord, world: Any, bot: Any) -> None:
    channel = bot.get_channel(world.shares.id)
    assert isinstance(channel, discord.TextChannel)
    thread = await channel.create_thread(name="support", type=discord.ChannelType.private_thread, invitable=False)
    assert thread.type is discord.ChannelType.private_thread
    await thread.add_user(discord.Object(world.alice.id))
    stored = fake.world.channels[thread.id]
    assert set(stored.thread_members) == {bot.user.id, world.alice.id}  # type: ignore[union-attr]
    await wait_for(lambda: channel.guild.get_thread(thread.id) is not None)
    await thread.edit(archived=True, locked=True)
    assert stored.thread is not None and stored.thread.locked


async def test_scheduled_event(fake: FakeDiscord, world: Any, bot: Any) -> None:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Peer circle",
        start_time=start,
        end_time=start + dt.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="Online",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    assert [e.name for e in fake.world.guilds[world.guild.id].events.values()] == ["Peer circle"]
    await wait_for(lambda: guild.get_scheduled_event(event.id) is not None)
    with pytest.raises(discord.HTTPException) as info:
        await guild.create_scheduled_event(
            name="Past",
            start_time=start - dt.timedelta(days=2),
            end_time=start,
            entity_type=discord.EntityType.external,
            location="x",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    assert info.value.code == 50035


async def test_rate_limit_is_retried_transparently(fake: FakeDiscord, world: Any, bot: Any) -> None:
    fault = fake.inject_fault("POST", r"^/channels/\d+/messages$", 429, retry_after=0.05)
    channel = bot.get_channel(world.shares.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after the limit")
    assert fault.hits == 1
    assert [c.status for c in fake.calls_to("POST", r"^/channels/\d+/messages$")] == [429, 200]
    assert fake.messages(world.shares.id)[-1].content == "after the limit"


async def test_mentions_are_always_suppressed(fake: FakeDiscord, world: Any, bot: Any) -> None:
    await (await fake.slash(world.guild.id, world.alice.id, "ping")).wait_response()
    await (await fake.slash(world.guild.id, world.alice.id, "slow")).wait_followups(2)
    sent = fake.sent_allowed_mentions()
    assert len(sent) == 3 and all(am == NO_MENTIONS for am in sent)


# -- gateway behaviour -----------------------------------------------------------------------------
async def test_resume_after_drop_loses_nothing(fake: FakeDiscord, world: Any, bot: Any) -> None:
    await fake.drop_gateway()
    ix = await fake.slash(world.guild.id, world.alice.id, "ping")  # sent while disconnected
    await fake.wait_for_resume()
    await ix.wait_response()
    assert ix.content == "pong" and len(fake.identifies) == 1
    again = await (await fake.slash(world.guild.id, world.alice.id, "ping")).wait_response()
    assert again.content == "pong"


async def test_user_message_without_content_intent(fake: FakeDiscord, world: Any, bot: Any) -> None:
    fake.user_message(world.shares.id, world.alice.id, "private words")
    await asyncio.wait_for(bot.seen_event.wait(), 2)
    assert bot.seen[-1].content == "" and bot.seen[-1].author.id == world.alice.id
    bot.seen_event.clear()
    fake.user_message(world.shares.id, world.alice.id, f"<@{fake.bot_user.id}> help")
    await asyncio.wait_for(bot.seen_event.wait(), 2)
    assert bot.seen[-1].content.endswith("help")  # mentioning the bot exempts the message
    assert fake.messages(world.shares.id)[0].content == "private words"


async def test_privileged_intent_not_allowed_closes_4014(fake: FakeDiscord, world: Any, make_bot: Any) -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    before = discord.http.Route.BASE
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running_bot(make_bot(intents), fake):
            pass
    assert before == discord.http.Route.BASE  # running_bot restores discord.py's endpoints
    assert fake.identifies == []  # refused before READY


async def test_wrong_token_is_a_login_failure(fake: FakeDiscord, make_bot: Any) -> None:
    bot = make_bot(discord.Intents.default())
    with discord_endpoints(fake), pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()


async def test_guild_added_after_ready_fires_guild_join(fake: FakeDiscord, world: Any, bot: Any) -> None:
    joined: asyncio.Queue[discord.Guild] = asyncio.Queue()

    async def on_guild_join(guild: discord.Guild) -> None:
        await joined.put(guild)

    bot.add_listener(on_guild_join)
    added = fake.add_guild("Second")
    guild = await asyncio.wait_for(joined.get(), 2)
    assert guild.id == added.id and guild.me is not None and guild.system_channel is not None


async def test_role_hierarchy_and_bot_permissions(fake: FakeDiscord, world: Any, bot: Any) -> None:
    guild = bot.get_guild(world.guild.id)
    member = await guild.fetch_member(world.alice.id)
    mods = fake.add_role(world.guild.id, "Mods")
    fake.set_role_position(world.guild.id, mods.id, fake.bot_role(world.guild.id).position + 1)
    with pytest.raises(discord.Forbidden):
        await member.add_roles(discord.Object(mods.id))  # above the bot's highest role
    fake.set_role_position(world.guild.id, mods.id, 1)
    await member.add_roles(discord.Object(mods.id))
    fake.set_bot_permissions(world.guild.id, int(Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES))
    with pytest.raises(discord.Forbidden):
        await member.remove_roles(discord.Object(mods.id))
    assert mods.id in fake.member_roles(world.guild.id, world.alice.id)


async def test_reconnect_and_invalid_session(fake: FakeDiscord, world: Any, bot: Any) -> None:
    fake.request_reconnect()
    await fake.wait_for_resume()
    assert (await (await fake.slash(world.guild.id, world.alice.id, "ping")).wait_response()).content == "pong"
    fake.invalidate_session()
    await wait_for(lambda: len(fake.identifies) == 2, within=5)
    await fake.wait_until_ready()
    assert (await (await fake.slash(world.guild.id, world.alice.id, "ping")).wait_response()).content == "pong"


async def test_user_dm_has_content(fake: FakeDiscord, world: Any, bot: Any) -> None:
    fake.user_dm(world.alice.id, "can we talk?")
    await asyncio.wait_for(bot.seen_event.wait(), 2)
    assert bot.seen[-1].content == "can we talk?"  # DMs are exempt from the content intent
    assert isinstance(bot.seen[-1].channel, discord.DMChannel)


async def test_default_member_permissions_and_admin_override(fake: FakeDiscord, world: Any, bot: Any) -> None:
    with pytest.raises(SandboxError, match="hidden"):
        await fake.slash(world.guild.id, world.alice.id, "admin")
    boss = fake.add_member(world.guild.id, "boss", permissions=int(Perm.MANAGE_GUILD))
    assert (await (await fake.slash(world.guild.id, boss.id, "admin")).wait_response()).content == "admin ok"
    fake.allow_command_for_everyone("admin")
    assert (await (await fake.slash(world.guild.id, world.alice.id, "admin")).wait_response()).content == "admin ok"
    assert await fake.wait_for(lambda: len(fake.interactions) == 2 and fake.interactions)
