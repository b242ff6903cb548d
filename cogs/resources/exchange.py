"""Import and export of a server's directory as CSV (or JSON), with Open Referral HSDS column names.

Export (:func:`export_directory`, :func:`export_csv`): UTF-8 with a byte-order mark (so spreadsheets detect the
encoding), CRLF line ends, one header row of :data:`COLUMNS`, one row per resource by name. Lists are
``"a, b"``; ``assured_date`` is ``YYYY-MM-DD`` or empty.

Import (:func:`import_directory`): CSV with a header row, or JSON (a list of objects), chosen by the file name's
extension or else by the first character. Column names are matched ignoring case, spaces and hyphens, and may be
the export names, the Python field names or the labels (``url``, ``website``); other columns are ignored and
reported. ``name`` and ``category`` columns are required. At most :data:`MAX_ROWS` rows and :data:`MAX_BYTES`
bytes. Every row is validated (:func:`cogs.resources.model.check`); problems are reported by row and column
("Row 4, url: ..."). CSV rows are numbered as a spreadsheet shows them (the header is row 1); JSON rows by their
position in the list (the first is row 1). Entirely blank CSV rows are skipped. Nothing is written unless every
row is valid, and the whole import is one transaction. A resource whose name (ignoring case) is already in the
directory is replaced by the row; with ``replace=True`` resources missing from the file are removed too. So
export, edit in a spreadsheet, import back is an update, and export then import into another server copies the
directory exactly.

CSV formula injection: a spreadsheet runs a cell that starts with ``= + - @`` (or tab, carriage return) as a
formula. On export, a cell matching ``'*[=+-@\\t\\r]`` (optional apostrophes, then one of those) gets one more
leading apostrophe, which spreadsheets show as text; on CSV import one leading apostrophe is removed from cells
matching ``'+[=+-@\\t\\r]``. The two are exact inverses, so every value round-trips (``+44 116 123`` is exported as
``'+44 116 123``). JSON is neither escaped nor unescaped.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.db import Database
from cogs.resources import store
from cogs.resources.model import (
    CATEGORY_MAX_LEN,
    FIELD_BY_NAME,
    FIELD_ORDER,
    FIELDS,
    LIST_FIELDS,
    MAX_CATEGORIES,
    DirectoryError,
    Entry,
    Problem,
    as_text,
    check,
    clean_text,
    key,
    resolve_category,
    utc_today,
)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10000
MAX_PROBLEMS_SHOWN = 20
COLUMNS: tuple[str, ...] = tuple(spec.column for spec in FIELDS)
REQUIRED_COLUMNS = ("name", "category")

_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_HEADER_SEPARATORS = re.compile(r"[\s\-]+")

Format = Literal["csv", "json"]


def _header_key(text: str) -> str:
    return _HEADER_SEPARATORS.sub("_", key(text))


HEADER_ALIASES: dict[str, str] = {
    _header_key(alias): spec.name for spec in FIELDS for alias in (spec.column, spec.name, spec.label)
}


@dataclass(frozen=True)
class RawRow:
    """One row of an import file: its row number and its cells by field name, not yet validated."""

    number: int
    values: Mapping[str, str]


@dataclass(frozen=True)
class ParsedFile:
    """An import file read into rows, before validation."""

    rows: tuple[RawRow, ...]
    labels: Mapping[str, str]
    ignored_columns: tuple[str, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ImportResult:
    """What an import changed."""

    added: int
    updated: int
    removed: int
    new_categories: tuple[str, ...]
    ignored_columns: tuple[str, ...]


class ImportRejectedError(DirectoryError):
    """The file had problems; nothing was imported. `problems` has them all, `message` the first few."""

    def __init__(self, problems: Sequence[Problem], labels: Mapping[str, str] | None = None) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.row or 0, FIELD_ORDER.get(p.field, -1))))
        self.labels = dict(labels or {})
        super().__init__(self._summary())

    def lines(self) -> list[str]:
        """Every problem, one per line, naming the file's own column names."""
        return [p.describe(self.labels.get(p.field)) for p in self.problems]

    def _summary(self) -> str:
        lines = self.lines()
        shown = lines[:MAX_PROBLEMS_SHOWN]
        if len(lines) > len(shown):
            shown.append(f"... and {len(lines) - len(shown)} more.")
        return "Nothing was imported. Please fix these and try again:\n" + "\n".join(shown)


# --- formula escaping ---------------------------------------------------------------------------------------------


