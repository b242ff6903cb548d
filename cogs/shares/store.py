"""SQL for anonymous shares: settings, shares and their status machine, replies, support, reports, blocks.

Privacy (DESIGN §4)
-------------------
No table of this feature stores a user id. Authors, repliers, supporters and reporters are stored as author
tokens (see ``anonymity.py``), and the dataclasses returned here never carry a token at all: the store
compares tokens itself (``delete_by_author``, ``is_author``, ``add_reply``, ``add_support``) and moderators
act on a share id (``block_author_of``), so a moderator never sees, and the cog never has to handle, who
wrote something. Moderators' own ids (``decided_by``) are stored: moderators are not anonymous.
The ``repr`` of a dataclass here leaves out member-written text, so an accidental log line can't leak it.
``created_at`` is exact (the rate limit and ordering need it); views should not show it to moderators
(``queue`` gives ``submitted_hour``, rounded down to the hour, for that) or members.

``/privacy delete`` passes a user id, which matches no row here. ``make_user_data_deleter(key)`` returns
the deleter to register in ``bot.user_data_deleters``: for every guild id that has shares data it
recomputes the member's token and calls the same wipe as ``delete_author_data(db, guild_id, token)``.
Blocks (``share_blocks``) are kept on purpose: a blocked member can't lift a moderator's block by asking
for their data to be deleted; the block holds only a token, a moderator's reason and a time.

Status machine of a share
-------------------------
::

    create_share ──(require_approval)──> queued ──approve──> approved ──mark_posted──> posted
         │                                 ^  (post job at post_after)
         │ (post job at post_after)        │
         v                                 │
      pending ──queue_for_moderation───────┘
         │
         └──────────────────mark_posted──────────────────────────────────> posted

    reject (moderator):         pending | queued | approved | posted ──> rejected
    delete_by_author (author):  any status except deleted             ──> deleted

- A submission is written, with its post job when no approval is needed, in **one transaction** before
  any Discord call: ``pending`` means "accepted, waiting for its (randomly delayed) post time"; ``queued``
  means "waiting for a moderator" (a share in a server that requires approval is stored as ``queued``
  directly, in that same transaction — it is never visible to members before a moderator decides).
- ``mark_posted`` moves ``pending``/``approved`` to ``posted`` exactly once (only while ``message_id``
  is unset) and returns False otherwise, so a retried job never records or posts twice.
- ``rejected`` wipes the text (title, body, both warnings) but keeps the token, so a moderator can still
  block the author of a rejected share; ``reject_reason`` and ``decided_by`` are kept. Its replies are
  wiped, its support rows deleted and its open reports closed.
- Closing a report (``resolve_report``, or the share being rejected) wipes its reason and reporter token.
- ``deleted`` keeps only id, guild, status, timestamps and the Discord ids (needed to remove the
  message); title, body, warnings, pseudonym, token and reason are wiped, and the share's replies are
  wiped and its support and report rows deleted.

Durable jobs (``bot.store.jobs``; the cog registers a handler per kind)
-----------------------------------------------------------------------
- ``POST_JOB`` ``"shares:post"``, ref = ``share.post_job_ref``: the share id, or ``"<id>:<n>"`` when a
  share needs a new job after its first one finished (held for moderation then approved, or
  ``reschedule_post`` after a missed/failed job), because ``put_job`` leaves a finished key alone.
  The handler: ``share_id_from_job_ref(job.ref)``; ``get_share``; do nothing unless ``share.is_postable``
  and ``job.ref == share.post_job_ref``; send with ``policy.post_nonce(share.id)``;
  then ``mark_posted``. If ``mark_posted`` is False because the share was deleted or rejected meanwhile,
  delete the message just sent.
- ``REMOVE_JOB`` ``"shares:remove"``, ref = share id: written with a delete or rejection of a share that
  has (or may be getting) a Discord message; the handler deletes ``message_id``/``thread_id`` if set.
- ``REPLY_JOB`` ``"shares:reply"``, ref = reply id: post the reply (delayed like shares) then
  ``mark_reply_posted``. ``REMOVE_REPLY_JOB`` ``"shares:remove-reply"``: delete a wiped reply's message.
- The cog adds kinds of its own for moderators' cards, care alerts, report cards and the daily retention
  sweep (``purge_expired``: unposted shares and rejected ones older than the retention window are wiped as
  ``delete_by_author`` does). ``set_queue_message``, ``set_alert_message`` and ``set_report_message``
  record what those jobs sent, once, so a retried job sends nothing twice.

A share with crisis language (``needs_care``) is stored ``queued`` whatever the server's queue setting.
After a store call that wrote a job commits, the cog arms it with ``scheduler.schedule`` and the same
kind, ref, time and guild (``put_job`` is idempotent for a pending job). Functions that write several
statements open their own transaction (``db.transaction()`` is not re-entrant): don't call them inside one.

What a moderator or an author waits on is kept to a few round trips to aiosqlite's thread (each costs far
more than its SQL): ``approve`` (4: BEGIN, ``UPDATE ... RETURNING``, the post job, COMMIT), ``decline``
(the moderators' reject and remove: 4 to 8) and ``withdraw`` (the author's delete: 3 to 7) write in one
transaction and return what the cog needs to answer, so it reads nothing before or after. Jobs are written
with ``INSERT ... RETURNING`` (``core.put_job``: one trip).
Every function that records a time takes ``now``; the cog passes ``bot.clock.now()`` (default: real UTC).

Instants are stored as UTC ISO-8601 text with microseconds, so they compare correctly as text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal, cast

from bot import store as core
from bot.db import Database
from bot.store import Job
from cogs.shares import anonymity, policy
from cogs.shares.anonymity import PseudonymMode

POST_JOB = "shares:post"
REMOVE_JOB = "shares:remove"
REPLY_JOB = "shares:reply"
REMOVE_REPLY_JOB = "shares:remove-reply"

ShareStatus = Literal["pending", "queued", "approved", "posted", "rejected", "deleted"]
ReplyStatus = Literal["pending", "posted", "deleted"]
ReportStatus = Literal["open", "resolved", "dismissed"]
POSTABLE: frozenset[str] = frozenset(("pending", "approved"))
REJECTABLE: frozenset[str] = frozenset(("pending", "queued", "approved", "posted"))
_MAX_JOB_GENERATIONS = 50


# --- dataclasses ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareSettings:
    """A server's share settings; the defaults apply until an admin changes one."""

    guild_id: int
    pseudonym_mode: PseudonymMode = "per_share"
    per_hour: int = policy.DEFAULT_PER_HOUR
    delay_min_s: int = policy.DEFAULT_DELAY_MIN_S
    delay_max_s: int = policy.DEFAULT_DELAY_MAX_S
    require_approval: bool = True  # takes effect only where a share queue channel is set (the cog decides)
    min_account_age_days: int = 0
    min_member_age_days: int = 0


