-- 002_audit.sql - schema version 1 to 2: the audit log.
-- Run by prm, in one transaction, when it opens a version-1 database.

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    change      INTEGER NOT NULL,
    at          TEXT NOT NULL,
    user        TEXT NOT NULL,
    command     TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('add', 'update', 'delete')),
    kind        TEXT NOT NULL,
    record      INTEGER NOT NULL,
    before      TEXT,
    after       TEXT,
    undoes      INTEGER
);
CREATE INDEX audit_undoes ON audit (undoes) WHERE undoes IS NOT NULL;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

PRAGMA user_version = 2;
