"""Enumerate the bot's synced slash commands and build option values for them, for matrix and fuzz tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.demo import Server
from sandbox.server import FakeDiscord

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11


@dataclass(frozen=True)
class Leaf:
    """One invocable slash command: its full path and its options' schemas."""

    path: str
    options: tuple[dict[str, Any], ...]

    @property
    def top(self) -> str:
        return self.path.split()[0]


def leaves(fake: FakeDiscord) -> Iterator[Leaf]:
    for command in fake.commands():
        if command.get("type", 1) != 1:
            continue
        yield from _walk(command["name"], command.get("options") or [])


def _walk(path: str, options: list[dict[str, Any]]) -> Iterator[Leaf]:
    subs = [o for o in options if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
    if not subs:
        yield Leaf(path, tuple(options))
        return
    for sub in subs:
        yield from _walk(f"{path} {sub['name']}", sub.get("options") or [])


def plain_value(option: dict[str, Any], server: Server, fake: FakeDiscord) -> Any:
    """A simple valid value for a required option."""
    kind = option["type"]
    if option.get("choices"):
        return option["choices"][0]["value"]
    if kind == STRING:
        return "sample text"
    if kind in (INTEGER, NUMBER):
        low = option.get("min_value", 1)
        return max(low, 1) if option.get("max_value", 2) >= 1 else low
    if kind == BOOLEAN:
        return False
    if kind in (USER, MENTIONABLE):
        return server.member.id
    if kind == ROLE:
        return server.volunteer_role.id
    if kind == CHANNEL:
        types = option.get("channel_types") or [0]
        if 0 in types:
            return server.general.id
        return fake.add_channel(server.guild.id, "voice-room", type=types[0]).id
    if kind == ATTACHMENT:
        return fake.attachment("sample.csv", b"name\nExample\n", "text/csv")
    raise AssertionError(f"unknown option type {kind}")


def required_options(leaf: Leaf, server: Server, fake: FakeDiscord) -> dict[str, Any]:
    return {o["name"]: plain_value(o, server, fake) for o in leaf.options if o.get("required")}
