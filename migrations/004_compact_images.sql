-- 004_compact_images.sql - schema version 3 to 4: the after image of an
-- added record may be compact (schema.sql, the audit log), which prm of
-- schema 3 would show as it is stored.  No table changes and no entry is
-- rewritten: whole images stay valid.  The version moves on so that an
-- older prm refuses the database rather than misread its log.
-- Run by prm, in one transaction, when it opens a version-3 database.

PRAGMA user_version = 4;
