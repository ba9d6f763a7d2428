-- 005_canonical_commands.sql - schema version 4 to 5: an add entry may
-- leave its command out (an empty command) when the command is the one its
-- after image gives, and its compact image may leave out a status at its
-- default (schema.sql, the audit log), which prm of schema 4 would show
-- as empty and null.  No table changes and no entry is rewritten.  The
-- version moves on so that an older prm refuses the database rather than
-- misread its log.
-- Run by prm, in one transaction, when it opens a version-4 database.

PRAGMA user_version = 5;
