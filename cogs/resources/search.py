"""Directory search: ranked full-text search with typo tolerance, and a check for queries that look urgent.

:func:`find` runs up to three ranked searches and returns the first that finds anything. Ranking is BM25 with column
weights (name 10, tags 5, category 3, area 2, description, eligibility and languages 1; :mod:`cogs.resources.index`
computes it exactly as FTS5's bm25 did for migration 0006's index), so a match in the name ranks before a match in the
description; ties go to the older entry.

1. ``ALL``: every query word, each as a prefix ("shel" finds "shelter"). Words of one letter match whole.
2. ``CLOSE``: typo tolerance. Each word that starts no word of the server's names, tags or categories is replaced by
   the closest such words (Optimal String Alignment edit distance: at most 1 edit for words of 3-5 letters, 2 for
   longer ones, none for shorter; transpositions count as one edit), and the search runs again over name, tags and
   category only. Words with no close match (and words under 3 letters) are left out, so "fod bank" finds "Food
   bank" and "where can I get soup" finds "Soup run". The result is ``CLOSE`` if a word was replaced, else ``SOME``.
3. ``SOME``: any of the query words, anywhere (so words found only in descriptions or areas still count).

Each server's entries are searched as an in-memory index of that server alone (built from one query, kept for the
most recently used servers, up to MAX_CACHED_ENTRIES entries in all). Every use first reads the server's stamp
(migration 0007), in the same statement that fetches the page's rows, so a search costs one database round trip and
never shows a stale result: if the stamp moved, the index is rebuilt and the search runs again. The member's text is
only ever split into words (runs of letters and digits) and compared with the index's words: there is no query
syntax to get wrong. Filters: ``category`` (one of the server's, ignoring case) and ``area`` (substring of the area
served, ignoring case) apply to every step, and to browsing when the query is empty.

Previous / Next under the results point at the search through :class:`RecentSearches` (a custom id holds 100
characters, a query 500): plain data in memory, never written down, forgotten after SEARCH_KEPT_FOR seconds.
"""

from __future__ import annotations

import asyncio
import enum
import re
import secrets
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.db import Database
from cogs.resources import index, store
from cogs.resources.index import EVERY_COLUMN, NAME_TAGS_CATEGORY, Directory, Phrase
from cogs.resources.model import DirectoryError, Resource, fold, key, resolve_category, words

MAX_WORDS = 8
MAX_WORD_LEN = 40
MAX_LIMIT = 25
CLOSE_CANDIDATES = 5
# Indexes are kept for the most recently searched servers until they hold this many entries in all (about 1.2 KB
# each with bench-like entries; rebuilding a server's costs about 25 microseconds an entry plus one query); the
# server searched last is always kept, however big. From BUILD_IN_THREAD_FROM entries, an index is built on a worker
# thread so the event loop keeps running.
MAX_CACHED_ENTRIES = 10_000
BUILD_IN_THREAD_FROM = 1000
SEARCHES_KEPT = 5000
SEARCH_KEPT_FOR = 1800.0

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
    # Only when nothing was found: the server's categories that have entries, in list order (for a hint).
    categories_in_use: tuple[str, ...] = ()

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


def max_edits(length: int) -> int:
    """Edits allowed between a query word and a vocabulary word of about that length."""
    if length < 3:
        return 0
    return 1 if length <= 5 else 2


def close_words(word: str, vocabulary: Sequence[str]) -> list[str]:
    """Vocabulary words within :func:`max_edits` of `word`, closest first (at most CLOSE_CANDIDATES)."""
    edits = max_edits(len(word))
    if not edits:
        return []
    found = process.extract(
        word, vocabulary, scorer=OSA.distance, processor=None, score_cutoff=edits, limit=CLOSE_CANDIDATES
    )
    return [term for term, _distance, _index in found]


def _word(directory: Directory, word: str, columns: tuple[int, ...]) -> Phrase:
    return directory.word(word, columns, prefix=len(word) > 1)


