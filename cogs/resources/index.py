"""One server's directory as an in-memory search index, so a search reads that server's entries and nothing else.

:mod:`cogs.resources.search` builds a :class:`Directory` from the server's rows (one query), keeps it while the
server's stamp (migration 0007) is unchanged, and runs its steps on it; this module only matches and ranks.

Each entry is indexed by the words (:func:`cogs.resources.model.words`: case-folded, accent-free runs of letters and
digits) of seven columns: name, tags, category, description, area, eligibility and languages. A *phrase* is what one
query word becomes: a prefix (``shel`` finds "shelter") or a whole word, looked for in some of the columns; or the
category filter's words in a row. Each word has the list of entries containing it, so finding the entries a phrase
matches costs its matches, not the size of the directory (a phrase limited to name, tags and category then looks
at those entries' first three columns).

Ranking is BM25 computed exactly as SQLite FTS5's ``bm25()`` computed it for migration 0006's index (which this
replaces for search, so results stay the same): with N entries, n of them containing the phrase, its IDF is
``log((N - n + 0.5) / (n + 0.5))`` (at least 1e-6); its weighted frequency f in an entry counts each occurrence by its
column's weight (name 10, tags 5, category 3, area 2, the others 1); the entry scores the sum over phrases of
``IDF * f * (k1 + 1) / (f + k1 * (1 - b + b * length / average length))`` with k1 = 1.2, b = 0.75, and length the
entry's number of words in all seven columns plus one (FTS5 also counted the server token). Ties go to the older
entry. Unlike FTS5 over one index for every server, N, n and the average length are this server's own, so another
server's entries can no longer change the order of this one's.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from cogs.resources.model import words

COLUMNS: tuple[str, ...] = ("name", "tags", "category", "description", "area", "eligibility", "languages")
WEIGHTS: tuple[float, ...] = (10.0, 5.0, 3.0, 1.0, 2.0, 1.0, 1.0)
EVERY_COLUMN: tuple[int, ...] = tuple(range(len(COLUMNS)))
NAME_TAGS_CATEGORY: tuple[int, ...] = (0, 1, 2)
CATEGORY: tuple[int, ...] = (2,)
K1 = 1.2
B = 0.75
MIN_IDF = 1e-6

# An entry's words are kept in one string, each word between these two marks ("\x01food\x02\x01bank\x02"), column
# after column, so finding a whole word ("\x01food\x02"), a prefix ("\x01foo") or a run of words in some columns is
# str.find between two offsets. Neither mark can be part of a word.
_START = "\x01"
_END = "\x02"
_BETWEEN = _END + _START


def _marked(found: Sequence[str]) -> str:
    return _START + _BETWEEN.join(found) + _END if found else ""


def _words_in(text: str) -> set[str]:
    return set(text[1:-1].split(_BETWEEN)) if text else set()


class Doc(NamedTuple):
    """One entry as the index sees it: `text` holds the words of every column, column `c` from ``bounds[c]`` to
    ``bounds[c + 1]``. `length` is its number of words plus one, as FTS5 counted them. (A tuple of strings and
    numbers: the garbage collector stops tracking it.)"""

    id: int
    name: str
    name_key: str
    category: str
    area_key: str
    text: str
    bounds: tuple[int, ...]
    length: int

    def named(self) -> str:
        """The words of the name, tags and category columns."""
        return self.text[: self.bounds[len(NAME_TAGS_CATEGORY)]]

    def has(self, pattern: str, columns: tuple[int, ...]) -> bool:
        """Whether `pattern` is in this run of columns."""
        return self.text.find(pattern, self.bounds[columns[0]], self.bounds[columns[-1] + 1]) >= 0


@dataclass(frozen=True, slots=True)
class Phrase:
    """What to look for in which columns (a run of them: EVERY_COLUMN, NAME_TAGS_CATEGORY or CATEGORY), and the
    positions (in :attr:`Directory.docs`) of the entries containing it there."""

    pattern: str
    columns: tuple[int, ...]
    hits: frozenset[int]


def _hits(group: Sequence[Phrase]) -> frozenset[int]:
    return group[0].hits if len(group) == 1 else frozenset().union(*(p.hits for p in group))


class _Postings:
    """Every word of some columns, sorted, each with the positions of the entries containing it."""

    __slots__ = ("entries", "terms")

    def __init__(self, by_term: dict[str, list[int]]) -> None:
        self.terms = sorted(by_term)
        self.entries = [tuple(by_term[t]) for t in self.terms]

    def exact(self, word: str) -> frozenset[int]:
        i = bisect_left(self.terms, word)
        return frozenset(self.entries[i]) if i < len(self.terms) and self.terms[i] == word else frozenset()

    def prefix(self, word: str) -> frozenset[int]:
        i = bisect_left(self.terms, word)
        end = i
        while end < len(self.terms) and self.terms[end].startswith(word):
            end += 1
        if end - i == 1:
            return frozenset(self.entries[i])
        return frozenset().union(*self.entries[i:end])


class Directory:
    """One server's entries, categories and fuzzy-search vocabulary, as of `stamp`."""

    def __init__(self, stamp: int, categories: Sequence[str], docs: Sequence[Doc]) -> None:
        self.stamp = stamp
        self.categories = tuple(categories)
        self.docs = tuple(docs)
        every: defaultdict[str, list[int]] = defaultdict(list)
        named: set[str] = set()
        total = 0
        for position, doc in enumerate(self.docs):
            total += doc.length
            for word in _words_in(doc.text):
                every[word].append(position)
            named |= _words_in(doc.named())
        self._every = _Postings(every)
        # The fuzzy step's candidates: the distinct words (3+ letters, not only digits) of names, tags and categories,
        # as migration 0006's resource_terms holds them (model.search_terms).
        self.vocabulary = [t for t in self._every.terms if t in named and len(t) >= 3 and not t.isdigit()]
        self.average_length = total / len(self.docs) if self.docs else 1.0
        self.by_name = tuple(sorted(range(len(self.docs)), key=lambda p: self.docs[p].name_key))

    def __len__(self) -> int:
        return len(self.docs)

    # -- phrases ----------------------------------------------------------------------------------------------------

    def word(self, word: str, columns: tuple[int, ...], *, prefix: bool) -> Phrase:
        """A query word, whole or as a prefix, in `columns` (EVERY_COLUMN or NAME_TAGS_CATEGORY)."""
        pattern = _START + word if prefix else _START + word + _END
        hits = self._every.prefix(word) if prefix else self._every.exact(word)
        if columns == NAME_TAGS_CATEGORY:
            hits = frozenset(p for p in hits if self.docs[p].has(pattern, columns))
        elif columns != EVERY_COLUMN:
            raise ValueError(f"no postings for columns {columns}")
        return Phrase(pattern, columns, hits)

    def category_phrase(self, category: str) -> Phrase | None:
        """The words of a category, in a row in the category column (None if it has no words)."""
        found = words(category)
        if not found:
            return None
        pattern = _marked(found)
        hits = frozenset(p for p, doc in enumerate(self.docs) if doc.has(pattern, CATEGORY))
        return Phrase(pattern, CATEGORY, hits)

    def starts_a_term(self, word: str) -> bool:
        """Whether a vocabulary word starts with `word`."""
        i = bisect_left(self.vocabulary, word)
        return i < len(self.vocabulary) and self.vocabulary[i].startswith(word)

    # -- matching and ranking ---------------------------------------------------------------------------------------

    def _filtered(self, positions: Iterable[int], category: str, area: str) -> list[int]:
        docs = self.docs
        return [
            p
            for p in positions
            if (not category or docs[p].category == category) and (not area or area in docs[p].area_key)
        ]

    def rank(self, groups: Sequence[Sequence[Phrase]], category: str = "", area: str = "") -> list[int]:
        """Ids of the entries matching every group (a group matches if any of its phrases does), in `category`
        ('' = any, canonical) and with `area` ('' = any, case-folded) in their area, best first."""
        if not groups or not self.docs:
            return []
        smallest, *others = sorted((_hits(group) for group in groups), key=len)
        matching = smallest
        for hits in others:
            if not matching:
                break
            matching &= hits
        found = self._filtered(matching, category, area)
        phrases = [p for group in groups for p in group]
        if category and (extra := self.category_phrase(category)) is not None:
            phrases.append(extra)  # FTS5 ranked the category filter's words too
        return [self.docs[p].id for p in self._best_first(found, phrases)]

    def _best_first(self, positions: list[int], phrases: list[Phrase]) -> list[int]:
        # The arithmetic and its order are FTS5's (fts5_aux.c, fts5Bm25Function), so the doubles are identical. A
        # phrase missing from an entry adds exactly 0.0, so it is skipped. Written flat on purpose: this loop is the
        # cost of a search that matches thousands of entries. A phrase's frequency is the sum of the weights of the
        # columns its occurrences are in (bisecting the entry's column bounds; empty columns are skipped over).
        rows = len(self.docs)
        prepared = []
        for phrase in phrases:
            idf = math.log((rows - len(phrase.hits) + 0.5) / (len(phrase.hits) + 0.5))
            prepared.append((phrase.pattern, phrase.columns[0], phrase.columns[-1] + 1, idf if idf > 0.0 else MIN_IDF))
        docs, average, weights, k1_plus_1 = self.docs, self.average_length, WEIGHTS, K1 + 1.0
        scored = []
        for position in positions:
            doc = docs[position]
            text, bounds = doc.text, doc.bounds
            norm = K1 * (1 - B + B * doc.length / average)
            score = 0.0
            for pattern, first, last, idf in prepared:
                end = bounds[last]
                at = text.find(pattern, bounds[first], end)
                if at < 0:
                    continue
                frequency = 0.0
                while at >= 0:
                    frequency += weights[bisect_right(bounds, at) - 1]
                    at = text.find(pattern, at + 1, end)
                score += idf * ((frequency * k1_plus_1) / (frequency + norm))
            scored.append((-1.0 * score, doc.id, position))
        scored.sort()
        return [position for _score, _id, position in scored]

    def browse(self, category: str = "", area: str = "") -> list[int]:
        """Ids of the entries (filtered like :meth:`rank`) by name."""
        return [self.docs[p].id for p in self._filtered(self.by_name, category, area)]

    def names(self, text_key: str, limit: int) -> list[Doc]:
        """Autocomplete: entries whose name starts with `text_key` (a case-folded key), then names containing it."""
        docs = [self.docs[p] for p in self.by_name]
        found = [d for d in docs if d.name_key.startswith(text_key)][:limit]
        if text_key and len(found) < limit:
            inside = [d for d in docs if text_key in d.name_key and not d.name_key.startswith(text_key)]
            found += inside[: limit - len(found)]
        return found

    def categories_in_use(self) -> list[str]:
        """The categories that have entries, in list order."""
        used = {doc.category for doc in self.docs}
        return [c for c in self.categories if c in used]


class Row(Protocol):
    """A resource row by column name (sqlite3.Row, or a dict in tests)."""

    def __getitem__(self, column: str, /) -> Any: ...


def build(stamp: int, categories: Sequence[str], rows: Iterable[Row]) -> Directory:
    """A :class:`Directory` from resource rows (``id``, the seven columns, ``name_key`` and ``area_key``)."""
    docs: list[Doc] = []
    shared: dict[str, str] = {}  # one copy of each category and area, however many entries have it
    for row in rows:
        parts = []
        bounds = [0]
        length = 1  # the server token FTS5 indexed with every entry
        for name in COLUMNS:
            found = words(row[name])
            length += len(found)
            parts.append(_marked(found))
            bounds.append(bounds[-1] + len(parts[-1]))
        category = shared.setdefault(row["category"], row["category"])
        area_key = shared.setdefault(row["area_key"], row["area_key"])
        docs.append(
            Doc(row["id"], row["name"], row["name_key"], category, area_key, "".join(parts), tuple(bounds), length)
        )
    return Directory(stamp, categories, docs)
