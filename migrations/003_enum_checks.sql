-- 003_enum_checks.sql - schema version 2 to 3: allowed values checked as
-- "x = 'a' OR x = 'b' ..." instead of "x IN ('a', 'b', ...)", which made
-- SQLite build a temporary index each time an INSERT ran (schema.sql).
-- Run by prm, in one transaction, when it opens a version-2 database.
--
-- The two forms accept exactly the same values, so the rows already stored
-- satisfy the new checks and nothing on disk changes: SQLite's documented
-- way to change a CHECK constraint in place is to rewrite the table's
-- CREATE statement in sqlite_schema (https://sqlite.org/lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes").  Each check of version 2
-- is replaced by its text in schema.sql (tests/unit/test_migrate.c checks
-- the result is exactly a new database's schema).  prm then moves the
-- schema version on, so that every connection reads the new statements.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql,
'CHECK (status IN (''prospect'', ''active'', ''inactive''))',
'CHECK (status = ''prospect'' OR status = ''active'' OR
                       status = ''inactive'')')
WHERE type = 'table' AND name = 'partners';

UPDATE sqlite_schema SET sql = replace(sql,
'CHECK (status IN (''planned'', ''active'', ''succeeded'', ''failed'',
                                  ''cancelled''))',
'CHECK (status = ''planned'' OR status = ''active'' OR
                       status = ''succeeded'' OR status = ''failed'' OR
                       status = ''cancelled'')')
WHERE type = 'table' AND name = 'projects';

UPDATE sqlite_schema SET sql = replace(sql,
'CHECK (method IN (''email'', ''phone'', ''meeting'', ''chat'', ''other''))',
'CHECK (method = ''email'' OR method = ''phone'' OR
                       method = ''meeting'' OR method = ''chat'' OR
                       method = ''other'')')
WHERE type = 'table' AND name = 'communications';

UPDATE sqlite_schema SET sql = replace(sql,
'CHECK (kind IN (''people'', ''technology'', ''funding'', ''other''))',
'CHECK (kind = ''people'' OR kind = ''technology'' OR
                       kind = ''funding'' OR kind = ''other'')')
WHERE type = 'table' AND name = 'resources';

UPDATE sqlite_schema SET sql = replace(sql,
'TEXT NOT NULL CHECK (action IN (''add'', ''update'', ''delete''))',
'TEXT NOT NULL
                CHECK (action = ''add'' OR action = ''update'' OR
                       action = ''delete'')')
WHERE type = 'table' AND name = 'audit';

PRAGMA writable_schema = OFF;
PRAGMA user_version = 3;
