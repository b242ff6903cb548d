"""Directory search on a real database: ranking, prefixes, typo tolerance, filters, pages, hostile input, and the
per-server index (one round trip, never stale)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import Database
from cogs.resources import search, store
from cogs.resources.model import DirectoryError
from cogs.resources.search import Match, find, looks_urgent

from .helpers import GUILD, OTHER_GUILD, TODAY, entry


async def add_all(db: Database) -> None:
    for item in (
        entry("Food bank", tags=("parcels",), area="Leeds"),
        entry("Blood bank", "crisis", area="Leeds"),
        entry("Soup run", description="Hot food on Fridays", area="London"),
        entry("Shelter Line", "housing/shelter", area="Zürich"),
        entry(
            "Night Help",
            "crisis",
            description="We help people find a shelter. Shelter tonight, shelter tomorrow: shelter.",
            area="London",
        ),
        entry("Café Connect", "peer groups", description="A weekly meet-up", area="Online"),
        entry("Samaritans", "crisis", tags=("listening", "phone"), description="Talk any time", area="UK"),
    ):
        await store.add_resource(db, GUILD, item)


def names(result: search.SearchResult) -> list[str]:
    return [r.name for r in result.items]


async def test_name_matches_rank_before_description_matches(db: Database) -> None:
    await add_all(db)
    result = await find(db, GUILD, "shelter")
    assert names(result) == ["Shelter Line", "Night Help"]
    assert result.match is Match.ALL and result.total == 2


async def test_every_word_is_a_prefix(db: Database) -> None:
    await add_all(db)
    assert names(await find(db, GUILD, "shel")) == ["Shelter Line", "Night Help"]
    assert names(await find(db, GUILD, "sam list")) == ["Samaritans"]
    assert names(await find(db, GUILD, "parcel")) == ["Food bank"]


async def test_accents_do_not_matter(db: Database) -> None:
    await add_all(db)
    assert names(await find(db, GUILD, "cafe")) == ["Café Connect"]
    assert names(await find(db, GUILD, "CAFÉ")) == ["Café Connect"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("fod bank", "Food bank"), ("foood", "Food bank"), ("samaratins", "Samaritans"), ("sheltr", "Shelter Line")],
)
async def test_typos_fall_back_to_close_words(db: Database, query: str, expected: str) -> None:
    await add_all(db)
    result = await find(db, GUILD, query)
    assert result.match is Match.CLOSE
    assert names(result)[0] == expected


async def test_close_words_come_only_from_names_tags_and_categories(db: Database) -> None:
    await add_all(db)
    result = await find(db, GUILD, "fridys")  # only in a description
    assert result.match is Match.NONE and result.total == 0


async def test_some_words_when_not_all_match(db: Database) -> None:
    await add_all(db)
    result = await find(db, GUILD, "where can I get soup")
    assert (names(result), result.match) == (["Soup run"], Match.SOME)
    result = await find(db, GUILD, "talk weekly")  # both only in descriptions, of different resources
    assert (sorted(names(result)), result.match) == (["Café Connect", "Samaritans"], Match.SOME)


async def test_nothing_found(db: Database) -> None:
    await add_all(db)
    result = await find(db, GUILD, "xylophone")
    assert (result.items, result.total, result.match, result.urgent) == ((), 0, Match.NONE, False)
    assert (await find(db, GUILD, '"*:-')).match is Match.NONE


async def test_category_and_area_filters(db: Database) -> None:
    await add_all(db)
    assert names(await find(db, GUILD, "bank", category="CRISIS")) == ["Blood bank"]
    assert names(await find(db, GUILD, "bank", area="leeds")) == ["Blood bank", "Food bank"]
    assert names(await find(db, GUILD, "", category="crisis", area="lond")) == ["Night Help"]
    assert names(await find(db, GUILD, "", area="ZÜR")) == ["Shelter Line"]
    assert names(await find(db, GUILD, "fod", area="london")) == ["Soup run"]  # category food, close to "fod"
    assert names(await find(db, GUILD, "fod", area="leeds")) == ["Food bank"]
    with pytest.raises(DirectoryError, match="no category called 'pets'"):
        await find(db, GUILD, "food", category="pets")


async def test_empty_query_browses_by_name(db: Database) -> None:
    await add_all(db)
    result = await find(db, GUILD, "   ", limit=3)
    assert result.match is Match.BROWSE
    assert names(result) == ["Blood bank", "Café Connect", "Food bank"] and result.total == 7
    assert (await find(db, OTHER_GUILD, "")).match is Match.NONE


async def test_pages_and_totals(db: Database) -> None:
    for i in range(23):
        await store.add_resource(db, GUILD, entry(f"Pantry {i:02}", description="food parcels"))
    await store.add_resource(db, OTHER_GUILD, entry("Pantry elsewhere"))
    seen: list[str] = []
    for offset, size, more in ((0, 10, True), (10, 10, True), (20, 3, False)):
        page = await find(db, GUILD, "pantry", limit=10, offset=offset)
        assert (page.total, len(page.items), page.has_more) == (23, size, more)
        seen += names(page)
    assert sorted(seen) == [f"Pantry {i:02}" for i in range(23)]
    beyond = await find(db, GUILD, "pantry", limit=10, offset=40)
    assert (beyond.items, beyond.total) == ((), 23)
    assert (await find(db, GUILD, "pantry", limit=1000)).limit == search.MAX_LIMIT


async def test_pages_and_totals_with_filters(db: Database) -> None:
    for i in range(12):
        await store.add_resource(db, GUILD, entry(f"Pantry {i:02}", area="Leeds" if i % 2 else "York"))
    await store.add_resource(db, GUILD, entry("Pantry crisis line", "crisis", area="Leeds"))
    pages = [await find(db, GUILD, "pantry", "food", "leeds", limit=4, offset=o) for o in (0, 4, 8)]
    assert [(len(p.items), p.total) for p in pages] == [(4, 6), (2, 6), (0, 6)]
    assert sorted(names(pages[0]) + names(pages[1])) == [f"Pantry {i:02}" for i in range(1, 12, 2)]


HOSTILE = [
    '"',
    '""',
    "*",
    "foo*",
    "NEAR",
    "NEAR(a b, 2)",
    "a NEAR/2 b",
    "-food",
    "name:food",
    "{name}: food",
    "^food",
    "food AND OR NOT",
    "(food",
    "food)",
    "'; DROP TABLE resources; --",
    "\x00",
    "\u200b",
    "_",
    "a" * 5000,
    "🙂 food",
    "é" * 50,
    "ǅ ﬁ",
]


@pytest.mark.parametrize("query", HOSTILE)
async def test_fts_syntax_in_queries_is_plain_text(db: Database, query: str) -> None:
    await add_all(db)
    result = await find(db, GUILD, query)
    assert result.total >= 0
    assert await store.count_resources(db, GUILD) == 7


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(), category=st.sampled_from([None, "food", "crisis"]), area=st.none() | st.text(max_size=5))
async def test_any_text_searches_without_error(
    db: Database, query: str, category: str | None, area: str | None
) -> None:
    if not await store.count_resources(db, GUILD):
        await add_all(db)
    result = await find(db, GUILD, query, category, area, limit=5)
    assert len(result.items) <= 5 and result.total >= len(result.items)


@pytest.mark.parametrize(
    "query",
    [
        "suicide hotline",
        "I want to kill myself",
        "SUICIDAL thoughts",
        "overdose help",
        "crisis",
        "emergency shelter",
        "domestic abuse",
        "self-harm support",
        "I can't go on",
        "not safe at home",
    ],
)
def test_urgent_queries(query: str) -> None:
    assert looks_urgent(query)


@pytest.mark.parametrize("query", ["food bank", "killer whales", "abacus club", "dieting", "", "crises"])
def test_ordinary_queries(query: str) -> None:
    assert not looks_urgent(query)


async def test_result_says_when_a_query_looks_urgent(db: Database) -> None:
    await add_all(db)
    assert (await find(db, GUILD, "suicide")).urgent
    assert not (await find(db, GUILD, "food")).urgent


# --- the per-server index and its stamp ---------------------------------------------------------------------------


class Trips:
    """Counts the database round trips of the wrapped calls."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        for name in ("execute", "insert", "executemany", "fetchone", "fetchall"):
            original = getattr(db, name)

            def counted(*args: object, _original: Any = original, **kwargs: object) -> Any:
                self.count += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(db, name, counted)


