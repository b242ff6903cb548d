"""/resources end to end through the loopback Discord: add, find, page, share, suggest, review, import and export."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from typing import Any

import discord

from bot.app import PeerBot
from bot.scheduler import ManualClock
from cogs.resources.views import PageButton, ShareButton
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.helpers import run

HEADER = "name,category,description,phone,url,email,service_area,schedule,assured_date\r\n"
FOOD = (
    HEADER + "City Food Bank,food,Free food parcels every week,0116 123 4567,https://cityfood.example.org,,Leicester,"
    "Mon-Fri 10-4,2025-01-10\r\n"
    + "Soup Run,food,Hot soup and sandwiches,,,soup@example.org,Leicester,Evenings,\r\n"
    + "Community Pantry,food,Food for a small fee,,https://pantry.example.org,,Leicester,,2025-05-01\r\n"
    + "Safe Beds,housing/shelter,Emergency shelter for the night,0800 111,,,Leicester,24/7,2025-05-01\r\n"
)


def buttons(components: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(c.get("label")): c for row in components for c in row.get("components", [])}


async def import_csv(fake: FakeDiscord, guild_id: int, admin_id: int, text: str, name: str = "r.csv") -> str:
    file = fake.attachment(name, text.encode(), "text/csv")
    ix = await run(fake, guild_id, admin_id, "resources import", {"file": file})
    return "\n".join([ix.text(), *(m.content or "" for m in ix.followups)])


async def test_add_with_the_form_then_find_and_show(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    g, admin = configured.guild.id, configured.admin.id
    choices = await fake.autocomplete(g, admin, "resources add", "category", "hous")
    assert [c["value"] for c in choices] == ["housing/shelter"]
    opened = await (
        await fake.slash(g, admin, "resources add", {"category": "Food", "area": "Leicester", "hours": "Tue 6-8pm"})
    ).wait_response()
    assert opened.modal is not None and len(opened.modal.inputs()) <= 5
    values = {"name": "Tuesday Supper Club", "description": "A free hot meal", "website": "supper.example.org"}
    saved = await (await fake.submit_modal(opened.modal, admin, values)).wait_response()
    assert saved.ephemeral and "Added **Tuesday Supper Club**" in saved.text()

    found = await run(fake, g, configured.member.id, "resources find", {"query": "supper"})
    assert found.ephemeral and "Tuesday Supper Club" in found.text() and "https://supper.example.org" in found.text()

    names = await fake.autocomplete(g, configured.member.id, "resources show", "resource", "tues")
    assert [c["name"] for c in names] == ["Tuesday Supper Club"]
    shown = await run(fake, g, configured.member.id, "resources show", {"resource": names[0]["value"]})
    assert "A free hot meal" in shown.text() and "Tue 6-8pm" in shown.text()


async def test_form_problems_are_named_and_nothing_is_saved(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    g, admin = configured.guild.id, configured.admin.id
    opened = await (await fake.slash(g, admin, "resources add", {"category": "food"})).wait_response()
    bad = {"name": "X", "website": "htp:/nope", "email": "not-an-email"}
    saved = await (await fake.submit_modal(opened.modal, admin, bad)).wait_response()
    assert saved.ephemeral and "website" in saved.text() and "email" in saved.text()
    assert await bot.db.fetchval("SELECT count(*) FROM resources") == 0
    unknown = await run(fake, g, admin, "resources add", {"category": "Narnia"})
    assert unknown.modal is None and "isn't one of this server's categories" in unknown.text()


async def test_find_pages_and_shares_here(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    g, member = configured.guild.id, configured.member.id
    assert "4 added" in await import_csv(fake, g, configured.admin.id, FOOD)
    found = await run(fake, g, member, "resources find", {"query": "food", "category": "food"})
    assert found.ephemeral and "Result 1 of 3" in found.text()
    first = found.text()
    message_id = found.original.id  # type: ignore[union-attr]
    assert buttons(found.components)["Previous"]["disabled"] is True

    nxt = await (await fake.click(message_id, buttons(found.components)["Next"]["custom_id"], member)).wait_response()
    assert nxt.response_type == 7 and "Result 2 of 3" in nxt.text() and nxt.text() != first
    assert buttons(nxt.components)["Previous"]["disabled"] is False
    previous = buttons(nxt.components)["Previous"]["custom_id"]
    back = await (await fake.click(message_id, previous, member)).wait_response()
    assert "Result 1 of 3" in back.text()

    share = buttons(back.components)["Share here"]["custom_id"]
    shared = await (await fake.click(message_id, share, member)).wait_response()
    assert not shared.ephemeral
    name = next(n for n in ("City Food Bank", "Soup Run", "Community Pantry") if n in first)
    assert name in shared.text()


async def test_nothing_found_is_kind_and_urgent_offers_crisis(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    g, member = configured.guild.id, configured.member.id
    await import_csv(fake, g, configured.admin.id, FOOD)
    none = await run(fake, g, member, "resources find", {"query": "zzzqqq"})
    assert none.ephemeral and "couldn't find anything" in none.text() and "food" in none.text()
    assert "/crisis" not in none.text()
    urgent = await run(fake, g, member, "resources find", {"query": "I want to kill myself"})
    assert "/crisis" in urgent.text()
    shelter = await run(fake, g, member, "resources find", {"query": "emergency shelter"})
    assert "/crisis" in shelter.text() and "Safe Beds" in shelter.text()


async def test_hostile_queries_never_raise(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    g, member = configured.guild.id, configured.member.id
    await import_csv(fake, g, configured.admin.id, FOOD)
    for query in ('"food', "NEAR(a b)", "food*", "-food", "name:food", "(", "", "   ", "\u200b", "x" * 500, "AND OR"):
        ix = await run(fake, g, member, "resources find", {"query": query})
        assert ix.ephemeral and "something went wrong" not in ix.text(), query
    bad_category = await run(fake, g, member, "resources find", {"query": "food", "category": "Narnia"})
    assert "no category called" in bad_category.text()


async def test_categories_with_counts(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await import_csv(fake, configured.guild.id, configured.admin.id, FOOD)
    ix = await run(fake, configured.guild.id, configured.member.id, "resources categories")
    assert ix.ephemeral and "**food**: 3" in ix.text() and "**housing/shelter**: 1" in ix.text()


async def test_suggest_then_an_admin_adds_it(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    g, member = configured.guild.id, configured.member.id
    opened = await (await fake.slash(g, member, "resources suggest")).wait_response()
    values = {
        "name": "Night Cafe",
        "category": "Mental Health",
        "description": "Drop-in cafe",
        "contact": "0116 999 000\nnightcafe.example.org",
        "area": "Leicester",
    }
    sent = await (await fake.submit_modal(opened.modal, member, values)).wait_response()
    assert sent.ephemeral and "Thank you" in sent.text()
    queue = fake.messages(configured.share_queue.id)
    assert len(queue) == 1 and "Night Cafe" in queue[0].text()
    sid = await bot.db.fetchval("SELECT id FROM resource_suggestions")

    refused = await (await fake.click(queue[0].id, f"peerbot:resources:suggestion:{sid}:add", member)).wait_response()
    assert refused.ephemeral and "Only server admins" in refused.text()

    added = await (
        await fake.click(queue[0].id, f"peerbot:resources:suggestion:{sid}:add", configured.admin.id)
    ).wait_response()
    assert "Added to the directory" in added.text()
    row = await bot.db.fetchone("SELECT category, phone, website FROM resources WHERE name = 'Night Cafe'")
    assert row is not None and tuple(row) == ("mental health", "0116 999 000", "https://nightcafe.example.org")
    closed = fake.messages(configured.share_queue.id)[0]
    assert all(b["disabled"] for b in buttons(closed.components).values())
    assert await bot.db.fetchval("SELECT status FROM resource_suggestions") == "added"


async def test_review_still_correct(fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock) -> None:
    clock.set(datetime(2025, 8, 1, 12, tzinfo=UTC))
    g, admin = configured.guild.id, configured.admin.id
    await import_csv(fake, g, admin, FOOD)
    ix = await run(fake, g, admin, "resources review")
    # Never checked (Soup Run) and checked 2025-01-10 (City Food Bank) are due; May's are not.
    assert "2 resource(s) need checking" in ix.text()
    labels = buttons(ix.components)
    verify = labels["Still correct: City Food Bank"]
    done = await (await fake.click(ix.original.id, verify["custom_id"], admin)).wait_response()  # type: ignore[union-attr]
    assert "checked on 2025-08-01" in done.text()
    assert await bot.db.fetchval("SELECT last_verified FROM resources WHERE name = 'City Food Bank'") == "2025-08-01"


async def test_export_round_trips_through_import(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    g, admin = configured.guild.id, configured.admin.id
    await import_csv(fake, g, admin, FOOD)
    before = await bot.db.fetchall("SELECT * FROM resources ORDER BY name")
    exported = await run(fake, g, admin, "resources export")
    message = exported.followups[0] if exported.followups else exported.original
    assert message is not None and exported.ephemeral
    data = message.attachments[0].data
    assert data.startswith("\ufeff".encode()) and b"City Food Bank" in data

    for name in ("Soup Run", "Safe Beds"):
        rid = await bot.db.fetchval("SELECT id FROM resources WHERE name = ?", (name,))
        asking = await (await fake.slash(g, admin, "resources remove", {"resource": str(rid)})).wait_response()
        confirm = buttons(asking.components)["Remove"]
        await (await fake.click(asking.original.id, confirm["custom_id"], admin)).wait_response()  # type: ignore[union-attr]
    assert "2 added, 2 updated" in await import_csv(fake, g, admin, data.decode("utf-8-sig"), "export.csv")
    after = await bot.db.fetchall("SELECT * FROM resources ORDER BY name")
    columns = ("name", "category", "description", "phone", "website", "email", "area", "hours", "last_verified")
    assert [tuple(r[c] for c in columns) for r in after] == [tuple(r[c] for c in columns) for r in before]


async def test_import_with_bad_rows_names_them_and_imports_nothing(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    bad = (
        HEADER
        + "Good One,food,,,,,,,\r\n"
        + "Bad Site,food,,,htp:/x,,,,\r\n"
        + ",Narnia,,,,,,,\r\n"
        + "Future,food,,,,,,,2999-01-01\r\n"
    )
    text = await import_csv(fake, configured.guild.id, configured.admin.id, bad)
    assert "Row 3, url:" in text and "Row 4, name:" in text and "Row 4, category:" in text
    assert "Row 5, assured\\_date:" in text
    assert await bot.db.fetchval("SELECT count(*) FROM resources") == 0


async def test_import_refuses_a_file_over_the_limit(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    huge = HEADER + "x" * (2 * 1024 * 1024 + 10)
    text = await import_csv(fake, configured.guild.id, configured.admin.id, huge)
    assert "the limit is 2 MB" in text
    assert await bot.db.fetchval("SELECT count(*) FROM resources") == 0


async def test_members_are_refused_admin_commands_kindly(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    g, member = configured.guild.id, configured.member.id
    for command, options in (
        ("resources export", {}),
        ("resources review", {}),
        ("resources add", {"category": "food"}),
        ("resources remove", {"resource": "anything"}),
    ):
        ix = await run(fake, g, member, command, options)
        assert ix.ephemeral and ix.modal is None and "Manage Server" in ix.text(), command


async def test_result_buttons_hold_no_view_and_share_works_after_a_restart(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    g, member = configured.guild.id, configured.member.id
    await import_csv(fake, g, configured.admin.id, FOOD)
    found = [await run(fake, g, member, "resources find", {"query": "food"}) for _ in range(5)]
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, discord.ui.View) and any(
        isinstance(item, PageButton | ShareButton) for item in o.children
    )]  # fmt: skip
    last = found[-1]
    message_id = last.original.id  # type: ignore[union-attr]
    shown = buttons(last.components)

    paged = await (await fake.click(message_id, shown["Next"]["custom_id"], member)).wait_response()
    assert "Result 2 of 3" in paged.text()
    shown = buttons(paged.components)

    await bot.reload_extension("cogs.resources")  # as after a restart: the searches on screen are forgotten
    expired = await (await fake.click(message_id, shown["Next"]["custom_id"], member)).wait_response()
    assert expired.ephemeral and "expired" in expired.text()
    shared = await (await fake.click(message_id, shown["Share here"]["custom_id"], member)).wait_response()
    assert not shared.ephemeral and "Shared from the resource directory" in shared.text()
