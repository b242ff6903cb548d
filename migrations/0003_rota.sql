-- Volunteer rota: weekly shifts, one-off covers, manual duty, handoffs, and members' peer requests.

CREATE TABLE rota_shifts (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    volunteer_id INTEGER NOT NULL,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time   TEXT NOT NULL,
    end_time     TEXT NOT NULL,
    tz           TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX rota_shifts_guild ON rota_shifts (guild_id, volunteer_id);
CREATE INDEX rota_shifts_volunteer ON rota_shifts (volunteer_id);

-- One occurrence of a shift handed to someone else (cover_id NULL: asked for, nobody has taken it yet).
CREATE TABLE rota_overrides (
    id                 INTEGER PRIMARY KEY,
    shift_id           INTEGER NOT NULL REFERENCES rota_shifts (id) ON DELETE CASCADE,
    local_date         TEXT NOT NULL,
    cover_id           INTEGER,
    request_message_id INTEGER,
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (shift_id, local_date)
);
CREATE INDEX rota_overrides_cover ON rota_overrides (cover_id);

-- /duty on: a manual stretch on duty (ended_at set by /duty off).
CREATE TABLE duty_sessions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    volunteer_id INTEGER NOT NULL,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX duty_sessions_active ON duty_sessions (guild_id, ends_at);
CREATE INDEX duty_sessions_volunteer ON duty_sessions (volunteer_id);

-- Whether the bot (not a person) gave the on-duty role, so it only takes back what it gave.
CREATE TABLE duty_roles (
    guild_id     INTEGER NOT NULL,
    volunteer_id INTEGER NOT NULL,
    given_at     TEXT NOT NULL,
    PRIMARY KEY (guild_id, volunteer_id)
);

CREATE TABLE duty_handoffs (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    author_id  INTEGER NOT NULL,
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX duty_handoffs_guild ON duty_handoffs (guild_id, created_at);
CREATE INDEX duty_handoffs_author ON duty_handoffs (author_id);

CREATE TABLE volunteer_limits (
    guild_id       INTEGER NOT NULL,
    volunteer_id   INTEGER NOT NULL,
    hours_per_week INTEGER NOT NULL,
    PRIMARY KEY (guild_id, volunteer_id)
);

CREATE TABLE peer_requests (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    member_id        INTEGER NOT NULL,
    wants            TEXT NOT NULL CHECK (wants IN ('listen', 'ideas')),
    urgency          TEXT NOT NULL CHECK (urgency IN ('low', 'medium', 'high')),
    topic            TEXT,
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'closed')),
    thread_id        INTEGER,
    alert_message_id INTEGER,
    claimed_by       INTEGER,
    handoff_note     TEXT,
    escalation       INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    -- When the request (re)entered the queue: creation, or the last tap-out. Escalation counts from here.
    queued_at        TEXT NOT NULL,
    -- How many times it went back to the queue (tap-outs): escalation jobs of an earlier round are ignored.
    queue_round      INTEGER NOT NULL DEFAULT 0,
    closed_at        TEXT,
    -- The member answered "Did you feel heard?" (the answer itself is in peer_feedback, without any id).
    feedback_given   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX peer_requests_guild_status ON peer_requests (guild_id, status);
CREATE INDEX peer_requests_member ON peer_requests (member_id);
CREATE UNIQUE INDEX peer_requests_one_open ON peer_requests (guild_id, member_id) WHERE status != 'closed';

-- "Did you feel heard?" answers, kept without any identity for the monthly summary.
CREATE TABLE peer_feedback (
    id       INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    month    TEXT NOT NULL,
    rating   INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5)
);
