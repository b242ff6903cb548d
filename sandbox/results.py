"""What a test gets back from an interaction: the bot's callback, edits and follow-ups."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.models import Message
from sandbox.state import World
from sandbox.textual import message_text

RESPONSE_NAMES = {
    1: "PONG",
    4: "CHANNEL_MESSAGE_WITH_SOURCE",
    5: "DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE",
    6: "DEFERRED_UPDATE_MESSAGE",
    7: "UPDATE_MESSAGE",
    8: "APPLICATION_COMMAND_AUTOCOMPLETE_RESULT",
    9: "MODAL",
}


@dataclass
class ModalSpec:
    """A modal the bot opened (response type 9); pass it to ``FakeDiscord.submit_modal``."""

    custom_id: str
    title: str
    components: list[dict[str, Any]]
    source: FakeInteraction

    def inputs(self) -> dict[str, dict[str, Any]]:
        """Every input component with a custom_id, by custom_id."""
        found: dict[str, dict[str, Any]] = {}
        stack = list(self.components)
        while stack:
            comp = stack.pop(0)
            if comp.get("custom_id"):
                found[str(comp["custom_id"])] = comp
            stack.extend(comp.get("components") or [])
            if isinstance(comp.get("component"), dict):
                stack.append(comp["component"])
        return found

    def __getitem__(self, key: str) -> Any:
        return {"custom_id": self.custom_id, "title": self.title, "components": self.components}[key]


@dataclass
class FakeInteraction:
    """An interaction the fake sent to the bot, and everything the bot answered."""

    world: World
    id: int
    token: str
    type: int
    payload: dict[str, Any]
    guild_id: int | None
    channel_id: int
    user_id: int
    source_message_id: int | None = None
    created: float = field(default_factory=time.monotonic)
    response_type: int | None = None
    response_data: dict[str, Any] | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    responded: asyncio.Event = field(default_factory=asyncio.Event)
    followup_added: asyncio.Event = field(default_factory=asyncio.Event)
    modal: ModalSpec | None = None
    # Measurement hooks (bench/): time.perf_counter() when the fake dispatched INTERACTION_CREATE, when the bot's
    # interaction callback reached it, and when its first follow-up or @original edit did. Nothing reads them here.
    dispatched_at: float | None = None
    callback_at: float | None = None
    first_followup_at: float | None = None

    def __repr__(self) -> str:
        name = RESPONSE_NAMES.get(self.response_type or 0, "no response")
        return f"<FakeInteraction id={self.id} type={self.type} response={name} followups={len(self.followup_ids)}>"

    async def wait_response(self, timeout: float = 5.0) -> FakeInteraction:  # noqa: ASYNC109 - public API
        """Wait for the bot's callback; raise TimeoutError naming the interaction if none arrives."""
        try:
            await asyncio.wait_for(self.responded.wait(), timeout)
        except TimeoutError:
            what = self.payload.get("data", {}).get("name") or self.payload.get("data", {}).get("custom_id")
            raise TimeoutError(
                f"the bot did not respond to interaction {self.id} ({what!r}) within {timeout}s"
            ) from None
        return self

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:  # noqa: ASYNC109
        """Wait until at least ``count`` follow-ups exist (a deferred reply's first one counts)."""
        deadline = time.monotonic() + timeout
        while self._answer_count() < count:
            self.followup_added.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"interaction {self.id}: expected {count} follow-up(s), got {self._answer_count()}")
            try:
                await asyncio.wait_for(self.followup_added.wait(), remaining)
            except TimeoutError:
                continue
        return self.followups

    def _answer_count(self) -> int:
        completed_defer = self.response_type == 5 and self.original is not None and not self.original.flags & 128
        return len(self.followup_ids) + (1 if completed_defer else 0)

    @property
    def original(self) -> Message | None:
        """The @original message (response, completed defer, or the updated component message)."""
        return self.world.messages.get(self.original_id) if self.original_id is not None else None

    @property
    def message(self) -> Message | None:
        """The message a component was on (for clicks), else the original response."""
        if self.source_message_id is not None:
            return self.world.messages.get(self.source_message_id)
        return self.original

    @property
    def followups(self) -> list[Message]:
        return [self.world.messages[m] for m in self.followup_ids if m in self.world.messages]

    @property
    def ephemeral(self) -> bool:
        data = self.response_data or {}
        if self.response_type in (6, 7) and self.original is not None:
            return self.original.ephemeral
        return bool(int(data.get("flags") or 0) & 64)

    @property
    def deferred(self) -> bool:
        return self.response_type in (5, 6)

    @property
    def content(self) -> str | None:
        if self.original is not None and self.response_type != 6:
            return self.original.content
        return (self.response_data or {}).get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        if self.original is not None:
            return self.original.embeds
        return list((self.response_data or {}).get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        if self.original is not None:
            return self.original.components
        return list((self.response_data or {}).get("components") or [])

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (response type 8)."""
        return list((self.response_data or {}).get("choices") or [])

    def text(self) -> str:
        """Readable text of the response (after edits) and every follow-up still shown, newline-joined."""
        parts: list[str] = []
        original = self.original
        if original is not None and original.deleted:
            original = None
        if original is not None and (self.response_type in (4, 5, 7) or (self.response_type == 6 and self.edits)):
            parts.append(original.text())
        elif self.response_type in (4, 7) and self.response_data and self.original is None:
            data = self.response_data
            parts.append(message_text(data.get("content"), data.get("embeds") or [], data.get("components") or []))
        parts.extend(m.text() for m in self.followups if not m.deleted)
        return "\n".join(p for p in parts if p)