SETTABLE = frozenset(
    (
        "pseudonym_mode",
        "per_hour",
        "delay_min_s",
        "delay_max_s",
        "require_approval",
        "min_account_age_days",
        "min_member_age_days",
    )
)


@dataclass(frozen=True)
class Share:
    """One share, without its author token. Text fields are None once wiped (rejected/deleted)."""

    id: int
    guild_id: int
    status: ShareStatus
    title: str | None = field(repr=False)
    body: str | None = field(repr=False)
    content_warning: str | None = field(repr=False)
    mod_content_warning: str | None = field(repr=False)
    pseudonym: str | None
    created_at: datetime
    post_after: datetime | None
    posted_at: datetime | None
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    queue_message_id: int | None
    post_job_ref: str | None
    support_count: int
    decided_by: int | None
    decided_at: datetime | None
    reject_reason: str | None = field(repr=False)
    needs_care: bool = False  # crisis language: held for a moderator, never posted automatically
    alert_message_id: int | None = None  # the staff alert about a share that needs care

    @property
    def is_postable(self) -> bool:
        """Waiting to be posted and not posted yet (the post handler's first check)."""
        return self.status in POSTABLE and self.message_id is None

    @property
    def content_warnings(self) -> list[str]:
        """The author's warning, then the one a moderator added on approval."""
        return [cw for cw in (self.content_warning, self.mod_content_warning) if cw]


@dataclass(frozen=True)
class QueuedShare:
    """A share as the moderation queue shows it: no author information, submission time to the hour."""

    id: int
    guild_id: int
    title: str | None = field(repr=False)
    body: str | None = field(repr=False)
    content_warning: str | None = field(repr=False)
    pseudonym: str | None
    submitted_hour: datetime
    queue_message_id: int | None
    needs_care: bool = False


@dataclass(frozen=True)
class Reply:
    """An anonymous reply in a share's thread; ``is_author`` when the share's author wrote it."""

    id: int
    share_id: int
    is_author: bool
    pseudonym: str | None
    body: str | None = field(repr=False)
    status: ReplyStatus
    message_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class Report:
    """A member's report of a share. The reporter is not part of it."""

    id: int
    guild_id: int
    share_id: int
    reason: str = field(repr=False)
    status: ReportStatus
    created_at: datetime
    message_id: int | None = None  # the moderators' card about it


@dataclass(frozen=True)
class Block:
    """A blocked author, known to moderators only by this id and the reason they gave."""

    id: int
    guild_id: int
    reason: str | None
    created_at: datetime


# --- helpers ----------------------------------------------------------------------------------------------


def _ts(when: datetime) -> str:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now


def _limited(text: str | None, limit: int, what: str) -> str | None:
    text = policy.clean_text(text)
    if text is not None and len(text) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    return text


def post_job_ref(share_id: int, generation: int = 0) -> str:
    """The ref of a share's post job: the share id, ``"<id>:<n>"`` for a later generation."""
    return str(share_id) if generation == 0 else f"{share_id}:{generation}"


def share_id_from_job_ref(ref: str) -> int:
    """The share id in a ``POST_JOB``/``REMOVE_JOB`` ref."""
    return int(ref.split(":", 1)[0])


_SHARE_COLUMNS = (
    "SELECT id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym, created_at,"
    " post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref, support_count,"
    " decided_by, decided_at, reject_reason, needs_care, alert_message_id FROM shares"
)


def _share(row: sqlite3.Row) -> Share:
    return Share(
        id=row["id"],
        guild_id=row["guild_id"],
        status=row["status"],
        title=row["title"],
        body=row["body"],
        content_warning=row["content_warning"],
        mod_content_warning=row["mod_content_warning"],
        pseudonym=row["pseudonym"],
        created_at=cast(datetime, _dt(row["created_at"])),
        post_after=_dt(row["post_after"]),
        posted_at=_dt(row["posted_at"]),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        queue_message_id=row["queue_message_id"],
        post_job_ref=row["post_job_ref"],
        support_count=row["support_count"],
        decided_by=row["decided_by"],
        decided_at=_dt(row["decided_at"]),
        reject_reason=row["reject_reason"],
        needs_care=bool(row["needs_care"]),
        alert_message_id=row["alert_message_id"],
    )


def _reply(row: sqlite3.Row) -> Reply:
    return Reply(
        id=row["id"],
        share_id=row["share_id"],
        is_author=bool(row["is_author"]),
        pseudonym=row["pseudonym"],
        body=row["body"],
        status=row["status"],
        message_id=row["message_id"],
        created_at=cast(datetime, _dt(row["created_at"])),
    )


def _report(row: sqlite3.Row) -> Report:
    return Report(
        id=row["id"],
        guild_id=row["guild_id"],
        share_id=row["share_id"],
        reason=row["reason"],
        status=row["status"],
        created_at=cast(datetime, _dt(row["created_at"])),
        message_id=row["message_id"],
    )


# --- settings ---------------------------------------------------------------------------------------------


