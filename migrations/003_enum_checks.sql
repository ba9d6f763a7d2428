-- 003_enum_checks.sql - schema version 2 to 3: allowed values checked as
-- "x = 'a' OR x = 'b' ..." instead of "x IN ('a', 'b', ...)", which made
-- SQLite build a temporary index each time an INSERT ran (schema.sql).
-- Run by prm, in one transaction, when it opens a version-2 database.
--
-- The two forms accept exactly the same values, so the rows already stored
-- satisfy the new checks and nothing on disk changes: SQLite's documented
-- way to change a CHECK constraint in place is to rewrite the table's
-- CREATE statement in sqlite_schema (https://sqlite.org/lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes").  prm then moves the schema
-- version on, so that every connection reads the new statements.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = 'CREATE TABLE partners (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (name <> ''''),
    type        TEXT,
    region      TEXT,
    status      TEXT NOT NULL DEFAULT ''active''
                CHECK (status = ''prospect'' OR status = ''active'' OR
                       status = ''inactive''),
    tier        TEXT,
    email       TEXT,
    phone       TEXT,
    notes       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
)'
WHERE type = 'table' AND name = 'partners';

UPDATE sqlite_schema SET sql = 'CREATE TABLE projects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (name <> ''''),
    goal        TEXT,
    plan        TEXT,
    progress    INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    status      TEXT NOT NULL DEFAULT ''planned''
                CHECK (status = ''planned'' OR status = ''active'' OR
                       status = ''succeeded'' OR status = ''failed'' OR
                       status = ''cancelled''),
    result      TEXT,
    start       TEXT,
    due         TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
)'
WHERE type = 'table' AND name = 'projects';

UPDATE sqlite_schema SET sql = 'CREATE TABLE communications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    project_id  INTEGER REFERENCES projects (id),
    method      TEXT NOT NULL
                CHECK (method = ''email'' OR method = ''phone'' OR
                       method = ''meeting'' OR method = ''chat'' OR
                       method = ''other''),
    at          TEXT NOT NULL,
    subject     TEXT,
    content     TEXT NOT NULL
)'
WHERE type = 'table' AND name = 'communications';

UPDATE sqlite_schema SET sql = 'CREATE TABLE resources (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    project_id  INTEGER REFERENCES projects (id),
    kind        TEXT NOT NULL
                CHECK (kind = ''people'' OR kind = ''technology'' OR
                       kind = ''funding'' OR kind = ''other''),
    amount      REAL NOT NULL DEFAULT 1 CHECK (amount >= 0),
    unit        TEXT,
    description TEXT,
    at          TEXT NOT NULL
)'
WHERE type = 'table' AND name = 'resources';

UPDATE sqlite_schema SET sql = 'CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    change      INTEGER NOT NULL,
    at          TEXT NOT NULL,
    user        TEXT NOT NULL,
    command     TEXT NOT NULL,
    action      TEXT NOT NULL
                CHECK (action = ''add'' OR action = ''update'' OR
                       action = ''delete''),
    kind        TEXT NOT NULL,
    record      INTEGER NOT NULL,
    before      TEXT,
    after       TEXT,
    undoes      INTEGER
)'
WHERE type = 'table' AND name = 'audit';

PRAGMA writable_schema = OFF;
PRAGMA user_version = 3;
