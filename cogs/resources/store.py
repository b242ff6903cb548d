"""SQL for the resource directory: resources and their search index, categories, review, members' suggestions.

Every query filters on ``guild_id``: one server never sees another's directory. Functions here never open a
transaction themselves (``Database.transaction`` is not re-entrant), so callers can group several of them in one;
:func:`cogs.resources.exchange.import_directory` does that for imports. Search runs on an in-memory index of one
server's entries (:mod:`cogs.resources.index`), built from :func:`snapshot` and trusted while the server's stamp, kept
by triggers (migration 0007), is unchanged. Migration 0006's FTS5 index and ``resource_terms`` are still kept in sync
by their triggers, but searches no longer read them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, TypeVar

from bot.db import Database
from cogs.resources.model import (
    DEFAULT_CATEGORIES,
    MAX_CATEGORIES,
    REVIEW_AFTER_DAYS,
    DirectoryError,
    Entry,
    Page,
    Resource,
    SuggestionDraft,
    join_list,
    key,
    split_list,
    terms_json,
    validate_category_name,
)

_Row = TypeVar("_Row")
SuggestionStatus = Literal["pending", "added", "dismissed"]


@dataclass(frozen=True)
class CategoryCount:
    """A category and how many resources it has."""

    name: str
    count: int


@dataclass(frozen=True)
class Suggestion:
    """A member's suggestion in a server's queue. `user_id` lets admins reply to the member."""

    id: int
    guild_id: int
    user_id: int
    draft: SuggestionDraft
    status: SuggestionStatus
    resource_id: int | None
    created_at: str


def resource_from_row(row: sqlite3.Row) -> Resource:
    verified = row["last_verified"]
    return Resource(
        id=row["id"],
        guild_id=row["guild_id"],
        name=row["name"],
        category=row["category"],
        description=row["description"],
        tags=split_list(row["tags"]),
        phone=row["phone"],
        website=row["website"],
        email=row["email"],
        area=row["area"],
        hours=row["hours"],
        languages=split_list(row["languages"]),
        eligibility=row["eligibility"],
        cost=row["cost"],
        last_verified=None if verified is None else date.fromisoformat(verified),
    )


def row_values(guild_id: int, entry: Entry) -> tuple[object, ...]:
    """Column values in the order of the INSERT statements below."""
    return (
        guild_id,
        entry.name,
        key(entry.name),
        entry.description,
        entry.category,
        join_list(entry.tags),
        entry.phone,
        entry.website,
        entry.email,
        entry.area,
        key(entry.area),
        entry.hours,
        join_list(entry.languages),
        entry.eligibility,
        entry.cost,
        None if entry.last_verified is None else entry.last_verified.isoformat(),
        terms_json(entry),
    )


def _inserted(found: _Row | None) -> _Row:
    if found is None:
        raise RuntimeError("a row inserted in this task vanished")
    return found


def _duplicate_name(entry: Entry) -> DirectoryError:
    return DirectoryError(f"There's already a resource called '{entry.name}'. Pick another name, or edit that one.")


# --- categories ---------------------------------------------------------------------------------------------------


async def ensure_categories(db: Database, guild_id: int) -> None:
    """Give a server the default categories the first time its directory is used (never again after that)."""
    if await db.fetchval("SELECT 1 FROM resource_directories WHERE guild_id = ?", (guild_id,)):
        return
    # Each row is conditional on the marker, so a concurrent first use cannot bring back a removed category.
    await db.executemany(
        "INSERT OR IGNORE INTO resource_categories (guild_id, name_key, name, position)"
        " SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM resource_directories WHERE guild_id = ?)",
        [(guild_id, key(name), name, i, guild_id) for i, name in enumerate(DEFAULT_CATEGORIES)],
    )
    await db.execute("INSERT OR IGNORE INTO resource_directories (guild_id) VALUES (?)", (guild_id,))


async def categories(db: Database, guild_id: int) -> list[str]:
    """The server's categories in their list order."""
    await ensure_categories(db, guild_id)
    rows = await db.fetchall(
        "SELECT name FROM resource_categories WHERE guild_id = ? ORDER BY position, name_key", (guild_id,)
    )
    return [r["name"] for r in rows]


async def category_counts(db: Database, guild_id: int) -> list[CategoryCount]:
    """Every category with its number of resources (zero included), in list order."""
    await ensure_categories(db, guild_id)
    rows = await db.fetchall(
        "SELECT c.name, count(r.id) AS n FROM resource_categories c"
        " LEFT JOIN resources r ON r.guild_id = c.guild_id AND r.category = c.name"
        " WHERE c.guild_id = ? GROUP BY c.name_key, c.name, c.position ORDER BY c.position, c.name_key",
        (guild_id,),
    )
    return [CategoryCount(r["name"], r["n"]) for r in rows]


