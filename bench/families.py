"""The command families the benchmark measures, each as "one step": send one (or a few) interactions as a real
member would, wait for the bot's answers, and hand back what was measured.

A sample's latency is what the stand-in sees: from dispatching INTERACTION_CREATE to receiving the bot's
interaction callback (its first response: a message, a defer, a modal, an update or autocomplete choices).
When the first response is a defer, the step also waits for the first follow-up ("complete"), so the next step
never overlaps the previous one's work.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.world import BenchWorld, HotGuild
from sandbox.errors import SandboxError
from sandbox.results import FakeInteraction
from sandbox.server import FakeDiscord
from sandbox.state import Dispatch

_ID = re.compile(r"[0-9]{5,}|ixtoken\.[A-Za-z0-9_-]+|fake\.[A-Za-z0-9_-]+")
RESPONSE_TIMEOUT = 10.0
FOLLOWUP_TIMEOUT = 10.0
# discord.py registers a modal only once the HTTP response to its callback is back: a form sent back the instant
# it appears can beat that and be discarded. People take seconds to type; setup steps wait this long.
FORM_PAUSE = 0.01
# A moderator reads a card, an author sees their post, before pressing anything: at least this long (a person
# takes seconds). Without it the click lands while the bot is still recording the card or the post it just sent,
# and measures that queue rather than the command.
READ_PAUSE = 0.02
POSTED_LABEL = "share posted (no delay)"  # submit -> the public post, with timing protection off
SHARE_BODY = (
    "Today was a good day. I went for a walk by the river with my dog and noticed the first spring flowers. "
    "Thank you all for the kind words last week; they helped more than you know."
)


@dataclass
class Sample:
    label: str
    interaction_id: int
    latency_ms: float | None  # dispatch -> first response (None: no response in time)
    complete_ms: float | None  # dispatch -> first follow-up for a deferred answer, else the first response
    response_type: int | None
    error: str | None = None


def _ms(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else (end - start) * 1000


async def answered(ix: FakeInteraction, label: str, *, expect: tuple[int, ...] = ()) -> Sample:
    """Wait for the bot's first response (and, after a defer, its first follow-up); measure both."""
    error = None
    try:
        await ix.wait_response(RESPONSE_TIMEOUT)
    except TimeoutError:
        error = "no response"
    if error is None and ix.response_type in (5, 6):
        deadline = asyncio.get_running_loop().time() + FOLLOWUP_TIMEOUT
        while ix.first_followup_at is None:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                error = "deferred but no follow-up"
                break
            ix.followup_added.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ix.followup_added.wait(), remaining)
    if error is None and expect and ix.response_type not in expect:
        error = f"response type {ix.response_type}, expected {expect}"
    latency = _ms(ix.dispatched_at, ix.callback_at)
    end = ix.first_followup_at if ix.response_type in (5, 6) else ix.callback_at
    return Sample(label, ix.id, latency, _ms(ix.dispatched_at, end), ix.response_type, error)


def _cycle(items: list[int]) -> Iterator[int]:
    return itertools.cycle(items)


class Family:
    """One command family. `labels` are the measurements a step produces (most families: one)."""

    key = ""
    title = ""
    labels: tuple[str, ...] = ()
    command = ""

    def __init__(self, world: BenchWorld) -> None:
        self.world = world
        self.fake: FakeDiscord = world.fake
        self.guilds = itertools.cycle(world.hot)

    def unavailable(self) -> str | None:
        """Why the family can't be measured (its command isn't synced), or None."""
        guild_id = self.world.hot[0].id
        try:
            self.fake.backend.commands.find(guild_id, self.command)
        except SandboxError:
            return f"/{self.command} is not synced (its cog isn't there yet)"
        return None

    async def prepare(self) -> None:
        """Anything to do once before the first step."""

    async def step(self) -> list[Sample]:
        raise NotImplementedError

    async def slash(self, guild: HotGuild, user_id: int, path: str, options: dict[str, Any] | None = None) -> Any:
        return await self.fake.slash(guild.id, user_id, path, options)