async def get_settings(db: Database, guild_id: int) -> ShareSettings:
    row = await db.fetchone(
        "SELECT guild_id, pseudonym_mode, per_hour, delay_min_s, delay_max_s, require_approval,"
        " min_account_age_days, min_member_age_days FROM share_settings WHERE guild_id = ?",
        (guild_id,),
    )
    if row is None:
        return ShareSettings(guild_id)
    return ShareSettings(
        guild_id=row["guild_id"],
        pseudonym_mode=row["pseudonym_mode"],
        per_hour=row["per_hour"],
        delay_min_s=row["delay_min_s"],
        delay_max_s=row["delay_max_s"],
        require_approval=bool(row["require_approval"]),
        min_account_age_days=row["min_account_age_days"],
        min_member_age_days=row["min_member_age_days"],
    )


async def update_settings(db: Database, guild_id: int, changes: Mapping[str, int | str | bool]) -> ShareSettings:
    """Change some settings (others keep their value); ValueError with an admin-readable message if invalid."""
    unknown = set(changes) - SETTABLE
    if unknown:
        raise ValueError(f"unknown share settings: {sorted(unknown)}")
    async with db.transaction():
        merged = replace(await get_settings(db, guild_id), **changes)  # type: ignore[arg-type]
        if merged.pseudonym_mode not in anonymity.PSEUDONYM_MODES:
            raise ValueError(f"pseudonym mode must be one of {', '.join(anonymity.PSEUDONYM_MODES)}")
        policy.validate_settings(
            merged.per_hour,
            merged.delay_min_s,
            merged.delay_max_s,
            merged.min_account_age_days,
            merged.min_member_age_days,
        )
        merged = replace(merged, require_approval=bool(merged.require_approval))
        await db.execute(
            "INSERT INTO share_settings (guild_id, pseudonym_mode, per_hour, delay_min_s, delay_max_s,"
            " require_approval, min_account_age_days, min_member_age_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET pseudonym_mode = excluded.pseudonym_mode,"
            " per_hour = excluded.per_hour, delay_min_s = excluded.delay_min_s, delay_max_s = excluded.delay_max_s,"
            " require_approval = excluded.require_approval, min_account_age_days = excluded.min_account_age_days,"
            " min_member_age_days = excluded.min_member_age_days,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (
                guild_id,
                merged.pseudonym_mode,
                merged.per_hour,
                merged.delay_min_s,
                merged.delay_max_s,
                int(merged.require_approval),
                merged.min_account_age_days,
                merged.min_member_age_days,
            ),
        )
    return merged


# --- shares -----------------------------------------------------------------------------------------------


def _job(row: sqlite3.Row) -> Job:
    due = datetime.fromisoformat(row["due_at"])
    return Job(row["id"], row["kind"], row["ref"], row["guild_id"], due, row["status"], row["attempts"])


async def pending_removals(db: Database, guild_id: int | None = None) -> list[Job]:
    """The pending ``REMOVE_JOB``/``REMOVE_REPLY_JOB`` jobs (of one server, or all), oldest due first: filtered
    by SQLite rather than by reading every pending job of the bot (thousands, at scale)."""
    rows = await db.fetchall(
        "SELECT id, kind, ref, guild_id, due_at, status, attempts FROM jobs WHERE status = 'pending'"
        " AND kind IN (?, ?) AND (? IS NULL OR guild_id = ?) ORDER BY due_at, id",
        (REMOVE_JOB, REMOVE_REPLY_JOB, guild_id, guild_id),
    )
    return [_job(r) for r in rows]


async def _schedule_post(db: Database, share_id: int, guild_id: int, due: datetime) -> Job:
    """Write (or move) the share's pending post job; a new generation if an earlier one already finished."""
    for generation in range(_MAX_JOB_GENERATIONS):
        job = await core.put_job(db, POST_JOB, post_job_ref(share_id, generation), due, guild_id)
        if job.status == "pending":
            await db.execute("UPDATE shares SET post_job_ref = ? WHERE id = ?", (job.ref, share_id))
            return job
    raise RuntimeError("too many post jobs for one share")


async def create_share(
    db: Database,
    guild_id: int,
    token: str,
    title: str | None,
    body: str,
    cw: str | None,
    pseudonym_mode: PseudonymMode,
    post_after: datetime | None,
    require_approval: bool,
    *,
    key: bytes,
    now: datetime | None = None,
    needs_care: bool = False,
) -> Share:
    """Store a submission (and its post job, unless it waits for approval) in one transaction.

    Also records the submission time for the rate limit. The caller checks ``is_blocked`` and the rate
    limit first. ``post_after`` is ignored when approval is required (``approve`` sets it) and required
    otherwise. ``needs_care`` (crisis language) always holds the share for a moderator, as if approval were
    required. ValueError if the text breaks the limits in ``policy``.
    """
    now = _now(now)
    problem = policy.submission_problem(title, body, cw)
    if problem is not None:
        raise ValueError(problem)
    require_approval = require_approval or needs_care
    if not require_approval and post_after is None:
        raise ValueError("post_after is required when the share is not moderated first")
    status: ShareStatus = "queued" if require_approval else "pending"
    async with db.transaction():
        await db.execute(
            "INSERT INTO share_rate_events (guild_id, author_token, created_at) VALUES (?, ?, ?)",
            (guild_id, token, _ts(now)),
        )
        await db.execute(
            "DELETE FROM share_rate_events WHERE guild_id = ? AND created_at <= ?",
            (guild_id, _ts(policy.window_start(now))),
        )
        share_id = await db.insert(
            "INSERT INTO shares (guild_id, author_token, title, body, content_warning, status, created_at, post_after,"
            " needs_care) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                token,
                policy.clean_text(title),
                policy.clean_text(body),
                policy.clean_text(cw),
                status,
                _ts(now),
                None if require_approval or post_after is None else _ts(post_after),
                1 if needs_care else None,
            ),
        )
        pseudonym = anonymity.pseudonym_for(pseudonym_mode, key, share_id, token)
        await db.execute("UPDATE shares SET pseudonym = ? WHERE id = ?", (pseudonym, share_id))
        if not require_approval and post_after is not None:
            await _schedule_post(db, share_id, guild_id, post_after)
        share = await get_share(db, share_id)
    assert share is not None  # noqa: S101 - written just above
    return share