async def add_category(db: Database, guild_id: int, name: str) -> str:
    """Add a category at the end of the list; return its cleaned name. Raise DirectoryError if it can't be added."""
    name = validate_category_name(name)
    existing = await categories(db, guild_id)
    if any(key(c) == key(name) for c in existing):
        raise DirectoryError(f"There's already a category called '{name}'.")
    if len(existing) >= MAX_CATEGORIES:
        raise DirectoryError(
            f"This server already has {MAX_CATEGORIES} categories, the most Discord can offer in a list. "
            "Remove one first."
        )
    await db.execute(
        "INSERT INTO resource_categories (guild_id, name_key, name, position) VALUES (?, ?, ?,"
        " (SELECT coalesce(max(position), -1) + 1 FROM resource_categories WHERE guild_id = ?))",
        (guild_id, key(name), name, guild_id),
    )
    return name


async def remove_category(db: Database, guild_id: int, name: str) -> str:
    """Remove an unused category; return its name. Raise DirectoryError if it is unknown or still in use."""
    existing = await categories(db, guild_id)
    canonical = next((c for c in existing if key(c) == key(name)), None)
    if canonical is None:
        raise DirectoryError(f"There's no category called '{name}'.")
    used = await db.fetchval(
        "SELECT count(*) FROM resources WHERE guild_id = ? AND category = ?", (guild_id, canonical)
    )
    if used:
        raise DirectoryError(
            f"{used} resource(s) are in '{canonical}'. Move them to another category first, then remove it."
        )
    await db.execute("DELETE FROM resource_categories WHERE guild_id = ? AND name_key = ?", (guild_id, key(canonical)))
    return canonical


# --- resources ----------------------------------------------------------------------------------------------------


async def add_resource(db: Database, guild_id: int, entry: Entry) -> Resource:
    """Add a validated entry. Raise DirectoryError if the server already has a resource of that name."""
    try:
        resource_id = await db.insert(
            "INSERT INTO resources (guild_id, name, name_key, description, category, tags, phone, website, email,"
            " area, area_key, hours, languages, eligibility, cost, last_verified, terms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row_values(guild_id, entry),
        )
    except sqlite3.IntegrityError as exc:
        raise _duplicate_name(entry) from exc
    return _inserted(await get_resource(db, guild_id, resource_id))


async def update_resource(db: Database, guild_id: int, resource_id: int, entry: Entry) -> Resource | None:
    """Replace a resource's content; None if it doesn't exist. Raise DirectoryError on a name clash."""
    values = row_values(guild_id, entry)[1:]
    try:
        changed = await db.execute(
            "UPDATE resources SET name = ?, name_key = ?, description = ?, category = ?, tags = ?, phone = ?,"
            " website = ?, email = ?, area = ?, area_key = ?, hours = ?, languages = ?, eligibility = ?, cost = ?,"
            " last_verified = ?, terms = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
            " WHERE id = ? AND guild_id = ?",
            (*values, resource_id, guild_id),
        )
    except sqlite3.IntegrityError as exc:
        raise _duplicate_name(entry) from exc
    return await get_resource(db, guild_id, resource_id) if changed else None


async def remove_resource(db: Database, guild_id: int, resource_id: int) -> bool:
    return await db.execute("DELETE FROM resources WHERE id = ? AND guild_id = ?", (resource_id, guild_id)) == 1


async def get_resource(db: Database, guild_id: int, resource_id: int) -> Resource | None:
    row = await db.fetchone("SELECT * FROM resources WHERE id = ? AND guild_id = ?", (resource_id, guild_id))
    return None if row is None else resource_from_row(row)


async def get_resource_by_name(db: Database, guild_id: int, name: str) -> Resource | None:
    """The resource called `name`, ignoring case."""
    row = await db.fetchone("SELECT * FROM resources WHERE guild_id = ? AND name_key = ?", (guild_id, key(name)))
    return None if row is None else resource_from_row(row)


async def all_resources(db: Database, guild_id: int) -> list[Resource]:
    """The whole directory, by name."""
    rows = await db.fetchall("SELECT * FROM resources WHERE guild_id = ? ORDER BY name_key", (guild_id,))
    return [resource_from_row(r) for r in rows]


async def count_resources(db: Database, guild_id: int) -> int:
    return int(await db.fetchval("SELECT count(*) FROM resources WHERE guild_id = ?", (guild_id,)))


# --- search (cogs/resources/search.py keeps each server's entries as an in-memory index) ---------------------------


@dataclass(frozen=True)
class Snapshot:
    """Everything a server's search index is built from, read in one statement (so all of one moment)."""

    stamp: int
    seeded: bool
    categories: list[str]
    rows: list[sqlite3.Row]


