"""SQL for the core tables: guild configuration, metadata and durable jobs."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields, replace
from datetime import datetime

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
    """A durable piece of due work."""

    id: int
    kind: str
    ref: str
    guild_id: int | None
    due_at: datetime
    status: str
    attempts: int


def _job(row: sqlite3.Row) -> Job:
    due_at = datetime.fromisoformat(row["due_at"])
    return Job(row["id"], row["kind"], row["ref"], row["guild_id"], due_at, row["status"], row["attempts"])


async def put_job(db: Database, kind: str, ref: str, due_at: datetime, guild_id: int | None = None) -> Job:
    """Create or reschedule the pending job (kind, ref). A finished job with the same key is left alone."""
    await db.execute(
        "INSERT INTO jobs (kind, ref, guild_id, due_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (kind, ref) DO UPDATE SET due_at = excluded.due_at WHERE jobs.status = 'pending'",
        (kind, ref, guild_id, due_at.isoformat()),
    )
    row = await db.fetchone(
        "SELECT id, kind, ref, guild_id, due_at, status, attempts FROM jobs WHERE kind = ? AND ref = ?", (kind, ref)
    )
    assert row is not None  # noqa: S101 - just written
    return _job(row)


async def get_job(db: Database, job_id: int) -> Job | None:
    row = await db.fetchone(
        "SELECT id, kind, ref, guild_id, due_at, status, attempts FROM jobs WHERE id = ?", (job_id,)
    )
    return None if row is None else _job(row)


async def pending_jobs(db: Database) -> list[Job]:
    rows = await db.fetchall(
        "SELECT id, kind, ref, guild_id, due_at, status, attempts FROM jobs WHERE status = 'pending' ORDER BY due_at"
    )
    return [_job(r) for r in rows]


async def count_attempt(db: Database, job_id: int) -> None:
    await db.execute("UPDATE jobs SET attempts = attempts + 1 WHERE id = ?", (job_id,))


async def finish_job(db: Database, job_id: int, status: str, at: datetime) -> bool:
    """Move a pending job to a final status; False if it was no longer pending (someone else finished it)."""
    changed = await db.execute(
        "UPDATE jobs SET status = ?, finished_at = ? WHERE id = ? AND status = 'pending'",
        (status, at.isoformat(), job_id),
    )
    return changed == 1


async def cancel_jobs(db: Database, kind: str, ref_prefix: str) -> int:
    return await db.execute(
        "UPDATE jobs SET status = 'cancelled' WHERE kind = ? AND status = 'pending' AND substr(ref, 1, ?) = ?",
        (kind, len(ref_prefix), ref_prefix),
    )
