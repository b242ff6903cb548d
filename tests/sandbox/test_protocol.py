"""Wire-level checks of FakeDiscord with a plain aiohttp client: REST conventions and gateway protocol."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox import FakeDiscord


@pytest.fixture
async def http(fake: FakeDiscord) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        yield session


class Gateway:
    """A minimal gateway client that understands zlib-stream."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, zlib_stream: bool) -> None:
        self.ws = ws
        self.inflator = zlib.decompressobj() if zlib_stream else None

    async def recv(self) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=2)
        if msg.type == aiohttp.WSMsgType.BINARY:
            assert self.inflator is not None and msg.data.endswith(b"\x00\x00\xff\xff")
            return dict(json.loads(self.inflator.decompress(msg.data)))
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        return dict(json.loads(msg.data))

    async def send(self, op: int, d: Any) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": d}))

    async def identify(self, token: str, intents: int = 513) -> dict[str, Any]:
        await self.send(2, {"token": token, "intents": intents, "properties": {}})
        return await self.recv()


async def connect(session: aiohttp.ClientSession, fake: FakeDiscord, query: str = "v=10&encoding=json") -> Gateway:
    ws = await session.ws_connect(f"{fake.gateway_url}?{query}")
    gateway = Gateway(ws, "zlib-stream" in query)
    hello = await gateway.recv()
    assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
    return gateway


async def test_rest_conventions(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{fake.api_base}/users/@me") as resp:
        assert resp.status == 200 and resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["id"] == str(fake.bot_user.id)
    async with http.get(f"{fake.api_base}/users/@me", headers={"Authorization": "Bot wrong"}) as resp:
        assert resp.status == 401
    async with http.get(f"{fake.api_base}/nowhere/else") as resp:
        assert resp.status == 404 and await resp.json() == {"message": "404: Not Found", "code": 0}
    assert [c.path for c in fake.unknown_routes()] == ["/nowhere/else"]
    async with http.get(f"{fake.api_base}/oauth2/applications/@me") as resp:
        assert (await resp.json())["flags"] & (1 << 19) == 0  # message content not allowed


async def test_command_sync_validation_and_stable_ids(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    url = f"{fake.api_base}/applications/{fake.application_id}/commands"
    body = [{"name": "help", "description": "Help", "type": 1}]
    async with http.put(url, json=body) as resp:
        first = await resp.json()
    async with http.put(url, json=[*body, {"name": "Bad Name", "description": "x"}]) as resp:
        assert resp.status == 400 and (await resp.json())["code"] == 50035
    async with http.put(url, json=body) as resp:
        assert (await resp.json())[0]["id"] == first[0]["id"]
    assert fake.sync_count() == 2


async def test_identify_ready_and_dispatch(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    guild = fake.add_guild("G")
    alice = fake.add_member(guild.id, "alice")
    gw = await connect(http, fake)
    await gw.send(1, None)
    assert (await gw.recv())["op"] == 11
    ready = await gw.identify(fake.token)
    assert (ready["t"], ready["s"]) == ("READY", 1)
    assert ready["d"]["resume_gateway_url"] == fake.gateway_url
    assert ready["d"]["guilds"] == [{"id": str(guild.id), "unavailable": True}]
    create = await gw.recv()
    assert (create["t"], create["s"]) == ("GUILD_CREATE", 2)
    assert [m["user"]["id"] for m in create["d"]["members"]] == [str(fake.bot_user.id)]  # no presences intent
    fake.user_message(guild.system_channel_id or 0, alice.id, "secret")
    message = await gw.recv()
    assert (message["t"], message["s"], message["d"]["content"]) == ("MESSAGE_CREATE", 3, "")
    await gw.ws.close()


async def test_zlib_stream_and_unsupported_compression(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    gw = await connect(http, fake, "v=10&encoding=json&compress=zlib-stream")
    assert (await gw.identify(fake.token))["t"] == "READY"
    await gw.ws.close()
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await http.ws_connect(f"{fake.gateway_url}?v=10&encoding=json&compress=zstd-stream")
    assert "zstd-stream" in fake.gateway_errors()[0]


@pytest.mark.parametrize(
    ("token", "intents", "code"),
    [("wrong", 513, 4004), (None, 1 << 15, 4014), (None, 1 << 30, 4013)],
)
async def test_identify_errors(
    fake: FakeDiscord, http: aiohttp.ClientSession, token: str | None, intents: int, code: int
) -> None:
    gw = await connect(http, fake)
    await gw.send(2, {"token": token or fake.token, "intents": intents, "properties": {}})
    msg = await gw.ws.receive(timeout=2)
    assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == code


async def test_resume_replays_missed_events(fake: FakeDiscord, http: aiohttp.ClientSession) -> None:
    guild = fake.add_guild("G")
    alice = fake.add_member(guild.id, "alice")
    gw = await connect(http, fake)
    session_id = (await gw.identify(fake.token))["d"]["session_id"]
    await gw.recv()  # GUILD_CREATE, s=2
    await fake.drop_gateway()
    fake.user_message(guild.system_channel_id or 0, alice.id, "while away")
    bad = await connect(http, fake)
    await bad.send(6, {"token": fake.token, "session_id": "nope", "seq": 2})
    assert (await bad.recv()) == {"op": 9, "d": False, "s": None, "t": None}
    gw = await connect(http, fake)
    await gw.send(6, {"token": fake.token, "session_id": session_id, "seq": 2})
    replayed, resumed = await gw.recv(), await gw.recv()
    assert (replayed["t"], replayed["s"]) == ("MESSAGE_CREATE", 3)
    assert (resumed["t"], resumed["s"]) == ("RESUMED", 4)
    await gw.ws.close()
