"""HTTP plumbing shared by the REST routes: exact JSON responses, body parsing, call records."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox.errors import ApiError
from sandbox.messages import Upload


@dataclass
class Payload:
    """A request body: the JSON object (or multipart ``payload_json``) and uploaded files."""

    json: Any = None
    files: list[Upload] = field(default_factory=list)

    def obj(self) -> dict[str, Any]:
        """The JSON body as a dict ({} when absent); a non-object body is a 400 like Discord's."""
        if self.json is None:
            return {}
        if not isinstance(self.json, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        return self.json


PAYLOAD_KEY = web.RequestKey("sandbox_payload", Payload)


@dataclass
class Call:
    """One recorded REST request."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[str]
    time: float
    status: int = 0
    authorized: bool = False
    unknown_route: bool = False

    def __repr__(self) -> str:
        return f"<Call {self.method} {self.path} -> {self.status}>"


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A response whose Content-Type is exactly ``application/json`` (discord.py requires that)."""
    body = json.dumps(data, separators=(",", ":")).encode()
    resp = web.Response(body=body, status=status, headers=headers)
    resp.headers["Content-Type"] = "application/json"
    return resp


def error_response(error: ApiError) -> web.Response:
    return json_response(error.body(), error.status)


def no_content() -> web.Response:
    return web.Response(status=204)


async def read_payload(request: web.Request) -> Payload:
    """Parse JSON or multipart (payload_json + files[n]) bodies; cache on the request."""
    cached = request.get(PAYLOAD_KEY)
    if isinstance(cached, Payload):
        return cached
    payload = Payload()
    if request.content_type.startswith("multipart/"):
        payload = await _read_multipart(request)
    elif request.body_exists:
        raw = await request.read()
        if raw:
            try:
                payload.json = json.loads(raw)
            except ValueError as exc:
                raise ApiError(400, 50109, "The request body contains invalid JSON.") from exc
    request[PAYLOAD_KEY] = payload
    return payload


async def _read_multipart(request: web.Request) -> Payload:
    payload = Payload()
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            continue
        name = part.name or ""
        data = bytes(await part.read(decode=False))
        if name == "payload_json":
            try:
                payload.json = json.loads(data)
            except ValueError as exc:
                raise ApiError(400, 50109, "The request body contains invalid JSON.") from exc
        elif name.startswith("file"):
            payload.files.append(Upload(name, part.filename or name, data, part.headers.get("Content-Type")))
    return payload


def new_call(request: web.Request, prefix: str) -> Call:
    path = request.path[len(prefix) :] if request.path.startswith(prefix) else request.path
    return Call(request.method, path, dict(request.query), None, [], time.time())


def flag(request: web.Request, name: str) -> bool:
    """A boolean query parameter as discord.py sends it ('true'/'1')."""
    return request.query.get(name, "").lower() in ("1", "true")
