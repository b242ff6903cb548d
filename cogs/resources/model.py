"""Resource directory entries: their fields, the Open Referral HSDS names those fields map to, and validation.

Pure Python: no Discord, no SQL. Everything a member or admin types, and every imported cell, passes through
:func:`check` (or :func:`validate`), which cleans the text and returns kind, field-named problems.

Fields and HSDS
---------------
Field names in Python (and in the database) are the words the issue and the commands use; the export columns are the
Open Referral Human Services Data Specification (HSDS 3.0) names where HSDS has one, so a directory can be exchanged
with other tools. One peerbot resource is one HSDS *service*:

=============  =========================  ==========================================================================
Python field   Export column              HSDS 3.0
=============  =========================  ==========================================================================
name           name                       service.name
description    description                service.description
category       category                   taxonomy_term.name (through service.attributes), one per resource
tags           tags                       no HSDS field: more taxonomy terms (attributes); a comma-separated list
phone          phone                      phone.number (the service's first phone)
website        url                        service.url
email          email                      service.email
area           service_area               service_area.description (address or area served, free text)
hours          schedule                   schedule.description (free text, not RRULEs)
languages      languages                  language.name, one per language; a comma-separated list here
eligibility    eligibility_description    service.eligibility_description
cost           fees_description           service.fees_description
last_verified  assured_date               service.assured_date (ISO date the details were last checked)
=============  =========================  ==========================================================================

Validation rules (each problem names its field and says what to do)
--------------------------------------------------------------------
* Text is NFC-normalised; control characters, zero-width and other invisible format characters (Unicode categories
  Cc, Cf, Cs, e.g. U+200B, U+200D, U+202E, U+FEFF) are removed. Single-line fields collapse runs of whitespace;
  multi-line fields (description, hours, eligibility) keep line breaks (at most one blank line in a row).
* ``name`` is required (at most 100 characters, unique per server ignoring case: the store enforces that);
  ``description`` at most 1,000; other limits are in :data:`FIELDS`.
* ``category`` is required and must be one of the server's categories, matched ignoring case; the canonical
  spelling is stored.
* ``phone``: only dialable characters (digits, spaces, ``+ - ( ) . / # * ,``), ``+`` only first, at least 3 digits.
* ``website``: an http(s) address with a dotted host name, no spaces and no ``user@`` part. A bare
  ``example.org/path`` gets ``https://`` added.
* ``email``: the simple shape ``name@domain.tld``.
* ``tags`` and ``languages``: comma- (or semicolon-) separated lists, duplicates dropped ignoring case, at most 20
  items of at most 40 characters each; stored and exported as ``"a, b, c"``.
* ``last_verified``: an ISO date (``YYYY-MM-DD``), not after today.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Generic, TypeVar
from urllib.parse import urlsplit

DEFAULT_CATEGORIES: tuple[str, ...] = (
    "crisis",
    "mental health",
    "substance use",
    "peer groups",
    "housing/shelter",
    "food",
    "clothing",
    "education/jobs",
    "legal",
    "LGBTQ+",
    "youth",
    "veterans",
    "grief",
    "online communities",
)
# Discord shows at most 25 autocomplete choices or select options, so a longer list could not be offered whole.
MAX_CATEGORIES = 25
CATEGORY_MAX_LEN = 50
REVIEW_AFTER_DAYS = 180
MAX_LIST_ITEMS = 20
MAX_LIST_ITEM_LEN = 40
MIN_PHONE_DIGITS = 3
QUOTE_MAX = 60

T = TypeVar("T")
V = TypeVar("V")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a resource: its Python/database name, what people see, its export column and limits."""

    name: str
    label: str
    column: str
    max_len: int
    multiline: bool = False


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "name", "name", 100),
    FieldSpec("description", "description", "description", 1000, multiline=True),
    FieldSpec("category", "category", "category", CATEGORY_MAX_LEN),
    FieldSpec("tags", "tags", "tags", 400),
    FieldSpec("phone", "phone", "phone", 40),
    FieldSpec("website", "website", "url", 500),
    FieldSpec("email", "email", "email", 254),
    FieldSpec("area", "area", "service_area", 200),
    FieldSpec("hours", "hours", "schedule", 300, multiline=True),
    FieldSpec("languages", "languages", "languages", 400),
    FieldSpec("eligibility", "eligibility", "eligibility_description", 500, multiline=True),
    FieldSpec("cost", "cost", "fees_description", 200),
    FieldSpec("last_verified", "last verified", "assured_date", 40),
)
FIELD_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FIELDS}
FIELD_ORDER: dict[str, int] = {f.name: i for i, f in enumerate(FIELDS)}
LIST_FIELDS = frozenset({"tags", "languages"})


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list, with the length of the whole list for "page 2 of 7"."""

    items: tuple[T, ...]
    total: int


@dataclass(frozen=True, kw_only=True)
class Entry:
    """A resource's content, cleaned and validated (see the module docstring for the rules)."""

    name: str
    category: str
    description: str = ""
    tags: tuple[str, ...] = ()
    phone: str = ""
    website: str = ""
    email: str = ""
    area: str = ""
    hours: str = ""
    languages: tuple[str, ...] = ()
    eligibility: str = ""
    cost: str = ""
    last_verified: date | None = None

    def needs_review(self, today: date, days: int = REVIEW_AFTER_DAYS) -> bool:
        """Never verified, or last verified `days` or more days before `today`."""
        return self.last_verified is None or (today - self.last_verified).days >= days