class _MemberCommand(Family):
    path = ""
    role = "member"

    def __init__(self, world: BenchWorld) -> None:
        super().__init__(world)
        pools = {h.id: (h.volunteers if self.role == "volunteer" else h.members) for h in world.hot}
        self._people = {gid: _cycle(pool) for gid, pool in pools.items()}

    def options(self) -> dict[str, Any] | None:
        return None

    async def step(self) -> list[Sample]:
        guild = next(self.guilds)
        ix = await self.slash(guild, next(self._people[guild.id]), self.path, self.options())
        return [await answered(ix, self.labels[0])]


class Help(_MemberCommand):
    key, title, command, path, labels = "help", "/help", "help", "help", ("/help",)


class Crisis(_MemberCommand):
    key, title, command, path, labels = "crisis", "/crisis", "crisis", "crisis", ("/crisis",)


class GroupList(_MemberCommand):
    key, title, command, path, labels = "group_list", "/group list", "group", "group list", ("/group list",)


class Peer(_MemberCommand):
    key, title, command, path, labels = "peer", "/peer", "peer", "peer", ("/peer",)


class DutyOn(_MemberCommand):
    key, title, command, path, labels = "duty_on", "/duty on", "duty", "duty on", ("/duty on",)
    role = "volunteer"


class RotaView(_MemberCommand):
    key, title, command, path, labels = "rota_view", "/rota view", "rota", "rota view", ("/rota view",)
    role = "volunteer"


class GroupJoin(Family):
    """`/group join` by members who haven't joined that group yet (the write path), a new pair each time."""

    key, title, command, labels = "group_join", "/group join", "group", ("/group join",)

    def __init__(self, world: BenchWorld, group_ids: dict[int, list[int]]) -> None:
        super().__init__(world)
        pairs: list[tuple[HotGuild, int, int]] = []
        for position in range(max(len(h.members) for h in world.hot)):
            for guild in world.hot:
                if position < len(guild.members):
                    pairs += [(guild, guild.members[position], gid) for gid in group_ids.get(guild.id, [])]
        self.pair_count = len(pairs)  # after that many steps, joins repeat (and answer "already joined")
        self.pairs = itertools.cycle(pairs)
        self.has_groups = bool(pairs)

    def unavailable(self) -> str | None:
        reason = super().unavailable()
        if reason is None and not self.has_groups:
            return "no groups were seeded in the measured servers"
        return reason

    async def step(self) -> list[Sample]:
        guild, member, group_id = next(self.pairs)
        ix = await self.slash(guild, member, "group join", {"group": str(group_id)})
        return [await answered(ix, self.labels[0])]


class Resources(Family):
    """`/resources find` and the autocomplete of its option, whatever the options are called."""

    key, title, command = "resources", "/resources find + autocomplete", "resources"
    labels = ("/resources find", "/resources autocomplete")
    QUERIES = ("housing", "food bank", "helpline", "counselling", "youth", "legal advice", "recovery", "hosuing")

    def __init__(self, world: BenchWorld) -> None:
        super().__init__(world)
        self.queries = itertools.cycle(self.QUERIES)
        self.members = {h.id: _cycle(h.members) for h in world.hot}
        self.find_options: dict[str, Any] = {}
        self.focused: str | None = None

    def unavailable(self) -> str | None:
        reason = super().unavailable()
        if reason is not None:
            return reason
        schema = self.fake.command("resources", self.world.hot[0].id)
        find = next((o for o in schema.get("options", []) if o.get("name") == "find" and o.get("type") == 1), None)
        if find is None:
            return "/resources has no `find` subcommand"
        self.find_options = {o["name"]: o for o in find.get("options", [])}
        auto = [n for n, o in self.find_options.items() if o.get("autocomplete")]
        self.focused = auto[0] if auto else None
        return None

    def _options(self, query: str) -> dict[str, Any]:
        chosen: dict[str, Any] = {}
        for name, option in self.find_options.items():
            if option.get("type") == 3 and (option.get("required") or not chosen) and not option.get("choices"):
                chosen[name] = query
            elif option.get("required"):
                choices = option.get("choices") or []
                chosen[name] = choices[0]["value"] if choices else 1
        return chosen

    async def step(self) -> list[Sample]:
        guild = next(self.guilds)
        member = next(self.members[guild.id])
        query = next(self.queries)
        samples = [
            await answered(await self.slash(guild, member, "resources find", self._options(query)), self.labels[0])
        ]
        if self.focused is not None:
            channel = self.fake.world.channel(guild.server.general.id)
            ix = self.fake.backend.factory.command(
                channel, member, "resources find", {}, focused=self.focused, focused_value=query[:3]
            )
            await self.fake._deliver(ix)  # the interaction itself is needed for its timings
            samples.append(await answered(ix, self.labels[1], expect=(8,)))
        return samples