def close_groups(directory: Directory, wanted: Sequence[str]) -> tuple[list[list[Phrase]], bool]:
    """Step 2's phrases over name/tags/category, one group (any of it may match) per word: the word as a prefix if
    it starts a vocabulary word, else its close vocabulary words; and whether any word was replaced."""
    groups: list[list[Phrase]] = []
    corrected = False
    for word in wanted:
        if len(word) < 3:
            continue
        if directory.starts_a_term(word):
            groups.append([_word(directory, word, NAME_TAGS_CATEGORY)])
        elif alternatives := close_words(word, directory.vocabulary):
            groups.append([directory.word(t, NAME_TAGS_CATEGORY, prefix=False) for t in alternatives])
            corrected = True
    return groups, corrected


def _ranked(directory: Directory, query: str, category: str, area: str) -> tuple[list[int], Match]:
    found = query_words(query)
    if not found:
        return [], Match.NONE
    ids = directory.rank([[_word(directory, w, EVERY_COLUMN)] for w in found], category, area)
    if ids:
        return ids, Match.ALL
    groups, corrected = close_groups(directory, found)
    if groups:
        ids = directory.rank(groups, category, area)
        if ids:
            return ids, Match.CLOSE if corrected else Match.SOME
    if len(found) > 1:
        ids = directory.rank([[_word(directory, w, EVERY_COLUMN) for w in found]], category, area)
        if ids:
            return ids, Match.SOME
    return [], Match.NONE


@dataclass(frozen=True)
class _Plan:
    """A search worked out on an index: the page's ids, to be confirmed by the stamp read with their rows."""

    ids: tuple[int, ...] = ()
    total: int = 0
    match: Match = Match.NONE
    urgent: bool = False
    limit: int = 1
    offset: int = 0
    categories_in_use: tuple[str, ...] = ()
    error: DirectoryError | None = None

    def result(self, found: dict[int, Resource]) -> SearchResult:
        if self.error is not None:
            raise self.error
        items = tuple(found[i] for i in self.ids if i in found)
        return SearchResult(items, self.total, self.match, self.urgent, self.limit, self.offset, self.categories_in_use)


def _plan(directory: Directory, query: str, category: str | None, area: str | None, limit: int, offset: int) -> _Plan:
    canonical = ""
    if category and category.strip():
        resolved = resolve_category(category, directory.categories)
        if resolved is None:
            known = ", ".join(directory.categories)
            return _Plan(
                error=DirectoryError(f"There's no category called '{category.strip()[:60]}'. Categories: {known}.")
            )
        canonical = resolved
    area_key = key(area or "")
    if not query.strip():
        ids = directory.browse(canonical, area_key)
        match = Match.BROWSE if ids else Match.NONE
    else:
        ids, match = _ranked(directory, query, canonical, area_key)
    page = tuple(ids[offset : offset + limit])
    used = () if page else tuple(directory.categories_in_use())
    return _Plan(page, len(ids), match, looks_urgent(query), limit, offset, used)


# -- the per-server indexes -------------------------------------------------------------------------------------------


class _Directories:
    """The most recently used servers' indexes (least recently used dropped first)."""

    def __init__(self) -> None:
        self._by_guild: OrderedDict[int, Directory] = OrderedDict()
        self._entries = 0

    def get(self, guild_id: int) -> Directory | None:
        found = self._by_guild.get(guild_id)
        if found is not None:
            self._by_guild.move_to_end(guild_id)
        return found

    def put(self, guild_id: int, directory: Directory) -> None:
        old = self._by_guild.pop(guild_id, None)
        if old is not None:
            self._entries -= max(1, len(old))
        self._by_guild[guild_id] = directory
        self._entries += max(1, len(directory))
        while self._entries > MAX_CACHED_ENTRIES and len(self._by_guild) > 1:
            _guild, dropped = self._by_guild.popitem(last=False)
            self._entries -= max(1, len(dropped))


_CACHES: weakref.WeakKeyDictionary[Database, _Directories] = weakref.WeakKeyDictionary()


def _directories(db: Database) -> _Directories:
    found = _CACHES.get(db)
    if found is None:
        found = _CACHES[db] = _Directories()
    return found


