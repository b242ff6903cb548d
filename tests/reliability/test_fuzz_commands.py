"""Fuzzed input for every option of every command (and every modal field they open).

Hypothesis draws hostile values: unicode, zero-width and right-to-left characters, very long strings,
mentions, markdown, SQL-looking text, huge and negative numbers, invalid times, zones and countries.
Every interaction must be answered within 3 s, never with the "something went wrong" error, and a
refused input must leave the database unchanged.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import PeerBot
from bot.tasks import drain
from sandbox.demo import Server
from sandbox.errors import SandboxError
from sandbox.server import FakeDiscord
from tests.helpers import settle
from tests.reliability.commands import BOOLEAN, INTEGER, NUMBER, STRING, Leaf, leaves, plain_value

NASTY = [
    "",
    " ",
    "@everyone",
    "@here <@&123> <@456>",
    "'; DROP TABLE guild_config; --",
    "\u200b\u200d\ufeff",
    "\u202eevil\u202c",
    "**bold** `code` ||spoiler|| ```fence```",
    "25:99",
    "Mars/Olympus",
    "Narnia",
    "00",
    "-1",
    "9" * 30,
    "ñ̃ 🙂 漢字 العربية",
    "\x00\x01\x1f",
]
REFUSALS = ("I don't", "I couldn't", "can't", "isn't", "Please pick", "Nothing to change", "doesn't", "not a")
# Answers that say something was stored, whatever words they also use ("Your share #3 isn't posted straight away").
ACCEPTED = ("Your share **#",)
FAILURE = "something went wrong on my side"


def string_values(option: dict[str, Any]) -> st.SearchStrategy[str]:
    longest = int(option.get("max_length", 6000))
    shortest = int(option.get("min_length", 0))
    pool = st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=60),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=longest - 5, max_size=longest),
    )
    return pool.filter(lambda s: shortest <= len(s) <= longest)


def option_values(option: dict[str, Any]) -> st.SearchStrategy[Any]:
    if option.get("choices"):
        return st.sampled_from([c["value"] for c in option["choices"]])
    kind = option["type"]
    if kind == STRING:
        return string_values(option)
    if kind in (INTEGER, NUMBER):
        low, high = option.get("min_value", -(2**53)), option.get("max_value", 2**53)
        return st.one_of(st.sampled_from([low, high]), st.integers(int(low), int(high)))
    if kind == BOOLEAN:
        return st.booleans()
    return st.none()  # entity options: a plain valid value is used


def dump(path: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows: list[tuple[Any, ...]] = []
        for table in tables:
            if table not in ("jobs", "meta"):
                rows.extend((table, *r) for r in conn.execute(f'SELECT * FROM "{table}"'))  # noqa: S608 - test
        return sorted(rows, key=repr)


def fit(value: str, spec: dict[str, Any]) -> str:
    """A drawn value cut or padded to what Discord's client lets a member type into this input."""
    longest = int(spec.get("max_length") or 4000)
    shortest = max(int(spec.get("min_length") or 0), 1 if spec.get("required", True) else 0)
    value = value[:longest]
    return value + "x" * (shortest - len(value)) if len(value) < shortest else value


async def invoke(
    fake: FakeDiscord, server: Server, bot: PeerBot, leaf: Leaf, options: dict[str, Any], typed: list[str]
) -> None:
    await drain()  # background work from the previous example (a delayed post, a follow-up) must not count
    await settle(5)
    before = dump(str(bot.settings.database_path))
    try:
        ix = await fake.slash(server.guild.id, server.admin.id, leaf.path, options)
    except SandboxError:
        return  # Discord's own client would not send this (e.g. over an option's length limit)
    await ix.wait_response(timeout=3)
    if ix.deferred:
        await ix.wait_followups(1, timeout=3)
    if ix.modal is not None:
        inputs = ix.modal.inputs().items()
        values = {cid: fit(typed[n % len(typed)], spec) for n, (cid, spec) in enumerate(inputs)}
        try:
            ix = await (await fake.submit_modal(ix.modal, server.admin.id, values)).wait_response(timeout=3)
        except SandboxError:
            return  # Discord's client would not send it
        if ix.deferred:
            await ix.wait_followups(1, timeout=3)
    text = ix.text()
    assert FAILURE not in text, (leaf.path, options, text)
    if ix.ephemeral and any(r in text for r in REFUSALS) and not any(a in text for a in ACCEPTED):
        assert dump(str(bot.settings.database_path)) == before, (leaf.path, options, text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_fuzzed_options_never_break_a_command(
    fake: FakeDiscord, configured: Server, bot: PeerBot, data: st.DataObject
) -> None:
    all_leaves = sorted(leaves(fake), key=lambda leaf: leaf.path)
    leaf = data.draw(st.sampled_from([leaf for leaf in all_leaves if leaf.path != "privacy delete"]))
    options: dict[str, Any] = {}
    for option in leaf.options:
        if not option.get("required") and not data.draw(st.booleans()):
            continue
        value = data.draw(option_values(option))
        options[option["name"]] = plain_value(option, configured, fake) if value is None else value
    # Drawn up front so what Hypothesis draws never depends on the bot's state (whether a form opens).
    typed = data.draw(
        st.lists(
            st.one_of(st.sampled_from(NASTY), st.text(max_size=80), st.text(min_size=3990, max_size=4000)),
            min_size=5,
            max_size=5,
        )
    )
    await invoke(fake, configured, bot, leaf, options, typed)
