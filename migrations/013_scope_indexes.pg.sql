-- 013_scope_indexes.pg.sql - filtered metrics answered from indexes alone,
-- as on a file: a scope's partners (type, region, status) with their ids
-- in the index, and a project's start date with the columns it is
-- worked out from (PostgreSQL reads an index alone only when it holds
-- every column the query names).  At 1M partners: metrics region=EMEA
-- read 125,000 partner rows for each of its six counts.
DROP INDEX partners_type;
DROP INDEX partners_region;
DROP INDEX partners_status;
CREATE INDEX partners_type ON partners (type, id);
CREATE INDEX partners_region ON partners (region, id);
CREATE INDEX partners_status ON partners (status, id);
DROP INDEX projects_started;
CREATE INDEX projects_started ON projects (coalesce(start, created_at), status)
    INCLUDE (start, created_at);