async def get_share(db: Database, share_id: int, guild_id: int | None = None) -> Share | None:
    """The share, or None. With ``guild_id``, only if it belongs to that server (member commands)."""
    if guild_id is None:
        row = await db.fetchone(
            "SELECT id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym, created_at,"
            " post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref, support_count,"
            " decided_by, decided_at, reject_reason, needs_care, alert_message_id FROM shares"
            " WHERE id = ?",
            (share_id,),
        )
    else:
        row = await db.fetchone(
            "SELECT id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym, created_at,"
            " post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref, support_count,"
            " decided_by, decided_at, reject_reason, needs_care, alert_message_id FROM shares"
            " WHERE id = ? AND guild_id = ?",
            (share_id, guild_id),
        )
    return None if row is None else _share(row)


async def share_by_message(db: Database, message_id: int) -> Share | None:
    """The share posted as this Discord message (for its buttons)."""
    row = await db.fetchone(
        "SELECT id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym, created_at,"
        " post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref, support_count,"
        " decided_by, decided_at, reject_reason, needs_care, alert_message_id FROM shares"
        " WHERE message_id = ?",
        (message_id,),
    )
    return None if row is None else _share(row)


async def shares_by_author(db: Database, guild_id: int, token: str) -> list[Share]:
    """The member's own shares in this server, newest first (for an ephemeral "your shares" list)."""
    rows = await db.fetchall(
        "SELECT id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym, created_at,"
        " post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref, support_count,"
        " decided_by, decided_at, reject_reason, needs_care, alert_message_id FROM shares"
        " WHERE guild_id = ? AND author_token = ?"
        " ORDER BY created_at DESC, id DESC",
        (guild_id, token),
    )
    return [_share(r) for r in rows]


async def is_author(db: Database, share_id: int, token: str) -> bool:
    """Whether this token wrote the share (e.g. to offer its author a Delete button). Wiped shares: False."""
    stored = await db.fetchval("SELECT author_token FROM shares WHERE id = ?", (share_id,))
    return anonymity.tokens_match(stored, token)


