-- Core tables: per-server configuration, key-value metadata, and durable due work (DESIGN §2).

CREATE TABLE guild_config (
    guild_id                INTEGER PRIMARY KEY,
    shares_channel_id       INTEGER,
    share_queue_channel_id  INTEGER,
    groups_channel_id       INTEGER,
    volunteers_channel_id   INTEGER,
    peer_channel_id         INTEGER,
    crisis_alert_channel_id INTEGER,
    volunteer_role_id       INTEGER,
    on_duty_role_id         INTEGER,
    facilitator_role_id     INTEGER,
    moderator_role_id       INTEGER,
    timezone                TEXT NOT NULL DEFAULT 'UTC',
    country                 TEXT,
    updated_at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per thing that must happen later. The scheduler only wakes us up; this table is the truth.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    guild_id    INTEGER,
    due_at      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'missed', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    finished_at TEXT,
    UNIQUE (kind, ref)
);
CREATE INDEX jobs_pending_due ON jobs (status, due_at);
