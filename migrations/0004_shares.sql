-- Anonymous shares (DESIGN §4). No table here holds a member's user id: an author, replier, supporter or
-- reporter is only an author token, HMAC(secret key, "guild_id:user_id"), which cannot be turned back into
-- a user id without the key file. Moderators' ids (decided_by) are kept: moderators are not anonymous.
-- Instants are UTC ISO-8601 text with microseconds ("2026-01-05T12:00:00.000000+00:00"), so they sort as text.

CREATE TABLE share_settings (
    guild_id             INTEGER PRIMARY KEY,
    pseudonym_mode       TEXT    NOT NULL DEFAULT 'per_share' CHECK (pseudonym_mode IN ('per_share', 'per_author')),
    per_hour             INTEGER NOT NULL DEFAULT 3 CHECK (per_hour BETWEEN 1 AND 60),
    delay_min_s          INTEGER NOT NULL DEFAULT 30 CHECK (delay_min_s >= 0),
    delay_max_s          INTEGER NOT NULL DEFAULT 120 CHECK (delay_max_s >= delay_min_s AND delay_max_s <= 3600),
    -- On by default: it takes effect once a share queue channel is set (/setup channels share_queue:).
    require_approval     INTEGER NOT NULL DEFAULT 1 CHECK (require_approval IN (0, 1)),
    min_account_age_days INTEGER NOT NULL DEFAULT 0 CHECK (min_account_age_days >= 0),
    min_member_age_days  INTEGER NOT NULL DEFAULT 0 CHECK (min_member_age_days >= 0),
    updated_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- One share. Deleting (author) wipes title, body, warnings, pseudonym, token and reason; rejecting wipes the
-- text too. What is left of such a row is its id, guild, status, timestamps and Discord ids.
CREATE TABLE shares (
    id                  INTEGER PRIMARY KEY,
    guild_id            INTEGER NOT NULL,
    author_token        TEXT,
    title               TEXT,
    body                TEXT,
    content_warning     TEXT,
    mod_content_warning TEXT,
    status              TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'queued', 'approved', 'posted', 'rejected', 'deleted')),
    pseudonym           TEXT,
    created_at          TEXT    NOT NULL,
    post_after          TEXT,
    posted_at           TEXT,
    channel_id          INTEGER,
    message_id          INTEGER,
    thread_id           INTEGER,
    queue_message_id    INTEGER,
    post_job_ref        TEXT,
    support_count       INTEGER NOT NULL DEFAULT 0,
    decided_by          INTEGER,
    decided_at          TEXT,
    reject_reason       TEXT,
    -- 1 when the crisis matcher found crisis language (never posted without a moderator, staff alerted), else
    -- NULL; wiped with the text.
    needs_care          INTEGER CHECK (needs_care = 1),
    alert_message_id    INTEGER
);
CREATE INDEX shares_guild_status ON shares (guild_id, status, id);
CREATE INDEX shares_status_created ON shares (status, created_at);
CREATE INDEX shares_guild_author ON shares (guild_id, author_token, created_at);
CREATE INDEX shares_message ON shares (message_id);

-- Anonymous replies in a share's thread; is_author = 1 when the share's own author wrote it.
CREATE TABLE share_replies (
    id           INTEGER PRIMARY KEY,
    share_id     INTEGER NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    author_token TEXT,
    is_author    INTEGER NOT NULL DEFAULT 0 CHECK (is_author IN (0, 1)),
    pseudonym    TEXT,
    body         TEXT,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'posted', 'deleted')),
    message_id   INTEGER,
    created_at   TEXT    NOT NULL
);
CREATE INDEX share_replies_share ON share_replies (share_id, id);
CREATE INDEX share_replies_author ON share_replies (author_token);

-- "Send support": one row per member per share, so nobody counts twice; the count lives on shares.
CREATE TABLE share_support (
    share_id        INTEGER NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    supporter_token TEXT    NOT NULL,
    PRIMARY KEY (share_id, supporter_token)
);
CREATE INDEX share_support_token ON share_support (supporter_token);

-- Reports go to the moderators' queue. The reporter is only a token; token and reason are wiped when the report
-- is closed, so a closed report says only that a report was made and how it ended.
CREATE TABLE share_reports (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    share_id       INTEGER NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    reporter_token TEXT,
    reason         TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
    created_at     TEXT    NOT NULL,
    message_id     INTEGER,
    UNIQUE (share_id, reporter_token)
);
CREATE INDEX share_reports_guild_status ON share_reports (guild_id, status, id);
CREATE INDEX share_reports_token ON share_reports (reporter_token);

-- Authors a moderator blocked from sharing, known only by token; listed and lifted by id, or by the id of the
-- share the block was made from (share_id: kept even if that share is later wiped).
CREATE TABLE share_blocks (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    author_token TEXT    NOT NULL,
    reason       TEXT,
    created_at   TEXT    NOT NULL,
    share_id     INTEGER,
    UNIQUE (guild_id, author_token)
);

-- Submission times per author token for the hourly limit; survive the author deleting a share (so deleting
-- and resubmitting does not dodge the limit) and are pruned once older than the window.
CREATE TABLE share_rate_events (
    guild_id     INTEGER NOT NULL,
    author_token TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX share_rate_events_lookup ON share_rate_events (guild_id, author_token, created_at);
CREATE INDEX share_rate_events_age ON share_rate_events (created_at);