def escape_cell(text: str) -> str:
    """Make a cell safe to open in a spreadsheet (see the module docstring)."""
    return "'" + text if _NEEDS_ESCAPE.match(text) else text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell`."""
    return text[1:] if _ESCAPED.match(text) else text


# --- export -------------------------------------------------------------------------------------------------------


def export_csv(entries: Iterable[Entry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        text = as_text(entry)
        writer.writerow([escape_cell(text[spec.name]) for spec in FIELDS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_json(entries: Iterable[Entry]) -> bytes:
    """The same data as a JSON list of objects keyed by :data:`COLUMNS` (for tools that prefer JSON)."""
    texts = [as_text(e) for e in entries]
    items = [{spec.column: text[spec.name] for spec in FIELDS} for text in texts]
    return json.dumps(items, ensure_ascii=False, indent=2).encode("utf-8")


async def export_directory(db: Database, guild_id: int) -> bytes:
    """The whole directory as CSV (see :func:`export_csv`)."""
    return export_csv(await store.all_resources(db, guild_id))


# --- reading files ------------------------------------------------------------------------------------------------


def detect_format(data: bytes, filename: str | None = None) -> Format:
    """By extension when there is one we know, else JSON if the text starts with ``[`` or ``{``."""
    name = (filename or "").lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".csv", ".txt")):
        return "csv"
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if start in (b"[", b"{") else "csv"


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise DirectoryError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB. "
            "Split it into smaller files and import them one after another."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DirectoryError(
            "The file isn't UTF-8 text. In your spreadsheet, save it as 'CSV UTF-8' and try again."
        ) from exc


def _too_many_rows() -> DirectoryError:
    return DirectoryError(
        f"The file has more than {MAX_ROWS:,} rows, the most one import takes. Split it and import the parts."
    )


def _map_header(header: Sequence[str]) -> tuple[list[str | None], dict[str, str], list[str]]:
    """Column index -> field (None: ignored), field -> the file's column name, ignored column names."""
    fields: list[str | None] = []
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for cell in header:
        title = clean_text(cell)
        field = HEADER_ALIASES.get(_header_key(title))
        if field is not None and field in labels:
            raise DirectoryError(
                f"The file has two columns for {FIELD_BY_NAME[field].label} ('{labels[field]}' and '{title}'). "
                "Keep one and try again."
            )
        if field is None:
            if title:
                ignored.append(title)
        else:
            labels[field] = title
        fields.append(field)
    missing = [c for c in REQUIRED_COLUMNS if c not in labels]
    if missing:
        raise DirectoryError(
            f"The file needs a column called {' and '.join(repr(m) for m in missing)}. The first row must hold "
            f"the column names: {', '.join(COLUMNS)}."
        )
    return fields, labels, ignored


def _csv_rows(reader: Iterable[list[str]], fields: list[str | None]) -> tuple[list[RawRow], list[Problem]]:
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        if any(cell.strip() for cell in cells[len(fields) :]):
            problems.append(
                Problem("", "has more cells than there are columns. Put text with commas in quotes.", number)
            )
        values = {f: unescape_cell(cell) for f, cell in zip(fields, cells, strict=False) if f is not None}
        rows.append(RawRow(number, values))
    return rows, problems


def parse_csv(text: str) -> ParsedFile:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise DirectoryError("The file is empty. Export the directory to see the expected layout.")
        fields, labels, ignored = _map_header(header)
        rows, problems = _csv_rows(reader, fields)
    except csv.Error as exc:
        raise DirectoryError(f"Row {reader.line_num} couldn't be read as CSV ({exc}). Check its quotes.") from exc
    return ParsedFile(tuple(rows), labels, tuple(ignored), tuple(problems))


def _json_text(field: str, value: object) -> str | None:
    """A JSON value as cell text, or None if it can't be one."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if field in LIST_FIELDS and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return None


def _json_row(number: int, item: object, ignored: dict[str, None]) -> tuple[RawRow | None, list[Problem]]:
    if not isinstance(item, dict):
        return None, [Problem("", 'isn\'t an object like {"name": "...", "category": "..."}.', number)]
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for name, value in item.items():
        field = HEADER_ALIASES.get(_header_key(str(name)))
        if field is None:
            ignored.setdefault(str(name))
            continue
        text = _json_text(field, value)
        if field in values:
            problems.append(Problem(field, "is given twice under different names. Keep one.", number))
        elif text is None:
            problems.append(Problem(field, "should be text (or a list of texts for tags and languages).", number))
        else:
            values[field] = text
    return RawRow(number, values), problems


def parse_json(text: str) -> ParsedFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DirectoryError(f"The file isn't valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from exc
    except RecursionError as exc:
        raise DirectoryError("The JSON is nested too deeply. It should be a list of flat objects.") from exc
    if not isinstance(document, list):
        raise DirectoryError('A JSON import must be a list of objects, like [{"name": "...", "category": "..."}].')
    if len(document) > MAX_ROWS:
        raise _too_many_rows()
    rows: list[RawRow] = []
    problems: list[Problem] = []
    ignored: dict[str, None] = {}
    for number, item in enumerate(document, start=1):
        row, found = _json_row(number, item, ignored)
        rows.extend([] if row is None else [row])
        problems.extend(found)
    labels = {spec.name: spec.column for spec in FIELDS}
    return ParsedFile(tuple(rows), labels, tuple(ignored), tuple(problems))


def parse_file(data: bytes, filename: str | None = None) -> ParsedFile:
    """Read an import file into rows. Raise DirectoryError for problems with the file as a whole."""
    text = _decode(data)
    parsed = parse_json(text) if detect_format(data, filename) == "json" else parse_csv(text)
    if not parsed.rows and not parsed.problems:
        raise DirectoryError("The file has no resources in it, so nothing was imported.")
    return parsed


# --- validation and import ----------------------------------------------------------------------------------------


def validate_rows(parsed: ParsedFile, categories: Sequence[str], *, today: date) -> list[Entry]:
    """Every row as an entry; raise ImportRejectedError with every problem (including duplicate names)."""
    problems = list(parsed.problems)
    entries: list[Entry] = []
    first_row: dict[str, int] = {}
    for row in parsed.rows:
        entry, found = check(row.values, categories, today=today, row=row.number)
        problems.extend(found)
        if entry is None:
            continue
        name_key = key(entry.name)
        if name_key in first_row:
            message = f"'{entry.name}' is also on row {first_row[name_key]}. Each resource needs its own name."
            problems.append(Problem("name", message, row.number))
            continue
        first_row[name_key] = row.number
        entries.append(entry)
    if problems:
        raise ImportRejectedError(problems, parsed.labels)
    return entries


def new_categories(parsed: ParsedFile, known: Sequence[str]) -> list[str]:
    """Category names used in the file that the server doesn't have yet (first spelling wins)."""
    found: dict[str, str] = {}
    for row in parsed.rows:
        name = clean_text(row.values.get("category") or "")
        if name and len(name) <= CATEGORY_MAX_LEN and resolve_category(name, known) is None:
            found.setdefault(key(name), name)
    return list(found.values())


async def _add_categories(db: Database, guild_id: int, names: Sequence[str], known: Sequence[str]) -> None:
    if len(known) + len(names) > MAX_CATEGORIES:
        raise DirectoryError(
            f"The file uses {len(names)} new categories; with the {len(known)} this server has, that's more than "
            f"{MAX_CATEGORIES}, the most Discord can offer in a list. Use fewer categories and try again."
        )
    for name in names:
        await store.add_category(db, guild_id, name)


async def import_directory(
    db: Database,
    guild_id: int,
    data: bytes,
    *,
    filename: str | None = None,
    today: date | None = None,
    replace: bool = False,
    add_missing_categories: bool = False,
) -> ImportResult:
    """Validate every row, then write them all in one transaction (or nothing).

    Opens its own transaction, so don't call it inside one. Raises DirectoryError for a file-level problem and
    ImportRejectedError (a DirectoryError) listing every row problem.
    """
    parsed = parse_file(data, filename)
    day = today or utc_today()
    async with db.transaction():
        known = await store.categories(db, guild_id)
        added_categories = new_categories(parsed, known) if add_missing_categories else []
        entries = validate_rows(parsed, [*known, *added_categories], today=day)
        await _add_categories(db, guild_id, added_categories, known)
        existing = await store.name_keys(db, guild_id)
        keys = {key(e.name) for e in entries}
        removed = await store.remove_resources_except(db, guild_id, keys) if replace else 0
        await store.upsert_resources(db, guild_id, entries)
    return ImportResult(
        added=len(keys - existing),
        updated=len(keys & existing),
        removed=removed,
        new_categories=tuple(added_categories),
        ignored_columns=parsed.ignored_columns,
    )
