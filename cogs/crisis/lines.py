"""Crisis-line data: the shipped ``data/crisis_lines.json``, parsed into frozen dataclasses and validated at start-up.

:func:`load_crisis_data` reads the file and checks all of it before the bot answers anyone. If anything is wrong it
raises :class:`CrisisDataError` listing **every** problem (with its JSON path), not just the first one.

What the file looks like, and how it is modelled
------------------------------------------------
* Top level: ``compiled`` (ISO date), ``schema_version`` (``1.x``), ``status``, ``disclaimer``, ``field_notes``,
  ``country_order`` (every key of ``countries`` exactly once), ``countries`` and ``sources`` (a bibliography whose
  ``used_for`` codes must exist). Unknown fields anywhere are errors, so a misspelt field name cannot hide data.
* A country: ISO 3166-1 alpha-2 key (checked against ``pycountry``), ``name``, ``emergency_number`` (the primary
  general number), optional ``emergency_alternates`` (``"190 (police)"`` -> number + note), ``emergency_notes``,
  ``emergency_source`` (≥ 1), ``services`` (≥ 1, at least one with a source) and optional ``notes``.
* The special ``INTL`` entry is for "country unknown": no emergency number (its ``emergency_notes`` explains), and
  its services are directory links (``web``) rather than phone numbers. :attr:`CrisisData.international` returns it;
  :meth:`CrisisData.for_country` never does.
* A service: ``name``, ``phone`` (or null), ``sms``, ``chat_url``, ``web``, ``email``, ``hours``, ``audience``,
  ``cost``, ``languages``, ``verification``, ``source`` (≥ 1) and ``notes``. It must offer at least one way in
  (phone, SMS, chat, web or e-mail).

Phone numbers
-------------
``phone`` is written "as dialled inside the country", and in the shipped file it is sometimes more than a number:
``"988, then press 1"``, ``"14416 or 1-800-891-4416"``, ``"135 (CABA and Greater Buenos Aires) / (011) 5275-1135
(rest of the country)"``, ``"Swedish 09 2525 0112; ..."``. So it is parsed with a small grammar into
:class:`PhoneOption` values::

    phone  := option (("/" | ";" | "or") option)*
    option := [label " "] NUMBER [" (" note ")"] [", then " step]   e.g. "Swedish 09 2525 0112", "988, then press 1"
            | label ": see notes"                                     (kept as text, never shown: no number)

``NUMBER`` may contain only dialable characters: digits, spaces, hyphens, one leading ``+`` and a leading area code in
parentheses, with 3-15 digits (the E.164 maximum). **Letters are not allowed in numbers**: the data has no vanity
numbers (keywords such as ``HOME`` belong to the ``sms`` text, e.g. ``"Text HOME to 741741"``), so a letter in a
number is treated as a typo. A phone string that does not fit the grammar is an error. Emergency numbers are digits
only (2-6 of them).

Hours
-----
``hours`` absent or null means **unknown**, never 24/7. :attr:`Service.hours_display` is what may be shown to a
member, derived conservatively from the raw text: ``None`` (unknown) when the text says it is not confirmed or must be
re-verified; research commentary after a spaced em dash (``" — "``) and parenthetical source citations
(``"(per open-helplines)"``, ``"(as reported)"``) are dropped, so ``"Mon-Sat 14:00-20:00 (plus ... per 2020 ministry
video)"`` shows as ``"Mon-Sat 14:00-20:00"`` (the data uses en dashes). It never adds hours the text does not state.

Verification
------------
The free-text ``verification`` is mapped to :class:`Verification` by its weakest keyword (``"corroborated (phone);
single_source (text keyword)"`` -> ``SINGLE_SOURCE``); the original text is kept in ``verification_note``. Unknown
wording is an error. Display order is the JSON order; at most :data:`MAX_SHOWN_SERVICES` are shown.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from cogs.crisis.countries import is_valid_code

__all__ = [
    "DEFAULT_DATA_PATH",
    "INTERNATIONAL",
    "MAX_SHOWN_SERVICES",
    "Country",
    "CrisisData",
    "CrisisDataError",
    "EmergencyNumber",
    "PhoneOption",
    "Service",
    "SourceRef",
    "Verification",
    "default_crisis_data",
    "display_hours",
    "load_crisis_data",
    "parse_crisis_data",
    "parse_phone",
]

log = logging.getLogger(__name__)

DEFAULT_DATA_PATH = Path(__file__).resolve().parent / "data" / "crisis_lines.json"
INTERNATIONAL = "INTL"
MAX_SHOWN_SERVICES = 3
SUPPORTED_SCHEMA_MAJOR = 1

# Generous ceilings that keep every rendered service inside Discord's 1024-character embed field value.
_MAX_LEN = {"name": 120, "phone": 200, "sms": 200, "hours": 300, "audience": 200, "cost": 300, "label": 60}


class CrisisDataError(ValueError):
    """The crisis-line data is unusable. ``problems`` lists every problem found, each prefixed with its JSON path."""

    def __init__(self, problems: Sequence[str], source: str = "crisis data") -> None:
        self.problems = tuple(problems)
        self.source = source
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source} is invalid ({count} problem{'s' if count != 1 else ''}):\n{lines}")


class Verification(StrEnum):
    """How well a service's details are supported by the research (see the data's ``field_notes``)."""

    CORROBORATED = "corroborated"  # at least two independent sources agree
    SINGLE_SOURCE = "single_source"
    WEAK = "weak"  # only secondary or unvetted sources
    CONFLICT = "conflict"  # sources disagree (see the service's notes)
    DIRECTORY = "directory"  # a directory link, no number to verify
    UNCHECKED = "unchecked"  # a link that was not fetched; do not show until checked

    @property
    def confirmed(self) -> bool:
        """False where the data itself warns that details may be wrong (weak, conflicting, or an unchecked link)."""
        return self not in (Verification.WEAK, Verification.CONFLICT, Verification.UNCHECKED)


# Weakest first: a mixed note takes the weakest level it mentions.
_VERIFICATION_WORDS: tuple[tuple[Verification, re.Pattern[str]], ...] = (
    (Verification.UNCHECKED, re.compile(r"\bnot fetched\b|\bunchecked\b", re.IGNORECASE)),
    (Verification.CONFLICT, re.compile(r"\bconflict\b", re.IGNORECASE)),
    (Verification.WEAK, re.compile(r"\bweak\b", re.IGNORECASE)),
    (Verification.SINGLE_SOURCE, re.compile(r"\bsingle[_ ]source\b", re.IGNORECASE)),
    (Verification.DIRECTORY, re.compile(r"\bdirectory\b", re.IGNORECASE)),
    (Verification.CORROBORATED, re.compile(r"\bcorroborated\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class PhoneOption:
    """One way to call a service. ``number`` is ``None`` only for a "see notes" placeholder, which is never shown."""

    number: str | None
    label: str | None = None  # e.g. "Swedish"
    note: str | None = None  # e.g. "rest of the country", "+254 722 178 177", "mobile"
    then: str | None = None  # what to do after dialling, e.g. "press 1"


@dataclass(frozen=True)
class EmergencyNumber:
    number: str
    note: str | None = None  # e.g. "police"


@dataclass(frozen=True)
class Service:
    name: str
    phone: str | None  # the raw text from the data
    phones: tuple[PhoneOption, ...]  # parsed from ``phone``; empty when there is no phone
    sms: str | None
    chat_url: str | None
    web: str | None
    email: str | None
    hours: str | None  # raw; None means unknown
    audience: str | None
    cost: str | None
    languages: tuple[str, ...]
    verification: Verification
    verification_note: str
    sources: tuple[str, ...]
    notes: str | None = None

    @property
    def hours_display(self) -> str | None:
        """Opening hours safe to show a member, or ``None`` when unknown (see :func:`display_hours`)."""
        return display_hours(self.hours)

    @property
    def dialable(self) -> tuple[PhoneOption, ...]:
        """The phone options that have a number."""
        return tuple(p for p in self.phones if p.number is not None)

    @property
    def is_directory(self) -> bool:
        """A link to a directory of helplines rather than a helpline (the INTL entries)."""
        return not self.phones and self.sms is None and self.chat_url is None and self.web is not None


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, or "INTL"
    name: str
    emergency_number: str | None  # None only for INTL
    emergency_alternates: tuple[EmergencyNumber, ...]
    emergency_notes: str | None
    emergency_sources: tuple[str, ...]
    services: tuple[Service, ...]  # every service, in JSON order
    notes: str | None = None

    @property
    def is_international(self) -> bool:
        return self.code == INTERNATIONAL

    @property
    def shown_services(self) -> tuple[Service, ...]:
        """What a member is shown: the first :data:`MAX_SHOWN_SERVICES` services in JSON order, skipping unchecked
        links and placeholders with no way to reach them."""
        usable = [s for s in self.services if s.verification is not Verification.UNCHECKED and _reachable(s)]
        return tuple(usable[:MAX_SHOWN_SERVICES])


def _reachable(service: Service) -> bool:
    return bool(service.dialable or service.sms or service.chat_url or service.web or service.email)


@dataclass(frozen=True)
class SourceRef:
    ref: str
    type: str
    used_for: tuple[str, ...]


@dataclass(frozen=True)
class CrisisData:
    compiled: date
    schema_version: str
    status: str
    disclaimer: str
    field_notes: Mapping[str, str]
    country_order: tuple[str, ...]  # includes INTL
    countries: Mapping[str, Country]  # read-only, keyed by code, in country_order
    sources: tuple[SourceRef, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """ISO codes we have crisis lines for, in ``country_order`` (INTL excluded)."""
        return tuple(c for c in self.country_order if c != INTERNATIONAL)

    @property
    def international(self) -> Country:
        """The "country unknown" entry: directory links and a reminder to call the local emergency number."""
        return self.countries[INTERNATIONAL]

    @property
    def is_draft(self) -> bool:
        return self.status.strip().upper().startswith("DRAFT")

    def for_country(self, code: str | None) -> Country | None:
        """The entry for an ISO alpha-2 code (any case), or ``None`` if we have none. Never returns INTL."""
        if not code:
            return None
        key = code.strip().upper()
        return None if key == INTERNATIONAL else self.countries.get(key)

    def is_stale(self, today: date, max_age: timedelta = timedelta(days=92)) -> bool:
        """True when the data was compiled more than ``max_age`` before ``today`` (the sources ask for a quarterly
        re-check)."""
        return today - self.compiled > max_age


# --------------------------------------------------------------------------------------------------------------------
# Phones and hours

_NUMBER = r"\+?(?:\(\d{1,5}\)\s?)?\d(?:[\d -]*\d)?"
_OPTION = re.compile(
    rf"(?:(?P<label>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)*) )?(?P<number>{_NUMBER})"
    r"(?: ?\((?P<note>[^()]+)\))?(?:, then (?P<then>[^()]+))?"
)
_SEE_NOTES = re.compile(r"(?P<label>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)*): see notes", re.IGNORECASE)
_EMERGENCY = re.compile(r"(?P<number>\d{2,6})(?: \((?P<note>[^()]+)\))?")
_URL = re.compile(r"https?://[^\s<>()\[\]]+\.[^\s<>()\[\]]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)

_UNKNOWN_HOURS = re.compile(r"\bnot confirmed\b|\bre-?verify\b|\bunknown\b|\bunconfirmed\b", re.IGNORECASE)
_CITATION = re.compile(r"\s*\([^()]*\b(?:per|as reported|according to|source)\b[^()]*\)", re.IGNORECASE)


_SPLIT = re.compile(r"[()]|\s*(?:/|;|\bor\b)\s*")


def _split_top_level(text: str) -> list[str]:
    """Split on the option separators (``/``, ``;``, ``or``), but never inside parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    for found in _SPLIT.finditer(text):
        piece = found.group(0)
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            parts.append(text[start : found.start()])
            start = found.end()
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _digit_count(number: str) -> int:
    return sum(ch.isdigit() for ch in number)


