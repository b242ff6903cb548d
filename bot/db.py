"""The one database connection, its transactions, and the migration runner (DESIGN §1, §2).

All SQL outside feature `store.py` files lives here or in `bot/store.py`. The API is deliberately
small (`execute`, `fetchone`, `fetchall`, `transaction`) so a PostgreSQL backend can replace it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
BUSY_TIMEOUT_MS = 5000
CHECKPOINT_EVERY_S = 1.0
Params = Sequence[Any]


class MigrationError(Exception):
    """The migrations on disk and in the database disagree; start-up must stop."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def read_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every `NNNN_description.sql` file in order."""
    files = sorted(p for p in directory.glob("*.sql") if p.name[:4].isdigit())
    return [Migration(p.name, p.read_text(encoding="utf-8")) for p in files]


async def _checkpoint_forever(path: Path) -> None:
    """PASSIVE checkpoints of `path`'s WAL every CHECKPOINT_EVERY_S, on a thread of their own."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(1, thread_name_prefix="sqlite-checkpoints") as thread:
        conn = await loop.run_in_executor(thread, lambda: sqlite3.connect(str(path), isolation_level=None))
        try:
            while True:
                await asyncio.sleep(CHECKPOINT_EVERY_S)
                try:
                    await loop.run_in_executor(thread, _checkpoint, conn)
                except sqlite3.Error as exc:  # busy or locked: the next round tries again
                    log.debug("Checkpoint skipped: %s", exc)
        finally:
            await asyncio.shield(loop.run_in_executor(thread, conn.close))


def _checkpoint(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


class Database:
    """One aiosqlite connection; its queries run one at a time on the connection's worker thread."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._tx_lock = asyncio.Lock()
        self._tx_owner: asyncio.Task[Any] | None = None
        self._checkpoints: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, path: Path | str) -> Database:
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        # Deleted member content (a share, a note) is overwritten on disk, not just unlinked.
        await conn.execute("PRAGMA secure_delete = ON")
        db = cls(conn)
        if str(path) != ":memory:":
            # Copying the write-ahead log back into the database (a checkpoint) used to happen inside whichever
            # commit crossed 1,000 pages, adding milliseconds to that member's answer. A second connection on
            # its own thread does it instead, every second, without blocking readers or writers (PASSIVE).
            await conn.execute("PRAGMA wal_autocheckpoint = 0")
            db._checkpoints = asyncio.create_task(_checkpoint_forever(Path(path)), name="sqlite-checkpoints")
        return db

    async def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            with suppress(asyncio.CancelledError):
                await self._checkpoints
        await self._conn.close()  # the last connection to close checkpoints what is left

    async def _wait_for_other_transactions(self) -> None:
        # A statement outside `transaction()` must not interleave with another task's open transaction.
        if self._tx_lock.locked() and self._tx_owner is not asyncio.current_task():
            async with self._tx_lock:
                pass

    # Each await below is one trip to aiosqlite's worker thread; cursors are left to the garbage collector
    # rather than closed with a second trip (a trip costs far more than the SQL: bench/results.md).
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""
        await self._wait_for_other_transactions()
        cur = await self._conn.execute(sql, params)
        return int(cur.rowcount)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT that must add a row; return the new row's id."""
        await self._wait_for_other_transactions()
        cur = await self._conn.execute(sql, params)
        if cur.rowcount != 1 or cur.lastrowid is None:
            raise RuntimeError("INSERT added no row")
        return int(cur.lastrowid)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._wait_for_other_transactions()
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        await self._wait_for_other_transactions()
        rows = list(await self._conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        await self._wait_for_other_transactions()
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """`BEGIN IMMEDIATE ... COMMIT`, rolled back on any exception. Not re-entrant."""
        async with self._tx_lock:
            self._tx_owner = asyncio.current_task()
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                await self._conn.execute("COMMIT")
            finally:
                self._tx_owner = None

    async def integrity_check(self) -> str:
        return str(await self.fetchval("PRAGMA integrity_check"))

    async def migrate(self, migrations: list[Migration] | None = None) -> list[str]:
        """Apply every migration not yet applied, each in its own transaction; return their names."""
        migrations = read_migrations() if migrations is None else migrations
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {row["name"]: row["checksum"] for row in await self.fetchall("SELECT * FROM schema_migrations")}
        for m in migrations:
            if m.name in applied and applied[m.name] != m.checksum:
                raise MigrationError(
                    f"migration {m.name} was edited after it was applied. Migrations only go forward: "
                    "restore the file and add a new numbered migration instead."
                )
        done: list[str] = []
        for m in migrations:
            if m.name in applied:
                continue
            async with self.transaction():
                # executescript() would COMMIT our transaction first, so run the statements one by one.
                for statement in _split_sql(m.sql):
                    await self._conn.execute(statement)
                await self._conn.execute(
                    "INSERT INTO schema_migrations (name, checksum, applied_at) VALUES (?, ?, datetime('now'))",
                    (m.name, m.checksum),
                )
            log.info("Applied migration %s", m.name)
            done.append(m.name)
        return done


def _split_sql(script: str) -> list[str]:
    """Split a migration into complete statements (handles `;` inside strings and triggers)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise MigrationError(f"migration has an unterminated statement: {buffer.strip()[:60]!r}")
    return statements
