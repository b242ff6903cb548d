"""A transparent phrase matcher for explicit crisis statements. Not a model: every match names the phrase that fired.

Pipeline
--------
1. :func:`normalise` folds the spellings people use into one form: Unicode compatibility forms (full-width and
   "mathematical bold" letters) via NFKD; accents and zero-width/format characters removed; case folded; apostrophes
   inside words dropped (``don't`` -> ``dont``) and ``!`` between letters read as ``i`` (``k!ll``); other
   punctuation, emoji and markdown become spaces; runs of three or more single characters are joined (``k i l l``,
   ``k.i.l.l``, ``k-i-l-l`` -> ``kill``); leetspeak is mapped inside words that contain a letter
   (``1 3 4 0 5 7 @ $`` -> ``i e a o s t a s``, so ``k1ll`` -> ``kill`` but ``10 kms`` stays); Cyrillic and Greek
   look-alike letters inside otherwise Latin words are mapped to Latin; letters repeated three or more times are cut
   to two (``diiiie`` -> ``diie``, ``sooo`` -> ``soo``). It is idempotent.
2. The phrase list is expanded from small templates into a few thousand spellings, each reduced to a *skeleton*
   (every doubled letter single: ``kill`` -> ``kil``), and compiled into **one trie-shaped regular expression** in
   which each letter may repeat (``k+i+l+``) and spaces between words are optional (``killmyself``). The regex has
   no nested quantifiers, so it cannot backtrack catastrophically; it runs in time linear in the message. Phrases
   must start and end on word boundaries (``skill myself`` does not match).
3. Each candidate is then checked in its clause (sentence punctuation, quotes and conjunctions such as *but*, *and*,
   *because* end a clause) against a few readable rules, below. The first surviving candidate is the match; a
   statement about the member wins over a guild's custom phrase, which wins over concern for someone else.

Rules (deliberate decisions)
----------------------------
* **Negation**: *not, never, don't, won't, wouldn't, no longer, haven't...* shortly before the phrase, with only
  small words in between (*I would never kill myself*, *I'm not going to kill myself*), cancels it. *I don't know /
  not sure / don't think / not gonna lie* are not negations (*I don't think I want to live anymore* matches). Phrases
  that contain their own negation (*don't want to live*, *no reason to live*) are unaffected.
* **Third-party concern** (*my friend wants to die*, *she's been cutting herself*, *my brother keeps talking about
  suicide*) **is a match of its own kind**, ``concern_for_other``: the member is asking for help for someone, so the
  staff alert still goes out and the member gets the "worried about someone" answer (safe_messaging example D)
  rather than crisis lines addressed to them. It needs a personal subject (*he, she, they, my friend, my mum...*);
  generic subjects (*people who self harm*, *someone who*, *we*), hypotheticals (*if someone tells you they want to
  die*) and fiction/media/news (a message that mentions a movie, book, song, character, article...) do not count.
  A completed suicide in the past (*my friend killed himself in 2019*, *died by suicide*) is grief or news, not a
  crisis statement, and does not match.
* **Past crisis in recovery** (*I used to want to die, 2 years clean now*; *I tried to kill myself when I was 15 but
  I'm doing much better*; *back in high school I was suicidal*) **does not match**. Peer-support communities are
  full of recovery stories; replying to them with crisis lines is intrusive and tells people their history makes
  them a risk. Only explicit past framing counts: *used to*, *years ago*, *when I was ...*, *back in/then*, *as a
  kid/teen*, *in the past*, a year such as *in 2019*, or a recovery word (*clean, recovered, recovery, better now,
  got help, therapy helped...*) when the clause has no present intent (*want, gonna, again, tonight, still...*).
  A recent attempt (*I tried to kill myself last night*) matches.
* **Hyperbole and idioms** never use the listed phrases: *this homework is killing me*, *I'd die for pizza*, *I could
  kill for a coffee*, *to die for*, *dying to know* do not match by construction. Where a listed phrase is used as an
  idiom the context cancels it: *...laughing*, *...of embarrassment/cringe*, *I'd rather die than...*, *shot myself
  in the foot*, *don't want to live here/forever*, *don't want to wake up early*, *end it with him*, *take my life
  back*, *killing himself with work*. An explicit statement in a frustrated context (*this exam makes me want to
  kill myself*) **does match**: text cannot tell a joke from a disguised cry for help, and the answer is a gentle,
  private offer of help, never a warning.
* **Accidents and games**: *accidentally / nearly / cut myself cooking / shaving / hurt myself at the gym / burned
  myself on the stove*, and in-game deaths (*killed myself with my own grenade*, *fall damage*, *lava*, *respawn*,
  *in game*), do not match. ``kms`` after a number is kilometres.
* **Quotes and songs**: a phrase inside quotation marks, in a message that names a song, lyric, line, show, movie,
  book or the like, or between music notes (♪), is not the member's own statement. A quote attributed to a personal
  third party (*my friend texted me "I want to die"*) is ``concern_for_other``. Any other quote (*"I want to die" is
  all I can think*) matches as the member's own.
* **Second person and abuse**: *kys*, *go kill yourself*, *do you ever want to die?* are not crisis statements (that
  is moderation, not this feature).
* Guild ``extra_phrases`` are normalised the same way, match with any spacing or punctuation between their words,
  and are subject only to the negation rule; their kind is ``custom``.

Known limits: no spelling correction beyond repeated and leet letters (*i wnat to die* is missed); characters censored
with ``*`` (``k*ll``) are not expanded; *die/dye* mix-ups go both ways (*I want to die my hair* matches); sarcasm and
*jk* are not detected (on purpose); English only. Messages are never logged.

Measured on ``tests/cogs/crisis/labelled_messages.csv`` (see ``test_matcher.py``, which prints the numbers): the rows
written after the phrase list was frozen are the honest estimate of recall on new phrasings.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cache, cached_property
from typing import Any

__all__ = [
    "DEFAULT_PHRASES",
    "MAX_PHRASE_LENGTH",
    "Match",
    "MatchKind",
    "Matcher",
    "default_matcher",
    "normalise",
]

log = logging.getLogger(__name__)

MAX_PHRASE_LENGTH = 100  # characters, after normalisation, for guild extra phrases


class MatchKind(StrEnum):
    SUICIDAL = "suicidal"  # the member's own suicidal thoughts or intent
    SELF_HARM = "self_harm"  # the member's own self-harm
    CONCERN_FOR_OTHER = "concern_for_other"  # the member is worried about a specific other person
    CUSTOM = "custom"  # one of the guild's extra phrases


@dataclass(frozen=True, slots=True)
class Match:
    phrase: str  # the canonical phrase that matched (for /crisis test); never the member's text
    kind: MatchKind

    @property
    def about_self(self) -> bool:
        """True unless the member is worried about someone else."""
        return self.kind is not MatchKind.CONCERN_FOR_OTHER


# ====================================================================================================================
# Normalisation

_BOUNDARY = "\ue000"  # internal token: end of a sentence or clause
_QUOTE = "\ue001"  # internal token: a quotation mark
_MUSIC = "\ue002"  # internal token: a music note
_MARKERS = frozenset((_BOUNDARY, _QUOTE, _MUSIC))

_DROP_CATEGORIES = frozenset(("Mn", "Me", "Cf"))
_APOSTROPHE = re.compile(r"(?<=\w)['\u2018\u2019\u02bc`\u00b4](?=\w)")
_BANG_AS_I = re.compile(r"(?<=[^\W\d_])[!|¡](?=[^\W\d_])")
_PRIVATE_MARKERS = re.compile("[\ue000-\ue002]")
# An ellipsis is a pause, not the end of a clause ("i want to... die").
_ELLIPSIS = re.compile(r"\.{2,}|\u2026")
_SENTENCE_END = re.compile(r"[.!?;:,\u3002]+(?=\s|$)|[\n\r]+")
_QUOTES = re.compile(
    r"[\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u300c\u300d\u300e\u300f]|(?<!\w)['\u2018\u2019]|['\u2018\u2019](?!\w)"
)
_NOTES = re.compile("[\u2669\u266a\u266b\u266c\U0001f3b5\U0001f3b6]")
_NOT_WORD = re.compile("[^\\w@$\ue000-\ue002]|_")
_REPEATS = re.compile(r"(.)\1{2,}")
_DOUBLES = re.compile(r"(.)\1+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# Cyrillic and Greek letters that look like Latin ones; applied only to words that also contain a Latin letter.
_LOOK_ALIKES = {
    "CYRILLIC SMALL LETTER A": "a",
    "CYRILLIC SMALL LETTER VE": "b",
    "CYRILLIC SMALL LETTER IE": "e",
    "CYRILLIC SMALL LETTER IO": "e",
    "CYRILLIC SMALL LETTER KA": "k",
    "CYRILLIC SMALL LETTER EM": "m",
    "CYRILLIC SMALL LETTER EN": "h",
    "CYRILLIC SMALL LETTER O": "o",
    "CYRILLIC SMALL LETTER ER": "p",
    "CYRILLIC SMALL LETTER ES": "c",
    "CYRILLIC SMALL LETTER TE": "t",
    "CYRILLIC SMALL LETTER U": "y",
    "CYRILLIC SMALL LETTER HA": "x",
    "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I": "i",
    "CYRILLIC SMALL LETTER YI": "i",
    "CYRILLIC SMALL LETTER JE": "j",
    "CYRILLIC SMALL LETTER DZE": "s",
    "CYRILLIC SMALL LETTER KOMI DE": "d",
    "CYRILLIC SMALL LETTER PALOCHKA": "l",
    "GREEK SMALL LETTER ALPHA": "a",
    "GREEK SMALL LETTER EPSILON": "e",
    "GREEK SMALL LETTER IOTA": "i",
    "GREEK SMALL LETTER KAPPA": "k",
    "GREEK SMALL LETTER OMICRON": "o",
    "GREEK SMALL LETTER RHO": "p",
    "GREEK SMALL LETTER TAU": "t",
    "GREEK SMALL LETTER UPSILON": "u",
    "GREEK SMALL LETTER NU": "v",
    "GREEK SMALL LETTER CHI": "x",
}
_CONFUSABLES = str.maketrans({unicodedata.lookup(name): latin for name, latin in _LOOK_ALIKES.items()})


def _fold(text: str) -> str:
    """NFKD, drop marks and format characters, casefold; repeated until stable (casefold can re-decompose)."""
    for _ in range(4):
        if text.isascii():
            folded = text.casefold()
        else:
            decomposed = unicodedata.normalize("NFKD", text)
            kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _DROP_CATEGORIES)
            folded = kept.casefold()
        if folded == text:
            break
        text = folded
    return text


_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[a-z]")
_NEEDS_FIX = re.compile(r"[0-9@$]|[^\x00-\x7f]")


def _fix_token(token: str) -> str:
    """Leetspeak and look-alike letters, inside words that contain a letter."""
    if _NEEDS_FIX.search(token) is None or _LETTER.search(token) is None:
        return token
    token = token.translate(_LEET)  # first, so a digit read as a letter counts as Latin below
    if not token.isascii() and _ASCII_LETTER.search(token):
        token = token.translate(_CONFUSABLES)
    return token


def _tokens(text: str) -> tuple[list[str], set[int]]:
    """The normalised tokens, with clause/quote/music markers as tokens of their own, and the indexes of tokens that
    were joined from single characters (``k i l l``)."""
    text = _fold(_PRIVATE_MARKERS.sub(" ", text))
    text = _APOSTROPHE.sub("", text)
    text = _BANG_AS_I.sub("i", text)
    text = _NOTES.sub(f" {_MUSIC} ", text)
    text = _QUOTES.sub(f" {_QUOTE} ", text)
    text = _ELLIPSIS.sub(" ", text)
    text = _SENTENCE_END.sub(f" {_BOUNDARY} ", text)
    text = _NOT_WORD.sub(" ", text)

    raw: list[str] = []
    for token in text.split():
        if ("@" in token or "$" in token) and token not in _MARKERS and _LETTER.search(token) is None:
            token = token.replace("@", "").replace("$", "")  # "$5" is a price, a lone "@" is punctuation
            if not token:
                continue
        raw.append(token)

    tokens: list[str] = []
    joined: set[int] = set()
    i = 0
    count = len(raw)
    while i < count:
        token = raw[i]
        if len(token) == 1 and token not in _MARKERS:
            # A run of single characters, possibly with markers between them ("k. i. l. l").
            j = i
            singles: list[str] = []
            last_single = i
            while j < count and len(raw[j]) == 1:
                if raw[j] not in _MARKERS:
                    singles.append(raw[j])
                    last_single = j
                j += 1
            if len(singles) >= 3:
                joined.add(len(tokens))
                tokens.append(_fix_token("".join(singles)))
                i = last_single + 1
                continue
        tokens.append(token if token in _MARKERS else _fix_token(token))
        i += 1
    # Runs of a repeated character never cross a token boundary, so one pass over the joined text is enough.
    flat = " ".join(tokens)
    if _REPEATS.search(flat):
        tokens = _REPEATS.sub(r"\1\1", flat).split(" ")
    return tokens, joined


def normalise(text: str) -> str:
    """Fold ``text`` to the matcher's plain form (see the module docstring). Idempotent.

    >>> normalise("I w4nt t0 D I E!!! 😭")
    'i want to die'
    """
    tokens, _ = _tokens(text)
    return " ".join(t for t in tokens if t not in _MARKERS)


def _skeleton(text: str) -> str:
    return _DOUBLES.sub(r"\1", text)


# ====================================================================================================================
# Phrases


class _Person(Enum):
    FIRST = "first"  # the phrase itself is about the speaker ("kill myself")
    NEUTRAL = "neutral"  # whoever the nearest subject is; the speaker when there is none ("wanna die")
    SUBJECT = "subject"  # needs an explicit subject ("attempted suicide", "is suicidal")
    THIRD = "third"  # the phrase itself is about someone else ("kill herself")


@dataclass(frozen=True)
class _Phrase:
    canonical: str
    kind: MatchKind
    person: _Person
    tags: frozenset[str]


_MACROS = {
    "{MYSELF}": "(myself|my self|meself|myslef|mysef|mself)",
    "{REFL}": "(herself|himself|themselves|themself|theirself|hisself)",
    "{HIS}": "(her|his|their)",
    "{WANT}": "(want to|wanna|wana|want 2|wanted to|wan to|wanting to|wantin to)",
    "{WILL}": "(going to|gonna|gona|goin to|about to|will|finna|ima|imma|plan to|planning to|planning on|ready to)",
    "{THINK}": "(thinking about|thinking of|thinkin about|thinkin of|thought about|think about|considering|"
    "contemplating|obsessed with)",
    "{NOT}": "(dont|do not|dnt|didnt|never)",
    "{SUICIDE}": "(suicide|suicde|suiside|sucide|suicid|sewerslide|sewer slide)",
}

# (canonical, kind, person, tags, templates). Templates use "(a|b|)" alternatives and the macros above.
_S, _H, _O = MatchKind.SUICIDAL, MatchKind.SELF_HARM, MatchKind.CONCERN_FOR_OTHER
_F, _N, _SUBJ, _T = _Person.FIRST, _Person.NEUTRAL, _Person.SUBJECT, _Person.THIRD
# fmt: off
_PHRASE_TABLE: tuple[tuple[str, MatchKind, _Person, str, tuple[str, ...]], ...] = (
    # --- suicidal: killing oneself ---------------------------------------------------------------------------------
    ("kill myself", _S, _F, "accident game", ("(kill|killing|killin|killed|kil) {MYSELF}",)),
    ("kms", _S, _F, "game distance", ("kms",)),
    ("off myself", _S, _F, "", ("(to|gonna|going to|wanna|want to|should|just|will|il) (off|offing) {MYSELF}",)),
    ("end myself", _S, _F, "", ("(end|ending) {MYSELF}",)),
    ("unalive myself", _S, _F, "", ("(unalive|unaliving|unalived|un alive) {MYSELF}",)),
    ("want to unalive", _S, _N, "", ("{WANT} (unalive|un alive)", "{WILL} (unalive|un alive)")),
    ("hang myself", _S, _F, "accident", ("(hang|hanging) {MYSELF}",)),
    ("shoot myself", _S, _F, "accident foot", ("(shoot|shooting) {MYSELF}",)),
    ("drown myself", _S, _F, "", ("(drown|drowning) {MYSELF}",)),
    ("slit my wrists", _S, _F, "", ("(slit|slitting|slash|slashing) my (wrists|wrist|throat)",)),
    ("jump off a bridge", _S, _N, "", (
        "(jump|jumping) (off|from|in front of) (a|the|my|this|that) (bridge|building|roof|train|cliff|balcony|tower|"
        "car)",
    )),
    ("overdose", _S, _N, "", (
        "({WANT}|{WILL}|{THINK}|tried to|try to|trying to|threatening to|threatened to|wants to|might|could|may) "
        "(overdose|od)",
    )),
    ("take all my pills", _S, _F, "", (
        "(take|taking|swallow|swallowing|took|down|downing) (all|al) (my|the|of my) (pills|meds|medication|tablets)",
        "(take|taking|swallow|swallowing|took|down|downing) (a|the|an entire|a whole|the whole|my whole) bottle of "
        "(pills|meds|tablets|sleeping pills|painkillers)",
    )),
    ("painless way to die", _S, _N, "", (
        "(painless|least painful|easiest|easy|quickest|quick|best) (way|ways|method|methods) to (die|kill {MYSELF}|"
        "end it)",
    )),
    # --- suicidal: suicide -----------------------------------------------------------------------------------------
    ("commit suicide", _S, _N, "noun", (
        "({WANT}|{WILL}|{THINK}|tried to|try to|trying to|should|just) (commit|comit|comitt|kermit) {SUICIDE}",
        "kermit {SUICIDE}",
    )),
    ("thinking about suicide", _S, _N, "noun", (
        "{THINK} {SUICIDE}",
        "{THINK} (ending it|ending it all|ending my life|killing {MYSELF}|taking my life|taking my own life)",
        "(thoughts|thought) (of|about) {SUICIDE}",
        "(planning|plan|planned) my {SUICIDE}",
    )),
    ("attempted suicide", _S, _SUBJ, "noun", (
        "(attempted|attempt|attempting|tried to commit|trying to commit) {SUICIDE}",
        "{SUICIDE} (attempt|attempts)",
    )),
    ("suicide note", _S, _F, "", (
        "my {SUICIDE} (note|letter|plan)",
        "(wrote|writing|write|written|wrote out) (a|my) (suicide|goodbye) (note|letter)",
    )),
    ("suicidal thoughts", _S, _SUBJ, "noun", ("(suicidal|suicidle) (thoughts|thought|ideation|urges|feelings)",)),
    ("i'm suicidal", _S, _F, "", (
        "(im|i am|i m|iam) (so |really |very |feeling |literally |actually |kinda |pretty |super |extremely "
        "|actively |passively |getting |still |)(suicidal|suicidle|suicidel)",
    )),
    ("feeling suicidal", _S, _N, "", (
        "(feel|feeling|felt|been|being|getting|get|got|so|very|really|extremely|super|kinda|actively|passively|"
        "going|gone|went|still) (suicidal|suicidle|suicidel)",
        "(suicidal|suicidle|suicidel) (again|rn|right now|tonight|today|lately|all week|all day|every day|af|asf|"
        "as hell|as fuck)",
        "(have|having|had|get|getting|got|with|my|these|been having|struggling with|dealing with|constant|"
        "intrusive) (suicidal|suicidle) (thoughts|thought|ideation|urges|feelings)",
    )),
    ("is suicidal", _S, _SUBJ, "", ("(is|s|are|was|seems|sounds|became|becomes|feels) (suicidal|suicidle)",)),
    # --- suicidal: ending life -------------------------------------------------------------------------------------
    ("end my life", _S, _F, "back", ("(end|ending|take|taking|finish|finishing) my (own |)life",)),
    ("end it all", _S, _N, "", ("(end|ending) it (all|al)", "(end|ending) everything")),
    ("want to end it", _S, _N, "endit", (
        "({WANT}|{WILL}|{THINK}|just|should|should just|finally) (end|ending|endin) (it|things)"
        "( tonight| today| now| soon|)",
        "(end|ending) (it|my life|everything|things) (permanently|forever|for good|once and for all)",
        "(end|ending) my (suffering|pain|misery) (permanently|forever|for good|once and for all)",
    )),
    ("want my life to end", _S, _F, "", ("(want|wish|need) (it all|everything|my life|it al) to (end|be over|stop)",)),
    ("want to die", _S, _N, "", (
        "{WANT} (just |)(die|be dead)",
        "(wish i could|wish i would|wish id|hope i|i should|should just|deserve to|ready to|need to|rather|"
        "wish to|like to|cant wait to|can t wait to|cannot wait to|let me) (just |)die",
        "(why cant|why can t|why cannot|why wont|why dont) i (just |)(die|be dead)",
        "(wish|hope) (i was|i were|im|i am|id be|i could be) dead",
        "(rather|wanna|want to|would rather) be dead",
        "(want to|wanna|wana|wish i could|just want to|need to) (die|dy) in my sleep",
    )),
    ("want to die", _S, _N, "bare", ("{WANT} (just |)dye",)),
    ("feel like killing myself", _S, _F, "accident game", (
        "(feel|feeling|felt|feelin) like (dying|dyin|killing {MYSELF}|killin {MYSELF})",
    )),
    ("think about dying", _S, _N, "", (
        "{THINK} (dying|death|being dead) (every day|everyday|all the time|constantly|a lot|alot|every night|"
        "again|nonstop)",
        "(always|constantly|keep|cant stop) (thinking|thinkin) about (dying|death|being dead)",
    )),
    ("don't want to live", _S, _N, "live wake", (
        "{NOT} (even |really |actually |)(want to|wanna|wana|want 2) (live|be alive|exist|be here anymore|"
        "be here no more|be on this earth|keep living|go on living|wake up)",
        "not sure i (want to|wanna) (live|be alive|be here|exist)",
        "(dont|do not) (think|feel like) i (want to|wanna) (live|be alive|be here|exist|keep living)",
        "(cant|can t|cannot) (live|go on|keep living|keep going|do life) like this (anymore|any more|no more)",
        "(cant|can t|cannot) go on (anymore|any more|living)",
        "(dont|do not|cant|can t|cannot) see (the|a|any) point (in|of) (living|being alive|life|going on|existing|"
        "waking up)",
    )),
    ("stop existing", _S, _N, "", (
        "{WANT} (stop|not) (existing|exist|be alive|be here|being alive|living)",
        "(hate|hating|tired of|sick of|done with|exhausted of) (being alive|existing|living)",
        "(cease|ceased) to exist",
        "(wish|wished) (i|id) (didnt exist|never existed|was never born|wasnt born|had never been born|"
        "never been born|were never born|wasnt alive)",
        "(shouldnt|should not|should never) have been born",
    )),
    ("no reason to live", _S, _N, "", (
        "(no|nothing|zero|not any|no more|any) (reason|reasons) (to|for) (live|living|keep living|stay alive|"
        "be alive|go on|keep going|exist|wake up)",
        "nothing (left |)to live for",
        "no (point|use) (in |of |)(living|being alive|life|going on|existing|waking up)",
        "(whats|what s|what is) the point (in|of) (living|life|being alive|going on|existing)",
        "(life|living) (is not|isnt|is no longer|aint|is never) worth (living|it)",
        "not worth living",
        "(no|zero|lost the|lost my|no more) will to live",
        "(dont|do not|no longer) deserve to (live|be alive|exist)",
        "({SUICIDE}|death|dying|killing {MYSELF}|ending it) (is|seems|feels like) (the only|my only|the best|the) "
        "(way out|option|answer|solution|escape)",
    )),
    ("better off without me", _S, _F, "", (
        "better off (without me|if i was gone|if i were gone|if i wasnt here|if i werent here|if i died|"
        "if i was dead|if i didnt exist|if i never existed|with me gone|if i wasnt around)",
        "(world|everyone|everybody|family|they|people) (would be|will be|is|d be|would all be) (better|happier) "
        "(off |)without me",
        "(happier|better|easier) if i (was|were|wasnt|werent) (dead|gone|here|alive|around)",
    )),
    ("better off dead", _S, _N, "", ("better off dead",)),
    ("nobody would care if i died", _S, _F, "", (
        "(nobody|no one|noone|no body) (would|will|wil|d) (care|notice|miss me|cry|even notice) if i (died|was gone|"
        "were gone|disappeared|was dead|killed {MYSELF}|wasnt here|left forever|die)",
        "if i died (tomorrow |today |)(nobody|no one|noone) would",
        "(nobody|no one|noone|no body) (cares|would care|will care|gives a shit|gives a damn) (if|whether) i "
        "(live or die|die|died|live)",
    )),
    ("sleep forever", _S, _N, "wake", (
        "({WANT}|just want to|wish i could|i could just|want 2) (sleep|go to sleep|fall asleep) forever",
        "(sleep|go to sleep|fall asleep|sleep forever) and (never|not) wake up",
        "(hope|wish|pray) (i|that i) (dont|do not|never|wont|wouldnt|didnt) wake up",
        "(never want to|want to never|wanna never) wake up",
        "(eternal|everlasting) sleep",
    )),
    ("last message", _S, _F, "", (
        "this is my (last|final) (message|goodbye|post|text)",
        "by the time you (read|see) this",
        "(goodbye|bye) forever",
        "my (last|final) goodbye",
        "(wont|will not) be alive (tomorrow|much longer|by|anymore|next)",
        "(not|wont|will not) (going to |gonna |gona |)be (around|here|alive) (much longer|for much longer)",
    )),
    ("disappear forever", _S, _F, "", (
        "({WANT}|wish i could|just want to) (just |)(disappear|vanish) (forever|for good|and never come back)",
    )),
    # --- self-harm -------------------------------------------------------------------------------------------------
    ("cut myself", _H, _F, "accident surface dative", (
        "(cut|cutting|cuttin|cuts|slice|slicing|carve|carving|carved) ({MYSELF}|my arm|my arms|my wrist|my wrists|"
        "my thigh|my thighs|my legs|my leg|my skin|my stomach)",
        "(cut|cutting|carved|carving|carve) (into|in) my (arm|arms|wrist|wrists|thigh|thighs|legs|leg|skin|stomach)",
    )),
    ("cutting again", _H, _N, "", (
        "(cutting|cut|self harming|selfharming|burning {MYSELF}|hurting {MYSELF}) again",
        "(started|start|starting|began|begun) (cutting|self harming|selfharming)",
        "(relapsed|relapse|relapsing) (on|with|into|and) (sh|self harm|selfharm|cutting|cut)",
        "(sh|self harm|selfharm|cutting) (relapse|urges|urge)",
        "(urge|urges) to (sh|self harm|selfharm|cut)",
    )),
    ("want to cut", _H, _N, "bare", ("({WANT}|{WILL}|need to|tempted to|itching to) (cut|sh|self harm|selfharm)",)),
    ("hurt myself", _H, _F, "accident surface", (
        "(hurt|hurting|hurtin|harm|harming|burn|burning|burned|burnt) {MYSELF}",
        "(scratch|scratching|make|made|making) {MYSELF} (until|til|till) i bleed",
        "make {MYSELF} bleed",
    )),
    ("self harm", _H, _SUBJ, "noun", (
        "(self harm|self harming|selfharm|selfharming|self harmed|self harms|self injure|self injuring)",
    )),
    # --- concern for someone else ----------------------------------------------------------------------------------
    ("kill themselves", _O, _T, "accident game", (
        "(kill|killing|kil|unalive|unaliving|end|ending|hang|hanging|shoot|shooting|drown|drowning) {REFL}",
    )),
    ("hurt themselves", _O, _T, "accident surface", (
        "(hurt|hurting|hurts|harm|harming|harms|cut|cutting|cuts|burning) {REFL}",
    )),
    ("end their life", _O, _T, "back", ("(end|ending|take|taking) {HIS} (own |)life",)),
    ("wants to die", _O, _T, "", (
        "(wants|wanted) to (die|be dead|end it all|end it)",
        "(doesnt|does not|didnt) (want to|wanna) (live|be alive|exist|be here anymore|wake up)",
        "(wishes|wished) (she|he|they) (was|were) dead",
    )),
    ("they're suicidal", _O, _T, "", (
        "(hes|shes|theyre|he is|she is|they are) (so |really |very |been |feeling |)suicidal",
    )),
    ("talking about suicide", _O, _SUBJ, "noun", (
        "(talks|talking|talked|keeps talking|posting|posts|joking|jokes|joked) about ({SUICIDE}|killing {REFL}|"
        "ending it|ending {HIS} life|dying|wanting to die)",
        "(threatening|threatened|threatens) ({SUICIDE}|to kill {REFL})",
    )),
)
# fmt: on

# Words and phrases used by the context rules, in normal spelling; reduced to skeletons below.
_NEGATORS = (
    "not never dont doesnt didnt wont wouldnt isnt arent wasnt werent havent hasnt hadnt aint nor neither stopped"
)
_NOT_NEGATION_AFTER = "sure know think lie care understand certain mean even"  # "not sure", "not gonna lie"
_BETWEEN_NEGATION = (
    "i im really even just ever actually truly honestly want wanna wana feel like going gonna gona to will would be "
    "am m have ve try trying plan planning ll d ever at all gotta need planning kinda"
)
_CONJUNCTIONS = "but and so because cause cuz coz bc though tho although however yet or then while whereas plus if"
_FIRST = "i im ive id ill iam ima imma me my myself mine"
_SECOND = "you u ur youre your yourself ya yall youve youd youll"
_GENERIC = "who people ppl someone somebody anyone anybody everyone everybody nobody we us person those one folks that"
_THIRD = (
    "he she they hes shes theyre theyve him her them his their friend friends bf gf boyfriend girlfriend brother "
    "sister bro sis mom mum mother dad father son daughter cousin partner husband wife roommate flatmate classmate "
    "coworker colleague kid child aunt uncle grandma grandpa nan bestie bff niece nephew teammate buddy mate pal "
    "fiance fiancee ex stepmom stepdad"
)
_RELATIVE = "who that"
_PRESENT_INTENT = (
    "want wanna wana going gonna gona will about again tonight today now rn tomorrow still keep plan need should"
)
_REPORTING = "said says say told tells texted texts wrote writes messaged posted tweeted sent keeps saying goes"
_MEDIA = (
    "song songs lyric lyrics chorus verse album singer band movie movies film show episode series season book novel "
    "character characters villain hero protagonist narrator scene anime manga poem quote line meme article news "
    "documentary study research report podcast tv"
)
_RECOVERY = (
    "clean",
    "sober",
    "recovered",
    "recovery",
    "recovering",
    "survived",
    "survivor",
    "healed",
    "better now",
    "got help",
    "therapy helped",
    "doing better",
    "getting better",
    "things got better",
    "got better",
)
_PAST_LEFT = ("used to", "use to", "usedto", "back when", "when i was", "in the past", "years ago", "as a kid",
              "as a teen", "as a teenager", "growing up", "back in", "back then", "no longer")  # fmt: skip
_PAST_RIGHT = ("years ago", "year ago", "when i was", "as a kid", "as a teen", "as a teenager", "in the past",
               "back then", "back in", "growing up", "in my teens", "in high school", "in school")  # fmt: skip
_HYPERBOLE_RIGHT = ("laughing", "of laughter", "from laughing", "with laughter", "laughin", "of embarrassment",
                    "of cringe", "of boredom", "of shame", "inside", "than", "for a", "for some", "with work",
                    "working", "at work", "from work", "trying to", "trying", "off", "out")  # fmt: skip
_ACCIDENT = ("accidentally", "accidently", "accidentaly", "by accident", "almost", "nearly", "shaving", "cooking",
             "chopping", "slicing", "on paper", "paper", "at the gym", "gym", "lifting", "working out", "playing",
             "tripping", "tripped", "falling", "stove", "oven", "iron", "skating", "skateboarding", "running",
             "could have", "couldve")  # fmt: skip
_SURFACE = ("on a", "on the", "on some", "on glass", "on my")  # "cut myself on a can"; "on purpose" is not one
_GAME = ("grenade", "rocket", "respawn", "fall damage", "lava", "in game", "ingame", "in the game", "the map",
         "own grenade", "teamkill", "spawn", "creeper", "tnt", "boss")  # fmt: skip
_LIVE_RIGHT = ("forever", "here", "there", "in", "with", "at", "near", "on", "alone", "together", "abroad", "like",
               "young", "old", "long")  # fmt: skip
_WAKE_RIGHT = ("early", "at", "for", "so", "before", "on", "in the morning", "tomorrow morning", "the", "my", "him",
               "her", "them", "you", "everyone")  # fmt: skip
_NOUN_RIGHT = ("prevention", "awareness", "rate", "rates", "statistics", "research", "hotline", "helpline", "line",
               "lines", "month", "week", "day", "training", "squad", "support", "resources", "recovery")  # fmt: skip
_BARE_OK_RIGHT = ("again", "so", "really", "tonight", "rn", "now", "badly", "bad", "deep", "deeper", "myself", "lol",
                  "fr", "honestly", "already", "today", "soon", "anymore")  # fmt: skip


def _words(text: str) -> frozenset[str]:
    return frozenset(_skeleton(w) for w in text.split())


def _seqs(items: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_skeleton(w) for w in item.split()) for item in items)


_NEGATOR_SET = _words(_NEGATORS) | {"no"}  # "no" only counts before "longer", see _negated
_LONGER = _skeleton("longer")
_NOT_NEGATION_AFTER_SET = _words(_NOT_NEGATION_AFTER)
_BETWEEN_SET = _words(_BETWEEN_NEGATION)
_CONJ_SET = _words(_CONJUNCTIONS)
_FIRST_SET = _words(_FIRST)
_SECOND_SET = _words(_SECOND)
_GENERIC_SET = _words(_GENERIC)
_THIRD_SET = _words(_THIRD)
_RELATIVE_SET = _words(_RELATIVE)
_PRESENT_SET = _words(_PRESENT_INTENT)
_REPORTING_SET = _words(_REPORTING)
_MEDIA_SET = _words(_MEDIA)
_RECOVERY_SEQS = _seqs(_RECOVERY)
_PAST_LEFT_SEQS = _seqs(_PAST_LEFT)
_PAST_RIGHT_SEQS = _seqs(_PAST_RIGHT)
_HYPERBOLE_SEQS = _seqs(_HYPERBOLE_RIGHT)
_ACCIDENT_SEQS = _seqs(_ACCIDENT)
_GAME_SEQS = _seqs(_GAME)
_LIVE_SEQS = _seqs(_LIVE_RIGHT)
_WAKE_SEQS = _seqs(_WAKE_RIGHT)
_NOUN_SEQS = _seqs(_NOUN_RIGHT)
_BARE_OK_SET = _words(" ".join(_BARE_OK_RIGHT))
_SURFACE_SEQS = _seqs(_SURFACE)
_AMOUNT_SEQS = _seqs(("a lot", "a little", "a bit", "a few", "a couple", "alot"))
_FOOT_SEQS = _seqs(("in the foot",))
_YEAR = re.compile(r"(?:19|20)\d\d")
_NUMBER = re.compile(r"\d+")


_GROUP_TOKENS = re.compile(r"[()|]|[^()|]+")


def _expand_all(template: str) -> list[str]:
    """All spellings of a template: ``"(a|b) (c|)d"`` -> ``["a cd", "a d", "b cd", "b d"]`` (groups may nest)."""
    for name, value in _MACROS.items():
        template = template.replace(name, value)
    tokens = _GROUP_TOKENS.findall(template)
    position = 0

    def sequence() -> list[str]:
        nonlocal position
        results = [""]
        while position < len(tokens) and tokens[position] not in ("|", ")"):
            part = tokens[position]
            position += 1
            if part == "(":
                options = alternatives()
                results = [r + o for r in results for o in options]
            else:
                results = [r + part for r in results]
        return results

    def alternatives() -> list[str]:
        nonlocal position
        options = sequence()
        while position < len(tokens) and tokens[position] == "|":
            position += 1
            options += sequence()
        position += 1  # the closing ")"
        return options

    return list(dict.fromkeys(" ".join(v.split()) for v in sequence()))


# ====================================================================================================================
# Compilation


@dataclass(frozen=True)
class _Compiled:
    pattern: re.Pattern[str]  # with word boundaries
    inner: re.Pattern[str]  # without boundaries, for tokens joined from spaced letters
    lookup: dict[str, _Phrase]  # skeleton without spaces -> phrase


_SEP_CHARS = " " + "".join(sorted(_MARKERS))
_STRICT_SEP = "\x00"  # trie symbol: optional space between words of a built-in phrase
_LOOSE_SEP = "\x01"  # trie symbol: any spaces or markers between words of a custom phrase


def _key(text: str) -> str:
    return _skeleton("".join(ch for ch in text if ch not in _SEP_CHARS))


def _symbols(skeleton: str, sep: str) -> list[str]:
    out: list[str] = []
    for word_index, word in enumerate(skeleton.split(" ")):
        if word_index:
            out.append(sep)
        out.extend(word)
    return out


def _emit(node: dict[str, Any]) -> str:
    """Regex for a trie node: each letter may repeat, alternatives share their prefixes."""
    branches: list[str] = []
    for symbol in sorted(k for k in node if k):
        if symbol == _STRICT_SEP:
            head = " ?"
        elif symbol == _LOOSE_SEP:
            head = f"[{re.escape(_SEP_CHARS)}]*"
        else:
            head = re.escape(symbol) + "+"
        branches.append(head + _emit(node[symbol]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _compile(entries: Sequence[tuple[str, str, _Phrase]]) -> _Compiled | None:
    """entries: (skeleton with single spaces between words, separator symbol, phrase)."""
    trie: dict[str, Any] = {}
    lookup: dict[str, _Phrase] = {}
    for skeleton, sep, phrase in entries:
        key = _key(skeleton)
        if not key:
            continue
        lookup.setdefault(key, phrase)  # spellings differing only in spacing share a key; the first phrase names it
        node = trie
        for symbol in _symbols(skeleton, sep):
            node = node.setdefault(symbol, {})
        node[""] = {}
    if not lookup:
        return None
    body = _emit(trie)
    sep_class = re.escape(_SEP_CHARS)
    bounded = rf"(?<![^{sep_class}])(?:{body})(?![^{sep_class}])"
    return _Compiled(re.compile(bounded), re.compile(body), lookup)


def _phrase_skeleton(text: str) -> str:
    tokens, _ = _tokens(text)
    return " ".join(_skeleton(t) for t in tokens if t not in _MARKERS)


@cache
def _builtin_entries() -> tuple[tuple[str, str, _Phrase], ...]:
    entries: list[tuple[str, str, _Phrase]] = []
    for canonical, kind, person, tags, templates in _PHRASE_TABLE:
        phrase = _Phrase(canonical, kind, person, frozenset(tags.split()))
        for template in templates:
            for variant in _expand_all(template):
                skeleton = _phrase_skeleton(variant)
                if skeleton:
                    entries.append((skeleton, _STRICT_SEP, phrase))
    return tuple(entries)


@cache
def _builtin() -> _Compiled:
    compiled = _compile(_builtin_entries())
    if compiled is None:  # pragma: no cover - the table is not empty
        raise RuntimeError("the built-in crisis phrase table is empty")
    return compiled


DEFAULT_PHRASES: tuple[str, ...] = tuple(dict.fromkeys(row[0] for row in _PHRASE_TABLE))


# ====================================================================================================================
# Matching


class _Message:
    """A message prepared for the context rules. Built only when the regex found a candidate."""

    def __init__(self, tokens: list[str], joined: set[int]) -> None:
        self.tokens = tokens  # internal tokens, markers included
        self.text = " ".join(tokens)
        self.joined = joined  # indexes of tokens joined from spaced letters
        # Doubled letters never cross a token boundary, so the skeletons stay aligned with the tokens.
        self.skeletons = _skeleton(self.text).split(" ")
        self.starts = [0, *itertools.accumulate(len(t) + 1 for t in tokens)][:-1]  # offset of each token in text
        self.quotes = [i for i, t in enumerate(tokens) if t == _QUOTE]
        self.music = [i for i, t in enumerate(tokens) if t == _MUSIC]

    def token_at(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    @cached_property
    def _padded(self) -> str:
        return f" {' '.join(self.skeletons)} "

    @cached_property
    def media(self) -> bool:
        """The message talks about a song, show, book, news...; or there are music notes in it."""
        return bool(self.music) or not _MEDIA_SET.isdisjoint(self.skeletons)

    @cached_property
    def recovery(self) -> bool:
        return any(f" {' '.join(seq)} " in self._padded for seq in _RECOVERY_SEQS)

    @cached_property
    def game(self) -> bool:
        return any(f" {' '.join(seq)} " in self._padded for seq in _GAME_SEQS)


def _contains_any(words: Sequence[str], seqs: Iterable[tuple[str, ...]]) -> bool:
    padded = f" {' '.join(words)} "
    return any(f" {' '.join(seq)} " in padded for seq in seqs)


def _starts_with_any(words: Sequence[str], seqs: Iterable[tuple[str, ...]]) -> bool:
    return any(tuple(words[: len(seq)]) == seq for seq in seqs)


def _inside(marks: list[int], first: int, last: int) -> bool:
    """An odd number of marks before ``first`` and at least one after ``last``."""
    before = bisect.bisect_left(marks, first)
    return before % 2 == 1 and bisect.bisect_right(marks, last) < len(marks)


@dataclass(frozen=True)
class _Candidate:
    phrase: _Phrase
    first: int  # token index of the first token of the match
    last: int  # token index of the last token


def _left(msg: _Message, first: int, limit: int = 8) -> list[str]:
    """Skeletons of up to ``limit`` tokens before ``first``, nearest last, stopping at a marker or conjunction."""
    out: list[str] = []
    i = first - 1
    while i >= 0 and len(out) < limit:
        token = msg.tokens[i]
        if token in _MARKERS or msg.skeletons[i] in _CONJ_SET:
            break
        out.append(msg.skeletons[i])
        i -= 1
    out.reverse()
    return out


def _right(msg: _Message, last: int, limit: int = 6) -> list[str]:
    out: list[str] = []
    i = last + 1
    while i < len(msg.tokens) and len(out) < limit:
        token = msg.tokens[i]
        if token in _MARKERS or msg.skeletons[i] in _CONJ_SET:
            break
        out.append(msg.skeletons[i])
        i += 1
    return out


def _negated(left: list[str]) -> bool:
    """A negator before the phrase with only small words between (``i would never [really] kill myself``).

    Scanning leftwards stops at the first word that is neither small nor a negator, so ``not sure i want to die``,
    ``don't think i want to live`` and ``not gonna lie, i want to die`` are not negated.
    """
    for index in range(len(left) - 1, -1, -1):
        word = left[index]
        following = left[index + 1 : index + 2]
        if word in _NEGATOR_SET and (word != "no" or following == [_LONGER]):
            return not (following and following[0] in _NOT_NEGATION_AFTER_SET)
        if word not in _BETWEEN_SET and word != _LONGER:
            return False
    return False


def _subject(msg: _Message, first: int) -> str | None:
    """'first', 'second', 'generic', 'third' or None: the nearest subject-like word before the phrase in its clause."""
    left = _left(msg, first, limit=8)
    for i in range(len(left) - 1, -1, -1):
        word = left[i]
        if word in _RELATIVE_SET and i > 0 and left[i - 1] in _THIRD_SET:
            return "third"  # "my friend who wants to die"
        if word in _FIRST_SET:
            return "first"
        if word in _SECOND_SET:
            return "second"
        if word in _THIRD_SET:
            return "third"
        if word in _GENERIC_SET:
            return "generic"
    return None


def _quote_speaker(msg: _Message, first: int) -> str | None:
    """Who is quoted, for a phrase inside quotation marks: the subject of the nearest reporting verb before the
    opening quote (``my friend texted me "..."`` -> third), else the nearest subject."""
    opening = msg.quotes[bisect.bisect_left(msg.quotes, first) - 1]
    left = _left(msg, opening, limit=10)
    for i in range(len(left) - 1, -1, -1):
        if left[i] in _REPORTING_SET:
            for word in reversed(left[:i]):
                if word in _FIRST_SET:
                    return "first"
                if word in _THIRD_SET:
                    return "third"
                if word in _SECOND_SET or word in _GENERIC_SET:
                    return "generic"
            return None
    for word in reversed(left):
        if word in _FIRST_SET:
            return "first"
        if word in _THIRD_SET:
            return "third"
    return None


def _judge(msg: _Message, cand: _Candidate) -> MatchKind | None:
    """The kind of match this candidate is, or None if its context cancels it."""
    phrase = cand.phrase
    left = _left(msg, cand.first)
    if _negated(left):
        return None
    if phrase.kind is MatchKind.CUSTOM:
        return MatchKind.CUSTOM

    right = _right(msg, cand.last)
    clause = left + [msg.skeletons[i] for i in range(cand.first, cand.last + 1)] + right
    tags = phrase.tags

    # Songs, quotes and fiction.
    if msg.music and _inside(msg.music, cand.first, cand.last):
        return None
    quoted = bool(msg.quotes) and _inside(msg.quotes, cand.first, cand.last)
    speaker: str | None = None
    if quoted:
        if msg.media:
            return None
        speaker = _quote_speaker(msg, cand.first)

    # Idioms and hyperbole.
    if _starts_with_any(right, _HYPERBOLE_SEQS):
        return None
    if "foot" in tags and _starts_with_any(right, _FOOT_SEQS):
        return None
    if "back" in tags and right[:1] == ["back"]:
        return None
    if "live" in tags and _starts_with_any(right, _LIVE_SEQS):
        return None
    if "wake" in tags and _starts_with_any(right, _WAKE_SEQS):
        return None
    if "endit" in tags and right[:1] in (["with"], ["here"], ["for"]):
        return None
    if "noun" in tags and _starts_with_any(right, _NOUN_SEQS):
        return None
    if "bare" in tags and right and right[0] not in _BARE_OK_SET:
        return None
    if "accident" in tags and _contains_any(clause, _ACCIDENT_SEQS):
        return None
    if "surface" in tags and _contains_any(right, _SURFACE_SEQS):
        return None
    if "dative" in tags and right[:1] in (["a"], ["an"], ["some"]) and not _starts_with_any(right, _AMOUNT_SEQS):
        return None  # "cut myself a slice of cake" (but not "cut myself a lot")
    if "game" in tags and msg.game:
        return None
    if "distance" in tags and left and _NUMBER.fullmatch(left[-1]):
        return None

    # Whose statement is it?
    person = phrase.person
    if quoted and speaker is not None:
        who: str | None = speaker
    elif person is _Person.FIRST:
        who = "first"
    elif person is _Person.THIRD:
        who = "third"
        if _subject(msg, cand.first) in ("second", "generic"):
            return None
    else:
        who = _subject(msg, cand.first)
        if who is None:
            if person is _Person.SUBJECT:
                return None
            who = "first"
    if who in ("second", "generic"):
        return None

    if who == "third":
        if msg.media or _hypothetical(msg, cand.first):
            return None  # fiction, news, or a hypothetical ("if someone tells you they want to die")
        if _past(msg, left, right, clause):
            return None
        return MatchKind.CONCERN_FOR_OTHER

    if _past(msg, left, right, clause):
        return None
    return phrase.kind


def _hypothetical(msg: _Message, first: int) -> bool:
    """An "if" earlier in the same sentence."""
    i = first - 1
    while i >= 0 and msg.tokens[i] not in (_BOUNDARY, _QUOTE, _MUSIC):
        if msg.skeletons[i] == "if":
            return True
        i -= 1
    return False


def _past(msg: _Message, left: list[str], right: list[str], clause: list[str]) -> bool:
    """Explicitly framed as past (and, for recovery words, with no present intent in the clause)."""
    if _contains_any(left, _PAST_LEFT_SEQS) or _contains_any(right, _PAST_RIGHT_SEQS):
        return True
    if any(_YEAR.fullmatch(word) for word in right):
        return True
    return msg.recovery and not (set(clause) & _PRESENT_SET)


class Matcher:
    """Finds explicit crisis statements in a message. Build one per guild (built-in phrases are compiled once per
    process and shared); :meth:`match` is thread-safe and fast (microseconds for a chat message)."""

    def __init__(self, extra_phrases: Iterable[str] = ()) -> None:
        accepted: list[str] = []
        entries: list[tuple[str, str, _Phrase]] = []
        for raw in extra_phrases:
            skeleton = _phrase_skeleton(raw)
            if not skeleton or len(skeleton) > MAX_PHRASE_LENGTH:
                log.warning("Ignoring an extra crisis phrase that is empty or too long after normalisation")
                continue
            accepted.append(raw.strip())
            entries.append((skeleton, _LOOSE_SEP, _Phrase(raw.strip(), MatchKind.CUSTOM, _Person.FIRST, frozenset())))
        self._builtin = _builtin()
        self._extra = _compile(entries)
        self.extra_phrases: tuple[str, ...] = tuple(accepted)

    def match(self, text: str) -> Match | None:
        """The best match in ``text``, or ``None``. Never raises for any string."""
        if not text:
            return None
        tokens, joined = _tokens(text)
        compiled = [c for c in (self._builtin, self._extra) if c is not None]
        flat = " ".join(tokens)
        if not any(c.pattern.search(flat) for c in compiled) and not any(
            c.inner.search(tokens[i]) for c in compiled for i in joined
        ):
            return None  # the common case: no phrase at all, so no context to build
        msg = _Message(tokens, joined)
        best: dict[MatchKind, Match] = {}
        for table in compiled:
            for cand in _candidates(msg, table):
                kind = _judge(msg, cand)
                if kind is None or kind in best:
                    continue
                best[kind] = Match(cand.phrase.canonical, kind)
                if kind in (MatchKind.SUICIDAL, MatchKind.SELF_HARM):
                    return best[kind]
        for kind in (MatchKind.SUICIDAL, MatchKind.SELF_HARM, MatchKind.CUSTOM, MatchKind.CONCERN_FOR_OTHER):
            if kind in best:
                return best[kind]
        return None


def _candidates(msg: _Message, compiled: _Compiled) -> Iterable[_Candidate]:
    text = msg.text
    pos = 0
    while pos <= len(text):
        found = compiled.pattern.search(text, pos)
        if found is None:
            break
        phrase = compiled.lookup.get(_key(found.group(0)))
        if phrase is not None:
            yield _Candidate(phrase, msg.token_at(found.start()), msg.token_at(found.end() - 1))
        pos = found.start() + 1
    for index in sorted(msg.joined):
        token = msg.tokens[index]
        found = compiled.inner.search(token)
        if found is not None:
            phrase = compiled.lookup.get(_key(found.group(0)))
            if phrase is not None:
                yield _Candidate(phrase, index, index)


@cache
def default_matcher() -> Matcher:
    """A matcher with the built-in phrases only."""
    return Matcher()