def parse_phone(text: str) -> tuple[PhoneOption, ...]:
    """Parse a ``phone`` value into options; raises ``ValueError`` naming the part that does not fit the grammar."""
    options: list[PhoneOption] = []
    for part in _split_top_level(text):
        see = _SEE_NOTES.fullmatch(part)
        if see:
            options.append(PhoneOption(None, label=see["label"]))
            continue
        option = _OPTION.fullmatch(part)
        if option is None:
            raise ValueError(f"{part!r} is not a dialable number (digits, spaces, '-', '+', '()' only)")
        number = option["number"]
        if not 3 <= _digit_count(number) <= 15:
            raise ValueError(f"{number!r} should have 3 to 15 digits")
        options.append(PhoneOption(number, label=option["label"], note=option["note"], then=option["then"]))
    if not any(o.number for o in options):
        raise ValueError(f"{text!r} has no number in it")
    return tuple(options)


def display_hours(hours: str | None) -> str | None:
    """The part of a raw ``hours`` value that is safe to show, or ``None`` for unknown. Never invents hours."""
    if hours is None or _UNKNOWN_HOURS.search(hours):
        return None
    shown = hours.split(" \N{EM DASH} ", 1)[0]
    shown = _CITATION.sub("", shown).strip(" ;,")
    return shown or None


