"""Plain-text extraction from message payloads, so tests can assert on what a user would read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def embed_text(embed: dict[str, Any]) -> list[str]:
    """Author, title, description, field names/values and footer of one embed, in reading order."""
    parts: list[str] = []
    author = embed.get("author") or {}
    parts.append(str(author.get("name") or ""))
    parts.append(str(embed.get("title") or ""))
    parts.append(str(embed.get("description") or ""))
    for fld in embed.get("fields") or []:
        parts.append(str(fld.get("name") or ""))
        parts.append(str(fld.get("value") or ""))
    footer = embed.get("footer") or {}
    parts.append(str(footer.get("text") or ""))
    return [p for p in parts if p]


def components_text(components: Iterable[dict[str, Any]]) -> list[str]:
    """Text of Components V2 text displays (type 10), searched through containers and sections."""
    parts: list[str] = []
    for comp in components:
        if comp.get("type") == 10 and comp.get("content"):
            parts.append(str(comp["content"]))
        parts.extend(components_text(comp.get("components") or []))
        for key in ("component", "accessory"):
            child = comp.get(key)
            if isinstance(child, dict):
                parts.extend(components_text([child]))
    return parts


def message_text(content: str | None, embeds: Iterable[dict[str, Any]], components: Iterable[dict[str, Any]]) -> str:
    """Everything readable in a message, joined by newlines."""
    parts = [content] if content else []
    for embed in embeds:
        parts.extend(embed_text(embed))
    parts.extend(components_text(components))
    return "\n".join(parts)
