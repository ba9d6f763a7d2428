-- 016_active_due.pg.sql - the stalled projects read in the order of their
-- due date, as a file reads them (migration 011 there): an index of the
-- active projects by due date.  Without it the insights' stalled rule
-- sorted every active project past due to keep ten (1.1 s at 1M, against
-- a millisecond on a file).
CREATE INDEX projects_active_due ON projects (due) WHERE status = 'active';
