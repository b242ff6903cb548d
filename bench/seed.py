"""Seeding a fresh database for the benchmark: schema from the migrations, then bulk `executemany` inserts.

The schema comes from `Database.migrate()`, so the tables are exactly what the bot uses. The rows are written
with plain SQL (it is the fastest way to load a million rows), in one transaction, before the bot starts. A
feature whose tables are not there yet is skipped and reported as such.

Due work is seeded the way the running bot would leave it, so a start-up has nothing to repair and nothing
falls due while the benchmark measures: every group has its next step as a pending job (computed with the
groups feature's own pure rules), no rota shift is running or about to start, and each server's time zone
puts its daily 09:00 coverage post outside the run.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.world import BenchWorld
from bot.db import Database

ZONES: tuple[tuple[str, str], ...] = (
    ("Europe/London", "GB"),
    ("America/New_York", "US"),
    ("Europe/Berlin", "DE"),
    ("America/Los_Angeles", "US"),
    ("Australia/Sydney", "AU"),
    ("America/Toronto", "CA"),
    ("Europe/Dublin", "IE"),
    ("Asia/Tokyo", "JP"),
    ("Europe/Paris", "FR"),
    ("Pacific/Auckland", "NZ"),
    ("America/Chicago", "US"),
    ("Asia/Kolkata", "IN"),
)
COUNTRIES = ("GB", "US", "DE", "FR", "CA", "AU", "IE", "NZ", "IN", "JP", "ES", "IT", "NL", "SE", "BR", "MX")
SHARE_TEXT = (
    "today felt heavy but I got through it and wanted to say thank you to everyone here who listened last week "
    "sometimes the evenings are the hardest part and writing it down helps a little I went for a walk and "
    "noticed the trees again my sister called and we talked for an hour it was good to laugh I am still "
    "learning to be patient with myself the group on tuesday helped more than I expected small steps count"
)
WORDS = SHARE_TEXT.split(" ")
RESOURCE_WORDS = (
    "riverside",
    "harbour",
    "northside",
    "open door",
    "safe haven",
    "bridge",
    "lighthouse",
    "hope",
    "common ground",
    "willow",
    "keystone",
    "new leaf",
)
RESOURCE_KINDS = (
    "housing support",
    "helpline",
    "food bank",
    "counselling service",
    "peer group",
    "legal advice",
    "youth project",
    "recovery cafe",
    "drop-in centre",
    "crisis team",
)
REMINDER_LEAD = 15  # minutes: the reminder measured by the scheduler test is "15 minutes before"
BENCH_REMINDER_KIND = "bench:reminder"


@dataclass(frozen=True)
class Sizes:
    """How much data a database holds."""

    guilds: int
    groups: int
    shares: int
    resources: int
    shifts: int
    prefs: int

    def scaled(self, factor: float) -> Sizes:
        values = (self.guilds, self.groups, self.shares, self.resources, self.shifts, self.prefs)
        return Sizes(*(max(1, round(v * factor)) for v in values))

    def as_dict(self) -> dict[str, int]:
        return {
            "servers": self.guilds,
            "groups": self.groups,
            "shares": self.shares,
            "resources": self.resources,
            "shifts": self.shifts,
            "crisis_member_prefs": self.prefs,
        }


FULL = Sizes(guilds=1000, groups=10_000, shares=1_000_000, resources=50_000, shifts=5000, prefs=100_000)


@dataclass
class SeedReport:
    """What was written (rows per table family), what was skipped and why, and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    db_bytes: int = 0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _hex(rng: random.Random, nbytes: int = 32) -> str:
    return rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()


def _user_id(rng: random.Random) -> int:
    return rng.randrange(10**17, 10**18)


def zone_for(index: int, now: datetime) -> tuple[str, str]:
    """A (time zone, country) whose daily 09:00 (the rota coverage post) is not within the next 75 minutes."""
    for step in range(len(ZONES)):
        tz, country = ZONES[(index + step) % len(ZONES)]
        local = now.astimezone(ZoneInfo(tz))
        nine = local.replace(hour=9, minute=0, second=0, microsecond=0)
        if nine <= local:
            nine += timedelta(days=1)
        if nine - local > timedelta(minutes=75) and local - (nine - timedelta(days=1)) > timedelta(minutes=5):
            return tz, country
    return "UTC", "GB"  # pragma: no cover - one of twelve zones always fits


