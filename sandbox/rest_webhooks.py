"""Interaction callbacks and the interaction webhook (follow-ups, @original edits and deletes)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from sandbox import messages, serialize
from sandbox.backend import Backend, backend, require, snowflake
from sandbox.errors import ApiError, invalid_form, unknown
from sandbox.flags import MsgFlag
from sandbox.http import Payload, flag, json_response, no_content, read_payload
from sandbox.models import Message, iso
from sandbox.results import FakeInteraction, ModalSpec
from sandbox.validate import check_choices, check_message, check_modal

TOKEN_LIFETIME = 15 * 60
_ALLOWED = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}


def _metadata(be: Backend, ix: FakeInteraction, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "id": str(ix.id),
        "type": ix.type,
        "user": serialize.user_json(be.world.users[ix.user_id]),
        "authorizing_integration_owners": ix.payload.get("authorizing_integration_owners", {}),
    }
    if ix.type == 2:
        meta["name"] = ix.payload["data"]["name"]
        meta["command_type"] = ix.payload["data"].get("type", 1)
    if ix.source_message_id is not None:
        meta["interacted_message_id"] = str(ix.source_message_id)
    meta.update({k: v for k, v in extra.items() if v is not None})
    return meta


def _new_message(be: Backend, ix: FakeInteraction, data: dict[str, Any], payload: Payload, **extra: Any) -> Message:
    world = be.world
    channel = world.channel(ix.channel_id)
    app_id = world.application_id
    return messages.build_message(
        world, channel, world.bot_user.id, data, payload.files, webhook_id=app_id, application_id=app_id, **extra
    )


# -- POST /interactions/{id}/{token}/callback ----------------------------------------------------
async def interaction_callback(request: web.Request) -> web.Response:
    be = backend(request)
    ix = be.interactions.get(snowflake(request, "interaction_id"))
    if ix is None or ix.token != request.match_info["token"]:
        raise unknown("Interaction")
    if ix.callback_at is None:
        ix.callback_at = time.perf_counter()  # measurement hook (bench/)
    require(time.monotonic() - ix.created <= be.world.config.interaction_ack_timeout, unknown("Interaction"))
    require(ix.response_type is None, ApiError(400, 40060, "Interaction has already been acknowledged."))
    payload = await read_payload(request)
    body = payload.obj()
    kind, data = int(body.get("type") or 0), dict(body.get("data") or {})
    if kind not in _ALLOWED.get(ix.type, set()) or (kind in (6, 7) and ix.source_message_id is None):
        raise invalid_form(
            "type",
            "INTERACTION_RESPONSE_TYPE_INVALID",
            f"Response type {kind} is invalid for interaction type {ix.type}",
        )
    message = _respond(be, request, ix, kind, data, payload)
    ix.response_type, ix.response_data = kind, data
    ix.responded.set()
    if not flag(request, "with_response"):
        return no_content()
    return json_response(_callback_body(be, ix, kind, message))


def _respond(
    be: Backend, request: web.Request, ix: FakeInteraction, kind: int, data: dict[str, Any], payload: Payload
) -> Message | None:
    world = be.world
    if kind == 4:
        be.note_message(request, data)
        msg = _new_message(
            be, ix, data, payload, type=20 if ix.type == 2 else 0, interaction_metadata=_metadata(be, ix)
        )
        ix.original_id = messages.publish(world, msg).id
        return msg
    if kind == 5:
        loading = {"flags": int(data.get("flags") or 0) & MsgFlag.EPHEMERAL}
        msg = Message(world.new_id(), ix.channel_id, world.bot_user.id, iso(), guild_id=ix.guild_id)
        msg.flags = loading["flags"] | MsgFlag.LOADING
        msg.type = 20 if ix.type == 2 else 0
        msg.webhook_id = msg.application_id = world.application_id
        msg.interaction_metadata = _metadata(be, ix)
        ix.original_id = messages.publish(world, msg).id
        return msg
    if kind in (6, 7):
        ix.original_id = ix.source_message_id
        source = world.messages[ix.source_message_id or 0]
        if kind == 7:
            be.note_message(request, data)
            messages.edit(world, source, data, payload.files)
        return source if kind == 7 else None
    if kind == 8:
        check_choices(data.get("choices", []))
    elif kind == 9:
        check_modal(data)
        ix.modal = ModalSpec(str(data["custom_id"]), str(data["title"]), list(data["components"]), ix)
    return None


def _callback_body(be: Backend, ix: FakeInteraction, kind: int, message: Message | None) -> dict[str, Any]:
    interaction: dict[str, Any] = {"id": str(ix.id), "type": ix.type}
    resource: dict[str, Any] = {"type": kind}
    if message is not None:
        interaction.update(
            response_message_id=str(message.id),
            response_message_loading=bool(message.flags & MsgFlag.LOADING),
            response_message_ephemeral=message.ephemeral,
        )
        resource["message"] = serialize.message_json(message, be.world)
    return {"interaction": interaction, "resource": resource}


# -- /webhooks/{application_id}/{token} -----------------------------------------------------------
def _webhook_interaction(request: web.Request) -> tuple[Backend, FakeInteraction]:
    be = backend(request)
    require(snowflake(request, "app_id") == be.world.application_id, unknown("Webhook"))
    ix = be.interaction_by_token(request.match_info["token"])
    require(time.monotonic() - ix.created <= TOKEN_LIFETIME, ApiError(401, 50027, "Invalid Webhook Token"))
    require(ix.response_type is not None, unknown("Webhook"))
    return be, ix


def _target(request: web.Request, ix: FakeInteraction) -> Message:
    raw = request.match_info["message_id"]
    mid = ix.original_id if raw == "@original" else snowflake(request, "message_id")
    msg = ix.world.messages.get(mid or 0)
    known = {ix.original_id, *ix.followup_ids}
    if msg is None or msg.deleted or msg.id not in known:
        raise unknown("Message")
    return msg


def _note_followup(ix: FakeInteraction) -> None:
    if ix.first_followup_at is None:
        ix.first_followup_at = time.perf_counter()  # measurement hook (bench/)


async def create_followup(request: web.Request) -> web.Response:
    be, ix = _webhook_interaction(request)
    _note_followup(ix)
    payload = await read_payload(request)
    data = payload.obj()
    be.note_message(request, data)
    original = ix.original
    if ix.response_type == 5 and original is not None and original.flags & MsgFlag.LOADING:
        msg = _complete_deferred(be, original, data, payload)
    else:
        extra = {"original_response_message_id": str(ix.original_id) if ix.original_id else None}
        msg = _new_message(be, ix, data, payload, interaction_metadata=_metadata(be, ix, **extra))
        messages.publish(be.world, msg)
        ix.followup_ids.append(msg.id)
    ix.followup_added.set()
    if not flag(request, "wait"):
        return no_content()
    return json_response(serialize.message_json(msg, be.world))


def _complete_deferred(be: Backend, original: Message, data: dict[str, Any], payload: Payload) -> Message:
    """The first follow-up after a deferred reply replaces the "thinking..." message."""
    check_message(data, len(payload.files))
    original.flags &= ~MsgFlag.LOADING
    edit = {k: v for k, v in data.items() if k != "flags"}
    edit.setdefault("content", "")
    return messages.edit(be.world, original, edit, payload.files)


async def get_webhook_message(request: web.Request) -> web.Response:
    be, ix = _webhook_interaction(request)
    return json_response(serialize.message_json(_target(request, ix), be.world))


async def edit_webhook_message(request: web.Request) -> web.Response:
    be, ix = _webhook_interaction(request)
    _note_followup(ix)
    msg = _target(request, ix)
    payload = await read_payload(request)
    data = payload.obj()
    be.note_message(request, data)
    msg.flags &= ~MsgFlag.LOADING
    messages.edit(be.world, msg, data, payload.files)
    ix.edits.append(data)
    ix.followup_added.set()
    return json_response(serialize.message_json(msg, be.world))


async def delete_webhook_message(request: web.Request) -> web.Response:
    be, ix = _webhook_interaction(request)
    messages.delete(be.world, _target(request, ix))
    return no_content()


def routes() -> list[web.RouteDef]:
    hook = "/webhooks/{app_id}/{token}"
    return [
        web.post("/interactions/{interaction_id}/{token}/callback", interaction_callback),
        web.post(hook, create_followup),
        web.get(hook + "/messages/{message_id}", get_webhook_message),
        web.patch(hook + "/messages/{message_id}", edit_webhook_message),
        web.delete(hook + "/messages/{message_id}", delete_webhook_message),
    ]
