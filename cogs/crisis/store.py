"""SQL for the crisis feature: members' preferences, listened channels and extra phrases."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Database


@dataclass(frozen=True)
class MemberPrefs:
    """A member's own crisis settings. Not tied to a server: people take their country with them."""

    user_id: int
    country: str | None = None
    quiet: bool = False


async def all_member_prefs(db: Database) -> dict[int, MemberPrefs]:
    rows = await db.fetchall("SELECT user_id, country, quiet FROM crisis_member_prefs")
    return {r["user_id"]: MemberPrefs(r["user_id"], r["country"], bool(r["quiet"])) for r in rows}


async def save_member_prefs(db: Database, prefs: MemberPrefs) -> None:
    if prefs.country is None and not prefs.quiet:
        await delete_user_data(db, prefs.user_id)
        return
    await db.execute(
        "INSERT INTO crisis_member_prefs (user_id, country, quiet) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET country = excluded.country, quiet = excluded.quiet,"
        " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
        (prefs.user_id, prefs.country, int(prefs.quiet)),
    )


async def delete_user_data(db: Database, user_id: int) -> int:
    return await db.execute("DELETE FROM crisis_member_prefs WHERE user_id = ?", (user_id,))


async def listened_channels(db: Database) -> dict[int, int]:
    """channel id -> guild id, for every channel with the listener on."""
    rows = await db.fetchall("SELECT guild_id, channel_id FROM crisis_listen_channels")
    return {r["channel_id"]: r["guild_id"] for r in rows}


async def listen_on(db: Database, guild_id: int, channel_id: int) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO crisis_listen_channels (guild_id, channel_id) VALUES (?, ?)", (guild_id, channel_id)
    )


async def set_notice(db: Database, channel_id: int, message_id: int) -> None:
    await db.execute(
        "UPDATE crisis_listen_channels SET notice_message_id = ? WHERE channel_id = ?", (message_id, channel_id)
    )


async def listen_off(db: Database, guild_id: int, channel_id: int) -> int | None:
    """Switch the listener off; return the notice message id to remove, if any."""
    notice = await db.fetchval(
        "SELECT notice_message_id FROM crisis_listen_channels WHERE guild_id = ? AND channel_id = ?",
        (guild_id, channel_id),
    )
    await db.execute("DELETE FROM crisis_listen_channels WHERE guild_id = ? AND channel_id = ?", (guild_id, channel_id))
    return None if notice is None else int(notice)


async def all_phrases(db: Database) -> dict[int, list[str]]:
    rows = await db.fetchall("SELECT guild_id, phrase FROM crisis_phrases ORDER BY phrase")
    found: dict[int, list[str]] = {}
    for r in rows:
        found.setdefault(r["guild_id"], []).append(r["phrase"])
    return found


async def add_phrase(db: Database, guild_id: int, phrase: str) -> bool:
    return (
        await db.execute("INSERT OR IGNORE INTO crisis_phrases (guild_id, phrase) VALUES (?, ?)", (guild_id, phrase))
        == 1
    )


async def remove_phrase(db: Database, guild_id: int, phrase: str) -> bool:
    return await db.execute("DELETE FROM crisis_phrases WHERE guild_id = ? AND phrase = ?", (guild_id, phrase)) == 1
