-- 017_dormant_order.pg.sql - the dormant partners read in the insights'
-- order from each partner's kept figures: most projects, then the oldest
-- last contact (none first), then id.  The rule then stops at its limit
-- instead of joining and sorting every partner's figures (1.7 s at 1M
-- partners); the partners with changes not yet folded in are worked out
-- apart.
CREATE INDEX prm_partner_tallies_dormant
    ON prm_partner_tallies (projects DESC, last_contact NULLS FIRST, partner_id);
