"""The fake gateway: HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME with replay, intents.

One :class:`Session` survives connection drops (so RESUME can replay what was missed); a
:class:`Connection` is one websocket, optionally zlib-stream compressed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from sandbox.flags import ALL_INTENTS, Intent
from sandbox.gateway_payloads import member_chunks, privileged_denied, ready_payload
from sandbox.guilds import guild_create_payload
from sandbox.messages import strip_content
from sandbox.state import Dispatch, World

log = logging.getLogger(__name__)
HISTORY_LIMIT = 5000
_CLOSE = object()


@dataclass
class Identity:
    """What a session identified with."""

    token: str
    intents: int
    shard: tuple[int, int] | None
    large_threshold: int = 50
    properties: dict[str, Any] = field(default_factory=dict)


class Connection:
    """One websocket; frames are queued and written in order by a single writer task."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: bool) -> None:
        self.ws = ws
        self.request = request
        self.compressor = zlib.compressobj() if compress else None
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        self.session: Session | None = None
        self.writer = asyncio.create_task(self._write())

    def send(self, frame: dict[str, Any]) -> None:
        self.queue.put_nowait(json.dumps(frame, separators=(",", ":")))

    def close(self, code: int, reason: str) -> None:
        """Close after the frames already queued have been written."""
        self.queue.put_nowait((_CLOSE, code, reason))

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (what a network failure looks like)."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def _write(self) -> None:
        try:
            while True:
                item = await self.queue.get()
                if isinstance(item, tuple):
                    await self.ws.close(code=item[1], message=item[2].encode())
                    return
                await self._write_text(str(item))
        except (ConnectionError, RuntimeError) as exc:
            log.debug("gateway writer stopped: %r", exc)

    async def _write_text(self, text: str) -> None:
        if self.compressor is None:
            await self.ws.send_str(text)
            return
        data = self.compressor.compress(text.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
        await self.ws.send_bytes(data)


class Session:
    """A gateway session: sequence numbers and the history RESUME replays from."""

    def __init__(self, identity: Identity) -> None:
        self.id = secrets.token_hex(16)
        self.identity = identity
        self.seq = 0
        self.history: deque[tuple[int, dict[str, Any]]] = deque(maxlen=HISTORY_LIMIT)
        self.conn: Connection | None = None
        self.resumes = 0

    @property
    def intents(self) -> int:
        return self.identity.intents

    def dispatch(self, event: str, data: Any) -> None:
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.history.append((self.seq, frame))
        if self.conn is not None:
            self.conn.send(frame)

    def replay_after(self, seq: int) -> list[dict[str, Any]] | None:
        """Frames after ``seq``, or None when they are no longer all retained."""
        frames = [f for s, f in self.history if s > seq]
        oldest = self.history[0][0] if self.history else self.seq + 1
        if seq < self.seq and oldest > seq + 1:
            return None
        return frames

    def wants(self, guild_id: int | None) -> bool:
        shard = self.identity.shard
        if shard is None:
            return True
        if guild_id is None:
            return shard[0] == 0
        return (guild_id >> 22) % shard[1] == shard[0]


class GatewayHub:
    """Accepts gateway websockets and fans world events out to sessions."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identifies: list[Identity] = []
        self.errors: list[str] = []
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.url = "ws://127.0.0.1:0/"
        world.listeners.append(self.on_dispatch)

    # -- world events ------------------------------------------------------------------
    def on_dispatch(self, item: Dispatch) -> None:
        for session in list(self.sessions.values()):
            if not session.wants(item.guild_id):
                continue
            if item.intents and not session.intents & item.intents:
                continue
            session.dispatch(item.event, self._payload_for(session, item))

    def _payload_for(self, session: Session, item: Dispatch) -> Any:
        if item.event == "GUILD_CREATE":
            payload = self._guild_create(session, int(item.data["id"]))
            payload.pop("unavailable")  # a newly joined guild: discord.py then fires on_guild_join
            return payload
        if item.content_gated and not session.intents & Intent.MESSAGE_CONTENT:
            return strip_content(item.data)
        return item.data

    def _guild_create(self, session: Session, guild_id: int) -> dict[str, Any]:
        guild = self.world.guilds[guild_id]
        all_members = bool(session.intents & Intent.GUILD_PRESENCES)
        return guild_create_payload(
            self.world, guild, all_members=all_members, large_threshold=session.identity.large_threshold
        )

    # -- websocket handling --------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        problem = _check_query(request)
        if problem is not None:
            self.errors.append(problem)
            log.error("sandbox gateway refused connection: %s", problem)
            return web.Response(status=400, text=problem)
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws, request, request.query.get("compress") == "zlib-stream")
        self.connections.add(conn)
        conn.send(
            {
                "op": 10,
                "d": {"heartbeat_interval": self.world.config.heartbeat_interval, "_trace": ["sandbox-gateway"]},
                "s": None,
                "t": None,
            }
        )
        try:
            await self._receive_loop(conn)
        finally:
            self._detach(conn)
            conn.writer.cancel()
        return ws

    async def _receive_loop(self, conn: Connection) -> None:
        async for msg in conn.ws:
            if msg.type != WSMsgType.TEXT:
                if msg.type == WSMsgType.BINARY:
                    conn.close(4002, "Decode error")
                continue
            try:
                frame = json.loads(msg.data)
                op, data = int(frame["op"]), frame.get("d")
            except (ValueError, KeyError, TypeError):
                conn.close(4002, "Decode error")
                continue
            self._handle_op(conn, op, data)

    def _detach(self, conn: Connection) -> None:
        self.connections.discard(conn)
        session = conn.session
        if session is None or session.conn is not conn:
            return
        session.conn = None
        if conn.ws.close_code in (1000, 1001) and not _closed_by_server(conn):
            self.sessions.pop(session.id, None)  # a clean client close ends the session

    def _handle_op(self, conn: Connection, op: int, data: Any) -> None:
        if op == 1:
            conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            self._identify(conn, data)
        elif op == 6:
            self._resume(conn, data)
        elif conn.session is None:
            conn.close(4003, "Not authenticated.")
        elif op == 8:
            for chunk in member_chunks(self.world, data):
                conn.session.dispatch("GUILD_MEMBERS_CHUNK", chunk)
        elif op in (3, 4):
            return
        else:
            conn.close(4001, "Unknown opcode.")

    def _identify(self, conn: Connection, data: Any) -> None:
        if conn.session is not None:
            conn.close(4005, "Already authenticated.")
            return
        identity = _parse_identity(data)
        error = self._identity_error(identity)
        if error is not None:
            conn.close(*error)
            return
        if identity is None:  # already reported by _identity_error
            return
        self.identifies.append(identity)
        self._forget_stale(identity)
        self.ready.clear()
        session = Session(identity)
        self.sessions[session.id] = session
        session.conn = conn
        conn.session = session
        session.dispatch("READY", ready_payload(self.world, session.id, self.url, identity))
        for guild_id in self.world.guilds:
            if session.wants(guild_id):
                session.dispatch("GUILD_CREATE", self._guild_create(session, guild_id))
        self.ready.set()

    def _identity_error(self, identity: Identity | None) -> tuple[int, str] | None:
        if identity is None:
            return 4002, "Decode error"
        if identity.token != self.world.config.token:
            return 4004, "Authentication failed."
        if identity.intents & ~ALL_INTENTS or identity.intents < 0:
            return 4013, "Invalid intent(s)."
        if privileged_denied(self.world, identity.intents):
            return 4014, "Disallowed intent(s)."
        shard = identity.shard
        if shard is not None and not 0 <= shard[0] < shard[1]:
            return 4010, "Invalid shard."
        return None

    def _forget_stale(self, identity: Identity) -> None:
        for sid, session in list(self.sessions.items()):
            if session.conn is None and session.identity.shard == identity.shard:
                del self.sessions[sid]

    def _resume(self, conn: Connection, data: Any) -> None:
        data = data if isinstance(data, dict) else {}
        if data.get("token") != self.world.config.token:
            conn.close(4004, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq") or 0
        frames = session.replay_after(int(seq)) if session is not None and session.conn is None else None
        if session is None or frames is None:
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        session.conn = conn
        conn.session = session
        session.resumes += 1
        for frame in frames:
            conn.send(frame)
        session.dispatch("RESUMED", {"_trace": ["sandbox-gateway"]})
        self.resumed.set()

    # -- test controls ---------------------------------------------------------------------
    async def drop(self) -> None:
        """Abort every gateway connection; sessions stay resumable."""
        conns = list(self.connections)
        self.resumed.clear()
        for conn in conns:
            conn.abort()
        for _ in range(100):
            if not any(c in self.connections for c in conns):
                return
            await asyncio.sleep(0.01)

    def send_op(self, op: int, data: Any) -> None:
        """Send a raw opcode (7 RECONNECT, 9 INVALID_SESSION) to every connection."""
        for conn in list(self.connections):
            conn.send({"op": op, "d": data, "s": None, "t": None})

    async def close_all(self) -> None:
        for conn in list(self.connections):
            conn.abort()
        self.sessions.clear()


def _closed_by_server(conn: Connection) -> bool:
    return conn.writer.done()


def _check_query(request: web.Request) -> str | None:
    query = request.query
    if query.get("v", "10") != "10":
        return f"unsupported gateway version v={query.get('v')} (the sandbox speaks v10)"
    if query.get("encoding", "json") != "json":
        return f"unsupported encoding={query.get('encoding')} (the sandbox only speaks json)"
    compress = query.get("compress")
    if compress not in (None, "zlib-stream"):
        return f"unsupported compress={compress} (the sandbox supports zlib-stream or no compression)"
    return None


def _parse_identity(data: Any) -> Identity | None:
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        return None
    shard = data.get("shard")
    shard_tuple = (int(shard[0]), int(shard[1])) if isinstance(shard, list) and len(shard) == 2 else None
    intents = data.get("intents")
    return Identity(
        token=data["token"].removeprefix("Bot "),
        intents=int(intents) if isinstance(intents, int) else -1,
        shard=shard_tuple,
        large_threshold=int(data.get("large_threshold") or 50),
        properties=dict(data.get("properties") or {}),
    )
