"""Search quality on a realistic directory: the expected entry is in the top 3 for realistic member queries.

The fixture (``directory_fixture.json``) is 108 invented but plausible entries for a peer-support community across
every default category (names and places are fictional, phones are 555-01xx, websites are example.org). Each case
below is a query a member might type (exact and partial names, needs in their own words, plurals, misspellings,
a category word on its own, and area filters) with the entry a person would expect near the top.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.db import Database
from cogs.resources.exchange import import_directory
from cogs.resources.search import find

from .helpers import GUILD

FIXTURE = Path(__file__).with_name("directory_fixture.json")
TOP = 3


@dataclass(frozen=True)
class Case:
    query: str
    expected: str
    area: str | None = None
    category: str | None = None


CASES: tuple[Case, ...] = (
    # Exact and partial names
    Case("Riverton Crisis Line", "Riverton Crisis Line"),
    Case("Harm Reduction Hub", "Harm Reduction Hub"),
    Case("rainbow elders", "Rainbow Elders"),
    Case("interview wardrobe", "Interview Wardrobe"),
    Case("switchboard", "LGBT Switchboard"),
    Case("recovery college", "Recovery College"),
    Case("night owls", "Night Owls Discord"),
    # Needs in the member's own words
    Case("somewhere to sleep tonight", "Riverton Night Shelter"),
    Case("free meals", "Eastbrook Soup Kitchen"),
    Case("needle exchange", "Harm Reduction Hub"),
    Case("naloxone", "Harm Reduction Hub"),
    Case("eviction", "Housing Advice Centre"),
    Case("nappies", "Baby Bank Riverton"),
    Case("ptsd", "Veterans Mental Health Service"),
    Case("miscarriage", "Baby Loss Support"),
    Case("asylum", "Immigration Legal Clinic"),
    Case("help writing my cv", "Pathways Employment Support"),
    Case("postnatal depression", "Perinatal Wellbeing Team"),
    Case("gambling", "Gambling Support Line"),
    Case("school uniform", "School Uniform Exchange"),
    Case("bailiffs", "Debt Advice Project"),
    Case("hearing voices", "Hearing Voices Network Northgate"),
    Case("cant sleep discord", "Night Owls Discord"),
    Case("domestic violence", "Safe Harbour Domestic Abuse Helpline"),
    Case("english classes", "Riverton Adult Learning"),
    Case("lost my dog", "Pet Bereavement Line"),
    # Plurals
    Case("food banks", "Riverton Food Bank"),
    Case("shelters", "Riverton Night Shelter"),
    Case("coats", "Warm Coats Winter Appeal"),
    Case("apprenticeships", "Apprenticeship Advice Line"),
    Case("veterans", "Eastbrook Veterans Hub"),
    # Misspellings
    Case("shleter", "Riverton Night Shelter"),
    Case("councelling", "Eastbrook Counselling Service"),
    Case("vetrans", "Veterans Mental Health Service"),
    Case("bereavment", "Riverton Bereavement Service"),
    Case("alcholics anonymous", "Alcoholics Anonymous Riverton Intergroup"),
    Case("homless outreach", "Northgate Homeless Outreach"),
    Case("food pantrey", "Northgate Community Pantry"),
    Case("imigration", "Immigration Legal Clinic"),
    # Category words on their own
    Case("legal", "Riverton Law Centre"),
    Case("grief", "Riverton Bereavement Service"),
    Case("clothing", "Second Chance Clothing Bank"),
    Case("lgbt social groups", "Rainbow Riverton"),
    # Area filters
    Case("food bank", "Northgate Food Bank", area="Northgate"),
    Case("night shelter", "Eastbrook Night Shelter", area="eastbrook"),
    Case("counselling", "Eastbrook Counselling Service", area="Eastbrook"),
    Case("legal advice", "Northgate Legal Advice Clinic", area="Northgate"),
    # Category filter
    Case("drop-in", "Eastbrook Veterans Hub", category="veterans"),
    Case("helpline", "Kids Helpline", category="youth"),
)

# Realistic queries the search does not yet answer well (strict xfails: they start failing loudly once fixed).
KNOWN_MISSES: dict[str, str] = {
    "vetrans": "typo step offers both 'veterans' (1 edit) and 'trans' (2 edits); name matches on 'Trans' outrank",
    "lost my dog": "no synonyms: 'dog' is not in the vocabulary, so 'pet bereavement' is never reached",
}


def _param(case: Case) -> object:
    marks = []
    if case.query in KNOWN_MISSES:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[case.query]))
    label = case.query + (f" @{case.area}" if case.area else "") + (f" [{case.category}]" if case.category else "")
    return pytest.param(case, id=label, marks=marks)


async def _load(db: Database) -> None:
    result = await import_directory(db, GUILD, FIXTURE.read_bytes(), filename=FIXTURE.name)
    assert result.added >= 100


async def _top(db: Database, case: Case) -> list[str]:
    result = await find(db, GUILD, case.query, case.category, case.area, limit=TOP)
    return [r.name for r in result.items]


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
async def test_expected_entry_in_top_three(db: Database, case: Case) -> None:
    await _load(db)
    top = await _top(db, case)
    assert case.expected in top, f"{case.query!r}: expected {case.expected!r} in top {TOP}, got {top}"


async def test_category_word_alone_returns_that_category(db: Database) -> None:
    await _load(db)
    # Not "youth": "Pride Youth Group" (LGBTQ+) ranking second for it is a fair answer.
    for query, category in (
        ("legal", "legal"),
        ("veterans", "veterans"),
        ("grief", "grief"),
        ("lgbtq", "LGBTQ+"),
    ):
        result = await find(db, GUILD, query, limit=TOP)
        assert [r.category for r in result.items] == [category] * TOP, query


async def test_hit_rate(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    await _load(db)
    misses: list[tuple[str, list[str]]] = []
    for case in CASES:
        top = await _top(db, case)
        if case.expected not in top:
            misses.append((case.query, top))
    rate = (len(CASES) - len(misses)) / len(CASES)
    with capsys.disabled():
        sys.stdout.write(f"\nsearch quality: {len(CASES) - len(misses)}/{len(CASES)} in top {TOP} ({rate:.0%})\n")
        for miss in misses:
            sys.stdout.write(f"  miss: {miss[0]!r} -> {miss[1]}\n")
    assert len(CASES) >= 30
    assert sorted(query for query, _ in misses) == sorted(KNOWN_MISSES)
