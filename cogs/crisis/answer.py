"""What the bot says: the crisis card and the listener's notices, as plain data (no Discord types).

``views.py`` turns a :class:`CrisisCard` into an embed: ``title``, :meth:`CrisisCard.description` (or the separate
parts, e.g. one field per service) and ``footer``. It adds the "Talk to a peer" button itself.

Wording follows ``safe_messaging.md`` (see the team's draft):

* one warm opening sentence; "I'm a bot" said plainly, with a human next step (a helpline, or a peer via the button);
* the local emergency number on its own line, phrased for immediate danger, never as the only option;
* up to three services in the data's order: name, who it is for, how to reach it (call / text / chat), and hours
  **only when the data states them** (otherwise "hours not confirmed", never "24/7");
* an international fallback (Find A Helpline, Befrienders Worldwide) and "Numbers last checked: <date>";
* under ~90 words before the numbers, no clinical words, no method details, nothing quoted back from the member.

Phone numbers are **bold plain text, not links**. Discord's markdown only links ``http://``, ``https://`` and
``discord://`` URLs (masked links were restricted to those protocols in 2023, discord/discord-api-docs#6088) and link
buttons accept only http(s), so a ``tel:`` link would show as raw text. Phone apps on mobile let people copy a bold
number; the web/chat links are normal masked links. Link text never contains emoji, which breaks masked links in
embeds (discord/discord-api-docs#6315).

Everything fits Discord's embed limits: title ≤ 256, description ≤ 4096, each service line ≤ 1024 (a field value),
footer ≤ 2048. Text taken from the data is markdown-escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cogs.crisis.countries import country_name
from cogs.crisis.lines import Country, CrisisData, PhoneOption, Service

__all__ = [
    "DESCRIPTION_LIMIT",
    "FIELD_VALUE_LIMIT",
    "FOOTER_LIMIT",
    "TITLE_LIMIT",
    "CrisisCard",
    "ListenerAlert",
    "build_concern_card",
    "build_crisis_card",
    "build_listener_alert",
    "listener_notice",
]

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048

PEER_BUTTON_LABEL = "Talk to a peer"
_EXAMPLE_EMERGENCY = "for example **112**, **911** or **999**"
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]])")
_SMS_NUMBER = re.compile(r"(?<![\d:])\+?\d[\d -]*\d(?![\d:])")
_SMS_KEYWORD = re.compile(r"\b(?P<verb>[Tt]ext|SMS) (?P<word>[A-Z]{2,})(?= to\b)")


@dataclass(frozen=True)
class CrisisCard:
    """A crisis answer, ready to be rendered. Lines are Discord markdown."""

    title: str
    intro_lines: tuple[str, ...]  # the words before any number (kept short)
    emergency_line: str  # on its own line, phrased for immediate danger
    service_lines: tuple[str, ...]  # one entry per service, each ≤ 1024 characters (may contain "\n")
    fallback_lines: tuple[str, ...]  # the international fallback
    footer: str  # "Numbers last checked: ..."
    is_unknown_country: bool
    country_code: str | None = None  # the code asked for (None when unknown)
    country_name: str | None = None  # the name we have data for, else ISO's name, else None

    def description(self) -> str:
        """Everything but the title and footer, as one embed description (≤ 4096 characters)."""
        blocks = ["\n".join(self.intro_lines), self.emergency_line, *self.service_lines, "\n".join(self.fallback_lines)]
        return "\n\n".join(b for b in blocks if b)


@dataclass(frozen=True)
class ListenerAlert:
    """The gentle alert for the people who respond (the on-duty listener or moderators, in the staff alert channel or
    by DM). It never contains what the member wrote."""

    title: str
    lines: tuple[str, ...]

    def description(self) -> str:
        return "\n\n".join(self.lines)


def escape_markdown(text: str) -> str:
    """Escape Discord markdown characters in text that comes from data or from a display name."""
    return _MARKDOWN.sub(r"\\\1", text)


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _footer(data: CrisisData) -> str:
    # Month names spelled out here rather than with strftime("%B"), which follows the process locale.
    day = data.compiled
    when = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    if data.is_draft:
        # Honest about a list not yet confirmed with each provider (crisis_lines_SOURCES.md).
        return f"Numbers last checked: {when} (from public sources; services can change)"
    return f"Numbers last checked: {when}"


def _join_or(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def _phone_text(option: PhoneOption) -> str:
    text = f"**{escape_markdown(option.number or '')}**"
    if option.label:
        text = f"{escape_markdown(option.label)} {text}"
    if option.note:
        text += f" ({escape_markdown(option.note)})"
    if option.then:
        text += f", then {escape_markdown(option.then)}"
    return text


def _sms_text(sms: str) -> str:
    """``"Text HOME to 741741"`` -> ``"Text **HOME** to **741741**"``; times like 08:00 are left alone."""
    escaped = escape_markdown(sms)
    escaped = _SMS_KEYWORD.sub(lambda m: f"{m['verb']} **{m['word']}**", escaped)
    return _SMS_NUMBER.sub(lambda m: f"**{m.group(0)}**", escaped)


def _link_name(service: Service) -> str:
    # "Find A Helpline (ThroughLine)" -> "Find A Helpline"; brackets would break the masked link.
    name = re.sub(r"\s*\([^()]*\)\s*$", "", service.name) or service.name
    return name.replace("[", "").replace("]", "")


def _audience(service: Service) -> str | None:
    audience = service.audience
    if not audience or audience.casefold().startswith("general"):
        return None
    return audience


def service_line(service: Service) -> str:
    """One service as markdown: name and audience, then how to reach it, then hours (only when known)."""
    if service.is_directory and service.web:
        line = f"\N{GLOBE WITH MERIDIANS} [{_link_name(service)}]({service.web})"
        if service.audience and not service.audience.casefold().startswith("general"):
            line += f": {escape_markdown(service.audience)}"
        return line[:FIELD_VALUE_LIMIT]

    head = f"**{escape_markdown(service.name)}**"
    audience = _audience(service)
    if audience:
        head += f" \N{EM DASH} for {escape_markdown(audience)}"
    ways: list[str] = []
    if service.dialable:
        ways.append("\N{TELEPHONE RECEIVER} Call " + _join_or([_phone_text(p) for p in service.dialable]))
    if service.sms:
        ways.append("\N{SPEECH BALLOON} " + _sms_text(service.sms))
    if service.chat_url:
        ways.append(f"\N{PERSONAL COMPUTER} [Chat online]({service.chat_url})")
    elif not ways and service.web:
        ways.append(f"\N{GLOBE WITH MERIDIANS} [Website]({service.web})")
    hours = service.hours_display
    ways.append(
        f"\N{MANTELPIECE CLOCK} {escape_markdown(hours)}" if hours else "\N{MANTELPIECE CLOCK} Hours not confirmed"
    )
    line = head + "\n" + " \N{MIDDLE DOT} ".join(ways)
    if not service.verification.confirmed:
        line += "\n_Details not fully confirmed yet._"
    if len(line) > FIELD_VALUE_LIMIT:  # pragma: no cover - lines.py caps field lengths well below this
        line = line[: FIELD_VALUE_LIMIT - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return line


def _fallback_lines(data: CrisisData) -> tuple[str, ...]:
    links = [f"[{_link_name(s)}]({s.web})" for s in data.international.shown_services[:2] if s.web]
    if not links:  # pragma: no cover - the INTL entry is validated to have shown services
        return ()
    return (f"\N{GLOBE WITH MERIDIANS} In another country, or want more options? {_join_or(links)}.",)


def _opening(noticed: bool) -> tuple[str, ...]:
    if noticed:
        return (
            "I wanted to check in, because your message sounded like things might be really hard right now.",
            "If I got that wrong, I'm sorry, and you can ignore this.",
        )
    return ("I'm really glad you reached out. You don't have to deal with this on your own.",)


def _peer_line(peer_button: bool, *, for_someone_else: bool = False) -> tuple[str, ...]:
    if not peer_button:
        return ()
    what = "talk it through" if for_someone_else else "talk"
    return (f"If you'd like to {what} with someone here, press **{PEER_BUTTON_LABEL}**.",)


def _resolve(data: CrisisData, country_code: str | None) -> tuple[Country | None, str | None, str | None]:
    """(our entry or None, the upper-cased code asked for, a name for it if we know one)."""
    code = country_code.strip().upper() if country_code and country_code.strip() else None
    country = data.for_country(code)
    if country is not None:
        return country, code, country.name
    try:
        name = country_name(code) if code else None
    except KeyError:
        name = None
    return None, code, name


def build_crisis_card(
    data: CrisisData, country_code: str | None, *, noticed: bool = False, peer_button: bool = True
) -> CrisisCard:
    """The answer to ``/crisis`` (``noticed=False``) or to a listener match (``noticed=True``) for a member.

    ``country_code`` is the member's saved country, else the server default, else ``None``. A code we have no data for
    (or ``None``) gives the international answer with ``is_unknown_country=True``. ``peer_button`` says whether the
    view shows a "Talk to a peer" button (the text points to it).
    """
    country, code, name = _resolve(data, country_code)
    bot_line = "I'm a bot, so I can't talk it through the way a person can, but the people below can."
    if country is not None and country.emergency_number:
        return CrisisCard(
            title="You don't have to go through this alone",
            intro_lines=(*_opening(noticed), bot_line, *_peer_line(peer_button)),
            emergency_line=(
                "\N{POLICE CARS REVOLVING LIGHT} If you're in danger or feel you might act on these thoughts, "
                f"call **{country.emergency_number}** now."
            ),
            service_lines=tuple(service_line(s) for s in country.shown_services),
            fallback_lines=_fallback_lines(data),
            footer=_footer(data),
            is_unknown_country=False,
            country_code=code,
            country_name=name,
        )
    if code and name:
        where = f"I don't have a checked list of helplines for {escape_markdown(name)} yet."
    else:
        where = "If you tell me which country you're in, I can show helplines there."
    return CrisisCard(
        title="You don't have to go through this alone",
        intro_lines=(
            *_opening(noticed),
            "I'm a bot, so I can't talk it through the way a person can, but these directories can point you to a "
            "helpline run by people.",
            where,
            *_peer_line(peer_button),
        ),
        emergency_line=(
            "\N{POLICE CARS REVOLVING LIGHT} If you're in danger or feel you might act on these thoughts, "
            f"call your local emergency number now ({_EXAMPLE_EMERGENCY})."
        ),
        service_lines=tuple(service_line(s) for s in data.international.shown_services),
        fallback_lines=(),
        footer=_footer(data),
        is_unknown_country=True,
        country_code=code,
        country_name=name,
    )


def build_concern_card(data: CrisisData, country_code: str | None, *, peer_button: bool = True) -> CrisisCard:
    """The "worried about someone" answer, for a ``concern_for_other`` match (safe_messaging example D)."""
    country, code, name = _resolve(data, country_code)
    intro = (
        "It's kind of you to look out for them. You don't have to handle this alone.",
        "It's okay to ask them directly and kindly if they're thinking about suicide. Asking doesn't put the idea "
        "in their head.",
        "Please don't promise to keep it secret, and look after yourself too.",
        "I'm a bot, so I can't talk it through with you, but you can contact a helpline below yourself for support.",
        *_peer_line(peer_button, for_someone_else=True),
    )
    if country is not None and country.emergency_number:
        return CrisisCard(
            title="Worried about someone?",
            intro_lines=intro,
            emergency_line=(
                "\N{POLICE CARS REVOLVING LIGHT} If they might be in immediate danger, call "
                f"**{country.emergency_number}** now, or help them call."
            ),
            service_lines=tuple(service_line(s) for s in country.shown_services),
            fallback_lines=_fallback_lines(data),
            footer=_footer(data),
            is_unknown_country=False,
            country_code=code,
            country_name=name,
        )
    return CrisisCard(
        title="Worried about someone?",
        intro_lines=intro,
        emergency_line=(
            "\N{POLICE CARS REVOLVING LIGHT} If they might be in immediate danger, call the local emergency number "
            f"now ({_EXAMPLE_EMERGENCY}), or help them call."
        ),
        service_lines=tuple(service_line(s) for s in data.international.shown_services),
        fallback_lines=(),
        footer=_footer(data),
        is_unknown_country=True,
        country_code=code,
        country_name=name,
    )


def build_listener_alert(
    *, member: str, channel: str | None = None, jump_url: str | None = None, about_someone_else: bool = False
) -> ListenerAlert:
    """The alert for the listener or staff after a listener match (safe_messaging §8): gentle, and never quoting the
    member.

    ``member`` and ``channel`` are Discord mentions (``<@id>``, ``<#id>``) or names; names are escaped by the caller
    or passed through :func:`escape_markdown`. ``jump_url`` links to the message so the listener can see the context
    themselves; the alert does not repeat it.
    """
    where = f" in {channel}" if channel else ""
    if about_someone_else:
        first = f"{member} may be worried about someone else{where}, and could use some support with that."
    else:
        first = f"{member} may be going through a really hard time{where}."
    lines = [
        first,
        "If you can, check in gently and **privately** (a DM or a private thread, not the channel). Listen without "
        "judging; it's okay to ask directly and kindly if they're thinking about suicide.",
        "Don't promise to keep it secret, and don't try to counsel them yourself: help them reach a helpline. "
        "`/crisis` shows the lines for their country.",
        "If they may be in immediate danger, encourage them to call their local emergency number, or get someone "
        "near them to call.",
        "This alert comes from a phrase match, so it may be a false alarm. Look after yourself too, and hand over to "
        "a moderator whenever you need to.",
    ]
    if jump_url:
        lines.insert(1, f"[Go to the message]({jump_url})")
    return ListenerAlert(title="A member may need support", lines=tuple(lines))


def listener_notice() -> str:
    """The public notice posted (and pinned) where an admin switched the listener on: what it does, plainly."""
    return (
        "**A crisis listener is on in this channel.** If a message here sounds like someone may be in crisis, "
        "peerbot replies to them privately with crisis lines and a way to reach a peer, and lets the support team "
        "know. It never deletes messages or punishes anyone.\n"
        "Anyone can type `/crisis` at any time to see crisis lines privately."
    )
