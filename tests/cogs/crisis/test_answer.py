"""The crisis card's wording follows safe_messaging.md and fits Discord's embed limits, for every country."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from cogs.crisis.answer import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    CrisisCard,
    build_concern_card,
    build_crisis_card,
    build_listener_alert,
    escape_markdown,
    listener_notice,
    service_line,
)
from cogs.crisis.lines import DEFAULT_DATA_PATH, CrisisData, default_crisis_data, parse_crisis_data

BANNED = (
    "calm down",
    "committed suicide",
    "commit suicide",
    "successful attempt",
    "failed attempt",
    "unsuccessful",
    "not that bad",
    "others have it worse",
    "could be worse",
    "selfish",
    "attention",
    "cheer up",
    "diagnos",
    "disorder",
    "symptom",
    "patient",
    "tel:",
)
LINK = re.compile(r"\]\(([^)]*)\)")


@pytest.fixture(scope="module")
def data() -> CrisisData:
    return default_crisis_data()


def _all_cards(data: CrisisData) -> list[CrisisCard]:
    cards: list[CrisisCard] = []
    for code in [*data.codes, None, "CH", "XK", "INTL", "gb"]:
        cards.append(build_crisis_card(data, code))
        cards.append(build_crisis_card(data, code, noticed=True))
        cards.append(build_crisis_card(data, code, peer_button=False))
        cards.append(build_concern_card(data, code))
    return cards


def _words_before_numbers(card: CrisisCard) -> int:
    text = " ".join((card.title, *card.intro_lines)).replace("*", "")
    return len(text.split())


def test_every_card_fits_discord_limits(data: CrisisData) -> None:
    for card in _all_cards(data):
        assert len(card.title) <= TITLE_LIMIT
        assert len(card.description()) <= DESCRIPTION_LIMIT
        assert len(card.footer) <= FOOTER_LIMIT
        for line in (*card.service_lines, card.emergency_line, *card.intro_lines, *card.fallback_lines):
            assert len(line) <= FIELD_VALUE_LIMIT
        assert len(card.title) + len(card.description()) + len(card.footer) <= 6000  # Discord's total per embed


def test_short_before_the_numbers(data: CrisisData) -> None:
    for card in _all_cards(data):
        assert _words_before_numbers(card) <= 90, card.intro_lines


def test_no_banned_or_clinical_phrases(data: CrisisData) -> None:
    texts = [f"{c.title}\n{c.description()}\n{c.footer}" for c in _all_cards(data)]
    alert = build_listener_alert(member="<@1>", channel="<#2>", jump_url="https://discord.com/channels/1/2/3")
    texts += [alert.title + alert.description(), listener_notice()]
    for text in texts:
        lowered = text.casefold()
        for phrase in BANNED:
            assert phrase not in lowered, (phrase, text)


def test_emergency_number_on_its_own_line_phrased_for_danger(data: CrisisData) -> None:
    for code in data.codes:
        country = data.countries[code]
        card = build_crisis_card(data, code)
        assert not card.is_unknown_country and card.country_code == code
        assert f"**{country.emergency_number}**" in card.emergency_line
        assert "danger" in card.emergency_line
        assert f"\n\n{card.emergency_line}\n\n" in card.description()
        description = card.description()
        assert description.index(card.emergency_line) < description.index(card.service_lines[0])


def test_honest_about_being_a_bot_with_a_human_next_step(data: CrisisData) -> None:
    for card in _all_cards(data):
        intro = " ".join(card.intro_lines)
        assert "I'm a bot" in intro
        assert "helpline" in intro or "people below" in intro
    with_button = build_crisis_card(data, "GB")
    assert "**Talk to a peer**" in " ".join(with_button.intro_lines)
    without = build_crisis_card(data, "GB", peer_button=False)
    assert "Talk to a peer" not in without.description()


def test_one_warm_opening_then_the_noticed_variant_is_gentle(data: CrisisData) -> None:
    asked = build_crisis_card(data, "US")
    assert asked.intro_lines[0].startswith("I'm really glad you reached out.")
    noticed = build_crisis_card(data, "US", noticed=True)
    assert noticed.intro_lines[0].startswith("I wanted to check in")
    assert "ignore this" in noticed.intro_lines[1]


def test_up_to_three_services_with_bold_numbers_and_only_http_links(data: CrisisData) -> None:
    for code in data.codes:
        card = build_crisis_card(data, code)
        assert 1 <= len(card.service_lines) <= 3
        for service, line in zip(data.countries[code].shown_services, card.service_lines, strict=True):
            for option in service.dialable:
                assert f"**{escape_markdown(option.number or '')}**" in line
        for url in LINK.findall(card.description()):
            assert url.startswith(("https://", "http://")), url


def test_hours_never_invented(data: CrisisData) -> None:
    for code in data.codes:
        for service in data.countries[code].shown_services:
            line = service_line(service)
            if service.hours_display is None:
                assert "Hours not confirmed" in line
                assert "24/7" not in line.split("\n")[1].replace(service.phone or "", "")
            else:
                assert service.hours_display.replace("*", "") in line.replace("\\", "")
    sweden = build_crisis_card(data, "SE")
    assert "Hours not confirmed" in sweden.service_lines[0]
    assert "24/7" not in sweden.description()


def test_sms_keyword_and_short_code_are_bold(data: CrisisData) -> None:
    us = build_crisis_card(data, "US").description()
    assert "Text **HOME** to **741741**" in us
    za = build_crisis_card(data, "ZA").description()
    assert "(08:00\N{EN DASH}17:00)" in za and "**087 163 2030**" in za


def test_weak_or_conflicting_services_are_flagged(data: CrisisData) -> None:
    denmark = build_crisis_card(data, "DK")
    assert "not fully confirmed" in denmark.service_lines[0]
    us = build_crisis_card(data, "US")
    assert "not fully confirmed" not in us.description()


def test_footer_and_fallback(data: CrisisData) -> None:
    card = build_crisis_card(data, "GB")
    # The shipped list is a draft, so the footer says where the numbers come from.
    assert card.footer == "Numbers last checked: 24 November 2026 (from public sources; services can change)"
    fallback = " ".join(card.fallback_lines)
    assert "(https://findahelpline.com)" in fallback and "(https://www.befrienders.org)" in fallback


@pytest.mark.parametrize("code", [None, "", "CH", "xk", "INTL"])
def test_unknown_country_gets_the_international_answer(data: CrisisData, code: str | None) -> None:
    card = build_crisis_card(data, code)
    assert card.is_unknown_country
    assert "local emergency number" in card.emergency_line
    assert "**112**" in card.emergency_line
    assert "https://findahelpline.com" in card.description()
    assert card.fallback_lines == ()
    if code == "CH":
        assert card.country_name == "Switzerland"
        assert "I don't have a checked list of helplines for Switzerland yet." in card.intro_lines
    elif not code:
        assert any("which country you're in" in line for line in card.intro_lines)


def test_concern_card_is_about_them(data: CrisisData) -> None:
    card = build_concern_card(data, "US")
    assert card.title == "Worried about someone?"
    assert "If they might be in immediate danger, call **911** now, or help them call." in card.emergency_line
    assert any("ask them directly" in line for line in card.intro_lines)
    assert any("don't promise to keep it secret" in line.casefold() for line in card.intro_lines)
    unknown = build_concern_card(data, None)
    assert unknown.is_unknown_country and "local emergency number" in unknown.emergency_line


def test_listener_alert_never_quotes_and_stays_gentle() -> None:
    alert = build_listener_alert(member="<@42>", channel="<#7>", jump_url="https://discord.com/channels/1/7/9")
    text = alert.description()
    assert alert.title == "A member may need support"
    assert text.startswith("<@42> may be going through a really hard time in <#7>.")
    assert "[Go to the message](https://discord.com/channels/1/7/9)" in text
    assert "privately" in text and "false alarm" in text
    assert len(text) <= DESCRIPTION_LIMIT
    other = build_listener_alert(member="<@42>", about_someone_else=True)
    assert "worried about someone else" in other.description()
    assert "Go to the message" not in other.description()


def test_public_listener_notice_is_short_and_transparent() -> None:
    notice = listener_notice()
    assert len(notice) < 600
    assert "privately" in notice and "/crisis" in notice and "never deletes" in notice
    assert "<@" not in notice and "@everyone" not in notice


def test_data_text_is_markdown_escaped() -> None:
    doc: dict[str, Any] = json.loads(DEFAULT_DATA_PATH.read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    service = doc["countries"]["GB"]["services"][0]
    service["name"] = "Sam*aritans_ ~~x~~"
    service["audience"] = "anyone `here`"
    data = parse_crisis_data(doc)
    line = build_crisis_card(data, "GB").service_lines[0]
    assert line.startswith(r"**Sam\*aritans\_ \~\~x\~\~**")
    assert r"\`here\`" in line
