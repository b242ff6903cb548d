-- Directory search keeps each server's entries as an in-memory index (cogs/resources/index.py) and checks this
-- server's stamp, one indexed read, before trusting it. The stamp changes with everything a search reads: an entry's
-- searchable columns, the server's categories and its directory marker (stamping last_verified does not change it).
-- Triggers keep it, so a write from anywhere (another connection, a script, an import) is seen. random() rather than a
-- counter: a rolled-back write leaves the old stamp, and the stamp it had set never comes back to match an index read
-- inside that transaction. A server with no row has stamp 0.
CREATE TABLE resource_stamps (
    guild_id INTEGER PRIMARY KEY,
    stamp    INTEGER NOT NULL
);

CREATE TRIGGER resource_stamps_resource_insert AFTER INSERT ON resources BEGIN
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (new.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
END;

CREATE TRIGGER resource_stamps_resource_delete AFTER DELETE ON resources BEGIN
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (old.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
END;

CREATE TRIGGER resource_stamps_resource_update
AFTER UPDATE OF guild_id, name, name_key, tags, category, description, area, area_key, eligibility, languages, terms
ON resources BEGIN
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (old.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (new.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
END;

CREATE TRIGGER resource_stamps_category_insert AFTER INSERT ON resource_categories BEGIN
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (new.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
END;

CREATE TRIGGER resource_stamps_category_delete AFTER DELETE ON resource_categories BEGIN
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (old.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
END;

CREATE TRIGGER resource_stamps_category_update AFTER UPDATE ON resource_categories BEGIN
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (old.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (new.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
END;

CREATE TRIGGER resource_stamps_directory_insert AFTER INSERT ON resource_directories BEGIN
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (new.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
END;

CREATE TRIGGER resource_stamps_directory_delete AFTER DELETE ON resource_directories BEGIN
    INSERT INTO resource_stamps (guild_id, stamp) VALUES (old.guild_id, random())
    ON CONFLICT (guild_id) DO UPDATE SET stamp = excluded.stamp;
END;