async def mark_posted(
    db: Database,
    share_id: int,
    channel_id: int,
    message_id: int,
    *,
    thread_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """pending/approved -> posted, once. False if already posted (a retry), or no longer postable."""
    changed = await db.execute(
        "UPDATE shares SET status = 'posted', channel_id = ?, message_id = ?, thread_id = COALESCE(?, thread_id),"
        " posted_at = ? WHERE id = ? AND status IN ('pending', 'approved') AND message_id IS NULL",
        (channel_id, message_id, thread_id, _ts(_now(now)), share_id),
    )
    return changed == 1


async def set_thread(db: Database, share_id: int, thread_id: int) -> bool:
    """Record the thread opened on a posted share (once)."""
    changed = await db.execute(
        "UPDATE shares SET thread_id = ? WHERE id = ? AND status = 'posted' AND thread_id IS NULL",
        (thread_id, share_id),
    )
    return changed == 1


async def set_queue_message(db: Database, share_id: int, message_id: int) -> bool:
    """Record the moderators' queue message for a queued share (to edit it after the decision)."""
    changed = await db.execute(
        "UPDATE shares SET queue_message_id = ? WHERE id = ? AND status = 'queued'", (message_id, share_id)
    )
    return changed == 1


async def queue_for_moderation(db: Database, share_id: int) -> bool:
    """Hold a pending, not yet posted share for moderators (its post job will then find it not postable)."""
    changed = await db.execute(
        "UPDATE shares SET status = 'queued', post_after = NULL WHERE id = ? AND status = 'pending'"
        " AND message_id IS NULL",
        (share_id,),
    )
    return changed == 1


async def approve(
    db: Database,
    share_id: int,
    moderator_id: int,
    extra_cw: str | None = None,
    *,
    post_after: datetime,
    now: datetime | None = None,
    guild_id: int | None = None,
) -> Share | None:
    """queued -> approved, optionally adding a content warning the author did not give; writes the post job.

    Returns the approved share (arm ``POST_JOB``/``share.post_job_ref`` after this), or None if it was not
    waiting for a decision (already decided, deleted, unknown, or, with ``guild_id``, in another server).

    Four round trips (BEGIN, the UPDATE returning the row, the job, COMMIT): a share held from the start has
    no post job yet, so its first generation (``post_job_ref`` = its id) is taken in the same UPDATE; only a
    share whose earlier job already finished (pending, then held) needs the generation loop.
    """
    mod_cw = _limited(extra_cw, policy.CW_MAX, "The content warning")
    async with db.transaction():
        row = await db.fetchone(
            "UPDATE shares SET status = 'approved', mod_content_warning = ?, decided_by = ?, decided_at = ?,"
            " post_after = ?, post_job_ref = COALESCE(post_job_ref, CAST(id AS TEXT))"
            " WHERE id = ? AND status = 'queued' AND guild_id = COALESCE(?, guild_id)"
            " RETURNING id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym,"
            " created_at, post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref,"
            " support_count, decided_by, decided_at, reject_reason, needs_care, alert_message_id",
            (mod_cw, moderator_id, _ts(_now(now)), _ts(post_after), share_id, guild_id),
        )
        if row is None:
            return None
        share = _share(row)
        ref = share.post_job_ref or post_job_ref(share.id)
        if (await core.put_job(db, POST_JOB, ref, post_after, share.guild_id)).status != "pending":  # already ran
            job = await _schedule_post(db, share.id, share.guild_id, post_after)
            share = replace(share, post_job_ref=job.ref)
    return share


async def _write_remove_job(db: Database, share_id: int, guild_id: int, when: datetime) -> None:
    await core.put_job(db, REMOVE_JOB, str(share_id), when, guild_id)


async def reject(
    db: Database,
    share_id: int,
    moderator_id: int,
    reason: str | None,
    *,
    now: datetime | None = None,
    guild_id: int | None = None,
) -> Share | None:
    """pending/queued/approved/posted -> rejected: text wiped, replies wiped, open reports resolved.

    The token stays (so ``block_author_of`` still works). Writes ``REMOVE_JOB`` for a share that was
    posted or about to be. Returns the rejected share, or None if it could not be rejected.
    """
    decided = await decline(db, share_id, moderator_id, reason, now=now, guild_id=guild_id)
    return None if decided is None else decided[1]


async def decline(
    db: Database,
    share_id: int,
    moderator_id: int,
    reason: str | None,
    *,
    now: datetime | None = None,
    guild_id: int | None = None,
) -> tuple[Share, Share] | None:
    """``reject``, returning (the share as it was, the rejected share): the cog needs the old status to know
    whether something is on Discord to take down. None if unknown (or, with ``guild_id``, in another server)
    or not rejectable. One transaction: 4 round trips for a held share, 5 for one waiting to be posted, 8 for
    a posted one (only a posted share can have replies, support or reports to wipe).
    """
    now = _now(now)
    reason = _limited(reason, policy.REASON_MAX, "The reason")
    async with db.transaction():
        before = await get_share(db, share_id, guild_id)
        if before is None or before.status not in REJECTABLE:
            return None
        row = await db.fetchone(
            "UPDATE shares SET status = 'rejected', title = NULL, body = NULL, content_warning = NULL,"
            " mod_content_warning = NULL, decided_by = ?, decided_at = ?, reject_reason = ? WHERE id = ?"
            " RETURNING id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym,"
            " created_at, post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref,"
            " support_count, decided_by, decided_at, reject_reason, needs_care, alert_message_id",
            (moderator_id, _ts(now), reason, share_id),
        )
        if before.message_id is not None:  # it was posted (mark_posted sets both at once)
            await _wipe_share_children(db, share_id)
        if before.status != "queued":
            await _write_remove_job(db, share_id, before.guild_id, now)
    assert row is not None  # noqa: S101 - found in this transaction
    return before, _share(row)


async def _wipe_replies_and_support(db: Database, share_id: int) -> None:
    await db.execute(
        "UPDATE share_replies SET status = 'deleted', body = NULL, author_token = NULL, pseudonym = NULL"
        " WHERE share_id = ? AND status <> 'deleted'",  # a 'deleted' reply is already wiped
        (share_id,),
    )
    await db.execute("DELETE FROM share_support WHERE share_id = ?", (share_id,))


async def _wipe_share_children(db: Database, share_id: int) -> None:
    await _wipe_replies_and_support(db, share_id)
    await db.execute(
        "UPDATE share_reports SET status = 'resolved', reporter_token = NULL, reason = ''"
        " WHERE share_id = ? AND status = 'open'",
        (share_id,),
    )


async def _wipe_share(db: Database, share: Share, now: datetime) -> None:
    """Status 'deleted'; keep id, guild, status, timestamps, Discord ids, counts. No transaction of its own."""
    await db.execute(
        "UPDATE shares SET status = 'deleted', author_token = NULL, title = NULL, body = NULL,"
        " content_warning = NULL, mod_content_warning = NULL, pseudonym = NULL, reject_reason = NULL,"
        " needs_care = NULL WHERE id = ?",
        (share.id,),
    )
    await _wipe_share_children(db, share.id)
    await db.execute("DELETE FROM share_reports WHERE share_id = ?", (share.id,))
    if share.status in ("pending", "approved", "posted") or share.queue_message_id is not None:
        # Also for a queued share whose moderators' card shows its text: the handler blanks the card.
        await _write_remove_job(db, share.id, share.guild_id, now)


@dataclass(frozen=True)
class Withdrawn:
    """What an author's delete left: the wiped share (its Discord ids kept) and whether a removal job waits."""

    share: Share
    removal: bool


async def withdraw(
    db: Database, guild_id: int, share_id: int, token: str, *, now: datetime | None = None
) -> Withdrawn | None:
    """The author deletes their share (any status): wiped as described above. Only the author's token works.

    None, the same for "no such share" and "not yours", so the answer reveals nothing. The token is compared
    by SQLite in the UPDATE itself (as ``shares_by_author`` does: a token is an HMAC the member can't choose).
    Writes ``REMOVE_JOB`` when something is on Discord to take down: the post (with its thread and replies) or
    the moderators' card. A share waiting to be posted has nothing yet; if its post job is sending right now,
    that job finds the share wiped and deletes what it sent. One transaction: 3 round trips for a share never
    posted nor carded, 4 with a card, 7 for a posted one.
    """
    now = _now(now)
    async with db.transaction():
        row = await db.fetchone(
            "UPDATE shares SET status = 'deleted', author_token = NULL, title = NULL, body = NULL,"
            " content_warning = NULL, mod_content_warning = NULL, pseudonym = NULL, reject_reason = NULL,"
            " needs_care = NULL WHERE id = ? AND guild_id = ? AND status <> 'deleted' AND author_token = ?"
            " RETURNING id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym,"
            " created_at, post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref,"
            " support_count, decided_by, decided_at, reject_reason, needs_care, alert_message_id",
            (share_id, guild_id, token),
        )
        if row is None:
            return None
        share = _share(row)
        if share.message_id is not None:  # it was posted: only then can it have replies, support or reports
            await _wipe_replies_and_support(db, share.id)
            await db.execute("DELETE FROM share_reports WHERE share_id = ?", (share.id,))
        removal = False
        if share.message_id is not None or share.queue_message_id is not None:
            removal = (await core.put_job(db, REMOVE_JOB, str(share.id), now, share.guild_id)).status == "pending"
    return Withdrawn(share, removal)


async def delete_by_author(
    db: Database, guild_id: int, share_id: int, token: str, *, now: datetime | None = None
) -> bool:
    """``withdraw``, answering only whether it happened (False for "no such share" and "not yours" alike)."""
    return await withdraw(db, guild_id, share_id, token, now=now) is not None


async def queue(db: Database, guild_id: int) -> list[QueuedShare]:
    """The moderation queue: shares waiting for a decision, oldest first, without author information."""
    rows = await db.fetchall(
        "SELECT id, guild_id, title, body, content_warning, pseudonym, created_at, queue_message_id, needs_care"
        " FROM shares WHERE guild_id = ? AND status = 'queued' ORDER BY id",
        (guild_id,),
    )
    return [
        QueuedShare(
            id=r["id"],
            guild_id=r["guild_id"],
            title=r["title"],
            body=r["body"],
            content_warning=r["content_warning"],
            pseudonym=r["pseudonym"],
            submitted_hour=cast(datetime, _dt(r["created_at"])).replace(minute=0, second=0, microsecond=0),
            queue_message_id=r["queue_message_id"],
            needs_care=bool(r["needs_care"]),
        )
        for r in rows
    ]


async def unposted(db: Database, guild_id: int) -> list[Share]:
    """Shares accepted or approved but not posted (e.g. their post job failed for good), oldest first."""
    rows = await db.fetchall(
        "SELECT id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym, created_at,"
        " post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref, support_count,"
        " decided_by, decided_at, reject_reason, needs_care, alert_message_id FROM shares"
        " WHERE guild_id = ? AND status IN ('pending', 'approved') AND message_id IS NULL ORDER BY id",
        (guild_id,),
    )
    return [_share(r) for r in rows]


async def reschedule_post(db: Database, share_id: int, post_after: datetime) -> Share | None:
    """Give a postable share a (new) post job, e.g. after its job was missed or failed. None if not postable."""
    async with db.transaction():
        share = await get_share(db, share_id)
        if share is None or not share.is_postable:
            return None
        await db.execute("UPDATE shares SET post_after = ? WHERE id = ?", (_ts(post_after), share_id))
        await _schedule_post(db, share_id, share.guild_id, post_after)
        return await get_share(db, share_id)


# --- rate limit -------------------------------------------------------------------------------------------


async def recent_count(db: Database, guild_id: int, token: str, since: datetime) -> int:
    """How many shares this token submitted in this server strictly after ``since``."""
    count = await db.fetchval(
        "SELECT count(*) FROM share_rate_events WHERE guild_id = ? AND author_token = ? AND created_at > ?",
        (guild_id, token, _ts(since)),
    )
    return int(count)


async def submission_times(db: Database, guild_id: int, token: str, since: datetime) -> list[datetime]:
    """This token's submission times strictly after ``since``, oldest first (for ``policy.next_allowed_at``)."""
    rows = await db.fetchall(
        "SELECT created_at FROM share_rate_events WHERE guild_id = ? AND author_token = ? AND created_at > ?"
        " ORDER BY created_at",
        (guild_id, token, _ts(since)),
    )
    return [cast(datetime, _dt(r["created_at"])) for r in rows]


async def sharing_state(db: Database, guild_id: int, token: str, since: datetime) -> tuple[bool, list[datetime]]:
    """``is_blocked`` and ``submission_times`` in one round trip (the checks before every ``/share``)."""
    rows = await db.fetchall(
        "SELECT 1 AS blocked, NULL AS created_at FROM share_blocks WHERE guild_id = ? AND author_token = ?"
        " UNION ALL SELECT 0, created_at FROM share_rate_events WHERE guild_id = ? AND author_token = ?"
        " AND created_at > ?",
        (guild_id, token, guild_id, token, _ts(since)),
    )
    blocked = any(r["blocked"] for r in rows)
    times = sorted(cast(datetime, _dt(r["created_at"])) for r in rows if not r["blocked"])
    return blocked, times


async def prune_rate_events(db: Database, before: datetime) -> int:
    """Forget submission times at or before ``before`` in every server (they no longer count)."""
    return await db.execute("DELETE FROM share_rate_events WHERE created_at <= ?", (_ts(before),))


# --- support ----------------------------------------------------------------------------------------------


async def add_support(db: Database, share_id: int, supporter_token: str) -> tuple[bool, int]:
    """Count one "Send support" per member per posted share: (added now, the share's count).

    Not added for a share that is not posted, or by its own author.
    """
    async with db.transaction():
        row = await db.fetchone("SELECT status, author_token, support_count FROM shares WHERE id = ?", (share_id,))
        if row is None:
            return False, 0
        if row["status"] != "posted" or anonymity.tokens_match(row["author_token"], supporter_token):
            return False, int(row["support_count"])
        added = await db.execute(
            "INSERT INTO share_support (share_id, supporter_token) VALUES (?, ?)"
            " ON CONFLICT (share_id, supporter_token) DO NOTHING",
            (share_id, supporter_token),
        )
        if added == 1:
            await db.execute("UPDATE shares SET support_count = support_count + 1 WHERE id = ?", (share_id,))
        count = await db.fetchval("SELECT support_count FROM shares WHERE id = ?", (share_id,))
        return added == 1, int(count)


# --- reports ----------------------------------------------------------------------------------------------


async def add_report(
    db: Database, share_id: int, reporter_token: str, reason: str | None, *, now: datetime | None = None
) -> Report | None:
    """Report a posted share to the moderators. None if not reportable or this member already reported it."""
    reason = _limited(reason, policy.REASON_MAX, "The reason") or ""
    async with db.transaction():
        row = await db.fetchone("SELECT guild_id, status FROM shares WHERE id = ?", (share_id,))
        if row is None or row["status"] != "posted":
            return None
        added = await db.execute(
            "INSERT INTO share_reports (guild_id, share_id, reporter_token, reason, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (share_id, reporter_token) DO NOTHING",
            (row["guild_id"], share_id, reporter_token, reason, _ts(_now(now))),
        )
        if added != 1:
            return None
        found = await db.fetchone(
            "SELECT id, guild_id, share_id, reason, status, created_at, message_id FROM share_reports"
            " WHERE share_id = ? AND reporter_token = ?",
            (share_id, reporter_token),
        )
    assert found is not None  # noqa: S101 - written just above
    return _report(found)


async def pending_reports(db: Database, guild_id: int) -> list[Report]:
    """Open reports in this server, oldest first, without reporters."""
    rows = await db.fetchall(
        "SELECT id, guild_id, share_id, reason, status, created_at, message_id FROM share_reports"
        " WHERE guild_id = ? AND status = 'open' ORDER BY id",
        (guild_id,),
    )
    return [_report(r) for r in rows]


async def resolve_report(
    db: Database, guild_id: int, report_id: int, status: Literal["resolved", "dismissed"] = "resolved"
) -> bool:
    """Close an open report. Its reason and the reporter's token are wiped: what stays is that a report
    about this share was made and how it was closed (nothing that could be traced back to the reporter)."""
    changed = await db.execute(
        "UPDATE share_reports SET status = ?, reporter_token = NULL, reason = ''"
        " WHERE id = ? AND guild_id = ? AND status = 'open'",
        (status, report_id, guild_id),
    )
    return changed == 1


# --- blocks -----------------------------------------------------------------------------------------------


async def block_author(
    db: Database,
    guild_id: int,
    token: str,
    reason: str | None,
    *,
    now: datetime | None = None,
    share_id: int | None = None,
) -> bool:
    """Block this token from sharing in this server; False if it already was.

    ``share_id`` records which share the block was made from, so it can be lifted by that id later.
    """
    changed = await db.execute(
        "INSERT INTO share_blocks (guild_id, author_token, reason, created_at, share_id) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (guild_id, author_token) DO NOTHING",
        (guild_id, token, _limited(reason, policy.REASON_MAX, "The reason"), _ts(_now(now)), share_id),
    )
    return changed == 1


async def block_author_of(db: Database, share_id: int, reason: str | None, *, now: datetime | None = None) -> bool:
    """Block whoever wrote this share, without anyone learning who. False if unknown, wiped or already blocked."""
    row = await db.fetchone("SELECT guild_id, author_token FROM shares WHERE id = ?", (share_id,))
    if row is None or row["author_token"] is None:
        return False
    return await block_author(db, row["guild_id"], row["author_token"], reason, now=now, share_id=share_id)


async def is_blocked(db: Database, guild_id: int, token: str) -> bool:
    found = await db.fetchval("SELECT 1 FROM share_blocks WHERE guild_id = ? AND author_token = ?", (guild_id, token))
    return found is not None


async def list_blocks(db: Database, guild_id: int) -> list[Block]:
    rows = await db.fetchall(
        "SELECT id, guild_id, reason, created_at FROM share_blocks WHERE guild_id = ? ORDER BY id", (guild_id,)
    )
    return [Block(r["id"], r["guild_id"], r["reason"], cast(datetime, _dt(r["created_at"]))) for r in rows]


async def unblock(db: Database, guild_id: int, block_id: int) -> bool:
    return await db.execute("DELETE FROM share_blocks WHERE id = ? AND guild_id = ?", (block_id, guild_id)) == 1


# --- replies ----------------------------------------------------------------------------------------------


async def add_reply(
    db: Database,
    share_id: int,
    token: str,
    body: str,
    *,
    key: bytes,
    post_after: datetime,
    now: datetime | None = None,
) -> Reply | None:
    """Store an anonymous reply to a posted share and its ``REPLY_JOB`` (one transaction).

    The store decides whether the replier is the share's author (labelled as the author) or someone else
    (a per-thread pseudonym). None if the share is not posted. ValueError if the text is empty or too long.
    """
    text = _limited(body, policy.REPLY_MAX, "The reply")
    if text is None:
        raise ValueError("The reply is empty.")
    async with db.transaction():
        row = await db.fetchone(
            "SELECT guild_id, status, author_token, pseudonym FROM shares WHERE id = ?", (share_id,)
        )
        if row is None or row["status"] != "posted":
            return None
        mine = anonymity.tokens_match(row["author_token"], token)
        label = (
            anonymity.author_reply_label(row["pseudonym"]) if mine else anonymity.reply_pseudonym(key, share_id, token)
        )
        reply_id = await db.insert(
            "INSERT INTO share_replies (share_id, author_token, is_author, pseudonym, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (share_id, token, int(mine), label, text, _ts(_now(now))),
        )
        await core.put_job(db, REPLY_JOB, str(reply_id), post_after, row["guild_id"])
        return await get_reply(db, reply_id)


async def get_reply(db: Database, reply_id: int) -> Reply | None:
    row = await db.fetchone(
        "SELECT id, share_id, is_author, pseudonym, body, status, message_id, created_at FROM share_replies"
        " WHERE id = ?",
        (reply_id,),
    )
    return None if row is None else _reply(row)


async def mark_reply_posted(db: Database, reply_id: int, message_id: int) -> bool:
    """pending -> posted, once; False on a retry or if the reply was wiped meanwhile."""
    changed = await db.execute(
        "UPDATE share_replies SET status = 'posted', message_id = ? WHERE id = ? AND status = 'pending'"
        " AND message_id IS NULL",
        (message_id, reply_id),
    )
    return changed == 1


# --- deleting a member's data -----------------------------------------------------------------------------


async def _wipe_author(db: Database, guild_id: int, token: str, now: datetime) -> int:
    """Everything this token left in this server; runs inside the caller's transaction."""
    removed = 0
    rows = await db.fetchall(
        "SELECT id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym, created_at,"
        " post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref, support_count,"
        " decided_by, decided_at, reject_reason, needs_care, alert_message_id FROM shares"
        " WHERE guild_id = ? AND author_token = ? AND status <> 'deleted'",
        (guild_id, token),
    )
    for row in rows:
        await _wipe_share(db, _share(row), now)
        removed += 1
    replies = await db.fetchall(
        "SELECT r.id, r.message_id FROM share_replies r JOIN shares s ON s.id = r.share_id"
        " WHERE s.guild_id = ? AND r.author_token = ?",
        (guild_id, token),
    )
    for reply in replies:
        await db.execute(
            "UPDATE share_replies SET status = 'deleted', body = NULL, author_token = NULL, pseudonym = NULL"
            " WHERE id = ?",
            (reply["id"],),
        )
        if reply["message_id"] is not None:
            await core.put_job(db, REMOVE_REPLY_JOB, str(reply["id"]), now, guild_id)
        removed += 1
    removed += await db.execute(
        "DELETE FROM share_support WHERE supporter_token = ?"
        " AND share_id IN (SELECT id FROM shares WHERE guild_id = ?)",
        (token, guild_id),
    )
    removed += await db.execute(
        "DELETE FROM share_reports WHERE guild_id = ? AND reporter_token = ?", (guild_id, token)
    )
    removed += await db.execute(
        "DELETE FROM share_rate_events WHERE guild_id = ? AND author_token = ?", (guild_id, token)
    )
    return removed


async def delete_author_data(db: Database, guild_id: int, author_token: str, *, now: datetime | None = None) -> int:
    """Wipe every share of this token in this server (as ``delete_by_author``), its replies, support, report
    tokens and rate-limit rows, in one transaction. Blocks stay. Returns how many rows were affected."""
    async with db.transaction():
        return await _wipe_author(db, guild_id, author_token, _now(now))


async def known_guild_ids(db: Database) -> list[int]:
    """Every server that has shares data (a member's token must be recomputed for each)."""
    rows = await db.fetchall(
        "SELECT guild_id FROM shares UNION SELECT guild_id FROM share_rate_events"
        " UNION SELECT guild_id FROM share_reports ORDER BY guild_id"
    )
    return [int(r["guild_id"]) for r in rows]


def make_user_data_deleter(key: bytes) -> Callable[[Database, int], Awaitable[int]]:
    """The ``/privacy delete`` hook for ``bot.user_data_deleters``: runs inside the caller's transaction."""

    async def delete_user_data(db: Database, user_id: int) -> int:
        now = datetime.now(UTC)
        removed = 0
        for guild_id in await known_guild_ids(db):
            removed += await _wipe_author(db, guild_id, anonymity.author_token(key, guild_id, user_id), now)
        # As a moderator: the decisions stay, without who made them.
        removed += await db.execute("UPDATE shares SET decided_by = NULL WHERE decided_by = ?", (user_id,))
        return removed

    return delete_user_data


# --- Discord bookkeeping ----------------------------------------------------------------------------------


async def set_alert_message(db: Database, share_id: int, message_id: int) -> bool:
    """Record the staff alert about a share that needs care (once), so a retried job does not alert twice."""
    changed = await db.execute(
        "UPDATE shares SET alert_message_id = ? WHERE id = ? AND alert_message_id IS NULL", (message_id, share_id)
    )
    return changed == 1


async def get_report(db: Database, report_id: int) -> Report | None:
    row = await db.fetchone(
        "SELECT id, guild_id, share_id, reason, status, created_at, message_id FROM share_reports WHERE id = ?",
        (report_id,),
    )
    return None if row is None else _report(row)


async def set_report_message(db: Database, report_id: int, message_id: int) -> bool:
    """Record the moderators' card about an open report (once)."""
    changed = await db.execute(
        "UPDATE share_reports SET message_id = ? WHERE id = ? AND status = 'open' AND message_id IS NULL",
        (message_id, report_id),
    )
    return changed == 1


async def unannounced(db: Database, guild_id: int) -> tuple[list[int], list[int]]:
    """(queued share ids without a moderators' card, open report ids without one): work to retry."""
    shares_ = await db.fetchall(
        "SELECT id FROM shares WHERE guild_id = ? AND status = 'queued' AND queue_message_id IS NULL ORDER BY id",
        (guild_id,),
    )
    reports = await db.fetchall(
        "SELECT id FROM share_reports WHERE guild_id = ? AND status = 'open' AND message_id IS NULL ORDER BY id",
        (guild_id,),
    )
    return [int(r["id"]) for r in shares_], [int(r["id"]) for r in reports]


async def reply_message_ids(db: Database, share_id: int) -> list[int]:
    """The Discord messages of a share's replies (wiped ones too: their messages must still be removed)."""
    rows = await db.fetchall(
        "SELECT message_id FROM share_replies WHERE share_id = ? AND message_id IS NOT NULL ORDER BY id", (share_id,)
    )
    return [int(r["message_id"]) for r in rows]


async def unblock_author_of(db: Database, guild_id: int, share_id: int) -> bool:
    """Lift the block made from this share, or on whoever wrote it. False if there is none."""
    async with db.transaction():
        token = await db.fetchval("SELECT author_token FROM shares WHERE id = ? AND guild_id = ?", (share_id, guild_id))
        changed = await db.execute(
            "DELETE FROM share_blocks WHERE guild_id = ? AND (share_id = ? OR author_token = ?)",
            (guild_id, share_id, token),
        )
    return changed > 0


async def status_counts(db: Database, guild_id: int) -> dict[str, int]:
    """How many shares of this server are in each status (``needs_care`` counts held ones needing care)."""
    rows = await db.fetchall(
        "SELECT status, count(*) AS n, sum(needs_care) AS care FROM shares WHERE guild_id = ? GROUP BY status",
        (guild_id,),
    )
    counts = {str(r["status"]): int(r["n"]) for r in rows}
    counts["needs_care"] = sum(int(r["care"] or 0) for r in rows if r["status"] == "queued")
    return counts


# --- retention --------------------------------------------------------------------------------------------


async def purge_expired(db: Database, before: datetime, *, now: datetime | None = None) -> list[Share]:
    """Wipe (as ``delete_by_author`` does) every share that never got posted and was submitted at or before
    ``before`` (pending, queued or approved), and every rejected share decided at or before it; also forget
    rate-limit rows that no longer count. One transaction. Returns the wiped shares as they were before."""
    now = _now(now)
    cutoff = _ts(before)
    async with db.transaction():
        rows = await db.fetchall(
            "SELECT id, guild_id, status, title, body, content_warning, mod_content_warning, pseudonym, created_at,"
            " post_after, posted_at, channel_id, message_id, thread_id, queue_message_id, post_job_ref, support_count,"
            " decided_by, decided_at, reject_reason, needs_care, alert_message_id FROM shares"
            " WHERE (status IN ('pending', 'queued', 'approved') AND message_id IS NULL AND created_at <= ?)"
            " OR (status = 'rejected' AND COALESCE(decided_at, created_at) <= ?) ORDER BY id",
            (cutoff, cutoff),
        )
        wiped = [_share(r) for r in rows]
        for share in wiped:
            await _wipe_share(db, share, now)
        await db.execute("DELETE FROM share_rate_events WHERE created_at <= ?", (_ts(policy.window_start(now)),))
    return wiped
