"""Small builders for directory tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from cogs.resources.model import Entry

GUILD = 1001
OTHER_GUILD = 2002
TODAY = date(2025, 6, 1)


def entry(name: str, category: str = "food", **fields: Any) -> Entry:
    """An already-valid entry (tests of validation build theirs from text instead)."""
    return Entry(name=name, category=category, **fields)
