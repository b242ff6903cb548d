"""The migration runner and transactions, on a real SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot import store
from bot.db import Database, Migration, MigrationError, read_migrations


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = await Database.connect(tmp_path / "t.db")
    yield database  # type: ignore[misc]
    await database.close()


async def test_fresh_apply_then_idempotent(db: Database) -> None:
    applied = await db.migrate()
    assert applied == [m.name for m in read_migrations()]
    assert await db.migrate() == []
    assert await db.fetchval("PRAGMA journal_mode") == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.integrity_check() == "ok"


async def test_edited_migration_is_refused(db: Database) -> None:
    await db.migrate([Migration("0001_a.sql", "CREATE TABLE a (x INTEGER);")])
    with pytest.raises(MigrationError, match=r"0001_a\.sql was edited"):
        await db.migrate([Migration("0001_a.sql", "CREATE TABLE a (x INTEGER, y INTEGER);")])


async def test_failed_migration_leaves_nothing_behind(db: Database) -> None:
    bad = Migration("0001_bad.sql", "CREATE TABLE ok_table (x INTEGER);\nCREATE TABLE broken (;\n")
    with pytest.raises(Exception, match="syntax error"):
        await db.migrate([bad])
    assert await db.fetchval("SELECT count(*) FROM sqlite_master WHERE name = 'ok_table'") == 0
    assert await db.fetchval("SELECT count(*) FROM schema_migrations") == 0


async def test_transaction_rolls_back(db: Database) -> None:
    await db.migrate()
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert await store.get_meta(db, "a") is None


async def test_guild_config_round_trip(db: Database) -> None:
    await db.migrate()
    assert (await store.get_guild_config(db, 1)).timezone == "UTC"
    config = await store.update_guild_config(db, 1, {"timezone": "Europe/London", "volunteer_role_id": 5})
    config = await store.update_guild_config(db, 1, {"country": "GB"})
    assert (config.timezone, config.volunteer_role_id, config.country) == ("Europe/London", 5, "GB")
    with pytest.raises(ValueError, match="unknown settings"):
        await store.update_guild_config(db, 1, {"guild_id; DROP TABLE meta": 1})


async def test_checkpoints_run_in_the_background_not_in_commits(db: Database, tmp_path: Path) -> None:
    # Pages reach the database file only when a checkpoint copies them from the write-ahead log, so the file's
    # size tells whether one ran (asking SQLite would itself checkpoint). Commits never do it (autocheckpoint 0).
    assert await db.fetchval("PRAGMA wal_autocheckpoint") == 0
    await db.execute("CREATE TABLE blob (x BLOB)")
    main = tmp_path / "t.db"
    for _ in range(50):
        await db.execute("INSERT INTO blob VALUES (zeroblob(100000))")  # ~1,250 pages: past the old 1,000
    deadline = asyncio.get_running_loop().time() + 5
    while main.stat().st_size < 5_000_000:
        assert asyncio.get_running_loop().time() < deadline, "the background checkpoint never ran"
        await asyncio.sleep(0.1)
