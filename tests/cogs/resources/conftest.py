"""Fixtures for the resource directory: a real SQLite database with every migration applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.connect(tmp_path / "t.db")
    await database.migrate()
    yield database
    await database.close()
