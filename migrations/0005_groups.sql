-- Weekly support groups (/group ...): groups, who joined or waits, skipped dates, members' reminder setting,
-- and a log of every DM sent per member so a reminder or notice is never sent twice. See cogs/groups/store.py.

-- A group meets every week at a local wall time in an IANA zone (weekday 0 = Monday), for duration_minutes of
-- elapsed time. name_key is the case-folded name: unique among a server's active groups (archiving frees it).
-- lead_minutes lists the reminder lead times, e.g. '1440,15' ('' = no reminders).
-- event_id / event_date: the native Discord scheduled event the bot keeps for one meeting (its local date).
CREATE TABLE support_groups (
    id                 INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL,
    name               TEXT NOT NULL,
    name_key           TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    weekday            INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time         TEXT NOT NULL,
    duration_minutes   INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    tz                 TEXT NOT NULL,
    first_date         TEXT,
    channel_id         INTEGER NOT NULL,
    channel_kind       TEXT NOT NULL CHECK (channel_kind IN ('voice', 'stage', 'text')),
    channel_name       TEXT NOT NULL DEFAULT '',
    facilitator_id     INTEGER NOT NULL,
    capacity           INTEGER CHECK (capacity IS NULL OR capacity >= 1),
    tags               TEXT NOT NULL DEFAULT '',
    private            INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    lead_minutes       TEXT NOT NULL DEFAULT '1440,15',
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    version            INTEGER NOT NULL DEFAULT 1,
    announce_channel_id INTEGER,
    announce_message_id INTEGER,
    event_id           INTEGER,
    event_date         TEXT,
    created_at         TEXT NOT NULL,
    archived_at        TEXT
);
CREATE UNIQUE INDEX groups_active_name ON support_groups (guild_id, name_key) WHERE status = 'active';
CREATE INDEX groups_guild_status ON support_groups (guild_id, status);
CREATE INDEX groups_status ON support_groups (status);

-- status 'joined' holds a seat; 'waiting' is the waitlist, first come first served (since, then rowid).
CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    status   TEXT NOT NULL CHECK (status IN ('joined', 'waiting')),
    since    TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id, status);
CREATE INDEX group_members_group_status ON group_members (group_id, status, since);

CREATE TABLE group_skips (
    group_id   INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    reason     TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_id, local_date)
);

-- Only members who turned reminders off (or back on) have a row; no row means on.
CREATE TABLE group_reminder_prefs (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    enabled  INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX group_reminder_prefs_user ON group_reminder_prefs (user_id);

-- One row per reminder DM per member, claimed *before* the DM is sent: the primary key makes a second send
-- impossible, also across restarts. outcome 'sending' = claimed (a crash right after it means at most once).
CREATE TABLE group_reminders_sent (
    group_id     INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    local_date   TEXT NOT NULL,
    lead_minutes INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('sending', 'sent', 'dm_closed', 'failed')),
    at           TEXT NOT NULL,
    PRIMARY KEY (group_id, local_date, lead_minutes, user_id)
);
CREATE INDEX group_reminders_sent_user ON group_reminders_sent (user_id);

-- The same guarantee for notices (a skipped date, a new time, a freed seat, an archived group). user_id 0 stands
-- for the group's channel: the public "starting now" post is logged here too, so it is never posted twice.
-- outcome 'failed': the post could not be made (e.g. a missing permission) and is not retried.
CREATE TABLE group_notices_sent (
    group_id INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    notice   TEXT NOT NULL,
    user_id  INTEGER NOT NULL,
    outcome  TEXT NOT NULL CHECK (outcome IN ('sending', 'sent', 'dm_closed', 'failed')),
    at       TEXT NOT NULL,
    PRIMARY KEY (group_id, notice, user_id)
);
CREATE INDEX group_notices_sent_user ON group_notices_sent (user_id);
