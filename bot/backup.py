"""`python -m bot backup PATH` and `python -m bot restore PATH`: SQLite's online backup API.

Backup runs while the bot is running. The copy is made in one backup step, which is one read transaction:
a consistent snapshot of the last commit, and in WAL mode the bot's writes are not blocked meanwhile. The
copy is written next to its target, checked with ``PRAGMA integrity_check``, made a single self-contained
file (no -wal) readable only by its owner, then renamed into place, so a half-written backup never exists
under the real name.

Restore is for a stopped bot: it checks the backup, keeps the current database as
``<database>.before-restore-<time>``, copies the backup in through SQLite (so the live file's WAL is handled),
and the caller then applies any newer migrations. The secret key file (anonymous author tokens) is not in the
database and not in a backup: keep it, separately; restoring with a different key makes existing shares
unreachable by their authors' `/share delete-all`.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says what to do."""


@dataclass(frozen=True)
class Copied:
    path: Path
    size: int
    migrations: int


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _check(conn: sqlite3.Connection, what: str) -> int:
    """Integrity check, and that it is a peerbot database; return how many migrations it has."""
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} failed SQLite's integrity check ({result}).")
    try:
        return int(conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a peerbot database ({exc}).") from exc


def _copy(source: sqlite3.Connection, target: Path) -> None:
    dest = _connect(target)
    try:
        source.backup(dest)  # pages=-1: the whole database in one step, i.e. one consistent snapshot
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dest.close()


def backup(database: Path, target: Path) -> Copied:
    """Copy the live database to `target` (a new file, or a folder to put a dated file in)."""
    if not database.is_file():
        raise BackupError(f"There is no database at {database}: check DATABASE_PATH.")
    if target.is_dir():
        target = target / f"peerbot-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite3"
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name (backups never overwrite).")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    source = _connect(database)
    try:
        _copy(source, partial)
    finally:
        source.close()
    os.chmod(partial, 0o600)  # it holds members' data
    check = _connect(partial)
    try:
        migrations = _check(check, "The copy")
    except BackupError:
        check.close()
        partial.unlink(missing_ok=True)
        raise
    check.close()
    os.replace(partial, target)
    return Copied(target, target.stat().st_size, migrations)


def restore(backup_file: Path, database: Path) -> Copied:
    """Replace `database` with `backup_file` (the bot must be stopped); the old file is kept aside."""
    if not backup_file.is_file():
        raise BackupError(f"There is no backup at {backup_file}.")
    if backup_file.resolve() == database.resolve():
        raise BackupError("The backup and DATABASE_PATH are the same file.")
    source = _connect(backup_file)
    try:
        migrations = _check(source, "The backup")
        if database.exists():
            aside = database.with_name(f"{database.name}.before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}")
            live = _connect(database)
            try:
                _copy(live, aside)
            finally:
                live.close()
            os.chmod(aside, 0o600)
        dest = _connect(database)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return Copied(database, database.stat().st_size, migrations)
