"""SQL for the core tables: guild configuration, metadata and durable jobs."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime

from bot.db import Database

CHANNEL_SETTINGS = (
    "shares_channel_id",
    "share_queue_channel_id",
    "groups_channel_id",
    "volunteers_channel_id",
    "peer_channel_id",
    "crisis_alert_channel_id",
)
ROLE_SETTINGS = ("volunteer_role_id", "on_duty_role_id", "facilitator_role_id", "moderator_role_id")
_SETTABLE = frozenset((*CHANNEL_SETTINGS, *ROLE_SETTINGS, "timezone", "country"))


@dataclass(frozen=True)
class GuildConfig:
    """A server's setup; unset channels and roles are None."""

    guild_id: int
    shares_channel_id: int | None = None
    share_queue_channel_id: int | None = None
    groups_channel_id: int | None = None
    volunteers_channel_id: int | None = None
    peer_channel_id: int | None = None
    crisis_alert_channel_id: int | None = None
    volunteer_role_id: int | None = None
    on_duty_role_id: int | None = None
    facilitator_role_id: int | None = None
    moderator_role_id: int | None = None
    timezone: str = "UTC"
    country: str | None = None


_CONFIG_COLUMNS = tuple(f.name for f in fields(GuildConfig))


async def all_guild_configs(db: Database) -> dict[int, GuildConfig]:
    rows = await db.fetchall(
        "SELECT guild_id, shares_channel_id, share_queue_channel_id, groups_channel_id, volunteers_channel_id,"
        " peer_channel_id, crisis_alert_channel_id, volunteer_role_id, on_duty_role_id, facilitator_role_id,"
        " moderator_role_id, timezone, country FROM guild_config"
    )
    return {r["guild_id"]: GuildConfig(**{c: r[c] for c in _CONFIG_COLUMNS}) for r in rows}


async def get_guild_config(db: Database, guild_id: int) -> GuildConfig:
    row = await db.fetchone(
        "SELECT guild_id, shares_channel_id, share_queue_channel_id, groups_channel_id, volunteers_channel_id,"
        " peer_channel_id, crisis_alert_channel_id, volunteer_role_id, on_duty_role_id, facilitator_role_id,"
        " moderator_role_id, timezone, country FROM guild_config WHERE guild_id = ?",
        (guild_id,),
    )
    return GuildConfig(guild_id) if row is None else GuildConfig(**{c: row[c] for c in _CONFIG_COLUMNS})


async def update_guild_config(db: Database, guild_id: int, changes: dict[str, int | str | None]) -> GuildConfig:
    """Set the given settings (one transaction) and return the new configuration."""
    unknown = set(changes) - _SETTABLE
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    async with db.transaction():
        current = await get_guild_config(db, guild_id)
        merged = replace(current, **changes)  # type: ignore[arg-type]
        await db.execute(
            "INSERT INTO guild_config (guild_id, shares_channel_id, share_queue_channel_id, groups_channel_id,"
            " volunteers_channel_id, peer_channel_id, crisis_alert_channel_id, volunteer_role_id, on_duty_role_id,"
            " facilitator_role_id, moderator_role_id, timezone, country) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET shares_channel_id = excluded.shares_channel_id,"
            " share_queue_channel_id = excluded.share_queue_channel_id, groups_channel_id = excluded.groups_channel_id,"
            " volunteers_channel_id = excluded.volunteers_channel_id, peer_channel_id = excluded.peer_channel_id,"
            " crisis_alert_channel_id = excluded.crisis_alert_channel_id,"
            " volunteer_role_id = excluded.volunteer_role_id, on_duty_role_id = excluded.on_duty_role_id,"
            " facilitator_role_id = excluded.facilitator_role_id, moderator_role_id = excluded.moderator_role_id,"
            " timezone = excluded.timezone, country = excluded.country,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            tuple(getattr(merged, c) for c in _CONFIG_COLUMNS),
        )
    return merged


async def get_meta(db: Database, key: str) -> str | None:
    value = await db.fetchval("SELECT value FROM meta WHERE key = ?", (key,))
    return None if value is None else str(value)


async def set_meta(db: Database, key: str, value: str) -> None:
    await db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


@dataclass(frozen=True)
class Job:
    """A durable piece of due work. `attempts` counts the runs started before this one."""

    id: int
    kind: str
    ref: str
    guild_id: int | None
    due_at: datetime
    status: str
    attempts: int


# `due_at` is always stored as UTC ISO-8601 text (`...+00:00`), so SQLite can compare it as text along the
# `jobs_pending_due (status, due_at)` index: every query below finds due work without reading other rows.
_SELECT_JOB = "SELECT id, kind, ref, guild_id, due_at, status, attempts FROM jobs "
# Rows per statement when a list of ids or values is spelled out (well under SQLite's 32,766 variables).
_CHUNK = 500
CLAIM_SKIP_MAX = _CHUNK  # `claim_job` names at most this many busy jobs to skip


def _job(row: sqlite3.Row) -> Job:
    due_at = datetime.fromisoformat(row["due_at"])
    return Job(row["id"], row["kind"], row["ref"], row["guild_id"], due_at, row["status"], row["attempts"])


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _marks(count: int) -> str:
    return ", ".join("?" * count)


async def put_job(db: Database, kind: str, ref: str, due_at: datetime, guild_id: int | None = None) -> Job:
    """Create or reschedule the pending job (kind, ref). A finished job with the same key is left alone.

    One round trip when the job is pending afterwards (RETURNING), a second only to read a finished one back."""
    row = await db.fetchone(
        "INSERT INTO jobs (kind, ref, guild_id, due_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at WHERE jobs.status = 'pending'"
        " RETURNING id, kind, ref, guild_id, due_at, status, attempts",
        (kind, ref, guild_id, _utc(due_at)),
    )
    if row is None:  # a finished job has this key: nothing was written
        row = await db.fetchone(_SELECT_JOB + "WHERE kind = ? AND ref = ?", (kind, ref))
    assert row is not None  # noqa: S101 - just written, or found by the conflict
    return _job(row)


