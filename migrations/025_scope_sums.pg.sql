-- 025_scope_sums.pg.sql - a scope's communications and resources summed
-- from an index alone.  metrics region=EMEA sums the kept figures of a
-- quarter of the partners: PostgreSQL read every row of
-- prm_partner_tallies for them (a hash join over 1M rows, 0.55-0.66 s at
-- 1M partners, half of them past the shared buffers), where this index,
-- a fifth of the table's size, gives the two sums by the partner's key
-- (0.16-0.24 s).  The table's changes were already updating its other
-- indexes (a changed figure moves a partner in the insights' orders), so
-- keeping one more costs a writer nothing measurable.
CREATE INDEX prm_partner_tallies_sums
    ON prm_partner_tallies (partner_id) INCLUDE (communications, resources);
