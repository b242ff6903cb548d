"""CSV/JSON import and export: validation by row and column, all-or-nothing writes, limits, round trips."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db import Database
from cogs.resources import exchange, store
from cogs.resources.exchange import (
    COLUMNS,
    ImportRejectedError,
    escape_cell,
    export_csv,
    export_directory,
    import_directory,
    unescape_cell,
)
from cogs.resources.model import DEFAULT_CATEGORIES, DirectoryError

from .helpers import GUILD, OTHER_GUILD, TODAY, entry

HEADER = ",".join(COLUMNS)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


async def import_csv(db: Database, data: bytes, guild_id: int = GUILD, **options: bool) -> exchange.ImportResult:
    return await import_directory(db, guild_id, data, filename="directory.csv", today=TODAY, **options)


async def seed_rich_directory(db: Database) -> None:
    await store.add_category(db, GUILD, "Pets & animals")
    for item in (
        entry(
            "Samaritans",
            "crisis",
            description='Listening, any time.\n\nSay "hello", or just breathe.',
            tags=("listening", "phone, text"[:5]),
            phone="+44 116 123",
            website="https://www.samaritans.org",
            email="jo@samaritans.org",
            area="UK & Ireland",
            hours="24/7\nevery day",
            languages=("English", "Cymraeg"),
            eligibility="Anyone, any age",
            cost="Free",
            last_verified=date(2025, 1, 15),
        ),
        entry('=HYPERLINK("http://evil")', "food", description="@SUM(1+1)", cost="-5", hours="'=literal"),
        entry("Zoë's Café", "peer groups", area="Zürich", tags=("café", "🙂")),
        entry("Paws", "Pets & animals"),
    ):
        await store.add_resource(db, GUILD, item)


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- export -------------------------------------------------------------------------------------------------------


async def test_export_has_hsds_header_and_escapes_formulas(db: Database) -> None:
    await seed_rich_directory(db)
    data = await export_directory(db, GUILD)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = rows_of(data)
    assert (
        rows[0]
        == list(COLUMNS)
        == [
            "name",
            "description",
            "category",
            "tags",
            "phone",
            "url",
            "email",
            "service_area",
            "schedule",
            "languages",
            "eligibility_description",
            "fees_description",
            "assured_date",
        ]
    )
    by_name = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    evil = by_name['\'=HYPERLINK("http://evil")']
    assert (evil["description"], evil["fees_description"], evil["schedule"]) == ("'@SUM(1+1)", "'-5", "''=literal")
    assert by_name["Samaritans"]["phone"] == "'+44 116 123"
    assert by_name["Samaritans"]["assured_date"] == "2025-01-15"
    assert all(not cell or cell[0] not in "=+-@\t\r" for row in rows for cell in row)


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text())
def test_formula_escaping_round_trips(text: str) -> None:
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not escaped or escaped[0] not in "=+-@\t\r"


# --- round trip ---------------------------------------------------------------------------------------------------


async def test_export_import_into_another_server_gives_the_same_directory(db: Database) -> None:
    await seed_rich_directory(db)
    exported = await export_directory(db, GUILD)

    result = await import_csv(db, exported, OTHER_GUILD, add_missing_categories=True)
    assert (result.added, result.updated, result.removed) == (4, 0, 0)
    assert result.new_categories == ("Pets & animals",)

    assert await export_directory(db, OTHER_GUILD) == exported
    mine = [r.__dict__ | {"id": 0, "guild_id": 0} for r in await store.all_resources(db, GUILD)]
    theirs = [r.__dict__ | {"id": 0, "guild_id": 0} for r in await store.all_resources(db, OTHER_GUILD)]
    assert mine == theirs


async def test_json_export_imports_too(db: Database) -> None:
    await seed_rich_directory(db)
    data = exchange.export_json(await store.all_resources(db, GUILD))
    await import_directory(db, OTHER_GUILD, data, today=TODAY, add_missing_categories=True)
    assert await export_directory(db, OTHER_GUILD) == await export_directory(db, GUILD)


async def test_reimport_updates_by_name_and_replace_removes_the_rest(db: Database) -> None:
    await store.add_resource(db, GUILD, entry("Food bank", phone="111"))
    await store.add_resource(db, GUILD, entry("Old entry"))
    result = await import_csv(db, csv_bytes("FOOD BANK,,food,,222", "New place,,food"))
    assert (result.added, result.updated, result.removed) == (1, 1, 0)
    updated = await store.get_resource_by_name(db, GUILD, "food bank")
    assert updated is not None and (updated.name, updated.phone) == ("FOOD BANK", "222")

    result = await import_csv(db, csv_bytes("Food bank,,food"), replace=True)
    assert (result.added, result.updated, result.removed) == (0, 1, 2)
    assert [r.name for r in await store.all_resources(db, GUILD)] == ["Food bank"]


# --- problems -----------------------------------------------------------------------------------------------------


async def test_every_row_problem_is_reported_and_nothing_is_written(db: Database) -> None:
    await store.add_resource(db, GUILD, entry("Already here"))
    data = csv_bytes(
        "Good one,,food",
        "Bad category,,pets",
        "Bad site,,food,,,htp:/x",
        ",,food",
        "good one,,crisis",
        "Future,,food,,,,,,,,,,2099-01-01",
        "Too wide,,food,,,,,,,,,,,extra",
        "Brand new,,PETS",
    )
    with pytest.raises(ImportRejectedError) as caught:
        await import_csv(db, data, add_missing_categories=False)
    lines = caught.value.lines()
    assert lines[0].startswith("Row 3, category: 'pets' isn't one of this server's categories (crisis, ")
    assert lines[1:6] == [
        "Row 4, url: 'htp:/x' isn't a web address. Use https://... (for example https://example.org).",
        "Row 5, name: A name is needed.",
        "Row 6, name: 'good one' is also on row 2. Each resource needs its own name.",
        "Row 7, assured_date: 2099-01-01 is in the future. Use the date someone last checked these details "
        "(today is 2025-06-01).",
        "Row 8: has more cells than there are columns. Put text with commas in quotes.",
    ]
    assert lines[6].startswith("Row 9, category: 'PETS' isn't one")
    assert caught.value.message.startswith("Nothing was imported. Please fix these and try again:\nRow 3, category")
    assert [r.name for r in await store.all_resources(db, GUILD)] == ["Already here"]
    assert await store.categories(db, GUILD) == list(DEFAULT_CATEGORIES)


async def test_failed_import_adds_no_categories_either(db: Database) -> None:
    with pytest.raises(ImportRejectedError, match="Row 3, url"):
        await import_csv(db, csv_bytes("A,,pets", "B,,pets,,,nope"), add_missing_categories=True)
    assert "pets" not in await store.categories(db, GUILD)
    assert await store.count_resources(db, GUILD) == 0


async def test_problems_use_the_files_own_column_names(db: Database) -> None:
    data = csv_bytes("X,food,htp:/x", header="Name, Category ,Website")
    with pytest.raises(ImportRejectedError) as caught:
        await import_csv(db, data)
    assert caught.value.lines()[0].startswith("Row 2, Website: 'htp:/x' isn't a web address.")


async def test_long_problem_lists_are_shortened(db: Database) -> None:
    data = csv_bytes(*[f"R{i},,nope" for i in range(30)])
    with pytest.raises(ImportRejectedError) as caught:
        await import_csv(db, data)
    assert len(caught.value.problems) == 30
    assert caught.value.message.splitlines()[-1] == "... and 10 more."


async def test_header_aliases_and_ignored_columns(db: Database) -> None:
    data = csv_bytes("Food bank,food,https://food.example,Leeds,x", header="NAME,category,website,Area,organization_id")
    result = await import_csv(db, data)
    assert result.ignored_columns == ("organization_id",)
    imported = await store.get_resource_by_name(db, GUILD, "Food bank")
    assert imported is not None and (imported.website, imported.area) == ("https://food.example", "Leeds")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"description\r\nx\r\n", "needs a column called 'name' and 'category'"),
        (b"name,category,url,website\r\n", re.escape("two columns for website ('url' and 'website')")),
        (HEADER.encode() + b"\r\n\r\n,,\r\n", "no resources in it"),
        ("name,category\r\nCafé,food\r\n".encode("cp1252"), "isn't UTF-8 text"),
        (
            b'name,category\r\n"unterminated,food\r\n',
            "Row 2 couldn't be read as CSV \\(unexpected end of data\\). Check its quotes.",
        ),
    ],
)
async def test_file_level_problems(db: Database, data: bytes, message: str) -> None:
    with pytest.raises(DirectoryError, match=message):
        await import_csv(db, data)
    assert await store.count_resources(db, GUILD) == 0


async def test_size_and_row_limits(db: Database) -> None:
    too_big = csv_bytes("A,,food," + "x" * exchange.MAX_BYTES)
    with pytest.raises(DirectoryError, match="the limit is 2 MB"):
        await import_csv(db, too_big)
    too_many = csv_bytes(*[f"R{i},,food" for i in range(exchange.MAX_ROWS + 1)])
    with pytest.raises(DirectoryError, match="more than 10,000 rows"):
        await import_csv(db, too_many)
    json_too_many = json.dumps([{"name": f"R{i}", "category": "food"} for i in range(exchange.MAX_ROWS + 1)])
    with pytest.raises(DirectoryError, match="more than 10,000 rows"):
        await import_directory(db, GUILD, json_too_many.encode(), today=TODAY)
    assert await store.count_resources(db, GUILD) == 0


async def test_five_thousand_rows_import(db: Database) -> None:
    result = await import_csv(db, csv_bytes(*[f"R{i},,food,tag{i % 7}" for i in range(exchange.MAX_ROWS)]))
    assert result.added == exchange.MAX_ROWS == await store.count_resources(db, GUILD)


# --- JSON ---------------------------------------------------------------------------------------------------------


async def test_json_import(db: Database) -> None:
    data = json.dumps(
        [
            {"name": "Food bank", "category": "food", "tags": ["parcels", "hot food"], "phone": 999, "id": "x"},
            {"name": "Samaritans", "category": "crisis", "languages": "English, Welsh", "assured_date": None},
        ]
    ).encode()
    result = await import_directory(db, GUILD, data, filename="dir.json", today=TODAY)
    assert (result.added, result.ignored_columns) == (2, ("id",))
    food = await store.get_resource_by_name(db, GUILD, "Food bank")
    assert food is not None and (food.tags, food.phone) == (("parcels", "hot food"), "999")


async def test_json_problems(db: Database) -> None:
    data = json.dumps(
        [
            "not an object",
            {"name": "A", "category": "food", "phone": True},
            {"name": "B", "category": "food", "url": "https://a.example", "website": "https://b.example"},
            {"name": "C", "category": "food", "description": {"nested": 1}},
        ]
    ).encode()
    with pytest.raises(ImportRejectedError) as caught:
        await import_directory(db, GUILD, data, today=TODAY)
    assert caught.value.lines() == [
        'Row 1: isn\'t an object like {"name": "...", "category": "..."}.',
        "Row 2, phone: should be text (or a list of texts for tags and languages).",
        "Row 3, url: is given twice under different names. Keep one.",
        "Row 4, description: should be text (or a list of texts for tags and languages).",
    ]
    for bad, message in (
        (b"{", "isn't valid JSON"),
        (b'{"name": "x"}', "must be a list"),
        (b"[" * 100_000, "nested too deeply"),
    ):
        with pytest.raises(DirectoryError, match=message):
            await import_directory(db, GUILD, bad, filename="x.json", today=TODAY)
    assert await store.count_resources(db, GUILD) == 0


def test_format_detection() -> None:
    assert exchange.detect_format(b"name,category", "a.JSON") == "json"
    assert exchange.detect_format(b"[{}]", "a.csv") == "csv"
    assert exchange.detect_format(b"\xef\xbb\xbf  [") == "json"
    assert exchange.detect_format(b"name") == "csv"


def test_export_csv_of_nothing_is_just_the_header() -> None:
    assert export_csv([]) == ("\ufeff" + HEADER + "\r\n").encode()
