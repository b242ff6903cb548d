"""Fixtures for the shares tests: a real temporary SQLite database with every migration applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Database

KEY = bytes(range(32))
GUILD = 811_111_111_111_111_101
OTHER_GUILD = 822_222_222_222_222_202
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.connect(tmp_path / "t.db")
    await database.migrate()
    yield database
    await database.close()
