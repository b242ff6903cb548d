"""Directory search: ranked full-text search with typo tolerance, and a check for queries that look urgent.

:func:`find` runs up to three ranked searches and returns the first that finds anything. Ranking is SQLite FTS5's
bm25 with column weights (migration 0006: name 10, tags 5, category 3, area 2, description, eligibility and
languages 1), so a match in the name ranks before a match in the description; ties go to the older entry.

1. ``ALL``: every query word, each as a prefix (``"shel"*`` finds "shelter"). Words of one letter match whole.
2. ``CLOSE``: typo tolerance. Each word that starts no word of the server's names, tags or categories is replaced by
   the closest such words (Optimal String Alignment edit distance: at most 1 edit for words of 3-5 letters, 2 for
   longer ones, none for shorter; transpositions count as one edit), and the search runs again over name, tags and
   category only. Words with no close match (and words under 3 letters) are left out, so "fod bank" finds "Food
   bank" and "where can I get soup" finds "Soup run". The result is ``CLOSE`` if a word was replaced, else ``SOME``.
3. ``SOME``: any of the query words, anywhere (so words found only in descriptions or areas still count).

Safety: the member's text never reaches FTS5 as syntax. It is split into words (runs of letters and digits), each
word is quoted as an FTS5 string (``"word"``), and only our own operators are added, so quotes, ``*``, ``NEAR``,
``-``, ``:`` or parentheses in a query are plain text and can't raise. The store adds the server's token
(``guild_token : "g<id>"``), so one server's search never touches another's rows, even inside the index.

The vocabulary for step 2 lives in ``resource_terms`` (kept by triggers), so its cost follows the number of distinct
words, not the number of resources. Filters: ``category`` (one of the server's, ignoring case) and ``area``
(substring of the area served, ignoring case) apply to every step, and to browsing when the query is empty.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.db import Database
from cogs.resources import store
from cogs.resources.model import DirectoryError, Page, Resource, fold, key, resolve_category, words

MAX_WORDS = 8
MAX_WORD_LEN = 40
MAX_LIMIT = 25
CLOSE_CANDIDATES = 5
ALL_COLUMNS = "{name tags category description area eligibility languages}"
FUZZY_COLUMNS = "{name tags category}"

# Kept small and transparent, like the crisis matcher: a match only makes the cog offer /crisis alongside results.
URGENT_PATTERNS: tuple[str, ...] = (
    r"suicid\w*",
    r"kill(?:ing)? (?:my ?self|me)",
    r"end(?:ing)? (?:my life|it all)",
    r"(?:want|wanna|going) to die",
    r"self ?harm\w*",
    r"(?:hurt|hurting|harm|harming|cut|cutting) my ?self",
    r"overdos\w*",
    r"crisis",
    r"emergenc\w*",
    r"abus\w*",
    r"raped?",
    r"sexual(?:ly)? assault\w*",
    r"domestic violence",
    r"in danger",
    r"not safe",
    r"unsafe",
    r"can ?t go on",
    r"no reason to live",
)
_URGENT = re.compile(r"\b(?:" + "|".join(URGENT_PATTERNS) + r")\b")
_NOT_WORD = re.compile(r"[\W_]+")
_LIKE_GUILD_TOKEN = re.compile(r"g\d+")


class Match(enum.Enum):
    """Which step of :func:`find` produced the results (the cog words its answer accordingly)."""

    BROWSE = "browse"
    ALL = "all"
    CLOSE = "close"
    SOME = "some"
    NONE = "none"


@dataclass(frozen=True)
class SearchResult:
    """One page of results, the total for pagination, and how they were found."""

    items: tuple[Resource, ...]
    total: int
    match: Match
    urgent: bool
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


def looks_urgent(query: str) -> bool:
    """Whether a search reads like someone in crisis (the cog then offers /crisis first)."""
    text = " " + _NOT_WORD.sub(" ", fold(query)).strip() + " "
    return _URGENT.search(text) is not None


def query_words(query: str) -> list[str]:
    """Distinct folded words of the query, at most MAX_WORDS of at most MAX_WORD_LEN characters."""
    found: dict[str, None] = {}
    for word in words(query):
        found.setdefault(word[:MAX_WORD_LEN])
    return list(found)[:MAX_WORDS]


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _prefix(word: str) -> str:
    phrase = _quote(word) + "*" if len(word) > 1 else _quote(word)
    # Only such words could match the index's server tokens ("g1234"); a column filter costs time, so only they get one.
    return ALL_COLUMNS + " : " + phrase if _LIKE_GUILD_TOKEN.fullmatch(word) else phrase


def match_all(wanted: Sequence[str]) -> str:
    """FTS5 expression: every word, as a prefix."""
    return " ".join(_prefix(w) for w in wanted)


def match_any(wanted: Sequence[str]) -> str:
    """FTS5 expression: any word, as a prefix."""
    return " OR ".join(_prefix(w) for w in wanted)


def max_edits(length: int) -> int:
    """Edits allowed between a query word and a vocabulary word of about that length."""
    if length < 3:
        return 0
    return 1 if length <= 5 else 2


def _starts_a_term(word: str, vocabulary: Sequence[str]) -> bool:
    i = bisect_left(vocabulary, word)
    return i < len(vocabulary) and vocabulary[i].startswith(word)


def close_words(word: str, vocabulary: Sequence[str]) -> list[str]:
    """Vocabulary words within :func:`max_edits` of `word`, closest first (at most CLOSE_CANDIDATES)."""
    edits = max_edits(len(word))
    if not edits:
        return []
    found = process.extract(
        word, vocabulary, scorer=OSA.distance, processor=None, score_cutoff=edits, limit=CLOSE_CANDIDATES
    )
    return [term for term, _distance, _index in found]


def match_close(wanted: Sequence[str], vocabulary: Sequence[str]) -> tuple[str | None, bool]:
    """FTS5 expression over name/tags/category with misspelt words replaced by close vocabulary words (None if no
    word is known or close to a known one), and whether any word was replaced. `vocabulary` must be sorted."""
    groups: list[str] = []
    corrected = False
    for word in wanted:
        if len(word) < 3:
            continue
        if _starts_a_term(word, vocabulary):
            groups.append(_prefix(word))
        elif alternatives := close_words(word, vocabulary):
            groups.append("(" + " OR ".join(_quote(t) for t in alternatives) + ")")
            corrected = True
    if not groups:
        return None, False
    return FUZZY_COLUMNS + " : (" + " AND ".join(groups) + ")", corrected


async def _canonical_category(db: Database, guild_id: int, category: str | None) -> str:
    if not category or not category.strip():
        return ""
    known = await store.categories(db, guild_id)
    canonical = resolve_category(category, known)
    if canonical is None:
        raise DirectoryError(f"There's no category called '{category.strip()[:60]}'. Categories: {', '.join(known)}.")
    return canonical


async def _ranked(
    db: Database, guild_id: int, query: str, category: str, area: str, limit: int, offset: int
) -> tuple[Page[Resource], Match]:
    found = query_words(query)
    if not found:
        return Page((), 0), Match.NONE
    page = await store.search_page(db, guild_id, match_all(found), category, area, limit, offset)
    if page.total:
        return page, Match.ALL
    close, corrected = match_close(found, await store.vocabulary(db, guild_id))
    if close is not None:
        page = await store.search_page(db, guild_id, close, category, area, limit, offset)
        if page.total:
            return page, Match.CLOSE if corrected else Match.SOME
    if len(found) > 1:
        page = await store.search_page(db, guild_id, match_any(found), category, area, limit, offset)
        if page.total:
            return page, Match.SOME
    return page, Match.NONE


async def find(
    db: Database,
    guild_id: int,
    query: str,
    category: str | None = None,
    area: str | None = None,
    *,
    limit: int = 10,
    offset: int = 0,
) -> SearchResult:
    """Search one server's directory; an empty query lists it (filtered) by name.

    Raises DirectoryError (with a kind message) if `category` is not one of the server's categories.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    canonical = await _canonical_category(db, guild_id, category)
    area_key = key(area or "")
    if not query.strip():
        page = await store.browse_page(db, guild_id, canonical, area_key, limit, offset)
        match = Match.BROWSE if page.total else Match.NONE
    else:
        page, match = await _ranked(db, guild_id, query, canonical, area_key, limit, offset)
    return SearchResult(page.items, page.total, match, looks_urgent(query), limit, offset)