async def test_a_search_is_one_round_trip_once_the_server_is_indexed(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_all(db)
    await find(db, GUILD, "food")
    trips = Trips(db, monkeypatch)
    for query, category, area in (
        ("shelter", None, None),
        ("fod", "food", "leeds"),
        ("", None, None),
        ("zz", None, None),
    ):
        trips.count = 0
        await find(db, GUILD, query, category, area, limit=1)
        assert trips.count == 1, query
    for call in (search.categories(db, GUILD), search.names_like(db, GUILD, "fo")):
        trips.count = 0
        await call
        assert trips.count == 1
    trips.count = 0
    with pytest.raises(DirectoryError):
        await find(db, GUILD, "food", category="pets")
    assert trips.count == 1


async def test_writes_from_another_connection_are_seen(db: Database, tmp_path: Path) -> None:
    await add_all(db)
    assert names(await find(db, GUILD, "lighthouse")) == []
    other = await Database.connect(tmp_path / "t.db")
    try:
        await store.add_resource(other, GUILD, entry("Lighthouse", "crisis"))
        assert names(await find(db, GUILD, "lighthouse")) == ["Lighthouse"]
        await store.add_category(other, GUILD, "Pets")
        assert "Pets" in await search.categories(db, GUILD)
        assert names(await find(db, GUILD, "", category="pets")) == []
        await other.execute("UPDATE resources SET description = 'lamps' WHERE name = 'Lighthouse'")
        assert names(await find(db, GUILD, "lamps")) == ["Lighthouse"]
        await other.execute("DELETE FROM resources WHERE name = 'Lighthouse'")
        assert names(await find(db, GUILD, "lighthouse")) == []
    finally:
        await other.close()


async def test_what_a_rolled_back_transaction_wrote_is_never_found(db: Database) -> None:
    await add_all(db)
    await find(db, GUILD, "food")
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await store.add_resource(db, GUILD, entry("Phantom pantry"))
            assert names(await find(db, GUILD, "phantom")) == ["Phantom pantry"]  # indexed inside the transaction
            raise RuntimeError("roll back")
    assert names(await find(db, GUILD, "phantom")) == []
    assert "Phantom pantry" not in [h.name for h in await search.names_like(db, GUILD, "ph")]


async def test_marking_verified_shows_the_new_date_without_reindexing(db: Database) -> None:
    await add_all(db)
    found = (await find(db, GUILD, "samaritans")).items[0]
    stamp = await store.stamp(db, GUILD)
    assert await store.mark_verified(db, GUILD, found.id, TODAY)
    assert await store.stamp(db, GUILD) == stamp
    assert (await find(db, GUILD, "samaritans")).items[0].last_verified == TODAY


async def test_many_servers_with_a_small_cache(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "MAX_CACHED_ENTRIES", 3)
    for guild in range(1, 6):
        for i in range(2):
            await store.add_resource(db, guild, entry(f"Pantry {guild}-{i}"))
    for _ in range(2):
        for guild in range(1, 6):
            assert names(await find(db, guild, "pantry")) == [f"Pantry {guild}-0", f"Pantry {guild}-1"]


async def test_big_directories_are_indexed_off_the_event_loop(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await add_all(db)
    expected = names(await find(db, GUILD, "shel"))
    monkeypatch.setattr(search, "BUILD_IN_THREAD_FROM", 1)
    await store.add_resource(db, GUILD, entry("Unrelated"))
    assert names(await find(db, GUILD, "shel")) == expected


async def test_nothing_found_names_the_categories_in_use(db: Database) -> None:
    await add_all(db)
    result = await find(db, GUILD, "xylophone")
    assert result.categories_in_use == ("crisis", "peer groups", "housing/shelter", "food")
    assert (await find(db, GUILD, "food")).categories_in_use == ()


def test_recent_searches_expire_and_stay_bounded() -> None:
    now = [0.0]
    recent = search.RecentSearches(size=3, ttl=60, clock=lambda: now[0])
    keys = [recent.save(search.SavedSearch(GUILD, user, "food")) for user in (1, 2, 3)]
    assert len(set(keys)) == 3 and all(re.fullmatch(r"[A-Za-z0-9_-]{8}", k) for k in keys)
    assert recent.get(keys[0]) == search.SavedSearch(GUILD, 1, "food")
    fourth = recent.save(search.SavedSearch(GUILD, 4, "soup"))
    assert recent.get(keys[0]) is None and len(recent) == 3  # the oldest made room
    now[0] = 61
    assert recent.get(fourth) is None
    recent.save(search.SavedSearch(GUILD, 5, "beds"))
    assert len(recent) == 1  # the expired ones were dropped
    assert recent.forget_user(5) == 1 and len(recent) == 0
    assert recent.get("no-such-key") is None