async def get_job(db: Database, job_id: int) -> Job | None:
    row = await db.fetchone(_SELECT_JOB + "WHERE id = ?", (job_id,))
    return None if row is None else _job(row)


async def pending_jobs(db: Database) -> list[Job]:
    """Every pending job (all kinds), in due order. The scheduler itself never reads them all."""
    rows = await db.fetchall(_SELECT_JOB + "WHERE status = 'pending' ORDER BY due_at, id")
    return [_job(r) for r in rows]


async def due_jobs(db: Database, now: datetime, kinds: Sequence[str], limit: int) -> list[Job]:
    """Pending jobs of these kinds due by `now`, oldest first, at most `limit` (one round trip, no write)."""
    if not kinds or limit <= 0:
        return []
    rows = await db.fetchall(
        _SELECT_JOB + f"WHERE status = 'pending' AND due_at <= ? AND kind IN ({_marks(len(kinds))})"
        " ORDER BY due_at, id LIMIT ?",
        (_utc(now), *kinds, limit),
    )
    return [_job(r) for r in rows]


async def next_due(db: Database, after: datetime, kinds: Sequence[str]) -> datetime | None:
    """When the first pending job of these kinds due strictly after `after` is due (None: nothing pending)."""
    if not kinds:
        return None
    value = await db.fetchval(
        f"SELECT due_at FROM jobs WHERE status = 'pending' AND due_at > ? AND kind IN ({_marks(len(kinds))})"  # noqa: S608 - placeholders
        " ORDER BY due_at LIMIT 1",
        (_utc(after), *kinds),
    )
    return None if value is None else datetime.fromisoformat(str(value))


async def claim_jobs(db: Database, job_ids: Sequence[int], now: datetime) -> list[Job]:
    """Count a run for each of these jobs that is still pending and due by `now`, in one statement (one commit) per
    500 jobs. Returns the claimed jobs in due order, as they were before (`attempts` = runs started before this one).
    A job cancelled or moved later since it was read is not claimed."""
    claimed: list[Job] = []
    for start in range(0, len(job_ids), _CHUNK):
        chunk = job_ids[start : start + _CHUNK]
        rows = await db.fetchall(
            f"UPDATE jobs SET attempts = attempts + 1 WHERE id IN ({_marks(len(chunk))})"  # noqa: S608 - placeholders
            " AND status = 'pending' AND due_at <= ?"
            " RETURNING id, kind, ref, guild_id, due_at, status, attempts - 1 AS attempts",
            (*chunk, _utc(now)),
        )
        claimed += [_job(r) for r in rows]
    claimed.sort(key=lambda job: (job.due_at, job.id))
    return claimed


async def claim_job(db: Database, kind: str, ref: str, now: datetime, busy: Collection[int]) -> Job | None:
    """`claim_jobs` for one job named by (kind, ref), unless it is one of `busy` (claimed already): one round trip.
    At most `CLAIM_SKIP_MAX` busy ids."""
    skip = list(busy)
    assert len(skip) <= CLAIM_SKIP_MAX  # noqa: S101 - the caller checks
    row = await db.fetchone(
        "UPDATE jobs SET attempts = attempts + 1 WHERE kind = ? AND ref = ? AND status = 'pending' AND due_at <= ?"  # noqa: S608 - placeholders
        f" AND id NOT IN ({_marks(len(skip))})"
        " RETURNING id, kind, ref, guild_id, due_at, status, attempts - 1 AS attempts",
        (kind, ref, _utc(now), *skip),
    )
    return None if row is None else _job(row)


async def count_attempt(db: Database, job_id: int) -> None:
    await db.execute("UPDATE jobs SET attempts = attempts + 1 WHERE id = ?", (job_id,))


async def finish_job(db: Database, job_id: int, status: str, at: datetime) -> bool:
    """Move a pending job to a final status; False if it was no longer pending (someone else finished it)."""
    changed = await db.execute(
        "UPDATE jobs SET status = ?, finished_at = ? WHERE id = ? AND status = 'pending'",
        (status, at.isoformat(), job_id),
    )
    return changed == 1


async def finish_jobs(db: Database, finished: Sequence[tuple[int, str, datetime]]) -> set[int]:
    """Move pending jobs to final statuses: (job id, status, when) each, in one statement (one commit) per 500.
    Returns the ids that were still pending (a job finished elsewhere meanwhile is left as it is)."""
    changed: set[int] = set()
    for start in range(0, len(finished), _CHUNK):
        chunk = finished[start : start + _CHUNK]
        params: list[object] = []
        for job_id, status, at in chunk:
            params += (job_id, status, at.isoformat())
        rows = await db.fetchall(
            "UPDATE jobs SET status = v.column2, finished_at = v.column3"  # noqa: S608 - placeholders
            f" FROM (VALUES {', '.join(['(?, ?, ?)'] * len(chunk))}) AS v"
            " WHERE jobs.id = v.column1 AND jobs.status = 'pending' RETURNING jobs.id",
            params,
        )
        changed.update(int(r[0]) for r in rows)
    return changed


async def cancel_jobs(db: Database, kind: str, ref_prefix: str) -> int:
    return await db.execute(
        "UPDATE jobs SET status = 'cancelled' WHERE kind = ? AND status = 'pending' AND substr(ref, 1, ?) = ?",
        (kind, len(ref_prefix), ref_prefix),
    )