@dataclass(frozen=True, kw_only=True)
class Resource(Entry):
    """An entry stored in one server's directory."""

    id: int
    guild_id: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field (of one import row, when `row` is set)."""

    field: str
    message: str
    row: int | None = None

    def describe(self, label: str | None = None) -> str:
        """E.g. ``Row 4, website: 'htp:/x' isn't a web address. ...``; `label` overrides the field's label."""
        spec = FIELD_BY_NAME.get(self.field)
        where = label if label is not None else (spec.label if spec else self.field)
        if self.row is None:
            return f"{where}: {self.message}" if where else self.message
        return f"Row {self.row}, {where}: {self.message}" if where else f"Row {self.row}: {self.message}"


class DirectoryError(Exception):
    """An expected problem. `message` is kind, says what to do next, and can be shown to the member as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidEntryError(DirectoryError):
    """One entry (or suggestion, or category name) failed validation."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(p.describe() for p in self.problems))


@dataclass(frozen=True)
class SuggestionDraft:
    """What a member suggests. Free text (an admin checks it when adding), only cleaned and length-limited."""

    name: str
    description: str = ""
    category: str = ""
    contact: str = ""
    area: str = ""


SUGGESTION_LIMITS: dict[str, tuple[int, bool]] = {
    "name": (100, False),
    "description": (1000, True),
    "category": (CATEGORY_MAX_LEN, False),
    "contact": (300, True),
    "area": (200, False),
}

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_LINE_BREAKS = frozenset({"\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"})
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_LIST_SPLIT = re.compile(r"[,;]")
_PHONE = re.compile(r"\+?[0-9 ()./#*,-]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_HOSTNAME = re.compile(_LABEL + r"(?:\." + _LABEL + r")*\.(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)\.?")
_BARE_SITE = re.compile(r"[^\W_][\w.-]*\.[^\W\d_]{2,}(?:[/?#:]\S*)?")
_WORD = re.compile(r"[^\W_]+")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Remove invisible characters and tidy whitespace; keep line breaks only when `multiline`."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    kept: list[str] = []
    for ch in text:
        if ch in _LINE_BREAKS:
            kept.append("\n" if multiline else " ")
        elif ch == "\t":
            kept.append(" ")
        elif unicodedata.category(ch) not in _INVISIBLE_CATEGORIES:
            kept.append(ch)
    text = _SPACES.sub(" ", "".join(kept))
    if not multiline:
        return text.strip()
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def fold(text: str) -> str:
    """Lower-case, without accents: how the search index compares words (SQLite unicode61, remove_diacritics 2)."""
    if text.isascii():  # nothing to decompose (the common case, and much faster)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words(text: str) -> list[str]:
    """The words of `text` as the search index sees them: folded runs of letters and digits."""
    return _WORD.findall(fold(text))


def key(text: str) -> str:
    """The case-insensitive key used for names, categories and areas (also beyond ASCII)."""
    return clean_text(text).casefold()


def split_list(value: str) -> tuple[str, ...]:
    """``"a, b; A"`` -> ``("a", "b")``: cleaned, empty items and case-insensitive duplicates dropped."""
    seen: set[str] = set()
    items: list[str] = []
    for part in _LIST_SPLIT.split(value):
        item = clean_text(part)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return tuple(items)


def join_list(items: Sequence[str]) -> str:
    return ", ".join(items)


def search_terms(entry: Entry) -> list[str]:
    """Distinct words (3+ letters, not only digits) of name, tags and category: the fuzzy search's vocabulary."""
    found: dict[str, None] = {}
    for text in (entry.name, entry.category, *entry.tags):
        for word in words(text):
            if len(word) >= 3 and not word.isdigit():
                found.setdefault(word)
    return list(found)