class Shares(Family):
    """`/share` (opens the modal), submitting the modal, and a moderator approving it from the queue card."""

    key, title, command = "share", "/share submit + approve", "share"
    labels = ("/share (modal)", "/share submit", "share approve")

    def __init__(self, world: BenchWorld) -> None:
        super().__init__(world)
        self.authors = {h.id: _cycle(h.members) for h in world.hot}
        self.cards: dict[int, asyncio.Queue[tuple[int, str]]] = {
            h.server.share_queue.id: asyncio.Queue() for h in world.hot
        }
        world.fake.world.listeners.append(self._on_dispatch)

    def _on_dispatch(self, item: Dispatch) -> None:
        if item.event != "MESSAGE_CREATE":
            return
        queue = self.cards.get(int(item.data.get("channel_id", 0)))
        if queue is None:
            return
        for row in item.data.get("components") or []:
            for comp in row.get("components") or []:
                custom_id = str(comp.get("custom_id") or "")
                if custom_id.startswith("peerbot:shares:approve:"):
                    queue.put_nowait((int(item.data["id"]), custom_id))

    async def step(self) -> list[Sample]:
        guild = next(self.guilds)
        author = next(self.authors[guild.id])
        opened = await answered(await self.slash(guild, author, "share"), self.labels[0], expect=(9,))
        ix = self.fake.backend.interactions.get(opened.interaction_id)
        if opened.error or ix is None or ix.modal is None:
            return [opened]
        submitted = await answered(await self.fake.submit_modal(ix.modal, author, {"body": SHARE_BODY}), self.labels[1])
        if submitted.error:
            return [opened, submitted]
        try:
            message_id, custom_id = await asyncio.wait_for(self.cards[guild.server.share_queue.id].get(), 10)
        except TimeoutError:
            return [opened, submitted, Sample(self.labels[2], 0, None, None, None, "no queue card")]
        await asyncio.sleep(READ_PAUSE)
        click = await self.fake.click(message_id, custom_id, guild.server.moderator.id)
        return [opened, submitted, await answered(click, self.labels[2], expect=(7,))]


