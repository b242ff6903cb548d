-- Crisis lines: members' own choices, and the opt-in listener per channel with guild-editable phrases.

-- A member's saved country and whether they want private listener replies. Deleted by /privacy delete.
CREATE TABLE crisis_member_prefs (
    user_id    INTEGER PRIMARY KEY,
    country    TEXT,
    quiet      INTEGER NOT NULL DEFAULT 0 CHECK (quiet IN (0, 1)),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE crisis_listen_channels (
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    notice_message_id INTEGER,
    enabled_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (guild_id, channel_id)
);

CREATE TABLE crisis_phrases (
    guild_id INTEGER NOT NULL,
    phrase   TEXT NOT NULL,
    PRIMARY KEY (guild_id, phrase)
);
