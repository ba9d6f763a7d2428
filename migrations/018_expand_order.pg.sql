-- 018_expand_order.pg.sql - the partners that do well with few projects
-- read in the insights' order from each partner's kept figures: best
-- closed success rate, then resource efficiency (none last), fewest
-- projects, id.  The rule then stops at its limit instead of joining and
-- sorting every partner's figures (1.7 s at 1M partners); the partners
-- with changes not yet folded in are worked out apart.
CREATE INDEX prm_partner_tallies_expand ON prm_partner_tallies (
    (CASE WHEN succeeded + failed > 0
          THEN 1.0 * succeeded / (succeeded + failed) END) DESC NULLS LAST,
    (CASE WHEN resources > 0 THEN 1.0 * outcomes / resources END)
        DESC NULLS LAST,
    projects, partner_id);
