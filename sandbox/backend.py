"""Shared state of one fake server, reachable from every aiohttp handler via ``backend(request)``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from sandbox.commands import CommandRegistry
from sandbox.errors import ApiError, invalid_form, unknown
from sandbox.faults import FaultInjector
from sandbox.gateway import GatewayHub
from sandbox.http import Call
from sandbox.interactions import InteractionFactory
from sandbox.results import FakeInteraction
from sandbox.state import World

API_PREFIX = "/api/v10"


@dataclass
class MentionRecord:
    """allowed_mentions (None when absent) of one message-bearing request the bot made."""

    route: str
    allowed_mentions: dict[str, Any] | None
    content: str


@dataclass
class Backend:
    """Everything the REST handlers and the facade share."""

    world: World
    commands: CommandRegistry
    hub: GatewayHub
    factory: InteractionFactory
    faults: FaultInjector = field(default_factory=FaultInjector)
    calls: list[Call] = field(default_factory=list)
    interactions: dict[int, FakeInteraction] = field(default_factory=dict)
    mentions: list[MentionRecord] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def interaction_by_token(self, token: str) -> FakeInteraction:
        for ix in self.interactions.values():
            if ix.token == token:
                return ix
        raise unknown("Webhook")

    def note_message(self, request: web.Request, data: dict[str, Any]) -> None:
        """Remember allowed_mentions of a request that carries message content."""
        if any(data.get(k) for k in ("content", "embeds", "components", "attachments")):
            route = f"{request.method} {request.path.removeprefix(API_PREFIX)}"
            self.mentions.append(MentionRecord(route, data.get("allowed_mentions"), str(data.get("content") or "")))


BACKEND = web.AppKey("sandbox_backend", Backend)


def backend(request: web.Request) -> Backend:
    return request.app[BACKEND]


def snowflake(request: web.Request, name: str) -> int:
    """A snowflake path parameter; Discord answers 400 for a malformed one."""
    raw = request.match_info[name]
    if not raw.isdigit():
        raise invalid_form(name, "NUMBER_TYPE_COERCE", f'Value "{raw}" is not snowflake.')
    return int(raw)


def require(condition: bool, error: ApiError) -> None:
    if not condition:
        raise error
