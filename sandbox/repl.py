"""`python -m bot sandbox`: try peerbot in a terminal against the loopback Discord, no account needed.

You act as a person in a ready-made server and type slash commands as you would in Discord; the bot's
answers are printed as text. Type `help` for the sandbox's own commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import PeerBot
from bot.config import Settings
from bot.scheduler import Clock, ManualClock
from sandbox.demo import Server, build_server
from sandbox.errors import SandboxError
from sandbox.models import Message
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord
from sandbox.testing import running_bot

HELP = """\
Type slash commands as in Discord, options as name:value (quote values with spaces):
  /help
  /setup channels shares:#shares volunteers:#volunteers crisis_alerts:#alerts
  /crisis country:GB
  /crisis-settings country country:"United States"
Channels are #name, roles and people @name. Sandbox commands:
  as NAME            act as another person: you (admin), sam (member), val / vic (volunteers), fay, max
  click N            press button N of the last answer or message
  pick N VALUE       choose VALUE in menu N of the last answer
  say #channel TEXT  post a normal message as the current person
  wait 2h / 30m      move the clock forward and run anything that fell due
  read #channel      the last messages in a channel;  dms  your direct messages from the bot
  quickstart         run the admin setup for you
  quit"""
_DURATION = re.compile(r"^(\d+)([smhd])$")
_MENTION = re.compile(r"<(#|@&|@!?)(\d+)>")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::[tTdDfFR])?>")
SETTLE = 0.3  # seconds for the bot's follow-on work (threads, alerts) before the next prompt
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _coerce(value: Any, option: dict[str, Any]) -> Any:
    """Typed text to the option's value: a choice by its name, or the type (4 integer, 10 number, 5 boolean)."""
    if not isinstance(value, str):
        return value
    for choice in option.get("choices") or []:
        if str(choice["name"]).casefold() == value.casefold():
            return choice["value"]
    kind = int(option["type"])
    with contextlib.suppress(ValueError):
        if kind == 4:
            return int(value)
        if kind == 10:
            return float(value)
    if kind == 5:
        return value.lower() in ("true", "yes", "on", "1")
    return value


FILE_PREVIEW_LINES = 25


def render(message: Message | None, text: str, buttons: list[tuple[str, str]]) -> str:
    lines = [text] if text else []
    for attachment in message.attachments if message is not None else []:
        lines.append(f"  (file {attachment.filename}, {len(attachment.data):,} bytes)")
        shown = attachment.data.decode("utf-8", errors="replace").splitlines()
        lines += [f"  | {line}" for line in shown[:FILE_PREVIEW_LINES]]
        if len(shown) > FILE_PREVIEW_LINES:
            lines.append(f"  | ... ({len(shown) - FILE_PREVIEW_LINES} more lines)")
    lines += [f"  [{i}] {label}" for i, (label, _) in enumerate(buttons, start=1)]
    return "\n".join(lines) if lines else "(no visible answer)"