async def snapshot(db: Database, guild_id: int) -> Snapshot:
    """The server's stamp (migration 0007), whether its categories were seeded, its categories in list order and
    every resource row, by id."""
    rows = await db.fetchall(
        "WITH head AS (SELECT coalesce((SELECT stamp FROM resource_stamps WHERE guild_id = ?1), 0) AS stamp,"
        " EXISTS (SELECT 1 FROM resource_directories WHERE guild_id = ?1) AS seeded,"
        " (SELECT json_group_array(json_array(position, name_key, name)) FROM resource_categories"
        " WHERE guild_id = ?1) AS category_list)"
        " SELECT head.*, r.* FROM head LEFT JOIN resources r ON r.guild_id = ?1 ORDER BY r.id",
        (guild_id,),
    )
    head = rows[0]
    listed = sorted(json.loads(head["category_list"]), key=lambda c: (c[0], c[1]))
    return Snapshot(
        int(head["stamp"]),
        bool(head["seeded"]),
        [c[2] for c in listed],
        [r for r in rows if r["id"] is not None],
    )


async def stamp(db: Database, guild_id: int) -> int:
    """The server's stamp: it changes whenever anything a search reads changes (migration 0007)."""
    found = await db.fetchval("SELECT stamp FROM resource_stamps WHERE guild_id = ?", (guild_id,))
    return 0 if found is None else int(found)


async def stamp_and_resources(db: Database, guild_id: int, ids: Sequence[int]) -> tuple[int, dict[int, Resource]]:
    """The server's stamp and the resources with these ids, in one statement (so the stamp dates the rows)."""
    # "+guild_id" makes SQLite look the ids up by rowid instead of scanning the server's index.
    rows = await db.fetchall(
        "SELECT head.*, r.* FROM (SELECT coalesce((SELECT stamp FROM resource_stamps WHERE guild_id = ?1), 0) AS stamp)"
        " head"
        " LEFT JOIN resources r ON r.id IN (SELECT value FROM json_each(?2)) AND +r.guild_id = ?1",
        (guild_id, json.dumps(list(ids))),
    )
    return int(rows[0]["stamp"]), {r["id"]: resource_from_row(r) for r in rows if r["id"] is not None}


async def vocabulary(db: Database, guild_id: int) -> list[str]:
    """The server's distinct name/tag/category words, sorted (resource_terms, kept by migration 0006's triggers)."""
    rows = await db.fetchall("SELECT term FROM resource_terms WHERE guild_id = ? ORDER BY term", (guild_id,))
    return [r["term"] for r in rows]


# --- review -------------------------------------------------------------------------------------------------------


async def due_for_review(
    db: Database, guild_id: int, *, today: date, days: int = REVIEW_AFTER_DAYS, limit: int = 10, offset: int = 0
) -> Page[Resource]:
    """Resources never verified, or last verified `days` or more days ago: never-verified first, then oldest."""
    cutoff = (today - timedelta(days=days)).isoformat()
    rows = await db.fetchall(
        "SELECT * FROM resources WHERE guild_id = ? AND (last_verified IS NULL OR last_verified <= ?)"
        " ORDER BY last_verified IS NOT NULL, last_verified, name_key, id LIMIT ? OFFSET ?",
        (guild_id, cutoff, limit, offset),
    )
    total = await db.fetchval(
        "SELECT count(*) FROM resources WHERE guild_id = ? AND (last_verified IS NULL OR last_verified <= ?)",
        (guild_id, cutoff),
    )
    return Page(tuple(resource_from_row(r) for r in rows), int(total))


async def mark_verified(db: Database, guild_id: int, resource_id: int, today: date) -> bool:
    """ "Still correct": stamp `today` as the last-verified date (not an edit, so updated_at stays)."""
    changed = await db.execute(
        "UPDATE resources SET last_verified = ? WHERE id = ? AND guild_id = ?",
        (today.isoformat(), resource_id, guild_id),
    )
    return changed == 1


# --- bulk writes for imports --------------------------------------------------------------------------------------


async def name_keys(db: Database, guild_id: int) -> set[str]:
    rows = await db.fetchall("SELECT name_key FROM resources WHERE guild_id = ?", (guild_id,))
    return {r["name_key"] for r in rows}


