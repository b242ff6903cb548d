"""Discord's documented limits on message payloads, enforced with Discord's error codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandbox.errors import ApiError, invalid_form
from sandbox.flags import MsgFlag

_EMBED_LIMITS = {"title": 256, "description": 4096}


def _too_long(field: str, limit: int) -> ApiError:
    return invalid_form(field, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def has_message_body(data: dict[str, Any], file_count: int) -> bool:
    """True when the payload carries something Discord can show as a message."""
    keys = ("content", "embeds", "components", "sticker_ids", "poll")
    return file_count > 0 or any(data.get(k) for k in keys)


def check_message(data: dict[str, Any], file_count: int, *, editing: bool = False) -> None:
    """Validate a create/edit message payload; raise the ApiError Discord would return."""
    if not editing and not has_message_body(data, file_count):
        raise ApiError(400, 50006, "Cannot send an empty message")
    content = data.get("content")
    if content is not None and not isinstance(content, str):
        raise invalid_form("content", "STRING_TYPE_CONVERT", "Could not interpret value as string.")
    if content is not None and len(content) > 2000:
        raise _too_long("content", 2000)
    flags = int(data.get("flags") or 0)
    if flags & MsgFlag.IS_COMPONENTS_V2 and (data.get("content") or data.get("embeds")):
        raise invalid_form(
            "content",
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        )
    check_embeds(data.get("embeds") or [])
    check_components(data.get("components") or [], v2=bool(flags & MsgFlag.IS_COMPONENTS_V2))
    check_allowed_mentions(data.get("allowed_mentions"))


def check_embeds(embeds: list[dict[str, Any]]) -> None:
    """Embed count, per-field and total-length limits."""
    if len(embeds) > 10:
        raise invalid_form("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        total += _check_embed(i, embed)
    if total > 6000:
        raise invalid_form("embeds", "MESSAGE_EMBED_TOO_LONG", "Embed size exceeds maximum size of 6000")


def _check_embed(i: int, embed: dict[str, Any]) -> int:
    size = 0
    for key, limit in _EMBED_LIMITS.items():
        value = str(embed.get(key) or "")
        if len(value) > limit:
            raise _too_long(f"embeds.{i}.{key}", limit)
        size += len(value)
    fields = embed.get("fields") or []
    if len(fields) > 25:
        raise invalid_form(f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for j, fld in enumerate(fields):
        for key, limit in (("name", 256), ("value", 1024)):
            value = str(fld.get(key) or "")
            if not value:
                raise invalid_form(f"embeds.{i}.fields.{j}.{key}", "BASE_TYPE_REQUIRED", "This field is required")
            if len(value) > limit:
                raise _too_long(f"embeds.{i}.fields.{j}.{key}", limit)
            size += len(value)
    for key, inner, limit in (("footer", "text", 2048), ("author", "name", 256)):
        value = str((embed.get(key) or {}).get(inner) or "")
        if len(value) > limit:
            raise _too_long(f"embeds.{i}.{key}.{inner}", limit)
        size += len(value)
    return size


def _walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for comp in components:
        yield comp
        yield from _walk(comp.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                yield from _walk([comp[key]])


def check_components(components: list[dict[str, Any]], *, v2: bool = False) -> None:
    """Row limits, custom_id uniqueness and lengths, button label/url rules."""
    if not v2:
        if len(components) > 5:
            raise invalid_form("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for i, row in enumerate(components):
            if row.get("type") != 1:
                raise invalid_form(
                    f"components.{i}.type",
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "Top-level components must be action rows (or set IS_COMPONENTS_V2)",
                )
            if len(row.get("components") or []) > 5:
                raise invalid_form(
                    f"components.{i}.components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."
                )
    seen: set[str] = set()
    for comp in _walk(components):
        _check_component(comp, seen)


def _check_component(comp: dict[str, Any], seen: set[str]) -> None:
    custom_id = comp.get("custom_id")
    if custom_id is not None:
        if len(str(custom_id)) > 100:
            raise _too_long("components.custom_id", 100)
        if custom_id in seen:
            raise invalid_form(
                "components.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
            )
        seen.add(str(custom_id))
    if comp.get("type") == 2:
        if len(str(comp.get("label") or "")) > 80:
            raise _too_long("components.label", 80)
        is_link = comp.get("style") == 5
        if is_link != bool(comp.get("url")) or (is_link and custom_id is not None):
            raise invalid_form(
                "components.url",
                "BUTTON_COMPONENT_INVALID",
                "Link buttons need a url and no custom_id; others need a custom_id",
            )


def check_allowed_mentions(am: Any) -> None:
    """'parse' may not list a kind that is also given explicitly (Discord rejects it)."""
    if am is None:
        return
    if not isinstance(am, dict):
        raise invalid_form("allowed_mentions", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    parse = am.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and am.get(kind):
            raise invalid_form(
                f"allowed_mentions.parse.{kind}",
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def check_choices(choices: Any) -> None:
    """Autocomplete results: at most 25 choices, names 1-100 chars, string values <= 100 chars."""
    if not isinstance(choices, list) or len(choices) > 25:
        raise invalid_form("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for i, choice in enumerate(choices):
        name = str(choice.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise invalid_form(f"data.choices.{i}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            raise _too_long(f"data.choices.{i}.value", 100)


def check_modal(data: dict[str, Any]) -> None:
    """Modal title/custom_id lengths and 1-5 top-level components."""
    if not 1 <= len(str(data.get("title") or "")) <= 45:
        raise invalid_form("data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
    if not 1 <= len(str(data.get("custom_id") or "")) <= 100:
        raise invalid_form("data.custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    comps = data.get("components") or []
    if not 1 <= len(comps) <= 5:
        raise invalid_form("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    check_components(comps, v2=True)
