"""Fixtures for the groups tests: a clock in the future, and voice and stage channels in the demo server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.scheduler import ManualClock
from sandbox.demo import Server
from sandbox.models import Channel
from sandbox.server import FakeDiscord

# Monday 2 January 2040, 12:00 UTC (= 12:00 in London, winter time). The loopback Discord, like Discord, refuses a
# scheduled event that starts before the *real* current time, so these tests live safely in the future.
START = datetime(2040, 1, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def voice(fake: FakeDiscord, server: Server) -> Channel:
    return fake.add_channel(server.guild.id, "Support Room", type=2)


@pytest.fixture
def stage(fake: FakeDiscord, server: Server) -> Channel:
    return fake.add_channel(server.guild.id, "Big Stage", type=13)
