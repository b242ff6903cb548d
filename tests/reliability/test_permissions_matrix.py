"""Every command, invoked as each kind of person: allowed or refused exactly as docs/permissions.md says."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app import PeerBot
from bot.checks import AUDIENCES
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.reliability.commands import leaves, required_options

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROW = re.compile(r"^\|\s*`/([^`]+)`\s*\|\s*(\w+)\s*\|$")
REFUSAL_WORDS = ("needs the", "is for", "ask a server admin", "works inside a server")


def documented() -> dict[str, str]:
    table = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line.strip())
        if match:
            table[match[1]] = match[2]
    return table


def people(server: Server) -> dict[str, int]:
    return {
        "member": server.member.id,
        "volunteer": server.volunteer.id,
        "facilitator": server.facilitator.id,
        "moderator": server.moderator.id,
        "admin": server.admin.id,
    }


async def test_every_command_is_documented(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    table = documented()
    synced = {leaf.path for leaf in leaves(fake)}
    assert synced - set(table) == set(), "commands missing from docs/permissions.md"
    assert set(table) - synced == set(), "docs/permissions.md lists commands that do not exist"
    assert set(table.values()) <= set(AUDIENCES)


async def test_each_person_is_allowed_or_refused_as_documented(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    table = documented()
    for leaf in leaves(fake):
        fake.allow_command_for_everyone(leaf.top, configured.guild.id)  # test our own checks, not Discord's
    for leaf in leaves(fake):
        audience = table[leaf.path]
        for persona, user_id in people(configured).items():
            options = required_options(leaf, configured, fake)
            ix = await (await fake.slash(configured.guild.id, user_id, leaf.path, options)).wait_response(timeout=3)
            text = ix.text()
            allowed = persona == "admin" or audience in ("member", persona)
            refused = ix.ephemeral and any(w in text for w in REFUSAL_WORDS) and "/help" not in leaf.path
            if allowed:
                assert not (refused and ("Manage Server" in text or "role" in text)), (leaf.path, persona, text)
            else:
                assert refused, (leaf.path, persona, text)
                expected = "Manage Server" if audience == "admin" else f"{audience}s"
                assert expected in text, (leaf.path, persona, text)
