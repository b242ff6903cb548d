"""The `PeerBot` subclass: start-up order, cog loading, command sync and shutdown (STYLE 10-15, 53-54)."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import pkgutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import discord
import yarl
from discord.ext import commands

import cogs
from bot import store
from bot.config import Settings
from bot.db import Database
from bot.errors import PeerTree
from bot.scheduler import Clock, Scheduler
from bot.secret import load_or_create_secret
from bot.store import GuildConfig
from bot.tasks import drain

log = logging.getLogger(__name__)

# Application flags that grant the Message Content intent (Developer Portal > Bot > Privileged Gateway Intents).
MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19)


def point_discord_at(api_base: str, gateway_url: str) -> None:
    """Aim discord.py at Discord itself, a REST proxy, or the loopback stand-in (DESIGN §6)."""
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def extension_names() -> list[str]:
    """Every feature package under `cogs/` that has commands (a `cog.py`), skipping private names (STYLE 3)."""
    root = Path(next(iter(cogs.__path__)))
    return sorted(
        f"cogs.{m.name}"
        for m in pkgutil.iter_modules(cogs.__path__)
        if m.ispkg and not m.name.startswith("_") and (root / m.name / "cog.py").is_file()
    )


def intents() -> discord.Intents:
    """The minimum: guilds, guild messages (crisis listener), scheduled events. No privileged intent here."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.dm_messages = True
    chosen.guild_scheduled_events = True
    return chosen


class PeerBot(commands.AutoShardedBot):
    """peerbot: one process, every guild, the database as the source of truth."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        sync_commands: bool = True,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=PeerTree,
            help_command=None,
            guild_ready_timeout=guild_ready_timeout,
            max_messages=None,  # nothing reads discord.py's message cache; it only held 1,000 messages' objects
        )
        self.settings = settings
        self._ready_before = False
        self.clock = clock or Clock()
        self.sync_commands = sync_commands
        self.db: Database
        self.scheduler: Scheduler
        self.secret_key: bytes = b""
        self.message_content_enabled = False
        self._configs: dict[int, GuildConfig] = {}
        self.synced = False
        self._shutting_down = False
        # Each feature that stores personal data adds its `delete_user_data` here for /privacy delete.
        self.user_data_deleters: dict[str, Callable[[Database, int], Awaitable[int]]] = {}
        # The rota feature installs the "Talk to a peer" handler; other features call it through here.
        self.peer_request_handler: Callable[[discord.Interaction, int, str], Awaitable[None]] | None = None

    async def login(self, token: str) -> None:
        point_discord_at(self.settings.api_base, self.settings.gateway_url)
        await super().login(token)

    async def setup_hook(self) -> None:
        self.db = await Database.connect(self.settings.database_path)
        applied = await self.db.migrate()
        if applied:
            log.info("Database migrated: %s", ", ".join(applied))
        self.secret_key = load_or_create_secret(self.settings.secret_key_file)
        self._configs = await store.all_guild_configs(self.db)
        await self._detect_message_content()
        self.scheduler = Scheduler(self.db, self.clock)
        for name in extension_names():
            await self.load_extension(name)
        await self.scheduler.start()
        if self.sync_commands:
            await self.sync_if_changed()
        # Everything loaded so far lives for the whole run: keep it out of the collector's full passes,
        # which otherwise block the event loop for hundreds of milliseconds (bench/results.md). Collect first,
        # so start-up's garbage is not kept forever; nothing is being served yet.
        gc.collect()
        gc.freeze()

    async def _detect_message_content(self) -> None:
        # Request the privileged intent only when the Portal grants it: asking without it closes the gateway (4014).
        info = await self.application_info()
        flags = int(getattr(info.flags, "value", 0))
        self.message_content_enabled = bool(flags & MESSAGE_CONTENT_FLAGS)
        self._connection._intents.message_content = self.message_content_enabled
        log.info("Message Content intent %s", "granted" if self.message_content_enabled else "not granted")

    def command_tree_hash(self, guild: discord.abc.Snowflake | None = None) -> str:
        payload: list[Any] = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    async def sync_if_changed(self, *, force: bool = False) -> bool:
        """Sync the command tree only when it differs from the last sync (STYLE 53); True when it synced."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        key = f"command_tree_hash:{guild.id if guild else 'global'}:{self.settings.api_base}"
        current = self.command_tree_hash(guild)
        if not force and await store.get_meta(self.db, key) == current:
            log.info("Commands unchanged; not syncing")
            return False
        synced = await self.tree.sync(guild=guild)
        await store.set_meta(self.db, key, current)
        self.synced = True
        log.info("Synced %d commands to %s", len(synced), f"guild {guild.id}" if guild else "all servers")
        return True

    async def guild_config(self, guild_id: int) -> GuildConfig:
        """A server's setup, cached in memory so hot paths (like /crisis) rarely touch the database."""
        config = self._configs.get(guild_id)
        if config is None:
            config = await store.get_guild_config(self.db, guild_id)
            self._configs[guild_id] = config
        return config

    def cached_guild_config(self, guild_id: int) -> GuildConfig:
        """The setup without touching the database (all of it is loaded at start-up)."""
        return self._configs.get(guild_id) or GuildConfig(guild_id)

    async def update_guild_config(self, guild_id: int, changes: dict[str, int | str | None]) -> GuildConfig:
        config = await store.update_guild_config(self.db, guild_id, changes)
        self._configs[guild_id] = config
        return config

    async def on_ready(self) -> None:
        # Fires again on every reconnect: log only (STYLE 12), and freeze the gateway cache just built (every
        # server's members, channels and roles) like start-up's objects: it lives until the next READY, and
        # full collections walking it blocked the loop for 100-200 ms (gc.freeze is O(1); objects still go
        # when their last reference does). A READY after the first is a new session: the old cache is now
        # garbage in reference cycles, which frozen objects never get collected from, so thaw and collect
        # once (one pause, at reconnect time) before freezing the new one.
        if self._ready_before:
            gc.unfreeze()
            gc.collect()
        self._ready_before = True
        gc.freeze()
        log.info("Connected as %s (%s) to %d servers", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def close(self) -> None:
        if self._shutting_down:
            return
        self._shutting_down = True
        if hasattr(self, "scheduler"):
            self.scheduler.shutdown()
        for name in list(self.extensions):
            await self.unload_extension(name)
        await super().close()
        await drain(cancel=True)
        if hasattr(self, "scheduler"):
            try:
                await self.scheduler.flush()  # results of jobs that finished while shutting down
            except Exception:  # still pending in the table: they run again at the next start
                log.exception("Could not record the last finished jobs")
        if hasattr(self, "db"):
            await self.db.close()
