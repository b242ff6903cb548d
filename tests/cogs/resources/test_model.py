"""Validation and cleaning of directory entries (no database)."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.resources.model import (
    DEFAULT_CATEGORIES,
    Entry,
    InvalidEntryError,
    Problem,
    as_text,
    check,
    clean_text,
    search_terms,
    split_list,
    validate,
    validate_category_name,
    validate_suggestion,
)

from .helpers import TODAY

CATEGORIES = list(DEFAULT_CATEGORIES)


def problems_of(**raw: str) -> dict[str, str]:
    raw.setdefault("name", "Samaritans")
    raw.setdefault("category", "crisis")
    entry, problems = check(raw, CATEGORIES, today=TODAY)
    assert (entry is None) == bool(problems)
    return {p.field: p.describe() for p in problems}


def test_full_entry_is_cleaned_and_typed() -> None:
    entry = validate(
        {
            "name": "  Samaritans\u200b ",
            "category": "CRISIS",
            "description": "Listening,\r\n\r\n\r\n\r\nany time.\x07",
            "tags": "listening; phone, Listening, ",
            "phone": "+44 116 123",
            "website": "www.samaritans.org/how-we-can-help",
            "email": "jo@samaritans.org",
            "area": "UK\tand Ireland",
            "hours": "24/7",
            "languages": "English, Welsh",
            "eligibility": "Anyone",
            "cost": "Free",
            "last_verified": "2025-05-31",
            "unknown": "ignored",
        },
        CATEGORIES,
        today=TODAY,
    )
    assert entry == Entry(
        name="Samaritans",
        category="crisis",
        description="Listening,\n\nany time.",
        tags=("listening", "phone"),
        phone="+44 116 123",
        website="https://www.samaritans.org/how-we-can-help",
        email="jo@samaritans.org",
        area="UK and Ireland",
        hours="24/7",
        languages=("English", "Welsh"),
        eligibility="Anyone",
        cost="Free",
        last_verified=date(2025, 5, 31),
    )


def test_minimal_entry() -> None:
    entry = validate({"name": "Food bank", "category": "Food"}, CATEGORIES, today=TODAY)
    assert entry == Entry(name="Food bank", category="food")
    assert as_text(entry)["last_verified"] == ""


def test_error_names_row_and_field_kindly() -> None:
    _, problems = check({"name": "X", "category": "food", "website": "htp:/x"}, CATEGORIES, today=TODAY, row=4)
    assert problems == (
        Problem("website", "'htp:/x' isn't a web address. Use https://... (for example https://example.org).", 4),
    )
    assert problems[0].describe() == (
        "Row 4, website: 'htp:/x' isn't a web address. Use https://... (for example https://example.org)."
    )
    assert problems[0].describe("url").startswith("Row 4, url: ")


def test_every_problem_is_reported_in_field_order() -> None:
    found = problems_of(name="", category="pets", phone="call me", email="nope", last_verified="2099-01-01")
    assert list(found) == ["name", "category", "phone", "email", "last_verified"]
    assert found["name"] == "name: A name is needed."
    assert found["category"].startswith("category: 'pets' isn't one of this server's categories (crisis, ")
    assert "phone number" in found["phone"]
    assert found["email"] == "email: 'nope' doesn't look like an email address. Use the form name@example.org."
    assert found["last_verified"].startswith("last verified: 2099-01-01 is in the future.")


def test_missing_category_asks_for_one() -> None:
    assert problems_of(category="  ") == {"category": "category: Please choose a category."}


@pytest.mark.parametrize("phone", ["+44 116 123", "988", "(555) 010-9999", "1-800-273-8255 #2", "020.7946.0000"])
def test_dialable_phones(phone: str) -> None:
    assert problems_of(phone=phone) == {}


@pytest.mark.parametrize("phone", ["call 999", "12", "44+116", "++44 116", "1-800-FLOWERS", "\uff11\uff12\uff13"])
def test_undialable_phones(phone: str) -> None:
    assert "phone" in problems_of(phone=phone)


@pytest.mark.parametrize(
    ("website", "stored"),
    [
        ("https://example.org", "https://example.org"),
        ("http://example.org/a?b=c#d", "http://example.org/a?b=c#d"),
        ("example.org", "https://example.org"),
        ("sub.example.co.uk/path", "https://sub.example.co.uk/path"),
        ("https://münchen.de", "https://münchen.de"),
        ("https://example.xn--p1ai:8443/", "https://example.xn--p1ai:8443/"),
    ],
)
def test_web_addresses(website: str, stored: str) -> None:
    assert validate({"name": "A", "category": "food", "website": website}, CATEGORIES, today=TODAY).website == stored


@pytest.mark.parametrize(
    "website",
    [
        "htp:/x",
        "javascript:alert(1)",
        "ftp://example.org",
        "https://bank.example@evil.example",
        "https://localhost",
        "https://exa mple.org",
        "https://example.org:99999",
        "https://",
        "samaritans",
        "info@example.org",
    ],
)
def test_not_web_addresses(website: str) -> None:
    assert "isn't a web address" in problems_of(website=website)["website"]


def test_lists_split_on_commas_and_semicolons_without_duplicates() -> None:
    assert split_list(" English;Welsh, english ,, Polski ") == ("English", "Welsh", "Polski")


def test_limits_apply_to_the_stored_form() -> None:
    assert "limit is 500" in problems_of(website="example.org/" + "x" * 485)["website"]
    twenty_tags = ",".join(f"t{i:018}" for i in range(20))  # 399 characters, 418 once stored as "a, b"
    assert len(twenty_tags) == 399
    assert problems_of(tags=twenty_tags)["tags"] == "tags: is 418 characters long; the limit is 400. Please shorten it."


def test_list_limits() -> None:
    assert "limit is 20" in problems_of(tags=", ".join(f"t{i}" for i in range(21)))["tags"]
    assert "longer than 40" in problems_of(languages="x" * 41)["languages"]


def test_dates() -> None:
    assert problems_of(last_verified="2025-06-01") == {}
    assert validate(
        {"name": "A", "category": "food", "last_verified": "2025-01-02T10:00:00+00:00"}, CATEGORIES, today=TODAY
    ).last_verified == date(2025, 1, 2)
    assert "isn't a date. Use the form YYYY-MM-DD" in problems_of(last_verified="31/12/2024")["last_verified"]


def test_length_limits_are_kept() -> None:
    assert validate({"name": "n" * 100, "category": "food", "description": "d" * 1000}, CATEGORIES, today=TODAY)
    found = problems_of(name="n" * 101, description="d" * 1001, website="https://example.org/" + "x" * 500)
    assert found["name"] == "name: is 101 characters long; the limit is 100. Please shorten it."
    assert found["description"] == "description: is 1,001 characters long; the limit is 1,000. Please shorten it."
    assert "limit is 500" in found["website"]


def test_invalid_entry_error_lists_every_problem() -> None:
    with pytest.raises(InvalidEntryError) as caught:
        validate({"name": "", "category": "nope"}, CATEGORIES, today=TODAY)
    assert [p.field for p in caught.value.problems] == ["name", "category"]
    assert caught.value.message.splitlines()[0] == "name: A name is needed."


def test_invisible_characters_are_removed() -> None:
    assert clean_text("a\u200bb\u200dc\u202ed\ufeffe\x00f\x1b") == "abcdef"
    assert clean_text("one\ntwo\u2028three") == "one two three"
    assert clean_text(" one \r\n\r\n\r\n two \n", multiline=True) == "one\n\ntwo"


_INVISIBLE = {"Cc", "Cf", "Cs"}


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text(), multiline=st.booleans())
def test_clean_text_leaves_no_invisible_characters_and_is_stable(text: str, multiline: bool) -> None:
    cleaned = clean_text(text, multiline=multiline)
    assert all(unicodedata.category(ch) not in _INVISIBLE or (multiline and ch == "\n") for ch in cleaned)
    assert cleaned == cleaned.strip()
    assert clean_text(cleaned, multiline=multiline) == cleaned


_FREE_TEXT_FIELDS = ["name", "description", "tags", "phone", "website", "email", "area", "hours", "languages"]


@settings(max_examples=300, deadline=None, database=None)
@given(
    raw=st.dictionaries(st.sampled_from(_FREE_TEXT_FIELDS), st.text(max_size=120)),
    category=st.sampled_from([*CATEGORIES, "CRISIS", "not a category", ""]),
    verified=st.none() | st.dates().map(date.isoformat),
)
def test_validation_never_raises_and_its_output_validates_unchanged(
    raw: dict[str, str], category: str, verified: str | None
) -> None:
    entry, problems = check({**raw, "category": category, "last_verified": verified or ""}, CATEGORIES, today=TODAY)
    assert (entry is None) == bool(problems)
    assert all(p.describe() for p in problems)
    if entry is not None:
        assert check(as_text(entry), CATEGORIES, today=TODAY) == (entry, ())


def test_category_names() -> None:
    assert validate_category_name("  Pets\u200b ") == "Pets"
    with pytest.raises(InvalidEntryError, match="A category needs a name"):
        validate_category_name("\u200b")
    with pytest.raises(InvalidEntryError, match="limit is 50"):
        validate_category_name("c" * 51)


def test_suggestions_are_free_text_but_need_a_name() -> None:
    draft = validate_suggestion({"name": " Night bus\x00 ", "contact": "ring 0800 or see nightbus.example"})
    assert (draft.name, draft.contact) == ("Night bus", "ring 0800 or see nightbus.example")
    with pytest.raises(InvalidEntryError, match="A name is needed"):
        validate_suggestion({"description": "something"})


def test_needs_review() -> None:
    assert Entry(name="a", category="food").needs_review(TODAY)
    assert Entry(name="a", category="food", last_verified=date(2024, 12, 3)).needs_review(TODAY)
    assert not Entry(name="a", category="food", last_verified=date(2024, 12, 4)).needs_review(TODAY)


def test_search_terms_are_folded_words_of_name_tags_and_category() -> None:
    entry = Entry(name="Café Ünion 24", category="housing/shelter", tags=("Night-bus", "ok"))
    assert search_terms(entry) == ["cafe", "union", "housing", "shelter", "night", "bus"]
