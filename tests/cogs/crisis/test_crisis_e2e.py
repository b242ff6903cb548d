"""/crisis end to end through the loopback Discord: every way the country is chosen, and never waiting on the DB."""

from __future__ import annotations

import sqlite3
import time

from bot.app import PeerBot
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.helpers import eventually, run

SAMARITANS = "116 123"


def peer_button(ix_components: list[dict[str, object]]) -> dict[str, object]:
    buttons = [c for row in ix_components for c in row.get("components", [])]  # type: ignore[attr-defined]
    return next(b for b in buttons if str(b.get("custom_id", "")).startswith("peerbot:peer:"))


async def test_crisis_with_country_option(fake: FakeDiscord, server: Server, bot: PeerBot) -> None:
    ix = await run(fake, server.guild.id, server.member.id, "crisis", {"country": "GB"})
    assert ix.ephemeral
    text = ix.text()
    assert SAMARITANS in text
    assert "**999**" in text
    assert "I'm a bot" in text
    assert "Numbers last checked" in text
    assert "calm down" not in text.lower()
    assert peer_button(ix.components)["custom_id"] == f"peerbot:peer:{server.guild.id}"


async def test_server_default_then_saved_country_then_forget(fake: FakeDiscord, configured: Server) -> None:
    g, m = configured.guild.id, configured.member.id
    default = await run(fake, g, m, "crisis")
    assert SAMARITANS in default.text()  # the server's default is GB

    saved = await run(fake, g, m, "crisis-settings country", {"country": "United States"})
    assert saved.ephemeral and "United States" in saved.text()
    mine = await run(fake, g, m, "crisis")
    assert "988" in mine.text() and "**911**" in mine.text()

    other = await run(fake, g, configured.volunteer.id, "crisis")
    assert SAMARITANS in other.text()  # another member still gets the server default

    await run(fake, g, m, "crisis-settings forget")
    again = await run(fake, g, m, "crisis")
    assert SAMARITANS in again.text()


async def test_no_country_anywhere_gives_the_international_answer(
    fake: FakeDiscord, server: Server, bot: PeerBot
) -> None:
    ix = await run(fake, server.guild.id, server.member.id, "crisis")
    text = ix.text()
    assert "local emergency number" in text
    assert "findahelpline" in text.lower()


async def test_unknown_and_unlisted_countries(fake: FakeDiscord, server: Server, bot: PeerBot) -> None:
    narnia = await (
        await fake.slash(server.guild.id, server.member.id, "crisis", {"country": "Narnia"})
    ).wait_response()
    assert "don't recognise the country 'Narnia'" in narnia.text()
    assert "local emergency number" in narnia.text()
    unlisted = await run(fake, server.guild.id, server.member.id, "crisis", {"country": "ZW"})
    assert "Zimbabwe" in unlisted.text() and "yet" in unlisted.text()


async def test_bad_saved_country_is_refused_and_changes_nothing(
    fake: FakeDiscord, server: Server, bot: PeerBot
) -> None:
    g, m = server.guild.id, server.member.id
    ix = await run(fake, g, m, "crisis-settings country", {"country": "Atlantis"})
    assert ix.ephemeral and "Atlantis" in ix.text()
    assert await bot.db.fetchval("SELECT count(*) FROM crisis_member_prefs") == 0


async def test_country_autocomplete(fake: FakeDiscord, server: Server, bot: PeerBot) -> None:
    choices = await fake.autocomplete(server.guild.id, server.member.id, "crisis", "country", "united")
    values = [c["value"] for c in choices]
    assert "GB" in values and "US" in values
    by_code = await fake.autocomplete(server.guild.id, server.member.id, "crisis", "country", "de")
    assert "DE" in [c["value"] for c in by_code]


async def test_crisis_answers_while_the_database_is_locked(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    locker = sqlite3.connect(bot.settings.database_path, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        ix = await (await fake.slash(configured.guild.id, configured.member.id, "crisis")).wait_response(timeout=3)
        assert time.monotonic() - started < 1.0
        assert SAMARITANS in ix.text()
    finally:
        locker.rollback()
        locker.close()


async def test_talk_to_a_peer_without_a_volunteer_team_is_honest(
    fake: FakeDiscord, server: Server, bot: PeerBot
) -> None:
    ix = await run(fake, server.guild.id, server.member.id, "crisis", {"country": "GB"})
    message_id = ix.original.id if ix.original else 0
    click = await (await fake.click(message_id, f"peerbot:peer:{server.guild.id}", server.member.id)).wait_response()
    assert click.ephemeral
    assert "moderator you trust" in click.text() or "volunteer" in click.text()


async def test_privacy_delete_removes_saved_country(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    g, m = configured.guild.id, configured.member.id
    await run(fake, g, m, "crisis-settings country", {"country": "US"})
    ask = await run(fake, g, m, "privacy delete")
    message_id = ask.original.id if ask.original else 0
    confirm = await fake.click(message_id, ask.components[0]["components"][0]["custom_id"], m)
    await confirm.wait_response()
    await eventually(lambda: "everything peerbot kept about you is deleted" in ask.text())
    assert await bot.db.fetchval("SELECT count(*) FROM crisis_member_prefs") == 0
    after = await run(fake, g, m, "crisis")
    assert SAMARITANS in after.text()