class ShareDelete(Family):
    """`/shares delete` by the author of a posted share (the heaviest delete: its replies, support and reports are
    wiped, the post comes down). Each step submits a share, waits for it to be posted, then deletes it.
    `prepare` switches the measured servers' queue off and the posting delay to 0 (timing protection off, as an
    admin may), so it runs after `Shares`, which needs the queue; later families don't use shares. The submit is
    measured too, until the public post reaches the stand-in ("share posted")."""

    key, title, command = "share_delete", "/shares delete", "shares"
    labels = ("/shares delete", POSTED_LABEL)

    def __init__(self, world: BenchWorld) -> None:
        super().__init__(world)
        self.authors = {h.id: _cycle(h.members) for h in world.hot}
        # Each post's share id and when the stand-in received it.
        self.posts: dict[int, asyncio.Queue[tuple[int, float]]] = {
            h.server.shares.id: asyncio.Queue() for h in world.hot
        }
        world.fake.world.listeners.append(self._on_dispatch)

    def _on_dispatch(self, item: Dispatch) -> None:
        if item.event != "MESSAGE_CREATE":
            return
        posts = self.posts.get(int(item.data.get("channel_id", 0)))
        if posts is None:
            return
        for row in item.data.get("components") or []:
            for comp in row.get("components") or []:
                custom_id = str(comp.get("custom_id") or "")
                if custom_id.startswith("peerbot:shares:support:"):
                    posts.put_nowait((int(custom_id.rsplit(":", 1)[1]), time.perf_counter()))

    async def prepare(self) -> None:
        for guild in self.world.hot:
            options = {"queue": "off", "delay_min": 0, "delay_max": 0}
            done = await answered(await self.slash(guild, guild.server.admin.id, "share-settings", options), "setup")
            if done.error:
                raise RuntimeError(f"/share-settings failed in the measured server {guild.id}: {done.error}")

    def _failed(self, why: str) -> list[Sample]:
        return [Sample(self.labels[0], 0, None, None, None, why)]

    async def step(self) -> list[Sample]:
        guild = next(self.guilds)
        author = next(self.authors[guild.id])
        posts = self.posts[guild.server.shares.id]
        while not posts.empty():  # a post from an earlier step that gave up waiting
            posts.get_nowait()
        opened = await answered(await self.slash(guild, author, "share"), "setup: /share", expect=(9,))
        ix = self.fake.backend.interactions.get(opened.interaction_id)
        if opened.error or ix is None or ix.modal is None:
            return self._failed(f"could not open the share form: {opened.error}")
        await asyncio.sleep(FORM_PAUSE)
        form = await self.fake.submit_modal(ix.modal, author, {"body": SHARE_BODY})
        submitted = await answered(form, "setup")
        if submitted.error:
            return self._failed(f"could not submit a share: {submitted.error}")
        try:
            share_id, posted_at = await asyncio.wait_for(posts.get(), 10)
        except TimeoutError:
            return self._failed("the share was not posted")
        # From the stand-in dispatching the form to receiving the post (no interaction of its own: id 0).
        posted = Sample(POSTED_LABEL, 0, _ms(form.dispatched_at, posted_at), None, None)
        await asyncio.sleep(READ_PAUSE)
        deleted = await self.slash(guild, author, "shares delete", {"id": str(share_id)})
        return [await answered(deleted, self.labels[0], expect=(4,)), posted]


class Baseline(Family):
    """The bare discord.py bot's `/ok`."""

    key, title, command, labels = "baseline", "baseline /ok", "ok", ("baseline /ok",)

    def __init__(self, world: BenchWorld) -> None:
        super().__init__(world)
        self.members = {h.id: _cycle(h.members) for h in world.hot}

    async def step(self) -> list[Sample]:
        guild = next(self.guilds)
        return [await answered(await self.slash(guild, next(self.members[guild.id]), "ok"), self.labels[0])]


def peerbot_families(world: BenchWorld, group_ids: dict[int, list[int]]) -> list[Family]:
    """In the order they are measured."""
    return [
        Help(world),
        Crisis(world),
        Resources(world),
        GroupList(world),
        GroupJoin(world, group_ids),
        Shares(world),
        ShareDelete(world),  # after Shares: it switches the measured servers' share queue off
        Peer(world),
        DutyOn(world),
        RotaView(world),
    ]


def prune(fake: FakeDiscord, older_than: float, now: float) -> Counter[str]:
    """Forget answered interactions (and their ephemeral messages) older than `older_than` seconds, and the
    request log: the stand-in keeps everything forever, which a long run can't afford. Returns the bot's REST
    calls that failed (4xx/5xx, unknown routes), counted by route, found in the log before it is cleared."""
    failed = Counter(
        f"{c.method} {_ID.sub('{id}', c.path)} -> {c.status}{' (unknown route)' if c.unknown_route else ''}"
        for c in fake.calls
        if c.status >= 400
    )
    interactions = fake.backend.interactions
    messages = fake.world.messages
    for ix_id, ix in list(interactions.items()):
        seen = ix.first_followup_at or ix.callback_at or ix.dispatched_at or now
        if now - seen > older_than:
            del interactions[ix_id]
            for mid in (ix.original_id, *ix.followup_ids):
                msg = messages.get(mid or 0)
                if msg is not None and msg.ephemeral:
                    del messages[msg.id]
    fake.backend.calls.clear()
    fake.backend.mentions.clear()
    return failed
