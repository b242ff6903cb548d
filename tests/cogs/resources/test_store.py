"""The directory's SQL on a real SQLite database: resources, categories, review, suggestions, privacy, isolation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.db import Database
from cogs.resources import search, store
from cogs.resources.model import DEFAULT_CATEGORIES, MAX_CATEGORIES, DirectoryError, SuggestionDraft, search_terms

from .helpers import GUILD, OTHER_GUILD, TODAY, entry


async def names(db: Database, guild_id: int, query: str) -> list[str]:
    return [r.name for r in (await search.find(db, guild_id, query)).items]


# --- categories ---------------------------------------------------------------------------------------------------


async def test_default_categories_are_seeded_on_first_use(db: Database) -> None:
    assert await db.fetchval("SELECT count(*) FROM resource_categories") == 0
    assert await store.categories(db, GUILD) == list(DEFAULT_CATEGORIES)
    assert await store.categories(db, GUILD) == list(DEFAULT_CATEGORIES)
    assert await db.fetchval("SELECT count(*) FROM resource_categories") == len(DEFAULT_CATEGORIES)


async def test_add_and_remove_categories(db: Database) -> None:
    assert await store.add_category(db, GUILD, " Pets ") == "Pets"
    assert (await store.categories(db, GUILD))[-1] == "Pets"
    with pytest.raises(DirectoryError, match="already a category called 'PETS'"):
        await store.add_category(db, GUILD, "PETS")
    assert await store.remove_category(db, GUILD, "pets") == "Pets"
    with pytest.raises(DirectoryError, match="no category called"):
        await store.remove_category(db, GUILD, "pets")


async def test_removed_defaults_stay_removed(db: Database) -> None:
    for name in DEFAULT_CATEGORIES:
        await store.remove_category(db, GUILD, name)
    assert await store.categories(db, GUILD) == []
    assert await store.categories(db, GUILD) == []


async def test_category_in_use_cannot_be_removed(db: Database) -> None:
    await store.add_resource(db, GUILD, entry("Food bank"))
    with pytest.raises(DirectoryError, match="1 resource\\(s\\) are in 'food'"):
        await store.remove_category(db, GUILD, "Food")


async def test_category_limit(db: Database) -> None:
    for i in range(MAX_CATEGORIES - len(DEFAULT_CATEGORIES)):
        await store.add_category(db, GUILD, f"extra {i}")
    with pytest.raises(DirectoryError, match="already has 25 categories"):
        await store.add_category(db, GUILD, "one too many")


async def test_categories_with_counts(db: Database) -> None:
    await store.add_resource(db, GUILD, entry("Food bank"))
    await store.add_resource(db, GUILD, entry("Soup run"))
    await store.add_resource(db, GUILD, entry("Samaritans", "crisis"))
    await store.add_resource(db, OTHER_GUILD, entry("Elsewhere", "crisis"))
    counts = {c.name: c.count for c in await store.category_counts(db, GUILD)}
    assert counts["food"] == 2
    assert counts["crisis"] == 1
    assert counts["grief"] == 0
    assert list(counts) == list(DEFAULT_CATEGORIES)


# --- resources ----------------------------------------------------------------------------------------------------


async def test_add_get_update_remove(db: Database) -> None:
    added = await store.add_resource(db, GUILD, entry("Food bank", tags=("food", "parcels"), languages=("English",)))
    assert added.name == "Food bank" and added.guild_id == GUILD and added.tags == ("food", "parcels")
    assert await store.get_resource(db, GUILD, added.id) == added
    assert await store.get_resource_by_name(db, GUILD, "FOOD BANK") == added

    updated = await store.update_resource(db, GUILD, added.id, replace(added, name="Community pantry", phone="999"))
    assert updated is not None and (updated.name, updated.phone, updated.id) == ("Community pantry", "999", added.id)
    assert await store.get_resource_by_name(db, GUILD, "Food bank") is None

    assert await store.remove_resource(db, GUILD, added.id)
    assert not await store.remove_resource(db, GUILD, added.id)
    assert await store.update_resource(db, GUILD, added.id, entry("Gone")) is None


async def test_names_are_unique_per_server_ignoring_case(db: Database) -> None:
    first = await store.add_resource(db, GUILD, entry("Food bank"))
    other = await store.add_resource(db, GUILD, entry("Soup run"))
    with pytest.raises(DirectoryError, match="already a resource called 'FOOD BANK'"):
        await store.add_resource(db, GUILD, entry("FOOD BANK"))
    with pytest.raises(DirectoryError, match="already a resource called"):
        await store.update_resource(db, GUILD, other.id, entry("food Bank"))
    assert await store.update_resource(db, GUILD, first.id, entry("FOOD BANK")) is not None
    assert (await store.add_resource(db, OTHER_GUILD, entry("Food bank"))).guild_id == OTHER_GUILD


async def test_search_index_follows_edits_and_removals(db: Database) -> None:
    added = await store.add_resource(db, GUILD, entry("Harbour House", description="Emergency beds"))
    assert await names(db, GUILD, "harbour") == ["Harbour House"]
    await store.update_resource(db, GUILD, added.id, replace(added, name="Lighthouse", description="Warm meals"))
    assert await names(db, GUILD, "harbour") == []
    assert await names(db, GUILD, "beds") == []
    assert await names(db, GUILD, "lighthouse") == ["Lighthouse"]
    assert await names(db, GUILD, "meals") == ["Lighthouse"]
    await store.remove_resource(db, GUILD, added.id)
    assert await names(db, GUILD, "lighthouse") == []
    assert await db.fetchval("SELECT count(*) FROM resources_fts WHERE resources_fts MATCH 'lighthouse'") == 0


async def test_vocabulary_counts_follow_every_write(db: Database) -> None:
    a = await store.add_resource(db, GUILD, entry("Food bank", tags=("parcels",)))
    b = await store.add_resource(db, GUILD, entry("Soup kitchen", tags=("parcels", "hot food")))
    await store.add_resource(db, OTHER_GUILD, entry("Library"))
    await store.update_resource(db, GUILD, a.id, replace(a, name="Food pantry"))
    await store.mark_verified(db, GUILD, b.id, TODAY)
    expected = sorted({t for r in await store.all_resources(db, GUILD) for t in search_terms(r)})
    assert await store.vocabulary(db, GUILD) == expected
    assert await db.fetchval("SELECT uses FROM resource_terms WHERE guild_id = ? AND term = 'parcels'", (GUILD,)) == 2
    await store.remove_resource(db, GUILD, b.id)
    await store.remove_resource(db, GUILD, a.id)
    assert await store.vocabulary(db, GUILD) == []
    assert await store.vocabulary(db, OTHER_GUILD) == ["food", "library"]


async def test_names_for_autocomplete(db: Database) -> None:
    for name in ("Food bank", "Foodcycle", "Soup and food", "Samaritans"):
        await store.add_resource(db, GUILD, entry(name))
    await store.add_resource(db, OTHER_GUILD, entry("Food for all"))
    assert [h.name for h in await search.names_like(db, GUILD, "fOOd")] == ["Food bank", "Foodcycle", "Soup and food"]
    assert [h.name for h in await search.names_like(db, GUILD, "", limit=2)] == ["Food bank", "Foodcycle"]
    assert [h.name for h in await search.names_like(db, GUILD, "food", limit=1)] == ["Food bank"]
    await store.add_resource(db, GUILD, entry("Food and more food"))  # starts with it: listed once, first
    assert [h.name for h in await search.names_like(db, GUILD, "food")] == [
        "Food and more food",
        "Food bank",
        "Foodcycle",
        "Soup and food",
    ]


# --- review -------------------------------------------------------------------------------------------------------


async def test_review_lists_unverified_and_stale_entries(db: Database) -> None:
    await store.add_resource(db, GUILD, entry("Fresh", last_verified=TODAY - timedelta(days=179)))
    stale = await store.add_resource(db, GUILD, entry("Stale", last_verified=TODAY - timedelta(days=180)))
    await store.add_resource(db, GUILD, entry("Older", last_verified=date(2020, 1, 1)))
    never = await store.add_resource(db, GUILD, entry("Never"))
    await store.add_resource(db, OTHER_GUILD, entry("Theirs"))

    due = await store.due_for_review(db, GUILD, today=TODAY)
    assert [r.name for r in due.items] == ["Never", "Older", "Stale"] and due.total == 3

    assert await store.mark_verified(db, GUILD, stale.id, TODAY)
    assert await store.mark_verified(db, GUILD, never.id, TODAY)
    assert not await store.mark_verified(db, OTHER_GUILD, never.id, TODAY)
    due = await store.due_for_review(db, GUILD, today=TODAY, limit=1)
    assert [r.name for r in due.items] == ["Older"] and due.total == 1
    assert (await store.get_resource(db, GUILD, stale.id)) == replace(stale, last_verified=TODAY)


# --- suggestions --------------------------------------------------------------------------------------------------


async def test_suggestion_lifecycle(db: Database) -> None:
    first = await store.add_suggestion(db, GUILD, 77, SuggestionDraft("Night bus", contact="nightbus.example"))
    second = await store.add_suggestion(db, GUILD, 78, SuggestionDraft("Book club", category="peer groups"))
    await store.add_suggestion(db, OTHER_GUILD, 77, SuggestionDraft("Elsewhere"))
    assert (first.status, first.user_id, first.draft.contact) == ("pending", 77, "nightbus.example")

    queue = await store.pending_suggestions(db, GUILD)
    assert [s.id for s in queue.items] == [first.id, second.id] and queue.total == 2
    assert await store.pending_count_by(db, GUILD, 77) == 1

    resource = await store.add_resource(db, GUILD, entry("Night bus"))
    assert await store.decide_suggestion(db, GUILD, first.id, status="added", decided_by=5, resource_id=resource.id)
    assert not await store.decide_suggestion(db, GUILD, first.id, status="dismissed", decided_by=6)
    assert not await store.decide_suggestion(db, OTHER_GUILD, second.id, status="dismissed", decided_by=6)
    assert await store.decide_suggestion(db, GUILD, second.id, status="dismissed", decided_by=6)

    decided = await store.get_suggestion(db, GUILD, first.id)
    assert decided is not None and (decided.status, decided.resource_id) == ("added", resource.id)
    assert (await store.pending_suggestions(db, GUILD)).total == 0
    await store.remove_resource(db, GUILD, resource.id)
    gone = await store.get_suggestion(db, GUILD, first.id)
    assert gone is not None and gone.resource_id is None


async def test_delete_user_data(db: Database) -> None:
    mine = await store.add_suggestion(db, GUILD, 77, SuggestionDraft("Mine"))
    await store.add_suggestion(db, OTHER_GUILD, 77, SuggestionDraft("Mine too"))
    theirs = await store.add_suggestion(db, GUILD, 78, SuggestionDraft("Theirs"))
    await store.decide_suggestion(db, GUILD, theirs.id, status="dismissed", decided_by=77)

    async with db.transaction():  # /privacy delete runs every feature's deleter in one transaction
        assert await store.delete_user_data(db, 77) == 3

    assert await store.get_suggestion(db, GUILD, mine.id) is None
    assert await db.fetchval("SELECT count(*) FROM resource_suggestions WHERE user_id = 77") == 0
    assert await db.fetchval("SELECT count(*) FROM resource_suggestions WHERE decided_by = 77") == 0
    kept = await store.get_suggestion(db, GUILD, theirs.id)
    assert kept is not None and kept.status == "dismissed"
    assert await store.delete_user_data(db, 77) == 0


# --- isolation ----------------------------------------------------------------------------------------------------


async def test_one_server_never_sees_another(db: Database) -> None:
    mine = await store.add_resource(db, GUILD, entry("Food bank", area="Leeds"))
    await store.add_category(db, OTHER_GUILD, "Only theirs")
    theirs = await store.add_resource(db, OTHER_GUILD, entry("Food hub", "Only theirs"))

    assert await store.get_resource(db, OTHER_GUILD, mine.id) is None
    assert await store.update_resource(db, OTHER_GUILD, mine.id, entry("Taken")) is None
    assert not await store.remove_resource(db, OTHER_GUILD, mine.id)
    assert [r.id for r in await store.all_resources(db, GUILD)] == [mine.id]
    assert "Only theirs" not in await store.categories(db, GUILD)
    assert await names(db, GUILD, "food") == ["Food bank"]
    assert await names(db, OTHER_GUILD, "food") == ["Food hub"]
    assert await names(db, GUILD, "fod hub") == ["Food bank"]  # their words are not in our vocabulary
    assert await names(db, OTHER_GUILD, "") == ["Food hub"]
    assert await store.get_resource(db, GUILD, theirs.id) is None


async def test_delete_guild_data(db: Database) -> None:
    await store.add_resource(db, GUILD, entry("Food bank"))
    await store.add_suggestion(db, GUILD, 77, SuggestionDraft("Bus"))
    kept = await store.add_resource(db, OTHER_GUILD, entry("Food hub"))
    async with db.transaction():
        assert await store.delete_guild_data(db, GUILD) > 0
    assert await db.fetchval("SELECT count(*) FROM resources WHERE guild_id = ?", (GUILD,)) == 0
    assert await db.fetchval("SELECT count(*) FROM resource_categories WHERE guild_id = ?", (GUILD,)) == 0
    assert await db.fetchval("SELECT count(*) FROM resource_directories WHERE guild_id = ?", (GUILD,)) == 0
    assert await db.fetchval("SELECT count(*) FROM resource_suggestions WHERE guild_id = ?", (GUILD,)) == 0
    assert await store.vocabulary(db, GUILD) == []
    assert await store.all_resources(db, OTHER_GUILD) == [kept]


async def test_search_index_stays_identical_to_the_table(db: Database) -> None:
    a = await store.add_resource(db, GUILD, entry("Food bank", tags=("parcels",)))
    b = await store.add_resource(db, OTHER_GUILD, entry("Soup run"))
    await store.update_resource(db, GUILD, a.id, replace(a, description="Tins and fresh veg", area="Leeds"))
    await store.mark_verified(db, OTHER_GUILD, b.id, TODAY)
    async with db.transaction():
        await store.upsert_resources(db, GUILD, [entry("Food bank", "crisis"), entry("Night shelter")])
        await store.remove_resources_except(db, GUILD, {"night shelter"})
    await store.remove_resource(db, OTHER_GUILD, b.id)
    # Compares every indexed value with the resources table; raises if a trigger missed a change.
    await db.execute("INSERT INTO resources_fts (resources_fts, rank) VALUES ('integrity-check', 1)")
    await db.execute("INSERT INTO resources_fts (resources_fts) VALUES ('rebuild')")
    assert await names(db, GUILD, "shelter") == ["Night shelter"]
    assert await names(db, GUILD, "tins") == []


async def test_server_tokens_in_the_index_are_not_searchable(db: Database) -> None:
    await store.add_resource(db, GUILD, entry("Food bank"))
    await store.add_resource(db, GUILD, entry("G4 Youth Club", "youth"))
    assert await names(db, GUILD, f"g{GUILD}") == []
    assert await names(db, GUILD, "g1") == []
    assert await names(db, GUILD, "g4") == ["G4 Youth Club"]
