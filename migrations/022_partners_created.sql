-- 022_partners_created.sql - partners by the day they were added, for
-- report trend: each period's partners counted in a range of this index
-- as the other kinds are counted in theirs (communications_at,
-- resources_at, outcomes_at, projects_started), instead of every row of
-- every kind grouped by its period (9.5 s at a million partners, most of
-- it sorting nine million rows).
CREATE INDEX partners_created ON partners (created_at);
