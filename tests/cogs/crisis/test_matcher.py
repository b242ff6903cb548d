"""The crisis phrase matcher: measured on a labelled set, explained by examples, and hardened by properties.

``labelled_messages.csv`` columns: ``text``, ``label`` (``self`` = a crisis statement by the member, ``other`` =
worried about a specific person, ``none`` = must not match), ``category`` (what the row tests) and ``split``:

* ``dev``: written together with the phrase list and rules (its numbers are optimistic);
* ``holdout``, ``holdout2``: each written before the matcher saw it, measured once, then used to add missing
  phrase families (so no longer unseen);
* ``holdout3``: written after the last phrase change and measured once; only a bug fix followed. It is the honest
  estimate for new phrasings.

The bars (recall >= 0.95 on ``self``, false-positive rate <= 0.05 on ``none``) apply to the whole set.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogs.crisis.matcher import DEFAULT_PHRASES, MAX_PHRASE_LENGTH, Match, Matcher, MatchKind, normalise

LABELLED = Path(__file__).with_name("labelled_messages.csv")
SELF_KINDS = (MatchKind.SUICIDAL, MatchKind.SELF_HARM)

MIN_RECALL = 0.95
MAX_FALSE_POSITIVE_RATE = 0.05
MIN_CONCERN_ACCURACY = 0.80


@dataclass(frozen=True)
class Row:
    text: str
    label: str
    category: str
    split: str


def _rows() -> list[Row]:
    with LABELLED.open(encoding="utf-8", newline="") as f:
        return [Row(r["text"], r["label"], r["category"], r["split"]) for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher()


def _correct(row: Row, found: Match | None) -> bool:
    if row.label == "self":
        return found is not None and found.kind in SELF_KINDS
    if row.label == "other":
        return found is not None and found.kind is MatchKind.CONCERN_FOR_OTHER
    return found is None


def test_labelled_set_is_big_and_well_formed() -> None:
    rows = _rows()
    assert len(rows) >= 220
    assert {r.label for r in rows} == {"self", "other", "none"}
    assert all(r.text and r.category and r.split for r in rows)
    assert len({r.text for r in rows}) == len(rows), "duplicate rows"
    assert sum(r.label == "self" for r in rows) >= 100
    assert sum(r.label == "none" for r in rows) >= 100


def test_recall_and_false_positive_rate(
    matcher: Matcher, record_property: Callable[[str, object], None], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _rows()
    by_split: dict[str, dict[str, list[int]]] = {}
    misses: list[str] = []
    for row in rows:
        found = matcher.match(row.text)
        ok = _correct(row, found)
        tally = by_split.setdefault(row.split, {}).setdefault(row.label, [0, 0])
        tally[0] += ok
        tally[1] += 1
        if not ok:
            misses.append(f"  [{row.split}/{row.label}/{row.category}] {row.text!r} -> {found}")

    def total(label: str) -> tuple[int, int]:
        hits = sum(s.get(label, [0, 0])[0] for s in by_split.values())
        count = sum(s.get(label, [0, 0])[1] for s in by_split.values())
        return hits, count

    recalled, crisis = total("self")
    passed, negatives = total("none")
    concern_ok, concern = total("other")
    recall = recalled / crisis
    false_positive_rate = (negatives - passed) / negatives
    concern_accuracy = concern_ok / concern
    record_property("recall", round(recall, 4))
    record_property("false_positive_rate", round(false_positive_rate, 4))
    record_property("concern_for_other_accuracy", round(concern_accuracy, 4))

    lines = [
        "",
        f"crisis matcher on {len(rows)} labelled messages:",
        f"  recall on crisis statements  {recall:.3f} ({recalled}/{crisis}; bar >= {MIN_RECALL})",
        f"  false-positive rate          {false_positive_rate:.3f} ({negatives - passed}/{negatives}; "
        f"bar <= {MAX_FALSE_POSITIVE_RATE})",
        f"  concern-for-other accuracy   {concern_accuracy:.3f} ({concern_ok}/{concern})",
    ]
    for split, labels in by_split.items():
        hit, n = labels.get("self", [0, 0])
        ok_none, n_none = labels.get("none", [0, 0])
        lines.append(
            f"  {split:<9} recall {hit}/{n} = {hit / max(n, 1):.3f}, "
            f"false positives {n_none - ok_none}/{n_none} = {(n_none - ok_none) / max(n_none, 1):.3f}"
        )
    lines += ["  misses:", *misses] if misses else []
    with capsys.disabled():  # shown with or without -s
        print("\n".join(lines))  # noqa: T201 - the numbers are the point of this test

    assert recall >= MIN_RECALL
    assert false_positive_rate <= MAX_FALSE_POSITIVE_RATE
    assert concern_accuracy >= MIN_CONCERN_ACCURACY


# --- normalise ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("I WANT TO DIE", "i want to die"),
        ("i w4nt t0 d13", "i want to die"),
        ("k1ll mys3lf", "kill myself"),
        ("i want to k!ll myself", "i want to kill myself"),
        ("k i l l  m y s e l f", "killmyself"),
        ("k.i.l.l myself", "kill myself"),
        ("k-i-l-l myself", "kill myself"),
        ("kill\u200bmyself", "killmyself"),
        ("\uff49 \uff57\uff41\uff4e\uff54 \uff54\uff4f \uff44\uff49\uff45", "i want to die"),  # full-width
        ("i want to d\u00edie", "i want to diie"),
        ("i wanna diiiie sooo bad", "i wanna diie soo bad"),
        ("don't", "dont"),
        ("i ran 10 kms", "i ran 10 kms"),
        ("$5 @ noon", "5 noon"),
        ("||spoiler|| **bold** _it_", "spoiler bold it"),
        ("i want to... die", "i want to die"),
        ("", ""),
    ],
)
def test_normalise_examples(text: str, normal: str) -> None:
    assert normalise(text) == normal


# --- behaviour, by decision --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase", "kind"),
    [
        ("i want to die", "want to die", MatchKind.SUICIDAL),
        ("I'm going to kill myself tonight", "kill myself", MatchKind.SUICIDAL),
        ("kms", "kms", MatchKind.SUICIDAL),
        ("i want to unalive myself", "want to unalive", MatchKind.SUICIDAL),
        ("unaliving myself", "unalive myself", MatchKind.SUICIDAL),
        ("there's no reason to live", "no reason to live", MatchKind.SUICIDAL),
        ("i just want to end it all", "want to end it", MatchKind.SUICIDAL),
        ("ending it all", "end it all", MatchKind.SUICIDAL),
        ("everyone would be better off without me", "better off without me", MatchKind.SUICIDAL),
        ("i want to sleep forever and not wake up", "sleep forever", MatchKind.SUICIDAL),
        ("i cut myself again last night", "cut myself", MatchKind.SELF_HARM),
        ("i want to hurt myself", "hurt myself", MatchKind.SELF_HARM),
        ("my friend wants to die", "wants to die", MatchKind.CONCERN_FOR_OTHER),
        ("my friend texted me 'i want to die'", "want to die", MatchKind.CONCERN_FOR_OTHER),
        ("i don't think i want to live anymore", "don't want to live", MatchKind.SUICIDAL),
        ("not gonna lie, i want to die", "want to die", MatchKind.SUICIDAL),
        ('"i want to die" is all i can think', "want to die", MatchKind.SUICIDAL),
        ("this exam makes me want to kill myself", "kill myself", MatchKind.SUICIDAL),
        ("i tried to kill myself last night", "kill myself", MatchKind.SUICIDAL),
    ],
)
def test_matches(matcher: Matcher, text: str, phrase: str, kind: MatchKind) -> None:
    assert matcher.match(text) == Match(phrase, kind)


@pytest.mark.parametrize(
    "text",
    [
        # negation
        "i don't want to die",
        "i would never kill myself",
        "I'm not going to kill myself, don't worry",
        "i no longer want to die",
        # hyperbole and idioms
        "this homework is killing me",
        "i'd die for pizza",
        "i could kill for a coffee",
        "i killed myself laughing",
        "i want to die of embarrassment",
        "i'd rather die than wear crocs",
        "i shot myself in the foot there",
        "i don't wanna live forever",
        "i want to take my life back",
        # accidents and games
        "i accidentally cut myself cooking",
        "i killed myself with my own grenade lol",
        "i ran 5 kms today",
        # songs, fiction, news, discussion
        "\N{EIGHTH NOTE} i want to die \N{EIGHTH NOTE}",
        'the lyrics "i wanna die" are so catchy',
        "in the movie he tries to kill himself",
        "September is suicide prevention month",
        "people who self harm deserve compassion",
        "if someone tells you they want to die, listen to them",
        # past crisis in recovery; completed suicide; second person
        "i used to want to die, 2 years clean now",
        "i tried to kill myself when i was 15 but i'm doing much better",
        "my friend killed himself in 2019 and i still miss him",
        "kys",
        "do you ever want to die?",
    ],
)
def test_no_match(matcher: Matcher, text: str) -> None:
    assert matcher.match(text) is None


def test_self_wins_over_concern(matcher: Matcher) -> None:
    found = matcher.match("my friend wants to die. honestly i want to die too")
    assert found is not None and found.about_self


def test_default_phrases_are_listed() -> None:
    assert "kill myself" in DEFAULT_PHRASES
    assert "kms" in DEFAULT_PHRASES
    assert len(DEFAULT_PHRASES) == len(set(DEFAULT_PHRASES))


# --- guild phrases -----------------------------------------------------------------------------------------------


def test_extra_phrases_match_with_any_spacing_and_are_custom() -> None:
    guild = Matcher(["giving up on everything", "  catch the bus  "])
    assert guild.extra_phrases == ("giving up on everything", "catch the bus")
    assert guild.match("honestly I'm GIVING UP on... everything") == Match("giving up on everything", MatchKind.CUSTOM)
    assert guild.match("ready to catch-the-bus") == Match("catch the bus", MatchKind.CUSTOM)
    assert guild.match("i'm not giving up on everything") is None  # negation still applies
    assert guild.match("i want to die") == Match("want to die", MatchKind.SUICIDAL)  # built-ins still apply
    assert Matcher().match("giving up on everything") is None


def test_extra_phrases_without_letters_or_too_long_are_ignored() -> None:
    guild = Matcher(["", "!!!", "\N{LOUDLY CRYING FACE}", "abcdefghij " * (MAX_PHRASE_LENGTH // 10 + 1)])
    assert guild.extra_phrases == ()
    assert guild.match("!!!") is None


# --- speed and safety --------------------------------------------------------------------------------------------

PATHOLOGICAL = [
    "a" * 10_000,
    "a " * 5_000,
    "kill " * 2_000,
    "i would never " + "kill myself dont " * 600,
    "k i l l " * 1_250,
    '"' * 10_000,
    "\N{LOUDLY CRYING FACE}" * 10_000,
    "\u200b" * 10_000,
    ("want to " * 1_300)[:10_000],
    "1" * 10_000,
    "e\u0301" * 5_000,
    "sui" * 3_333,
    "!" * 10_000,
    "i want to die " * 700,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:12]))
def test_pathological_input_is_fast(matcher: Matcher, text: str) -> None:
    started = time.perf_counter()
    matcher.match(text)
    assert time.perf_counter() - started < 0.5


def test_typical_messages_take_microseconds(matcher: Matcher) -> None:
    rows = [r.text for r in _rows()]
    matcher.match("warm up")
    started = time.perf_counter()
    for _ in range(5):
        for text in rows:
            matcher.match(text)
    per_message = (time.perf_counter() - started) / (5 * len(rows))
    assert per_message < 0.002  # generous for slow CI machines; ~20-60 microseconds on a laptop


# --- properties --------------------------------------------------------------------------------------------------

# Letters of the phrases plus the characters the normaliser treats specially.
_SPECIAL = (".", "!", "'", '"', "\n", "1", "3", "@", "$", "\u200b", "\u00e9", "\u0301", "\uff4b", "\u0456")
_NAMED = (
    "\N{EIGHTH NOTE}",
    "\N{HORIZONTAL ELLIPSIS}",
    "\N{RIGHT SINGLE QUOTATION MARK}",
    "\N{LATIN SMALL LETTER SHARP S}",
)
TRICKY = st.sampled_from([*"kilmysedwanto ", *_SPECIAL, *_NAMED])
MESSAGES = st.one_of(st.text(max_size=300), st.text(TRICKY, max_size=300))


@given(MESSAGES)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(MESSAGES)
@settings(max_examples=300, deadline=200)
def test_match_never_raises(text: str) -> None:
    found = Matcher().match(text)
    assert found is None or isinstance(found, Match)


@given(st.text(TRICKY, min_size=1, max_size=20), st.integers(min_value=1, max_value=10_000))
@settings(max_examples=30, deadline=2_000)
def test_match_is_quick_on_long_text(fragment: str, length: int) -> None:
    text = (fragment * (length // len(fragment) + 1))[:length]
    started = time.perf_counter()
    Matcher().match(text)
    assert time.perf_counter() - started < 0.5


@given(st.one_of(st.text(min_size=1, max_size=60), st.text(TRICKY, min_size=1, max_size=60)))
@settings(max_examples=200, deadline=1_000)
def test_an_extra_phrase_makes_that_phrase_match(phrase: str) -> None:
    normal = normalise(phrase)
    if not normal or len(normal) > MAX_PHRASE_LENGTH:
        assert Matcher([phrase]).extra_phrases == ()
        return
    found = Matcher([phrase]).match(phrase)
    assert found is not None
    if Matcher().match(phrase) is None:
        assert found == Match(phrase.strip(), MatchKind.CUSTOM)
