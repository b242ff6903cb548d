"""The rules a share must pass, as pure functions: rate limit, posting delay, eligibility, input limits.

Nothing here reads the clock or the database; callers pass ``now`` and the recent submission times, and
the posting delay takes an injectable random generator (``secrets.SystemRandom`` by default) so tests
can pin it.

- **Rate limit**: at most ``per_hour`` submissions per author token per server in any rolling hour
  (``RATE_WINDOW``). A submission at ``t`` counts while ``now - t < RATE_WINDOW``; when the limit is
  reached, ``next_allowed_at`` is the instant the oldest counting submission drops out of the window.
  Every submission counts, including ones later rejected or deleted.
- **Timing protection**: a share is not posted the moment it is sent but after a delay drawn uniformly
  from ``[delay_min_s, delay_max_s]`` seconds (default 30 to 120 s; a maximum of 0 switches it off), so the
  post time cannot be matched to when a member was last active. The delay is drawn with a CSPRNG so it
  cannot be predicted from earlier draws.
- **Eligibility**: a server may require a minimum account age and a minimum time in the server.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

RATE_WINDOW = timedelta(hours=1)
DEFAULT_PER_HOUR = 3
MAX_PER_HOUR = 60
DEFAULT_DELAY_MIN_S = 30
DEFAULT_DELAY_MAX_S = 120
MAX_DELAY_S = 3600
MAX_AGE_DAYS = 3650

TITLE_MAX = 100
BODY_MAX = 4000  # a Discord modal text field's maximum; fits an embed description (4096)
CW_MAX = 100
REASON_MAX = 500
REPLY_MAX = 2000  # one Discord message

_SYSTEM_RANDOM = secrets.SystemRandom()


def _aware(when: datetime, name: str) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


# --- rate limit -------------------------------------------------------------------------------------------


def window_start(now: datetime) -> datetime:
    """Submissions strictly after this instant count towards the limit at ``now``."""
    _aware(now, "now")
    return now - RATE_WINDOW


def next_allowed_at(recent: Iterable[datetime], now: datetime, per_hour: int) -> datetime | None:
    """None if the author may share now; otherwise the instant they may share again.

    ``recent`` are the author's submission times (any order; ones outside the window are ignored).
    """
    if per_hour < 1:
        raise ValueError("per_hour must be at least 1")
    start = window_start(now)
    counting = sorted(t for t in recent if t > start)
    if len(counting) < per_hour:
        return None
    # Enough of the oldest must leave the window that per_hour - 1 remain.
    return counting[len(counting) - per_hour] + RATE_WINDOW


def remaining(recent: Iterable[datetime], now: datetime, per_hour: int) -> int:
    """How many more shares the author may send in the current window."""
    start = window_start(now)
    return max(0, per_hour - sum(1 for t in recent if t > start))


# --- timing protection ------------------------------------------------------------------------------------


def validate_delay(delay_min_s: int, delay_max_s: int) -> None:
    if not 0 <= delay_min_s <= delay_max_s <= MAX_DELAY_S:
        raise ValueError(f"the posting delay must satisfy 0 <= minimum <= maximum <= {MAX_DELAY_S} seconds")


def posting_delay(delay_min_s: int, delay_max_s: int, rng: random.Random | None = None) -> timedelta:
    """A delay drawn uniformly from the window; zero when the window's maximum is 0 (switched off)."""
    validate_delay(delay_min_s, delay_max_s)
    if delay_max_s == 0:
        return timedelta(0)
    seconds = (rng or _SYSTEM_RANDOM).uniform(delay_min_s, delay_max_s)
    return timedelta(seconds=min(max(seconds, delay_min_s), delay_max_s))


def post_time(now: datetime, delay_min_s: int, delay_max_s: int, rng: random.Random | None = None) -> datetime:
    """When a share sent (or approved) at ``now`` should be posted."""
    _aware(now, "now")
    return now + posting_delay(delay_min_s, delay_max_s, rng)


# --- eligibility ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """Whether a member may share now; if not, why and from when."""

    allowed: bool
    reason: str | None = None  # "account_age" | "member_age"
    allowed_from: datetime | None = None


def eligibility(
    now: datetime,
    account_created_at: datetime,
    joined_at: datetime | None,
    min_account_age_days: int,
    min_member_age_days: int,
) -> Eligibility:
    """Check the server's minimum account age and time in the server.

    An unknown join time (Discord sometimes omits it) counts as "joined just now": the safe side.
    """
    _aware(now, "now")
    account_ok = account_created_at + timedelta(days=min_account_age_days)
    if account_ok > now:
        return Eligibility(False, "account_age", account_ok)
    joined = now if joined_at is None else joined_at
    member_ok = joined + timedelta(days=min_member_age_days)
    if min_member_age_days > 0 and member_ok > now:
        return Eligibility(False, "member_age", member_ok)
    return Eligibility(True)


# --- settings and input -----------------------------------------------------------------------------------


def validate_settings(per_hour: int, delay_min_s: int, delay_max_s: int, min_account: int, min_member: int) -> None:
    """Raise ValueError with a message an admin can act on."""
    if not 1 <= per_hour <= MAX_PER_HOUR:
        raise ValueError(f"shares per hour must be between 1 and {MAX_PER_HOUR}")
    validate_delay(delay_min_s, delay_max_s)
    for value in (min_account, min_member):
        if not 0 <= value <= MAX_AGE_DAYS:
            raise ValueError(f"minimum ages must be between 0 and {MAX_AGE_DAYS} days")


def clean_text(text: str | None) -> str | None:
    """Trim surrounding white space; an empty field becomes None."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def submission_problem(title: str | None, body: str | None, content_warning: str | None) -> str | None:
    """Why this submission can't be accepted (a message for the member), or None if it can."""
    body = clean_text(body)
    if body is None:
        return "Your share is empty. Write what you'd like to share, then send it again."
    if len(body) > BODY_MAX:
        return f"Your share is longer than {BODY_MAX} characters; please shorten it."
    if (title := clean_text(title)) is not None and len(title) > TITLE_MAX:
        return f"The title is longer than {TITLE_MAX} characters."
    if (cw := clean_text(content_warning)) is not None and len(cw) > CW_MAX:
        return f"The content warning is longer than {CW_MAX} characters."
    return None


def post_nonce(share_id: int) -> str:
    """A Discord message nonce for posting this share (discord.py 2.7 sends it with ``enforce_nonce``).

    Discord then answers a repeated send within a few minutes with the first message instead of a
    duplicate: a second guard, next to ``mark_posted``, against a crash between the send and the record.
    """
    return f"share-{share_id}"[:25]