async def upsert_resources(db: Database, guild_id: int, entries: Iterable[Entry]) -> None:
    """Add each entry, or replace the resource of the same name (ignoring case). Run it inside a transaction."""
    await db.executemany(
        "INSERT INTO resources (guild_id, name, name_key, description, category, tags, phone, website, email,"
        " area, area_key, hours, languages, eligibility, cost, last_verified, terms)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (guild_id, name_key) DO UPDATE SET name = excluded.name, description = excluded.description,"
        " category = excluded.category, tags = excluded.tags, phone = excluded.phone, website = excluded.website,"
        " email = excluded.email, area = excluded.area, area_key = excluded.area_key, hours = excluded.hours,"
        " languages = excluded.languages, eligibility = excluded.eligibility, cost = excluded.cost,"
        " last_verified = excluded.last_verified, terms = excluded.terms,"
        " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        [row_values(guild_id, e) for e in entries],
    )


async def remove_resources_except(db: Database, guild_id: int, keep_name_keys: Iterable[str]) -> int:
    """Delete every resource whose name key is not in `keep_name_keys`; return how many."""
    return await db.execute(
        "DELETE FROM resources WHERE guild_id = ? AND name_key NOT IN (SELECT value FROM json_each(?))",
        (guild_id, json.dumps(sorted(set(keep_name_keys)), ensure_ascii=False)),
    )


# --- suggestions --------------------------------------------------------------------------------------------------


def _suggestion(row: sqlite3.Row) -> Suggestion:
    draft = SuggestionDraft(row["name"], row["description"], row["category"], row["contact"], row["area"])
    return Suggestion(
        row["id"], row["guild_id"], row["user_id"], draft, row["status"], row["resource_id"], row["created_at"]
    )


async def add_suggestion(db: Database, guild_id: int, user_id: int, draft: SuggestionDraft) -> Suggestion:
    suggestion_id = await db.insert(
        "INSERT INTO resource_suggestions (guild_id, user_id, name, description, category, contact, area)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (guild_id, user_id, draft.name, draft.description, draft.category, draft.contact, draft.area),
    )
    return _inserted(await get_suggestion(db, guild_id, suggestion_id))


async def get_suggestion(db: Database, guild_id: int, suggestion_id: int) -> Suggestion | None:
    row = await db.fetchone(
        "SELECT * FROM resource_suggestions WHERE id = ? AND guild_id = ?", (suggestion_id, guild_id)
    )
    return None if row is None else _suggestion(row)


async def pending_suggestions(db: Database, guild_id: int, limit: int = 10, offset: int = 0) -> Page[Suggestion]:
    """The queue, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM resource_suggestions WHERE guild_id = ? AND status = 'pending' ORDER BY id LIMIT ? OFFSET ?",
        (guild_id, limit, offset),
    )
    total = await db.fetchval(
        "SELECT count(*) FROM resource_suggestions WHERE guild_id = ? AND status = 'pending'", (guild_id,)
    )
    return Page(tuple(_suggestion(r) for r in rows), int(total))


async def pending_count_by(db: Database, guild_id: int, user_id: int) -> int:
    """How many of this member's suggestions are still waiting (for a per-member cap in the cog)."""
    count = await db.fetchval(
        "SELECT count(*) FROM resource_suggestions WHERE guild_id = ? AND user_id = ? AND status = 'pending'",
        (guild_id, user_id),
    )
    return int(count)


async def decide_suggestion(
    db: Database,
    guild_id: int,
    suggestion_id: int,
    *,
    status: Literal["added", "dismissed"],
    decided_by: int,
    resource_id: int | None = None,
) -> bool:
    """Close a pending suggestion (Add -> "added" with the new resource's id, or "dismissed"). False if it was
    already decided or doesn't exist, so two admins clicking at once can't both act on it."""
    changed = await db.execute(
        "UPDATE resource_suggestions SET status = ?, resource_id = ?, decided_by = ?,"
        " decided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
        " WHERE id = ? AND guild_id = ? AND status = 'pending'",
        (status, resource_id, decided_by, suggestion_id, guild_id),
    )
    return changed == 1


# --- privacy and leaving ------------------------------------------------------------------------------------------


async def delete_user_data(db: Database, user_id: int) -> int:
    """/privacy delete: the member's suggestions (every server), and their id as the admin who decided any."""
    removed = await db.execute("DELETE FROM resource_suggestions WHERE user_id = ?", (user_id,))
    cleared = await db.execute("UPDATE resource_suggestions SET decided_by = NULL WHERE decided_by = ?", (user_id,))
    return removed + cleared


async def delete_guild_data(db: Database, guild_id: int) -> int:
    """Everything the directory keeps for one server (e.g. when the bot leaves it). Run it inside a transaction."""
    removed = await db.execute("DELETE FROM resource_suggestions WHERE guild_id = ?", (guild_id,))
    removed += await db.execute("DELETE FROM resources WHERE guild_id = ?", (guild_id,))
    removed += await db.execute("DELETE FROM resource_categories WHERE guild_id = ?", (guild_id,))
    removed += await db.execute("DELETE FROM resource_directories WHERE guild_id = ?", (guild_id,))
    return removed
