"""End to end through the loopback Discord: sync, /help, /setup, refusals, and the kind error with an id."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord import app_commands

from bot.app import PeerBot
from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.flags import Perm
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot
from tests.helpers import eventually, make_bot, run


async def test_commands_sync_once_and_not_again_after_restart(
    tmp_path: Path, fake: FakeDiscord, server: Server, bot: PeerBot, clock: ManualClock
) -> None:
    assert fake.sync_count() == 1
    names = {c["name"] for c in fake.commands()}
    assert {"help", "setup", "crisis", "crisis-settings", "crisis-listener", "privacy"} <= names
    await bot.close()
    async with running_bot(make_bot(tmp_path, fake, clock), fake):
        pass
    assert fake.sync_count() == 1


async def test_help_differs_for_member_and_admin(fake: FakeDiscord, configured: Server) -> None:
    member = await run(fake, configured.guild.id, configured.member.id, "help")
    admin = await run(fake, configured.guild.id, configured.admin.id, "help")
    assert member.ephemeral and admin.ephemeral
    assert "/crisis" in member.text()
    assert "/setup" not in member.text()
    assert "/setup check" in admin.text()
    assert "For admins" in admin.text()


async def test_setup_round_trip_show_and_check(fake: FakeDiscord, configured: Server) -> None:
    g = configured.guild.id
    show = await run(fake, g, configured.admin.id, "setup show")
    assert show.ephemeral
    assert f"<#{configured.shares.id}>" in show.text()
    assert f"<@&{configured.on_duty_role.id}>" in show.text()
    assert "Europe/London" in show.text() and "GB" in show.text()

    fake.deny_bot(configured.peer.id, int(Perm.CREATE_PRIVATE_THREADS))
    check = await run(fake, g, configured.admin.id, "setup check")
    assert check.ephemeral
    assert "Create Private Threads" in check.text()
    assert "#peer" in check.text()


async def test_setup_check_reports_role_above_the_bot(fake: FakeDiscord, configured: Server) -> None:
    fake.set_role_position(
        configured.guild.id, configured.on_duty_role.id, fake.bot_role(configured.guild.id).position + 1
    )
    check = await run(fake, configured.guild.id, configured.admin.id, "setup check")
    assert "above my highest role" in check.text()


async def test_bad_setup_input_is_refused_kindly_and_changes_nothing(fake: FakeDiscord, configured: Server) -> None:
    g = configured.guild.id
    ix = await run(fake, g, configured.admin.id, "setup region", {"timezone": "Mars/Olympus"})
    assert ix.ephemeral and "Mars/Olympus" in ix.text() and "Europe/London" in ix.text()
    ix = await run(fake, g, configured.admin.id, "setup region", {"country": "Narnia"})
    assert ix.ephemeral and "Narnia" in ix.text()
    ix = await run(fake, g, configured.admin.id, "setup channels")
    assert "Nothing to change" in ix.text()
    show = await run(fake, g, configured.admin.id, "setup show")
    assert "Europe/London" in show.text() and "GB" in show.text()


async def test_setup_is_hidden_from_members_and_refused_if_an_admin_unhides_it(
    fake: FakeDiscord, configured: Server
) -> None:
    from sandbox.errors import SandboxError

    with pytest.raises(SandboxError, match="hidden"):
        await fake.slash(configured.guild.id, configured.member.id, "setup show")
    fake.allow_command_for_everyone("setup")  # a server admin overrides the default permission
    ix = await run(fake, configured.guild.id, configured.member.id, "setup show")
    assert ix.ephemeral
    assert "Manage Server" in ix.text() and "ask a server admin" in ix.text()


async def test_unexpected_error_gets_a_kind_reply_with_an_error_id(
    fake: FakeDiscord, configured: Server, bot: PeerBot, caplog: pytest.LogCaptureFixture
) -> None:
    @app_commands.command(name="boom", description="always fails")
    async def boom(interaction: object) -> None:
        raise RuntimeError("secret internal detail")

    bot.tree.add_command(boom)
    await bot.tree.sync()
    ix = await run(fake, configured.guild.id, configured.member.id, "boom")
    assert ix.ephemeral
    assert "something went wrong" in ix.text()
    assert "secret internal detail" not in ix.text()
    error_id = ix.text().split("error id **")[1].split("**")[0]
    assert any(error_id in r.getMessage() for r in caplog.records)


async def test_welcome_on_join(fake: FakeDiscord, bot: PeerBot) -> None:
    guild = fake.add_guild("New Place")
    await eventually(lambda: fake.messages(guild.system_channel_id or 0))
    assert "/setup channels" in fake.messages(guild.system_channel_id or 0)[0].content