# --------------------------------------------------------------------------------------------------------------------
# Validation

_T = TypeVar("_T")

_TOP_FIELDS = {"compiled", "schema_version", "status", "disclaimer", "field_notes", "country_order", "countries"}
_TOP_OPTIONAL = {"sources"}
_COUNTRY_FIELDS = {"name", "emergency_number", "emergency_source", "services"}
_COUNTRY_OPTIONAL = {"emergency_alternates", "emergency_notes", "notes"}
_SERVICE_FIELDS = {"name", "verification", "source"}
_SERVICE_OPTIONAL = {"phone", "sms", "chat_url", "web", "email", "hours", "audience", "cost", "languages", "notes"}


class _Checker:
    """Collects problems instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def fields(self, obj: Mapping[str, Any], path: str, required: set[str], optional: set[str]) -> None:
        for key in sorted(required - obj.keys()):
            self.fail(path, f"missing required field {key!r}")
        for key in sorted(obj.keys() - required - optional):
            self.fail(path, f"unknown field {key!r}")

    def text(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool, max_len: int = 2000) -> str | None:
        value = obj.get(key)
        where = f"{path}.{key}"
        if value is None:
            if required and key in obj:  # a missing key is reported once, by fields()
                self.fail(where, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"must be a non-empty string, not {value!r}")
            return None
        if len(value) > max_len:
            self.fail(where, f"is {len(value)} characters long; the limit is {max_len}")
        return value.strip()

    def text_list(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool) -> tuple[str, ...]:
        value = obj.get(key)
        where = f"{path}.{key}"
        if value is None:
            if required and key in obj:
                self.fail(where, "is required")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(where, "must be a list of non-empty strings")
            return ()
        if required and not value:
            self.fail(where, "must list at least one entry")
        return tuple(v.strip() for v in value)

    def parsed(self, where: str, parse: Callable[[str], _T], value: str) -> _T | None:
        try:
            return parse(value)
        except ValueError as exc:
            self.fail(where, str(exc))
            return None


def _verification(text: str) -> Verification:
    for level, pattern in _VERIFICATION_WORDS:
        if pattern.search(text):
            return level
    raise ValueError(f"unknown verification wording {text!r} (expected corroborated, single_source, weak, ...)")


def _url(text: str) -> str:
    if not _URL.fullmatch(text):
        raise ValueError(f"{text!r} is not an http(s) URL (Discord links only http and https)")
    return text


def _email(text: str) -> str:
    if not _EMAIL.fullmatch(text):
        raise ValueError(f"{text!r} is not an e-mail address")
    return text


def _emergency(text: str) -> EmergencyNumber:
    found = _EMERGENCY.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is not an emergency number (2-6 digits, optionally followed by '(note)')")
    return EmergencyNumber(found["number"], found["note"])


def _check_service(check: _Checker, raw: Any, path: str) -> Service | None:
    if not isinstance(raw, dict):
        check.fail(path, "must be an object")
        return None
    check.fields(raw, path, _SERVICE_FIELDS, _SERVICE_OPTIONAL)
    name = check.text(raw, "name", path, required=True, max_len=_MAX_LEN["name"])
    phone = check.text(raw, "phone", path, required=False, max_len=_MAX_LEN["phone"])
    phones = (check.parsed(f"{path}.phone", parse_phone, phone) or ()) if phone else ()
    sms = check.text(raw, "sms", path, required=False, max_len=_MAX_LEN["sms"])
    if sms and not any(ch.isdigit() for ch in sms):
        check.fail(f"{path}.sms", f"{sms!r} has no number to text")
    chat_url = check.text(raw, "chat_url", path, required=False)
    web = check.text(raw, "web", path, required=False)
    email = check.text(raw, "email", path, required=False)
    for key, value, parse in (("chat_url", chat_url, _url), ("web", web, _url), ("email", email, _email)):
        if value:
            check.parsed(f"{path}.{key}", parse, value)
    if "hours" in raw and raw["hours"] is not None and not (isinstance(raw["hours"], str) and raw["hours"].strip()):
        check.fail(f"{path}.hours", "must be a non-empty string, or null/absent when unknown")
    hours = check.text(raw, "hours", path, required=False, max_len=_MAX_LEN["hours"])
    audience = check.text(raw, "audience", path, required=False, max_len=_MAX_LEN["audience"])
    cost = check.text(raw, "cost", path, required=False, max_len=_MAX_LEN["cost"])
    languages = check.text_list(raw, "languages", path, required=False)
    verification_note = check.text(raw, "verification", path, required=True)
    verification = check.parsed(f"{path}.verification", _verification, verification_note) if verification_note else None
    sources = check.text_list(raw, "source", path, required=True)
    notes = check.text(raw, "notes", path, required=False)
    if not (phone or sms or chat_url or web or email):
        check.fail(path, "has no way to reach it (phone, sms, chat_url, web or email)")
    if name is None or verification is None or verification_note is None:
        return None
    return Service(
        name=name,
        phone=phone,
        phones=phones,
        sms=sms,
        chat_url=chat_url,
        web=web,
        email=email,
        hours=hours,
        audience=audience,
        cost=cost,
        languages=languages,
        verification=verification,
        verification_note=verification_note,
        sources=sources,
        notes=notes,
    )


def _check_country(check: _Checker, code: str, raw: Any) -> Country | None:
    path = f"countries.{code}"
    if not isinstance(raw, dict):
        check.fail(path, "must be an object")
        return None
    intl = code == INTERNATIONAL
    if not intl and not is_valid_code(code):
        check.fail(path, f"{code!r} is not an ISO 3166-1 alpha-2 country code (or the special {INTERNATIONAL!r})")
    check.fields(raw, path, _COUNTRY_FIELDS, _COUNTRY_OPTIONAL)
    name = check.text(raw, "name", path, required=True, max_len=_MAX_LEN["name"])
    emergency: str | None = None
    if intl:
        if raw.get("emergency_number") is not None:
            check.fail(f"{path}.emergency_number", "must be null for the international entry")
        if not raw.get("emergency_notes"):
            check.fail(f"{path}.emergency_notes", "must tell people to call their local emergency number")
    else:
        emergency = check.text(raw, "emergency_number", path, required=True)
        if emergency is not None and not re.fullmatch(r"\d{2,6}", emergency):
            check.fail(f"{path}.emergency_number", f"{emergency!r} must be 2-6 digits")
            emergency = None
    alternates: list[EmergencyNumber] = []
    for i, alt in enumerate(check.text_list(raw, "emergency_alternates", path, required=False)):
        parsed = check.parsed(f"{path}.emergency_alternates[{i}]", _emergency, alt)
        if parsed:
            alternates.append(parsed)
    emergency_notes = check.text(raw, "emergency_notes", path, required=False)
    emergency_sources = check.text_list(raw, "emergency_source", path, required=not intl)
    raw_services = raw.get("services")
    services: list[Service] = []
    if not isinstance(raw_services, list) or not raw_services:
        check.fail(f"{path}.services", "must list at least one service")
    else:
        for i, item in enumerate(raw_services):
            service = _check_service(check, item, f"{path}.services[{i}]")
            if service is not None:
                services.append(service)
        if services and not any(s.sources for s in services):
            check.fail(f"{path}.services", "no service has a source")
        names = [s.name for s in services]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            check.fail(f"{path}.services", f"service {dup!r} is listed twice")
    notes = check.text(raw, "notes", path, required=False)
    if name is None or (emergency is None and not intl):
        return None
    country = Country(
        code=code,
        name=name,
        emergency_number=emergency,
        emergency_alternates=tuple(alternates),
        emergency_notes=emergency_notes,
        emergency_sources=emergency_sources,
        services=tuple(services),
        notes=notes,
    )
    if services and not country.shown_services:
        check.fail(f"{path}.services", "none of the services can be shown (all unchecked or unreachable)")
    return country


def _check_sources(check: _Checker, raw: Any, codes: set[str]) -> tuple[SourceRef, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        check.fail("sources", "must be a list")
        return ()
    refs: list[SourceRef] = []
    for i, item in enumerate(raw):
        path = f"sources[{i}]"
        if not isinstance(item, dict):
            check.fail(path, "must be an object")
            continue
        check.fields(item, path, {"ref", "type", "used_for"}, set())
        ref = check.text(item, "ref", path, required=True)
        kind = check.text(item, "type", path, required=True)
        used_for = check.text_list(item, "used_for", path, required=True)
        for code in used_for:
            if code not in codes:
                check.fail(f"{path}.used_for", f"{code!r} is not a country in the data")
        if ref and kind:
            refs.append(SourceRef(ref, kind, used_for))
    return tuple(refs)


def parse_crisis_data(raw: Any, *, source: str = "crisis data") -> CrisisData:
    """Validate already-decoded JSON and build :class:`CrisisData`; raises :class:`CrisisDataError` listing every
    problem."""
    check = _Checker()
    if not isinstance(raw, dict):
        raise CrisisDataError(["top level: must be a JSON object"], source)
    check.fields(raw, "top level", _TOP_FIELDS, _TOP_OPTIONAL)

    compiled: date | None = None
    compiled_text = check.text(raw, "compiled", "top level", required=True)
    if compiled_text:
        try:
            compiled = date.fromisoformat(compiled_text)
        except ValueError:
            check.fail("compiled", f"{compiled_text!r} is not an ISO date (YYYY-MM-DD)")
    schema = check.text(raw, "schema_version", "top level", required=True)
    if schema and not re.fullmatch(rf"{SUPPORTED_SCHEMA_MAJOR}(\.\d+)*", schema):
        check.fail("schema_version", f"{schema!r} is not supported (expected {SUPPORTED_SCHEMA_MAJOR}.x)")
    status = check.text(raw, "status", "top level", required=True)
    disclaimer = check.text(raw, "disclaimer", "top level", required=True)
    field_notes = raw.get("field_notes")
    if not isinstance(field_notes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in field_notes.items()
    ):
        check.fail("field_notes", "must be an object of strings")
        field_notes = {}

    raw_countries = raw.get("countries")
    if not isinstance(raw_countries, dict) or not raw_countries:
        check.fail("countries", "must be a non-empty object keyed by country code")
        raw_countries = {}
    order = raw.get("country_order")
    if not isinstance(order, list) or not all(isinstance(c, str) for c in order):
        check.fail("country_order", "must be a list of country codes")
        order = list(raw_countries)
    for dup in sorted({c for c in order if order.count(c) > 1}):
        check.fail("country_order", f"{dup!r} is listed more than once")
    for missing in sorted(raw_countries.keys() - set(order)):
        check.fail("country_order", f"{missing!r} is in countries but not in country_order")
    for extra in sorted(set(order) - raw_countries.keys()):
        check.fail("country_order", f"{extra!r} is in country_order but not in countries")
    if INTERNATIONAL not in raw_countries:
        check.fail("countries", f"the {INTERNATIONAL!r} entry (international fallback) is missing")

    countries: dict[str, Country] = {}
    for code in list(dict.fromkeys(order)) + [c for c in raw_countries if c not in order]:
        if code in raw_countries:
            country = _check_country(check, code, raw_countries[code])
            if country is not None:
                countries[code] = country
    sources = _check_sources(check, raw.get("sources"), set(raw_countries))

    if check.problems:
        raise CrisisDataError(check.problems, source)
    if compiled is None or not (schema and status and disclaimer):  # pragma: no cover - the checks above report these
        raise CrisisDataError(["top level: incomplete"], source)
    return CrisisData(
        compiled=compiled,
        schema_version=schema,
        status=status,
        disclaimer=disclaimer,
        field_notes=MappingProxyType(dict(field_notes)),
        country_order=tuple(countries),
        countries=MappingProxyType(countries),
        sources=sources,
    )


def load_crisis_data(path: Path | str = DEFAULT_DATA_PATH) -> CrisisData:
    """Read and validate a crisis-lines JSON file. Raises :class:`CrisisDataError` (listing every problem) when the
    file is missing, is not JSON, or does not validate."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CrisisDataError([f"cannot read the file: {exc.strerror or exc}"], where) from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CrisisDataError([f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"], where) from exc
    data = parse_crisis_data(raw, source=where)
    log.info(
        "Loaded crisis lines for %d countries (compiled %s, schema %s)",
        len(data.codes),
        data.compiled.isoformat(),
        data.schema_version,
    )
    if data.is_draft:
        log.warning("Crisis-line data is marked DRAFT: every number must be re-checked before launch")
    return data


@cache
def default_crisis_data() -> CrisisData:
    """The shipped data, loaded and validated once per process."""
    return load_crisis_data(DEFAULT_DATA_PATH)