async def _rebuilt(db: Database, guild_id: int) -> tuple[Directory, store.Snapshot]:
    snapshot = await store.snapshot(db, guild_id)
    if not snapshot.seeded:
        await store.ensure_categories(db, guild_id)
        snapshot = await store.snapshot(db, guild_id)
    if len(snapshot.rows) < BUILD_IN_THREAD_FROM:
        directory = index.build(snapshot.stamp, snapshot.categories, snapshot.rows)
    else:
        directory = await asyncio.to_thread(index.build, snapshot.stamp, snapshot.categories, snapshot.rows)
    _directories(db).put(guild_id, directory)
    return directory, snapshot


async def directory(db: Database, guild_id: int) -> Directory:
    """The server's index, checked against its stamp (one query) or rebuilt (seeding default categories first)."""
    cached = _directories(db).get(guild_id)
    if cached is not None and await store.stamp(db, guild_id) == cached.stamp:
        return cached
    return (await _rebuilt(db, guild_id))[0]


# -- what the cog calls ---------------------------------------------------------------------------------------------


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
    cached = _directories(db).get(guild_id)
    if cached is not None:
        plan = _plan(cached, query, category, area, limit, offset)
        stamp, found = await store.stamp_and_resources(db, guild_id, plan.ids)
        if stamp == cached.stamp:
            return plan.result(found)
    rebuilt, snapshot = await _rebuilt(db, guild_id)
    plan = _plan(rebuilt, query, category, area, limit, offset)
    wanted = set(plan.ids)
    return plan.result({r["id"]: store.resource_from_row(r) for r in snapshot.rows if r["id"] in wanted})


async def categories(db: Database, guild_id: int) -> list[str]:
    """The server's categories in list order (as :func:`cogs.resources.store.categories`, in one query when its
    index is kept)."""
    return list((await directory(db, guild_id)).categories)


@dataclass(frozen=True)
class NameHit:
    """A resource's id and name, for autocomplete."""

    id: int
    name: str


async def names_like(db: Database, guild_id: int, text: str, limit: int = 25) -> list[NameHit]:
    """Autocomplete: names starting with `text` (ignoring case), then names containing it; alphabetical."""
    found = (await directory(db, guild_id)).names(key(text), limit)
    return [NameHit(doc.id, doc.name) for doc in found]


# -- Previous / Next ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedSearch:
    """What a results message's Previous / Next buttons search again (who searched, where, and for what)."""

    guild_id: int
    user_id: int
    query: str
    category: str | None = None
    area: str | None = None


class RecentSearches:
    """Searches with results on screen, under a short random key their Previous / Next buttons carry: at most
    `size`, each for `ttl` seconds (plain data, one small object per search: no view objects, no timers)."""

    def __init__(
        self, size: int = SEARCHES_KEPT, ttl: float = SEARCH_KEPT_FOR, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._saved: OrderedDict[str, tuple[float, SavedSearch]] = OrderedDict()  # oldest first

    def save(self, search: SavedSearch) -> str:
        """Keep `search`; return its key (8 URL-safe characters)."""
        now = self.clock()
        while self._saved and (len(self._saved) >= self.size or next(iter(self._saved.values()))[0] <= now):
            self._saved.popitem(last=False)
        saved_key = secrets.token_urlsafe(6)
        while saved_key in self._saved:
            saved_key = secrets.token_urlsafe(6)
        self._saved[saved_key] = (now + self.ttl, search)
        return saved_key

    def get(self, saved_key: str) -> SavedSearch | None:
        found = self._saved.get(saved_key)
        if found is None or found[0] <= self.clock():
            return None
        return found[1]

    def forget_user(self, user_id: int) -> int:
        """Drop a member's searches (/privacy delete); return how many."""
        mine = [k for k, (_expires, search) in self._saved.items() if search.user_id == user_id]
        for saved_key in mine:
            del self._saved[saved_key]
        return len(mine)

    def __len__(self) -> int:
        return len(self._saved)
