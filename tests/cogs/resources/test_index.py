"""The in-memory index ranks exactly as migration 0006's FTS5 index did, and keeps each server's ranking its own.

The reference below is the SQL search the index replaced (FTS5 MATCH with bm25 weights, the server's token and the
category's words in the expression), run on the FTS5 index the triggers still keep. On a database holding one
server, the two must agree on every result, its order, the total and the step that found it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from bot.db import Database
from cogs.resources import index, search, store
from cogs.resources.exchange import import_directory
from cogs.resources.model import key, resolve_category, words

from .helpers import GUILD, OTHER_GUILD, entry
from .test_search_quality import CASES, FIXTURE

# -- the FTS5 reference (the search before the in-memory index) --------------------------------------------------

ALL_COLUMNS = "{name tags category description area eligibility languages}"
FUZZY_COLUMNS = "{name tags category}"
_LIKE_GUILD_TOKEN = re.compile(r"g\d+")


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _prefix(word: str) -> str:
    phrase = _quote(word) + "*" if len(word) > 1 else _quote(word)
    return ALL_COLUMNS + " : " + phrase if _LIKE_GUILD_TOKEN.fullmatch(word) else phrase


def _match_close(wanted: Sequence[str], vocabulary: Sequence[str]) -> tuple[str | None, bool]:
    groups: list[str] = []
    corrected = False
    for word in wanted:
        if len(word) < 3:
            continue
        i = next((n for n, term in enumerate(vocabulary) if term >= word), len(vocabulary))
        if i < len(vocabulary) and vocabulary[i].startswith(word):
            groups.append(_prefix(word))
        elif alternatives := search.close_words(word, vocabulary):
            groups.append("(" + " OR ".join(_quote(t) for t in alternatives) + ")")
            corrected = True
    if not groups:
        return None, False
    return FUZZY_COLUMNS + " : (" + " AND ".join(groups) + ")", corrected


async def _fts_ids(db: Database, guild_id: int, match: str, category: str, area: str) -> list[int]:
    scoped = f'guild_token : "g{guild_id}" AND ({match})'
    if category_words := words(category):
        scoped += ' AND category : "' + " ".join(category_words) + '"'
    rows = await db.fetchall(
        "SELECT f.rowid AS id FROM resources_fts f CROSS JOIN resources r ON r.id = f.rowid"
        " WHERE resources_fts MATCH ? AND r.guild_id = ? AND (? = '' OR r.category = ?) AND instr(r.area_key, ?) > 0"
        " ORDER BY f.rank, f.rowid",
        (scoped, guild_id, category, category, area),
    )
    return [r["id"] for r in rows]


async def fts_find(
    db: Database, guild_id: int, query: str, category: str | None, area: str | None
) -> tuple[list[int], search.Match]:
    """Every result of the old search, best first, and its step."""
    canonical = resolve_category(category, await store.categories(db, guild_id)) if category else ""
    assert canonical is not None
    area_key = key(area or "")
    if not query.strip():
        rows = await db.fetchall(
            "SELECT id FROM resources WHERE guild_id = ? AND (? = '' OR category = ?) AND instr(area_key, ?) > 0"
            " ORDER BY name_key",
            (guild_id, canonical, canonical, area_key),
        )
        return [r["id"] for r in rows], search.Match.BROWSE if rows else search.Match.NONE
    found = search.query_words(query)
    if not found:
        return [], search.Match.NONE
    if ids := await _fts_ids(db, guild_id, " ".join(_prefix(w) for w in found), canonical, area_key):
        return ids, search.Match.ALL
    close, corrected = _match_close(found, await store.vocabulary(db, guild_id))
    if close is not None and (ids := await _fts_ids(db, guild_id, close, canonical, area_key)):
        return ids, search.Match.CLOSE if corrected else search.Match.SOME
    if len(found) > 1 and (
        ids := await _fts_ids(db, guild_id, " OR ".join(_prefix(w) for w in found), canonical, area_key)
    ):
        return ids, search.Match.SOME
    return [], search.Match.NONE


# -- queries --------------------------------------------------------------------------------------------------------


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(len(word) - 1)
    return rng.choice(
        (
            word[:i] + word[i + 1 :],
            word[:i] + word[i + 1] + word[i] + word[i + 2 :],
            word[:i] + rng.choice("aeiourst") + word[i + 1 :],
        )
    )


def _queries(vocabulary: list[str], seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    found = [c.query for c in CASES]
    found += ["", "a", "h", "24 7", "g1001", "café", "xyzzy", "help with a b c d e f g h i j"]
    for _ in range(count):
        n = rng.randrange(1, 4)
        chosen = [rng.choice(vocabulary) for _ in range(n)]
        kind = rng.randrange(3)
        if kind == 1:
            chosen = [w[: rng.randrange(1, len(w) + 1)] for w in chosen]
        elif kind == 2:
            chosen = [_typo(rng, w) for w in chosen]
        found.append(" ".join(chosen))
    return list(dict.fromkeys(found))


async def _assert_same(db: Database, guild_id: int, queries: list[str], filters: list[tuple[str | None, str | None]]):
    checked = 0
    for query in queries:
        for category, area in filters:
            expected, match = await fts_find(db, guild_id, query, category, area)
            for offset in (0, 2):
                got = await search.find(db, guild_id, query, category, area, limit=search.MAX_LIMIT, offset=offset)
                assert ([r.id for r in got.items], got.total, got.match) == (
                    expected[offset : offset + search.MAX_LIMIT],
                    len(expected),
                    match,
                ), (query, category, area, offset)
                checked += 1
    return checked


async def test_same_results_as_the_fts5_index_on_a_realistic_directory(db: Database) -> None:
    await import_directory(db, GUILD, FIXTURE.read_bytes(), filename=FIXTURE.name)
    rows = await store.all_resources(db, GUILD)
    vocabulary = sorted({w for r in rows for text in (r.name, r.description, *r.tags) for w in words(text)})
    filters: list[tuple[str | None, str | None]] = [(None, None), ("crisis", None), (None, "riverton"), ("food", "n")]
    checked = await _assert_same(db, GUILD, _queries(vocabulary, seed=9, count=250), filters)
    assert checked > 2000


async def test_same_results_as_the_fts5_index_with_repeated_words_and_edits(db: Database) -> None:
    await store.add_category(db, GUILD, "food food")
    for i, (name, tags, description) in enumerate(
        (
            ("Food food bank", ("food", "food parcels"), "Food, food and more food."),
            ("Bank of food", ("banking",), "A bank."),
            ("Foodies", (), "Cooking club for food lovers"),
            ("A", ("a", "b"), "a a a b"),
            ("Café Zürich", ("cafe",), "Ein Café in Zürich"),
        )
    ):
        category = "food food" if i % 2 else "food"
        await store.add_resource(db, GUILD, entry(name, category, tags=tags, description=description, area="Leeds"))
    queries = ["food", "foo", "fo", "food food", "f", "a", "a b", "bank food", "banking", "zurich", "café", "fod"]
    filters: list[tuple[str | None, str | None]] = [(None, None), ("food food", None), ("food", "lee")]
    await _assert_same(db, GUILD, queries, filters)


# -- the index on its own --------------------------------------------------------------------------------------------


async def test_another_servers_entries_do_not_change_this_ones_order(db: Database) -> None:
    for name, description in (("Night shelter", "Beds and a hot meal"), ("Shelter advice", "Help with housing")):
        await store.add_resource(db, GUILD, entry(name, "housing/shelter", description=description))
    before = [r.name for r in (await search.find(db, GUILD, "shelter help")).items]
    for i in range(40):
        await store.add_resource(db, OTHER_GUILD, entry(f"Help desk {i}", description="help help help"))
    assert [r.name for r in (await search.find(db, GUILD, "shelter help")).items] == before


def test_build_and_look_up() -> None:
    rows = [
        {"id": 3, "name": "Food bank", "name_key": "food bank", "category": "food", "tags": "parcels, tins",
         "description": "Free food", "area": "Leeds", "area_key": "leeds", "eligibility": "", "languages": "English"},
        {"id": 1, "name": "Soup run", "name_key": "soup run", "category": "food", "tags": "",
         "description": "Hot food on Fridays", "area": "York", "area_key": "york", "eligibility": "", "languages": ""},
    ]  # fmt: skip
    directory = index.build(7, ["food", "crisis"], rows)
    assert (directory.stamp, len(directory), directory.categories) == (7, 2, ("food", "crisis"))
    assert directory.vocabulary == ["bank", "food", "parcels", "run", "soup", "tins"]
    every = index.EVERY_COLUMN
    assert directory.rank([[directory.word("foo", every, prefix=True)]]) == [3, 1]  # name and description first
    assert directory.rank([[directory.word("foo", every, prefix=False)]]) == []
    named = directory.word("fridays", index.NAME_TAGS_CATEGORY, prefix=False)
    assert named.hits == frozenset()
    assert directory.rank([[directory.word("food", every, prefix=False)]], area="york") == [1]
    assert directory.browse() == [3, 1] and directory.browse(category="crisis") == []
    assert [d.name for d in directory.names("o", 25)] == ["Food bank", "Soup run"]
    assert directory.categories_in_use() == ["food"]
    assert directory.starts_a_term("parc") and not directory.starts_a_term("fri")
