-- Resource directory (/resources): per-server entries, their full-text index, categories and members' suggestions.
-- Column meanings and their Open Referral HSDS names are documented in cogs/resources/model.py.

-- A server appears here once its default categories were seeded, so an emptied category list stays empty.
CREATE TABLE resource_directories (
    guild_id  INTEGER PRIMARY KEY,
    seeded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- name_key is the case-folded name (Python str.casefold), so matching is case-insensitive beyond ASCII.
CREATE TABLE resource_categories (
    guild_id INTEGER NOT NULL,
    name_key TEXT NOT NULL,
    name     TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, name_key)
);

-- Lists (tags, languages) are stored as "a, b, c". last_verified is an ISO date (HSDS assured_date) or NULL.
-- name_key and area_key are case-folded copies for lookups; terms is a JSON array of the distinct words of name,
-- tags and category (written by store.py) that feeds resource_terms, the typo-tolerant search's vocabulary.
-- guild_token ('g' || guild_id) is indexed too, so a search is limited to one server inside the FTS index itself.
CREATE TABLE resources (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    website       TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    area          TEXT NOT NULL DEFAULT '',
    area_key      TEXT NOT NULL DEFAULT '',
    hours         TEXT NOT NULL DEFAULT '',
    languages     TEXT NOT NULL DEFAULT '',
    eligibility   TEXT NOT NULL DEFAULT '',
    cost          TEXT NOT NULL DEFAULT '',
    last_verified TEXT,
    terms         TEXT NOT NULL DEFAULT '[]',
    guild_token   TEXT GENERATED ALWAYS AS ('g' || guild_id) VIRTUAL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (guild_id, name_key)
);
CREATE INDEX resources_guild_category ON resources (guild_id, category);
CREATE INDEX resources_guild_verified ON resources (guild_id, last_verified);
-- Covers the category/area filters, so browsing and counting a server's resources never reads the rows themselves.
CREATE INDEX resources_guild_area ON resources (guild_id, area_key, category);

-- External-content FTS5 index over resources; the triggers below keep it in sync. Column order matters: the rank
-- weights below are given in this order (name first, so a name match ranks before a description match; the server
-- token last, with no weight).
CREATE VIRTUAL TABLE resources_fts USING fts5 (
    name, tags, category, description, area, eligibility, languages, guild_token,
    content = 'resources',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO resources_fts (resources_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, 1.0, 2.0, 1.0, 1.0, 0.0)');

CREATE TRIGGER resources_fts_insert AFTER INSERT ON resources BEGIN
    INSERT INTO resources_fts (rowid, name, tags, category, description, area, eligibility, languages, guild_token)
    VALUES (new.id, new.name, new.tags, new.category, new.description, new.area, new.eligibility, new.languages,
            'g' || new.guild_id);
END;

CREATE TRIGGER resources_fts_delete AFTER DELETE ON resources BEGIN
    INSERT INTO resources_fts
        (resources_fts, rowid, name, tags, category, description, area, eligibility, languages, guild_token)
    VALUES ('delete', old.id, old.name, old.tags, old.category, old.description, old.area, old.eligibility,
            old.languages, 'g' || old.guild_id);
END;

-- Only changes to indexed columns touch the index (stamping last_verified does not).
CREATE TRIGGER resources_fts_update
AFTER UPDATE OF guild_id, name, tags, category, description, area, eligibility, languages ON resources BEGIN
    INSERT INTO resources_fts
        (resources_fts, rowid, name, tags, category, description, area, eligibility, languages, guild_token)
    VALUES ('delete', old.id, old.name, old.tags, old.category, old.description, old.area, old.eligibility,
            old.languages, 'g' || old.guild_id);
    INSERT INTO resources_fts (rowid, name, tags, category, description, area, eligibility, languages, guild_token)
    VALUES (new.id, new.name, new.tags, new.category, new.description, new.area, new.eligibility, new.languages,
            'g' || new.guild_id);
END;

-- Each server's vocabulary of name/tag/category words, with how many resources use each word. The fuzzy fallback
-- compares misspelt query words against it (its size follows the language, not the number of resources).
CREATE TABLE resource_terms (
    guild_id INTEGER NOT NULL,
    term     TEXT NOT NULL,
    uses     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, term)
) WITHOUT ROWID;

CREATE TRIGGER resources_terms_insert AFTER INSERT ON resources BEGIN
    INSERT INTO resource_terms (guild_id, term, uses)
    SELECT new.guild_id, value, 1 FROM json_each(new.terms) WHERE true
    ON CONFLICT (guild_id, term) DO UPDATE SET uses = uses + 1;
END;

CREATE TRIGGER resources_terms_delete AFTER DELETE ON resources BEGIN
    UPDATE resource_terms SET uses = uses - 1
    WHERE guild_id = old.guild_id AND term IN (SELECT value FROM json_each(old.terms));
    DELETE FROM resource_terms
    WHERE guild_id = old.guild_id AND uses <= 0 AND term IN (SELECT value FROM json_each(old.terms));
END;

CREATE TRIGGER resources_terms_update AFTER UPDATE OF guild_id, terms ON resources BEGIN
    UPDATE resource_terms SET uses = uses - 1
    WHERE guild_id = old.guild_id AND term IN (SELECT value FROM json_each(old.terms));
    DELETE FROM resource_terms
    WHERE guild_id = old.guild_id AND uses <= 0 AND term IN (SELECT value FROM json_each(old.terms));
    INSERT INTO resource_terms (guild_id, term, uses)
    SELECT new.guild_id, value, 1 FROM json_each(new.terms) WHERE true
    ON CONFLICT (guild_id, term) DO UPDATE SET uses = uses + 1;
END;

-- A member's suggestion for the directory. user_id lets admins reply; /privacy delete removes the member's rows.
-- status: pending -> added (an admin added it as resource_id) or dismissed.
CREATE TABLE resource_suggestions (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    contact     TEXT NOT NULL DEFAULT '',
    area        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'added', 'dismissed')),
    resource_id INTEGER REFERENCES resources (id) ON DELETE SET NULL,
    decided_by  INTEGER,
    decided_at  TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX resource_suggestions_queue ON resource_suggestions (guild_id, status, id);
CREATE INDEX resource_suggestions_user ON resource_suggestions (user_id);
CREATE INDEX resource_suggestions_decider ON resource_suggestions (decided_by);
