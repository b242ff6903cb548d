"""Fixtures for the sandbox tests: a FakeDiscord, a small demo bot, and the bot running against the fake."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from sandbox import Channel, FakeDiscord, Guild, Role, User
from sandbox.testing import running_bot

COUNTRIES = ["Uganda", "Ukraine", "United Kingdom", "United States", "Uruguay"]


def tiny_png() -> bytes:
    """A valid 2x1 PNG, so tests can check image attachments round-trip."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback_text", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class VoteView(discord.ui.View):
    @discord.ui.button(label="Yes", custom_id="vote:yes", style=discord.ButtonStyle.success)
    async def yes(self, interaction: discord.Interaction, _button: discord.ui.Button[VoteView]) -> None:
        await interaction.response.edit_message(content=f"{interaction.user.name} voted yes", view=None)


class DemoBot(commands.Bot):
    """A bare bot exercising each interaction path; records what on_message saw."""

    def __init__(self, intents: discord.Intents) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )
        self.seen: list[discord.Message] = []
        self.seen_event = asyncio.Event()
        add_demo_commands(self.tree)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before re-identifying; a loopback gateway needs no such pause."""

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None or message.author.id != self.user.id:
            self.seen.append(message)
            self.seen_event.set()


def add_demo_commands(tree: app_commands.CommandTree[DemoBot]) -> None:
    @tree.command(description="Check the bot is alive")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    setup = app_commands.Group(name="setup", description="Configure the bot")

    @setup.command(name="channels", description="Choose the shares channel")
    async def setup_channels(
        interaction: discord.Interaction, shares: discord.TextChannel, limit: app_commands.Range[int, 1, 10]
    ) -> None:
        await interaction.response.send_message(f"shares={shares.mention} limit={limit}")

    tree.add_command(setup)

    @tree.command(description="Think, then answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.05)
        await interaction.followup.send("done slowly")
        await interaction.followup.send(embed=discord.Embed(title="Extra", description="one more thing"))

    @tree.command(description="Send feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @tree.command(description="Start a vote")
    async def vote(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Vote!", view=VoteView())

    @tree.command(description="Find a crisis line")
    async def crisis(interaction: discord.Interaction, country: str) -> None:
        await interaction.response.send_message(f"crisis line for {country}", ephemeral=True)

    @crisis.autocomplete("country")
    async def crisis_country(_interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=c, value=c) for c in COUNTRIES if c.lower().startswith(current.lower())]

    @tree.command(description="Admins only by default")
    @app_commands.default_permissions(manage_guild=True)
    async def admin(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("admin ok", ephemeral=True)

    @tree.command(description="Share a card with a file")
    async def card(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="Card", description="see attachment").set_footer(text="peerbot")
        await interaction.response.send_message(embed=embed, file=discord.File(io.BytesIO(tiny_png()), "card.png"))

    @tree.command(description="Measure an upload")
    async def measure(interaction: discord.Interaction, upload: discord.Attachment) -> None:
        data = await upload.read()
        await interaction.response.send_message(f"{upload.filename}: {len(data)} bytes")


@dataclass
class World:
    """The guild most tests use."""

    guild: Guild
    shares: Channel
    volunteer: Role
    alice: User


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as instance:
        yield instance


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    guild = fake.add_guild("Test")
    shares = fake.add_channel(guild.id, "shares")
    volunteer = fake.add_role(guild.id, "Volunteer")
    alice = fake.add_member(guild.id, "alice", roles=[volunteer.id])
    return World(guild, shares, volunteer, alice)


@pytest.fixture
def make_bot() -> type[DemoBot]:
    """The demo bot class, for tests that need their own intents."""
    return DemoBot


@pytest.fixture
def png() -> bytes:
    return tiny_png()


@pytest.fixture
async def bot(fake: FakeDiscord, world: World) -> AsyncIterator[DemoBot]:
    async with running_bot(DemoBot(discord.Intents.default()), fake) as running:
        await running.tree.sync()
        yield running