def terms_json(entry: Entry) -> str:
    return json.dumps(search_terms(entry), ensure_ascii=False)


def utc_today() -> date:
    return datetime.now(UTC).date()


def quoted(value: str) -> str:
    """The member's own text, shortened, for error messages."""
    shown = value if len(value) <= QUOTE_MAX else value[: QUOTE_MAX - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return f"'{shown}'"


def as_text(entry: Entry) -> dict[str, str]:
    """Every field as the text a member would type (for pre-filled forms and the export)."""
    values: dict[str, str] = {}
    for spec in FIELDS:
        value = getattr(entry, spec.name)
        if isinstance(value, tuple):
            values[spec.name] = join_list(value)
        elif isinstance(value, date):
            values[spec.name] = value.isoformat()
        else:
            values[spec.name] = "" if value is None else str(value)
    return values


def resolve_category(value: str, categories: Sequence[str]) -> str | None:
    """The canonical spelling of `value` in `categories`, matched ignoring case, or None."""
    wanted = key(value)
    return next((c for c in categories if key(c) == wanted), None)


def _too_long(text: str, limit: int) -> str:
    return f"is {len(text):,} characters long; the limit is {limit:,}. Please shorten it."


def _check_category(text: str, categories: Sequence[str]) -> tuple[str, str | None]:
    if not text:
        return "", "Please choose a category."
    canonical = resolve_category(text, categories)
    if canonical is None:
        choices = ", ".join(categories) if categories else "none yet"
        return text, f"{quoted(text)} isn't one of this server's categories ({choices}). Pick one of those."
    return canonical, None


def _check_phone(text: str) -> tuple[str, str | None]:
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE.fullmatch(text) or digits < MIN_PHONE_DIGITS:
        return text, (
            f"{quoted(text)} doesn't look like a phone number. Use digits, spaces and + - ( ) . / # * only, "
            "for example +44 116 123."
        )
    return text, None


def _check_website(text: str) -> tuple[str, str | None]:
    if "://" not in text and _BARE_SITE.fullmatch(text):
        text = "https://" + text
    if len(text) > FIELD_BY_NAME["website"].max_len:
        return text, _too_long(text, FIELD_BY_NAME["website"].max_len)
    problem = f"{quoted(text)} isn't a web address. Use https://... (for example https://example.org)."
    if any(ch.isspace() for ch in text):
        return text, problem
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        return text, problem
    if parts.scheme.lower() not in {"http", "https"} or "@" in parts.netloc or not _HOSTNAME.fullmatch(host):
        return text, problem
    return text, None


def _check_email(text: str) -> tuple[str, str | None]:
    if not _EMAIL.fullmatch(text):
        return text, f"{quoted(text)} doesn't look like an email address. Use the form name@example.org."
    return text, None


def _check_list(text: str, limit: int) -> tuple[tuple[str, ...], str | None]:
    items = split_list(text)
    if len(join_list(items)) > limit:  # as stored and exported ("a,b" becomes "a, b")
        return items, _too_long(join_list(items), limit)
    if len(items) > MAX_LIST_ITEMS:
        return items, f"has {len(items)} items; the limit is {MAX_LIST_ITEMS}. Please keep the most useful ones."
    long_item = next((i for i in items if len(i) > MAX_LIST_ITEM_LEN), None)
    if long_item is not None:
        return items, (
            f"{quoted(long_item)} is longer than {MAX_LIST_ITEM_LEN} characters. Separate items with commas."
        )
    return items, None


def parse_date(text: str) -> date | None:
    """An ISO date (or the date of an ISO date-time), or None if `text` isn't one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _check_date(text: str, today: date) -> tuple[date | None, str | None]:
    if not text:
        return None, None
    when = parse_date(text)
    if when is None:
        return None, f"{quoted(text)} isn't a date. Use the form YYYY-MM-DD, for example {today.isoformat()}."
    if when > today:
        return None, (
            f"{when.isoformat()} is in the future. Use the date someone last checked these details "
            f"(today is {today.isoformat()})."
        )
    return when, None


def _check_name(text: str) -> tuple[str, str | None]:
    return text, (None if text else "A name is needed.")


def _if_given(checker: Callable[[str], tuple[str, str | None]], text: str) -> tuple[str, str | None]:
    return (text, None) if not text else checker(text)


def check(
    raw: Mapping[str, str], categories: Sequence[str], *, today: date, row: int | None = None
) -> tuple[Entry | None, tuple[Problem, ...]]:
    """Clean and validate typed or imported text (keys are Python field names; others are ignored).

    Returns the entry and no problems, or None and every problem found (each tagged with `row` when given).
    """
    text = {spec.name: clean_text(raw.get(spec.name) or "", multiline=spec.multiline) for spec in FIELDS}
    problems = [
        Problem(s.name, _too_long(text[s.name], s.max_len), row) for s in FIELDS if len(text[s.name]) > s.max_len
    ]
    too_long = {p.field for p in problems}

    def ok(field: str, result: tuple[V, str | None]) -> V:
        value, message = result
        if message is not None and field not in too_long:
            problems.append(Problem(field, message, row))
        return value

    entry = Entry(
        name=ok("name", _check_name(text["name"])),
        category=ok("category", _check_category(text["category"], categories)),
        description=text["description"],
        tags=ok("tags", _check_list(text["tags"], FIELD_BY_NAME["tags"].max_len)),
        phone=ok("phone", _if_given(_check_phone, text["phone"])),
        website=ok("website", _if_given(_check_website, text["website"])),
        email=ok("email", _if_given(_check_email, text["email"])),
        area=text["area"],
        hours=text["hours"],
        languages=ok("languages", _check_list(text["languages"], FIELD_BY_NAME["languages"].max_len)),
        eligibility=text["eligibility"],
        cost=text["cost"],
        last_verified=ok("last_verified", _check_date(text["last_verified"], today)),
    )
    problems.sort(key=lambda p: FIELD_ORDER[p.field])
    return (None, tuple(problems)) if problems else (entry, ())


def validate(raw: Mapping[str, str], categories: Sequence[str], *, today: date | None = None) -> Entry:
    """Like :func:`check`, but raise :class:`InvalidEntryError` listing every problem."""
    entry, problems = check(raw, categories, today=today or utc_today())
    if entry is None:
        raise InvalidEntryError(problems)
    return entry


def validate_category_name(value: str) -> str:
    """A new category's name, cleaned; raise :class:`InvalidEntryError` if it is empty or too long."""
    text = clean_text(value)
    if not text:
        raise InvalidEntryError([Problem("category", "A category needs a name.")])
    if len(text) > CATEGORY_MAX_LEN:
        raise InvalidEntryError([Problem("category", _too_long(text, CATEGORY_MAX_LEN))])
    return text


def validate_suggestion(raw: Mapping[str, str]) -> SuggestionDraft:
    """Clean a member's suggestion; raise :class:`InvalidEntryError` if the name is missing or a field is too long."""
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for name, (limit, multiline) in SUGGESTION_LIMITS.items():
        text = clean_text(raw.get(name) or "", multiline=multiline)
        values[name] = text
        if len(text) > limit:
            problems.append(Problem(name, _too_long(text, limit)))
    if not values["name"]:
        problems.append(Problem("name", "A name is needed, so admins know what you mean."))
    if problems:
        raise InvalidEntryError(problems)
    return SuggestionDraft(**values)