def _buttons(components: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for row in components:
        for item in row.get("components", []):
            if item.get("type") == 3:  # a select menu: show its options
                choices = ", ".join(str(o.get("value")) for o in item.get("options", []))
                label = item.get("placeholder") or "choose one"
                found.append((f"{label} (pick N one of: {choices})", str(item["custom_id"])))
            elif item.get("custom_id"):
                found.append((str(item.get("label") or item["custom_id"]), str(item["custom_id"])))
            elif item.get("url"):
                found.append((f"{item.get('label')} (link: {item['url']})", ""))
    return found


class SandboxSession:
    """One person's terminal session: a fake server, the real bot, and a movable clock."""

    def __init__(self, fake: FakeDiscord, server: Server, bot: PeerBot, clock: ManualClock) -> None:
        self.fake, self.server, self.bot, self.clock = fake, server, bot, clock
        self.people = {
            "you": server.admin,
            "sam": server.member,
            "val": server.volunteer,
            "vic": server.volunteer2,
            "fay": server.facilitator,
            "max": server.moderator,
        }
        self.me = server.admin
        self.last_message_id: int | None = None
        self.last_buttons: list[tuple[str, str]] = []

    def _resolve(self, value: str) -> Any:
        guild = self.fake.world.guilds[self.server.guild.id]
        if value.startswith("#"):
            for channel_id in guild.channel_ids:
                if self.fake.world.channel(channel_id).name == value[1:]:
                    return channel_id
            raise SandboxError(f"no channel {value}")
        if value.startswith("@"):
            name = value[1:].casefold()
            for role in guild.roles.values():
                if role.name.casefold() == name:
                    return role.id
            if name in self.people:
                return self.people[name].id
            raise SandboxError(f"no role or person {value}")
        return value

    def readable(self, text: str) -> str:
        """Show <#id>, <@&id> and <@id> as #name, @Role and @name, as Discord would."""
        world = self.fake.world
        guild = world.guilds[self.server.guild.id]

        def name(match: re.Match[str]) -> str:
            kind, target = match[1], int(match[2])
            if kind == "#" and target in world.channels:
                return f"#{world.channels[target].name}"
            if kind == "@&" and target in guild.roles:
                return f"@{guild.roles[target].name}"
            if kind.startswith("@") and target in world.users:
                return f"@{world.users[target].username}"
            return match[0]

        def when(match: re.Match[str]) -> str:
            instant = datetime.fromtimestamp(int(match[1]), UTC)
            return f"{instant:%a %d %b %Y %H:%M} UTC"

        return _TIMESTAMP.sub(when, _MENTION.sub(name, text))

    async def execute(self, line: str) -> str:
        """Run one line and return what to print (mentions shown as names)."""
        shown = self.readable(await self._execute(line))
        await self.bot.scheduler.run_due()  # work due now runs at once, as it would on a real clock
        return shown

    async def _execute(self, line: str) -> str:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            return f"(couldn't read that: {exc})"
        if not words:
            return ""
        head = words[0].lower()
        try:
            if head.startswith("/"):
                return await self._slash(words)
            handler = getattr(self, f"_cmd_{head.replace('-', '_')}", None)
            if handler is None:
                return "(unknown sandbox command; type help)"
            result: str = await handler(words[1:])
            return result
        except SandboxError as exc:
            return f"(Discord would not allow that: {exc})"

    async def _slash(self, words: list[str]) -> str:
        path = [words[0][1:]]
        options: dict[str, Any] = {}
        for word in words[1:]:
            key, colon, value = word.partition(":")
            if colon and key.isidentifier():
                options[key] = self._resolve(value)
            elif options:
                raise SandboxError(f"'{word}' should be name:value")
            else:
                path.append(word)
        options = {k: _coerce(v, self._option_schema(path, k)) for k, v in options.items()}
        ix = await self.fake.slash(self.server.guild.id, self.me.id, " ".join(path), options)
        return await self._answer(ix)

    def _option_schema(self, path: list[str], name: str) -> dict[str, Any]:
        try:
            options = self.fake.command(path[0], self.server.guild.id).get("options") or []
        except SandboxError:
            return {"type": 3}
        for part in path[1:]:
            options = next((o.get("options") or [] for o in options if o["name"] == part), [])
        return next((o for o in options if o["name"] == name), {"type": 3})

    async def _answer(self, ix: FakeInteraction) -> str:
        await ix.wait_response(timeout=10)
        await asyncio.sleep(SETTLE)
        if ix.response_type == 5:  # "thinking...": the answer comes as a follow-up or as an edit
            with contextlib.suppress(TimeoutError):
                await self.fake.wait_for(lambda: ix.followups or ix.edits, timeout=10)
        if ix.modal is not None:
            return await self._fill_modal(ix)
        message = ix.followups[-1] if ix.followups else ix.original
        components = message.components if message is not None else ix.components
        self.last_message_id = message.id if message is not None else None
        self.last_buttons = _buttons(components)
        prefix = "(only you can see this)\n" if ix.ephemeral else ""
        return prefix + render(message, ix.text(), self.last_buttons)

    async def _fill_modal(self, ix: FakeInteraction) -> str:
        assert ix.modal is not None  # noqa: S101 - checked by the caller
        values: dict[str, Any] = {}
        print(f"-- {ix.modal.title} --")  # noqa: T201 - interactive prompt
        for custom_id, spec in ix.modal.inputs().items():
            try:
                values[custom_id] = await asyncio.to_thread(input, f"{spec.get('label', custom_id)}: ")
            except EOFError:
                return "(form closed without sending)"
        return await self._answer(await self.fake.submit_modal(ix.modal, self.me.id, values))

    async def _cmd_help(self, args: list[str]) -> str:
        return HELP

    async def _cmd_as(self, args: list[str]) -> str:
        if not args or args[0].lower() not in self.people:
            return f"(choose one of: {', '.join(self.people)})"
        self.me = self.people[args[0].lower()]
        return f"(you are now {self.me.username})"

    async def _cmd_click(self, args: list[str]) -> str:
        if not args or not args[0].isdigit() or not 0 < int(args[0]) <= len(self.last_buttons):
            return "(no such button; the last answer's buttons are numbered [1], [2]...)"
        label, custom_id = self.last_buttons[int(args[0]) - 1]
        if not custom_id or self.last_message_id is None:
            return f"(that is a link button: {label})"
        ix = await self.fake.click(self.last_message_id, custom_id, self.me.id)
        return await self._answer(ix)

    async def _cmd_pick(self, args: list[str]) -> str:
        if len(args) < 2 or not args[0].isdigit() or not 0 < int(args[0]) <= len(self.last_buttons):
            return "(usage: pick N value, for a menu numbered [N] in the last answer)"
        _, custom_id = self.last_buttons[int(args[0]) - 1]
        if self.last_message_id is None:
            return "(no message to pick on)"
        ix = await self.fake.select(self.last_message_id, custom_id, self.me.id, [" ".join(args[1:])])
        return await self._answer(ix)

    async def _cmd_say(self, args: list[str]) -> str:
        if len(args) < 2:
            return "(usage: say #channel text)"
        self.fake.user_message(self._resolve(args[0]), self.me.id, " ".join(args[1:]))
        await asyncio.sleep(0.3)
        return "(posted)"

    async def _cmd_read(self, args: list[str]) -> str:
        if not args:
            return "(usage: read #channel)"
        messages = self.fake.messages(self._resolve(args[0]))[-5:]
        if messages:
            self.last_message_id = messages[-1].id
            self.last_buttons = _buttons(messages[-1].components)
        return "\n---\n".join(render(m, m.text(), _buttons(m.components)) for m in messages) or "(no messages)"

    async def _cmd_dms(self, args: list[str]) -> str:
        messages = self.fake.dm_messages(self.me.id)[-3:]
        if messages:
            self.last_message_id = messages[-1].id
            self.last_buttons = _buttons(messages[-1].components)
        return "\n---\n".join(render(m, m.text(), _buttons(m.components)) for m in messages) or "(no DMs)"

    async def _cmd_wait(self, args: list[str]) -> str:
        match = _DURATION.match(args[0]) if args else None
        if match is None:
            return "(usage: wait 30m, wait 2h or wait 1d)"
        self.clock.advance(timedelta(**{_UNITS[match[2]]: int(match[1])}))
        ran = await self.bot.scheduler.run_due()
        return f"(it is now {self.clock.now():%a %d %b %H:%M} UTC; {ran} scheduled task(s) ran)"

    async def _cmd_quickstart(self, args: list[str]) -> str:
        me, self.me = self.me, self.server.admin
        out = [
            await self._slash(["/setup", "channels", *(f"{k}:{v}" for k, v in self.server.channel_options().items())]),
            await self._slash(["/setup", "roles", *(f"{k}:{v}" for k, v in self.server.role_options().items())]),
            await self._slash(["/setup", "region", "timezone:Europe/London", "country:GB"]),
        ]
        self.me = me
        return out[-1]


async def _session_loop(session: SandboxSession) -> None:
    print("peerbot sandbox: a pretend Discord server on this computer. Type help, or /help.")  # noqa: T201
    while True:
        try:
            line = await asyncio.to_thread(input, f"{session.me.username}> ")
        except EOFError:
            await asyncio.sleep(SETTLE)
            return
        if line.strip().lower() in ("quit", "exit"):
            await asyncio.sleep(SETTLE)  # let work still in flight finish before the bot closes
            return
        print(await session.execute(line))  # noqa: T201 - the sandbox's output


async def run_sandbox(data_dir: Path) -> None:
    clock = ManualClock(Clock().now())
    async with FakeDiscord(message_content_allowed=True) as fake:
        server = build_server(fake, "Sandbox Server")
        settings = Settings(
            token=fake.token,
            database_path=data_dir / "sandbox.sqlite3",
            secret_key_file=data_dir / "secret.key",
            api_base=fake.api_base,
            gateway_url=fake.gateway_url,
        )
        async with running_bot(PeerBot(settings, clock=clock, guild_ready_timeout=0.05), fake) as bot:
            await _session_loop(SandboxSession(fake, server, bot, clock))


def main() -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.ERROR)  # no voice-support warnings in a text sandbox
    with tempfile.TemporaryDirectory(prefix="peerbot-sandbox-") as tmp:
        asyncio.run(run_sandbox(Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