def next_local(weekday: int, start: wall_time, tz: str, after: datetime) -> datetime:
    """The next start of a weekly local wall time strictly after `after` (UTC)."""
    zone = ZoneInfo(tz)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    moment = datetime.combine(day, start, tzinfo=zone)
    if moment <= after:
        moment = datetime.combine(day + timedelta(days=7), start, tzinfo=zone)
    return moment.astimezone(UTC)


def quiet_weekly_time(
    rng: random.Random, tz: str, now: datetime, duration: timedelta, earliest: timedelta
) -> tuple[int, wall_time]:
    """A weekly (weekday, local start) that is not running now, starts no sooner than `earliest` from now, and
    whose previous occurrence ended well before now."""
    while True:
        weekday, start = rng.randrange(7), wall_time(rng.randrange(7, 19), rng.choice((0, 15, 30, 45)))
        upcoming = next_local(weekday, start, tz, now)
        if now + earliest <= upcoming <= now + timedelta(days=7) - duration - timedelta(hours=2):
            return weekday, start


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _chunks(rows: Iterator[tuple[Any, ...]], size: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def migrate(path: Path) -> None:
    db = await Database.connect(path)
    try:
        await db.migrate()
    finally:
        await db.close()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


class Seeder:
    def __init__(self, path: Path, world: BenchWorld, sizes: Sizes, now: datetime, seed: int = 1) -> None:
        self.path = path
        self.world = world
        self.sizes = sizes
        self.now = now
        self.rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
        self.report = SeedReport()
        self.zones = [zone_for(i, now) for i in range(len(world.servers))]

    def run(self) -> SeedReport:
        started = time.perf_counter()
        asyncio.run(migrate(self.path))  # seed() runs in a worker thread, never on the caller's event loop
        conn = _connect(self.path)
        try:
            tables = _tables(conn)
            conn.execute("BEGIN")
            steps: Sequence[tuple[str, tuple[str, ...], Callable[[sqlite3.Connection], int]]] = (
                ("guild_config", ("guild_config",), self.guild_config),
                ("crisis_member_prefs", ("crisis_member_prefs",), self.prefs),
                ("shifts", ("rota_shifts",), self.shifts),
                ("shares", ("shares", "share_settings"), self.shares),
                ("groups", ("support_groups", "group_members", "jobs"), self.groups),
                ("resources", ("resources", "resource_categories", "resource_directories"), self.resources),
            )
            for family, needs, write in steps:
                missing = [t for t in needs if t not in tables]
                if missing:
                    self.report.skipped[family] = f"no table {', '.join(missing)} (migration not there yet)"
                    continue
                try:
                    self.report.rows[family] = write(conn)
                except _SkipError as exc:
                    self.report.skipped[family] = str(exc)
            conn.execute("COMMIT")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        self.report.seconds = time.perf_counter() - started
        self.report.db_bytes = self.path.stat().st_size
        return self.report

    # -- families ---------------------------------------------------------------------------------------------

    def guild_config(self, conn: sqlite3.Connection) -> int:
        rows = []
        for server, (tz, country) in zip(self.world.servers, self.zones, strict=True):
            rows.append(
                (
                    server.guild.id,
                    server.shares.id,
                    server.share_queue.id,
                    server.groups.id,
                    server.volunteers.id,
                    server.peer.id,
                    server.alerts.id,
                    server.volunteer_role.id,
                    server.on_duty_role.id,
                    server.facilitator_role.id,
                    server.moderator_role.id,
                    tz,
                    country,
                )
            )
        conn.executemany(
            "INSERT INTO guild_config (guild_id, shares_channel_id, share_queue_channel_id, groups_channel_id,"
            " volunteers_channel_id, peer_channel_id, crisis_alert_channel_id, volunteer_role_id, on_duty_role_id,"
            " facilitator_role_id, moderator_role_id, timezone, country)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return len(rows)

    def prefs(self, conn: sqlite3.Connection) -> int:
        rng = self.rng
        users = {m for h in self.world.hot for m in h.members[::2]}
        while len(users) < self.sizes.prefs:
            users.add(_user_id(rng))
        rows = ((u, rng.choice(COUNTRIES), int(rng.random() < 0.1)) for u in users)
        conn.executemany("INSERT INTO crisis_member_prefs (user_id, country, quiet) VALUES (?, ?, ?)", rows)
        return len(users)

    def _per_guild(self, total: int) -> Iterator[tuple[int, int]]:
        """(server index, how many) spreading `total` rows evenly over the servers."""
        count = len(self.world.servers)
        base, extra = divmod(total, count)
        for index in range(count):
            yield index, base + (1 if index < extra else 0)

    def shifts(self, conn: sqlite3.Connection) -> int:
        rng, rows = self.rng, []
        hot = {h.id: h for h in self.world.hot}
        for index, n in self._per_guild(self.sizes.shifts):
            server = self.world.servers[index]
            tz = self.zones[index][0]
            pool = (
                hot[server.guild.id].volunteers
                if server.guild.id in hot
                else [server.volunteer.id, server.volunteer2.id]
            )
            for k in range(n):
                hours = rng.choice((2, 3, 4))
                weekday, start = quiet_weekly_time(rng, tz, self.now, timedelta(hours=hours), timedelta(hours=2))
                end = wall_time(start.hour + hours, start.minute)
                rows.append(
                    (server.guild.id, pool[k % len(pool)], weekday, start.strftime("%H:%M"), end.strftime("%H:%M"), tz)
                )
        conn.executemany(
            "INSERT INTO rota_shifts (guild_id, volunteer_id, weekday, start_time, end_time, tz)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        return len(rows)

    def shares(self, conn: sqlite3.Connection) -> int:
        rng = self.rng
        servers = self.world.servers
        hot = self.world.hot_ids()
        # Every measured server takes shares quickly enough for thousands of submissions, waits for a moderator,
        # and posts an approved share only after the run (so posting never competes with the measurements).
        conn.executemany(
            "INSERT INTO share_settings (guild_id, per_hour, delay_min_s, delay_max_s, require_approval)"
            " VALUES (?, 60, 3000, 3600, 1)",
            [(gid,) for gid in hot],
        )
        tokens = [_hex(rng) for _ in range(4096)]
        bodies = [" ".join(rng.choices(WORDS, k=rng.randrange(25, 70))).capitalize() + "." for _ in range(2000)]
        titles = [" ".join(rng.choices(WORDS, k=rng.randrange(2, 6))).capitalize() for _ in range(500)]
        total = self.sizes.shares
        start = self.now - timedelta(days=29)
        step = timedelta(days=29) / max(total, 1)
        message_base = 10**18

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(total):
                server = servers[rng.randrange(len(servers))]
                created = start + step * i
                roll = rng.random()
                token = tokens[rng.randrange(len(tokens))]
                if roll < 0.93:
                    yield (
                        server.guild.id,
                        token,
                        rng.choice(titles) if roll < 0.5 else None,
                        bodies[rng.randrange(len(bodies))],
                        None,
                        "posted",
                        f"Willow {i % 997}",
                        _iso(created),
                        _iso(created + timedelta(minutes=1)),
                        server.shares.id,
                        message_base + i,
                        rng.randrange(0, 12),
                        None,
                        None,
                    )
                elif roll < 0.97:
                    yield (
                        server.guild.id,
                        None,
                        None,
                        None,
                        None,
                        "deleted",
                        None,
                        _iso(created),
                        None,
                        server.shares.id,
                        message_base + i,
                        0,
                        None,
                        None,
                    )
                elif roll < 0.99 or server.guild.id in hot:
                    yield (
                        server.guild.id,
                        token,
                        None,
                        None,
                        None,
                        "rejected",
                        None,
                        _iso(created),
                        None,
                        None,
                        None,
                        0,
                        server.moderator.id,
                        _iso(created + timedelta(hours=2)),
                    )
                else:
                    yield (
                        server.guild.id,
                        token,
                        None,
                        bodies[rng.randrange(len(bodies))],
                        None,
                        "queued",
                        f"Rowan {i % 991}",
                        _iso(created),
                        None,
                        None,
                        None,
                        0,
                        None,
                        None,
                    )

        for batch in _chunks(rows()):
            conn.executemany(
                "INSERT INTO shares (guild_id, author_token, title, body, content_warning, status, pseudonym,"
                " created_at, posted_at, channel_id, message_id, support_count, decided_by, decided_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
        return total

    def groups(self, conn: sqlite3.Connection) -> int:
        try:
            from cogs.groups.reminders import DEFAULT_LEADS, first_step
            from cogs.groups.schedule import WeeklyTime
        except ImportError as exc:
            raise _SkipError(f"cannot compute the groups' next steps ({exc})") from exc
        rng, now = self.rng, self.now
        next_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM support_groups").fetchone()[0]) + 1
        groups, members, jobs = [], [], []
        for index, n in self._per_guild(self.sizes.groups):
            server = self.world.servers[index]
            tz = self.zones[index][0]
            for k in range(n):
                duration = rng.choice((60, 90))
                weekday, start = quiet_weekly_time(rng, tz, now, timedelta(minutes=duration), timedelta(hours=26))
                step = first_step(WeeklyTime(weekday, start, duration, tz), now, frozenset(), DEFAULT_LEADS)
                if step is None or step.due < now + timedelta(minutes=90):
                    raise _SkipError("the groups' schedule rules gave a step inside the run; not seeding groups")
                name = f"{RESOURCE_WORDS[k % len(RESOURCE_WORDS)].title()} circle {k + 1}"
                groups.append(
                    (
                        next_id,
                        server.guild.id,
                        name,
                        " ".join(name.casefold().split()),
                        "A weekly peer support meeting.",
                        weekday,
                        start.strftime("%H:%M"),
                        duration,
                        tz,
                        server.groups.id,
                        "text",
                        "groups",
                        server.facilitator.id,
                        rng.choice((None, 12, 20)),
                        "support,weekly",
                        "1440,15",
                        _iso(now - timedelta(days=40)),
                    )
                )
                for _ in range(rng.randrange(3, 9)):
                    members.append((next_id, _user_id(rng), "joined", _iso(now - timedelta(days=rng.randrange(1, 40)))))
                jobs.append((step.kind, step.ref(next_id), server.guild.id, _iso(step.due)))
                next_id += 1
        conn.executemany(
            "INSERT INTO support_groups (id, guild_id, name, name_key, description, weekday, start_time,"
            " duration_minutes, tz, channel_id, channel_kind, channel_name, facilitator_id, capacity, tags,"
            " lead_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            groups,
        )
        conn.executemany(
            "INSERT OR IGNORE INTO group_members (group_id, user_id, status, since) VALUES (?, ?, ?, ?)", members
        )
        conn.executemany("INSERT INTO jobs (kind, ref, guild_id, due_at) VALUES (?, ?, ?, ?)", jobs)
        self.report.rows["group_members"] = len(members)
        self.report.rows["jobs (groups' next steps)"] = len(jobs)
        return len(groups)

    def resources(self, conn: sqlite3.Connection) -> int:
        try:
            from cogs.resources.model import DEFAULT_CATEGORIES, Entry, key
            from cogs.resources.store import row_values
        except ImportError as exc:
            raise _SkipError(f"cannot build resource rows ({exc})") from exc
        rng = self.rng
        categories = list(DEFAULT_CATEGORIES)
        directories, category_rows, rows = [], [], []
        for index, n in self._per_guild(self.sizes.resources):
            server = self.world.servers[index]
            gid = server.guild.id
            directories.append((gid,))
            category_rows += [(gid, key(c), c, i) for i, c in enumerate(categories)]
            for k in range(n):
                kind = RESOURCE_KINDS[k % len(RESOURCE_KINDS)]
                name = f"{RESOURCE_WORDS[rng.randrange(len(RESOURCE_WORDS))].title()} {kind} {k + 1}"
                category = categories[k % len(categories)]
                entry = Entry(
                    name=name,
                    category=category,
                    description=f"{kind.capitalize()} for people who need it. " + " ".join(rng.choices(WORDS, k=20)),
                    tags=tuple(
                        rng.sample(
                            (
                                "housing",
                                "food",
                                "anxiety",
                                "grief",
                                "legal",
                                "youth",
                                "lgbtq",
                                "recovery",
                                "debt",
                                "carers",
                            ),
                            3,
                        )
                    ),
                    phone=f"0800 {rng.randrange(100000, 999999)}",
                    website=f"https://example.org/{k}",
                    area=rng.choice(("London", "Leeds", "Online", "Manchester", "Bristol")),
                    languages=("English",),
                    last_verified=date(2025, rng.randrange(1, 13), rng.randrange(1, 28)),
                )
                rows.append(row_values(gid, entry))
        conn.executemany("INSERT INTO resource_directories (guild_id) VALUES (?)", directories)
        conn.executemany(
            "INSERT INTO resource_categories (guild_id, name_key, name, position) VALUES (?, ?, ?, ?)", category_rows
        )
        conn.executemany(
            "INSERT INTO resources (guild_id, name, name_key, description, category, tags, phone, website, email,"
            " area, area_key, hours, languages, eligibility, cost, last_verified, terms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return len(rows)


class _SkipError(Exception):
    """A family cannot be seeded (its code is not there yet); the reason is reported."""


def seed(path: Path, world: BenchWorld, sizes: Sizes, now: datetime) -> SeedReport:
    """Create the schema (run from a thread or outside an event loop) and load the data."""
    return Seeder(path, world, sizes, now).run()


# -- the scheduler measurement's reminders ------------------------------------------------------------------------


@dataclass
class Reminders:
    """1,000 (or so) reminders due at `due`, one DM each, to `users`."""

    due: datetime
    users: list[int]
    kind: str
    via: str


def add_reminders(path: Path, world: BenchWorld, users: Sequence[int], due: datetime) -> Reminders:
    """Reminders all due at `due`: real groups reminders when the groups feature is there (a group per reminder
    meeting 15 minutes after `due`, with one member and its pending reminder job), else bench-only jobs."""
    conn = _connect(path)
    try:
        tables = _tables(conn)
        conn.execute("BEGIN")
        try:
            from cogs.groups.reminders import KIND_REMINDER
        except ImportError:
            KIND_REMINDER = ""  # noqa: N806
        if KIND_REMINDER and {"support_groups", "group_members"} <= tables:
            start = due.replace(second=0, microsecond=0) + timedelta(minutes=REMINDER_LEAD)
            next_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM support_groups").fetchone()[0]) + 1
            others = [s for s in world.servers if s.guild.id not in world.hot_ids()] or world.servers
            groups, members, jobs = [], [], []
            for i, user_id in enumerate(users):
                server = others[i % len(others)]
                gid = next_id + i
                name = f"Evening check-in {i + 1}"
                groups.append(
                    (
                        gid,
                        server.guild.id,
                        name,
                        name.casefold(),
                        "Reminder test group.",
                        start.weekday(),
                        start.strftime("%H:%M"),
                        60,
                        "UTC",
                        server.groups.id,
                        "text",
                        "groups",
                        server.facilitator.id,
                        None,
                        "",
                        "1440,15",
                        _iso(due - timedelta(days=30)),
                    )
                )
                members.append((gid, user_id, "joined", _iso(due - timedelta(days=3))))
                jobs.append(
                    (KIND_REMINDER, f"{gid}:{start.date().isoformat()}:{REMINDER_LEAD}", server.guild.id, _iso(due))
                )
            conn.executemany(
                "INSERT INTO support_groups (id, guild_id, name, name_key, description, weekday, start_time,"
                " duration_minutes, tz, channel_id, channel_kind, channel_name, facilitator_id, capacity, tags,"
                " lead_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                groups,
            )
            conn.executemany(
                "INSERT INTO group_members (group_id, user_id, status, since) VALUES (?, ?, ?, ?)", members
            )
            conn.executemany("INSERT INTO jobs (kind, ref, guild_id, due_at) VALUES (?, ?, ?, ?)", jobs)
            result = Reminders(due, list(users), KIND_REMINDER, "groups reminders (cogs/groups)")
        else:
            bench_jobs = [(BENCH_REMINDER_KIND, f"{u}:{i}", None, _iso(due)) for i, u in enumerate(users)]
            conn.executemany("INSERT INTO jobs (kind, ref, guild_id, due_at) VALUES (?, ?, ?, ?)", bench_jobs)
            result = Reminders(due, list(users), BENCH_REMINDER_KIND, "bench-only job kind (no groups feature)")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return result
