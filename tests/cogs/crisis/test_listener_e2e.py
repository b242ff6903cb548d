"""The opt-in crisis listener end to end: private reply, staff alert with the right ping, cooldown, quiet, off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import PeerBot
from bot.scheduler import ManualClock
from cogs.rota import store as rota_store
from cogs.rota.schedule import Interval
from sandbox.demo import Server
from sandbox.server import FakeDiscord
from tests.helpers import eventually, run, settle

CRISIS_TEXT = "honestly i want to kill myself tonight"


@pytest.fixture
def message_content_allowed() -> bool:
    return True


async def listen(fake: FakeDiscord, server: Server) -> None:
    ix = await run(fake, server.guild.id, server.admin.id, "crisis-listener on", {"channel": server.general.id})
    assert "is on in" in ix.text(), ix.text()


def alerts(fake: FakeDiscord, server: Server) -> list[object]:
    return fake.messages(server.alerts.id)


async def test_switching_on_posts_and_pins_a_notice(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await listen(fake, configured)
    notice = fake.messages(configured.general.id)[-1]
    assert "crisis listener is on in this channel" in notice.content
    assert "never deletes" in notice.content
    assert fake.calls_to("PUT", r"pins")


async def test_match_sends_private_reply_and_alerts_moderators(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    await listen(fake, configured)
    fake.user_message(configured.general.id, configured.member.id, CRISIS_TEXT)
    dm = await eventually(lambda: fake.dm_messages(configured.member.id))
    assert "116 123" in dm[0].text()  # the server's default country, GB
    assert CRISIS_TEXT not in dm[0].text()  # never repeats their words
    assert any(
        c.get("custom_id", "").startswith("peerbot:peer:") for row in dm[0].components for c in row["components"]
    )
    alert = (await eventually(lambda: alerts(fake, configured)))[0]
    assert alert.content == f"<@&{configured.moderator_role.id}>"  # nobody is on duty
    assert CRISIS_TEXT not in alert.text()
    assert "sent them crisis lines" in alert.text()
    call = fake.calls_to("POST", rf"/channels/{configured.alerts.id}/messages")[-1]
    assert [int(r) for r in call.json["allowed_mentions"]["roles"]] == [configured.moderator_role.id]
    # Nothing public in the channel beyond the notice.
    assert len(fake.messages(configured.general.id)) == 2


async def test_on_duty_role_is_pinged_when_someone_is_on_duty(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await listen(fake, configured)
    now = clock.now()
    await rota_store.start_duty(
        bot.db, configured.guild.id, configured.volunteer.id, Interval(now, now + timedelta(hours=2))
    )
    fake.user_message(configured.general.id, configured.member.id, CRISIS_TEXT)
    alert = (await eventually(lambda: alerts(fake, configured)))[0]
    assert alert.content == f"<@&{configured.on_duty_role.id}>"


async def test_non_matching_message_does_nothing(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await listen(fake, configured)
    fake.user_message(configured.general.id, configured.member.id, "this homework is killing me lol")
    fake.user_message(configured.general.id, configured.member.id, "I don't want to die, I'm doing better")
    await settle()
    assert fake.dm_messages(configured.member.id) == []
    assert alerts(fake, configured) == []


async def test_cooldown_limits_private_replies_but_not_alerts(
    fake: FakeDiscord, configured: Server, bot: PeerBot, clock: ManualClock
) -> None:
    await listen(fake, configured)
    fake.user_message(configured.general.id, configured.member.id, CRISIS_TEXT)
    await eventually(lambda: len(alerts(fake, configured)) == 1)
    clock.advance(timedelta(minutes=10))
    fake.user_message(configured.general.id, configured.member.id, "i just want to die")
    await eventually(lambda: len(alerts(fake, configured)) == 2)
    assert len(fake.dm_messages(configured.member.id)) == 1
    assert "didn't message them this time" in alerts(fake, configured)[1].text()
    clock.advance(timedelta(minutes=31))
    fake.user_message(configured.general.id, configured.member.id, "i want to end it all")
    await eventually(lambda: len(alerts(fake, configured)) == 3)
    assert len(fake.dm_messages(configured.member.id)) == 2


async def test_closed_dms_are_reported_to_staff(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await listen(fake, configured)
    fake.set_dms_closed(configured.member.id)
    fake.user_message(configured.general.id, configured.member.id, CRISIS_TEXT)
    alert = (await eventually(lambda: alerts(fake, configured)))[0]
    assert "couldn't message them privately" in alert.text()


async def test_quiet_members_get_no_reply_but_staff_are_told(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    await listen(fake, configured)
    ix = await run(fake, configured.guild.id, configured.member.id, "crisis-settings quiet", {"setting": "on"})
    assert "support team is still told" in ix.text()
    fake.user_message(configured.general.id, configured.member.id, CRISIS_TEXT)
    await eventually(lambda: alerts(fake, configured))
    assert fake.dm_messages(configured.member.id) == []


async def test_listener_off_stops_everything(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await listen(fake, configured)
    off = await run(
        fake, configured.guild.id, configured.admin.id, "crisis-listener off", {"channel": configured.general.id}
    )
    assert "is off" in off.text()
    fake.user_message(configured.general.id, configured.member.id, CRISIS_TEXT)
    await settle()
    assert fake.dm_messages(configured.member.id) == []
    assert alerts(fake, configured) == []


async def test_other_channels_are_not_listened_to(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    await listen(fake, configured)
    fake.user_message(configured.shares.id, configured.member.id, CRISIS_TEXT)
    await settle()
    assert alerts(fake, configured) == []


async def test_listener_needs_an_alert_channel(fake: FakeDiscord, server: Server, bot: PeerBot) -> None:
    ix = await run(fake, server.guild.id, server.admin.id, "crisis-listener on", {"channel": server.general.id})
    assert "/setup channels crisis_alerts:" in ix.text()
    assert await bot.db.fetchval("SELECT count(*) FROM crisis_listen_channels") == 0


async def test_phrases_add_test_list_remove(fake: FakeDiscord, configured: Server, bot: PeerBot) -> None:
    g, a = configured.guild.id, configured.admin.id
    before = await run(fake, g, a, "crisis-listener test", {"text": "i feel like giving up on everything"})
    assert "No match" in before.text()
    added = await run(fake, g, a, "crisis-listener phrases add", {"phrase": "giving up on everything"})
    assert "Added" in added.text()
    after = await run(fake, g, a, "crisis-listener test", {"text": "i feel like giving up on everything"})
    assert "giving up on everything" in after.text()
    listed = await run(fake, g, a, "crisis-listener phrases list")
    assert "giving up on everything" in listed.text()
    again = await run(fake, g, a, "crisis-listener phrases add", {"phrase": "giving up on everything"})
    assert "already" in again.text()
    removed = await run(fake, g, a, "crisis-listener phrases remove", {"phrase": "giving up on everything"})
    assert "Removed" in removed.text()
    gone = await run(fake, g, a, "crisis-listener test", {"text": "i feel like giving up on everything"})
    assert "No match" in gone.text()


async def test_member_cannot_use_listener_tools_even_if_unhidden(
    fake: FakeDiscord, configured: Server, bot: PeerBot
) -> None:
    fake.allow_command_for_everyone("crisis-listener")
    ix = await run(fake, configured.guild.id, configured.member.id, "crisis-listener test", {"text": "hi"})
    assert "Manage Server" in ix.text()
