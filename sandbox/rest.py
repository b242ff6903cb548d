"""The aiohttp application: middleware (auth, recording, faults, errors) and the core REST routes.

Channel, thread, guild and interaction/webhook routes live in ``rest_*`` modules.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox import rest_channels, rest_guilds, rest_threads, rest_webhooks, serialize
from sandbox.backend import API_PREFIX, BACKEND, Backend, backend, snowflake
from sandbox.commands import AppCommand
from sandbox.errors import ApiError, missing_access
from sandbox.http import error_response, json_response, new_call, no_content, read_payload

log = logging.getLogger(__name__)
_NO_AUTH_PREFIXES = ("/webhooks/", "/interactions/")


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record every API call, check auth, apply injected faults and turn errors into Discord JSON."""
    if not request.path.startswith(API_PREFIX + "/"):
        return await _plain(request, handler)
    be = backend(request)
    call = new_call(request, API_PREFIX)
    be.calls.append(call)
    response: web.StreamResponse
    try:
        payload = await read_payload(request)
        call.json, call.files = payload.json, [f.filename for f in payload.files]
        call.authorized = request.headers.get("Authorization") == f"Bot {be.world.config.token}"
        response = _pre_route(be, request, call.path, call.authorized) or await handler(request)
    except ApiError as exc:
        response = error_response(exc)
    except web.HTTPNotFound:
        log.warning("sandbox: unknown route %s %s", request.method, call.path)
        call.unknown_route = True
        response = json_response({"message": "404: Not Found", "code": 0}, 404)
    except web.HTTPMethodNotAllowed:
        response = json_response({"message": "405: Method Not Allowed", "code": 0}, 405)
    except Exception as exc:  # a bug in the fake itself: fail fast instead of a retried 500
        log.exception("sandbox internal error on %s %s", request.method, call.path)
        be.server_errors.append(f"{request.method} {call.path}: {exc!r}")
        response = json_response({"message": f"sandbox internal error: {exc!r}", "code": 0}, 400)
    call.status = response.status
    return response


def _pre_route(be: Backend, request: web.Request, path: str, authorized: bool) -> web.Response | None:
    if not authorized and not path.startswith(_NO_AUTH_PREFIXES):
        return json_response({"message": "401: Unauthorized", "code": 0}, 401)
    return be.faults.take(request.method, path)


async def _plain(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPNotFound:
        return web.Response(status=404, text="404: Not Found")
    return response


# -- users, application, gateway -------------------------------------------------------------
async def get_me(request: web.Request) -> web.Response:
    return json_response(serialize.self_user_json(backend(request).world.bot_user))


async def get_user(request: web.Request) -> web.Response:
    world = backend(request).world
    return json_response(serialize.user_json(world.user(snowflake(request, "user_id"))))


async def get_application(request: web.Request) -> web.Response:
    return json_response(serialize.application_json(backend(request).world))


async def get_gateway(request: web.Request) -> web.Response:
    return json_response({"url": backend(request).hub.url})


async def get_gateway_bot(request: web.Request) -> web.Response:
    limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
    return json_response({"url": backend(request).hub.url, "shards": 1, "session_start_limit": limit})


# -- application commands --------------------------------------------------------------------
def _scope(request: web.Request) -> int | None:
    be = backend(request)
    if snowflake(request, "app_id") != be.world.application_id:
        raise missing_access()
    if "guild_id" not in request.match_info:
        return None
    guild_id = snowflake(request, "guild_id")
    if guild_id not in be.world.guilds:
        raise missing_access()
    return guild_id


def _commands_json(commands: list[AppCommand]) -> list[dict[str, Any]]:
    return [c.to_json() for c in commands]


async def list_commands(request: web.Request) -> web.Response:
    return json_response(_commands_json(backend(request).commands.in_scope(_scope(request))))


async def overwrite_commands(request: web.Request) -> web.Response:
    scope = _scope(request)
    payload = (await read_payload(request)).json
    return json_response(_commands_json(backend(request).commands.overwrite(scope, payload)))


async def create_command(request: web.Request) -> web.Response:
    scope = _scope(request)
    cmd, created = backend(request).commands.upsert(scope, (await read_payload(request)).obj())
    return json_response(cmd.to_json(), 201 if created else 200)


async def get_command(request: web.Request) -> web.Response:
    cmd = backend(request).commands.get(_scope(request), snowflake(request, "command_id"))
    return json_response(cmd.to_json())


async def edit_command(request: web.Request) -> web.Response:
    scope = _scope(request)
    registry = backend(request).commands
    cmd = registry.get(scope, snowflake(request, "command_id"))
    merged = {**cmd.to_json(), **(await read_payload(request)).obj()}
    registry.delete(scope, cmd.id)
    updated, _ = registry.upsert(scope, merged)
    updated.id = cmd.id
    return json_response(updated.to_json())


async def delete_command(request: web.Request) -> web.Response:
    backend(request).commands.delete(_scope(request), snowflake(request, "command_id"))
    return no_content()


async def command_permissions(request: web.Request) -> web.Response:
    guild_id = _scope(request)
    return json_response(backend(request).commands.permissions_json(guild_id or 0))


# -- fake CDN --------------------------------------------------------------------------------
async def cdn_attachment(request: web.Request) -> web.Response:
    att = backend(request).world.attachments.get(int(request.match_info["att_id"]))
    if att is None or att.filename != request.match_info["filename"]:
        return web.Response(status=404, text="Not Found")
    return web.Response(body=att.data, headers={"Content-Type": att.content_type or "application/octet-stream"})


def _core_routes() -> list[web.RouteDef]:
    app = "/applications/{app_id}"
    guild_cmds = app + "/guilds/{guild_id}/commands"
    return [
        web.get("/users/@me", get_me),
        web.get("/users/{user_id}", get_user),
        web.get("/oauth2/applications/@me", get_application),
        web.get("/applications/@me", get_application),
        web.get("/gateway", get_gateway),
        web.get("/gateway/bot", get_gateway_bot),
        web.get(app + "/commands", list_commands),
        web.put(app + "/commands", overwrite_commands),
        web.post(app + "/commands", create_command),
        web.get(app + "/commands/{command_id}", get_command),
        web.patch(app + "/commands/{command_id}", edit_command),
        web.delete(app + "/commands/{command_id}", delete_command),
        web.get(guild_cmds, list_commands),
        web.put(guild_cmds, overwrite_commands),
        web.post(guild_cmds, create_command),
        web.get(guild_cmds + "/permissions", command_permissions),
        web.get(guild_cmds + "/{command_id}", get_command),
        web.patch(guild_cmds + "/{command_id}", edit_command),
        web.delete(guild_cmds + "/{command_id}", delete_command),
    ]


def build_app(be: Backend) -> web.Application:
    """The whole fake: REST under /api/v10, the gateway websocket at /, files under /cdn."""
    app = web.Application(middlewares=[api_middleware], client_max_size=64 * 1024 * 1024)
    app[BACKEND] = be
    routes = (
        _core_routes() + rest_channels.routes() + rest_threads.routes() + rest_guilds.routes() + rest_webhooks.routes()
    )
    app.add_routes([web.route(r.method, API_PREFIX + r.path, r.handler) for r in routes if isinstance(r, web.RouteDef)])
    app.router.add_get("/", be.hub.handle)
    app.router.add_get("/cdn/attachments/{channel_id}/{att_id}/{filename}", cdn_attachment)
    return app
