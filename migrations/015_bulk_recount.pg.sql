-- 015_bulk_recount.pg.sql - a bulk load counts each partner's figures
-- once, when it commits, instead of a change row a partner, a kind and a
-- batch.
--
-- An import into an empty team database inserts its records a batch at a
-- time.  Each batch's statement triggers added a row of
-- prm_partner_tally_changes for every partner it touched, and prm folded
-- them all as it committed: at 1,020,000 records about 850,000 rows
-- written, deleted and summed, 3 to 4 s of the load.  Counting every
-- partner's figures from the tables once, at the end, takes about 1 s.
--
-- prm_partner_tally_bulk() marks the transaction (managers and admins
-- may call it; the mark is a row only that transaction sees).  While it
-- is marked, the insert triggers add no changes; when it commits, a
-- deferred trigger takes the mark away and counts every partner's
-- figures again, whoever set the mark and whatever the transaction did.
-- The count is one statement, so the changes it deletes (others',
-- committed before it) and the rows it counts are seen at one instant;
-- changes committed later stay, to be folded onto it.
CREATE TABLE prm_partner_tally_bulk (tx bigint PRIMARY KEY);

CREATE FUNCTION prm_partner_tally_bulk() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    INSERT INTO prm_partner_tally_bulk VALUES (txid_current())
    ON CONFLICT DO NOTHING
$$;

-- Every partner's figures counted again from the tables, a table at a
-- time, under the fold lock (waited for: the count must happen).
CREATE FUNCTION prm_partner_tally_recount() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('prm_partner_tally_fold'));
    DELETE FROM prm_partner_tally_bulk WHERE tx = NEW.tx;
    -- (waits for a partner being deleted, whose row then stays gone)
    DELETE FROM prm_partner_tallies;
    WITH folded AS (DELETE FROM prm_partner_tally_changes),
    links AS (
        SELECT pp.partner_id, count(*) AS projects,
               count(*) FILTER (WHERE x.status = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE x.status = 'failed') AS failed,
               coalesce(sum(o.n), 0) AS outcomes
        FROM project_partners AS pp JOIN projects AS x ON x.id = pp.project_id
        LEFT JOIN (SELECT project_id, count(*) AS n FROM outcomes
                   GROUP BY project_id) AS o ON o.project_id = pp.project_id
        GROUP BY pp.partner_id),
    comms AS (
        SELECT partner_id, count(*) AS n, max(at) AS last
        FROM communications GROUP BY partner_id),
    res AS (
        SELECT partner_id, count(*) AS n FROM resources GROUP BY partner_id),
    dl AS (
        SELECT partner_id, count(*) AS n,
               count(*) FILTER (WHERE status = 'won') AS won,
               count(*) FILTER (WHERE status = 'lost') AS lost,
               coalesce(sum(amount) FILTER (WHERE status = 'won'), 0) AS cents
        FROM deals GROUP BY partner_id)
    INSERT INTO prm_partner_tallies (partner_id, projects, succeeded, failed,
        communications, last_contact, resources, outcomes, deals, deals_won,
        deals_lost, won_amount)
    SELECT p.id, coalesce(l.projects, 0), coalesce(l.succeeded, 0),
           coalesce(l.failed, 0), coalesce(c.n, 0), c.last, coalesce(r.n, 0),
           coalesce(l.outcomes, 0), coalesce(d.n, 0), coalesce(d.won, 0),
           coalesce(d.lost, 0), coalesce(d.cents, 0)
    FROM partners AS p
    LEFT JOIN links AS l ON l.partner_id = p.id
    LEFT JOIN comms AS c ON c.partner_id = p.id
    LEFT JOIN res AS r ON r.partner_id = p.id
    LEFT JOIN dl AS d ON d.partner_id = p.id
    WHERE l.partner_id IS NOT NULL OR c.partner_id IS NOT NULL
       OR r.partner_id IS NOT NULL OR d.partner_id IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER partner_tally_bulk_done
    AFTER INSERT ON prm_partner_tally_bulk DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_recount();
REVOKE ALL ON FUNCTION prm_partner_tally_bulk(),
    prm_partner_tally_recount() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prm_partner_tally_bulk() TO prm_manager;

-- The insert triggers of 014, adding nothing in a marked transaction.
CREATE OR REPLACE FUNCTION prm_partner_tally_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM prm_partner_tally_bulk
               WHERE tx = txid_current()) THEN
        RETURN NULL;
    ELSIF TG_TABLE_NAME = 'communications' THEN
        INSERT INTO prm_partner_tally_changes (partner_id, communications,
                                               last_contact)
        SELECT partner_id, count(*), max(at) FROM added GROUP BY partner_id;
    ELSIF TG_TABLE_NAME = 'resources' THEN
        INSERT INTO prm_partner_tally_changes (partner_id, resources)
        SELECT partner_id, count(*) FROM added GROUP BY partner_id;
    ELSIF TG_TABLE_NAME = 'outcomes' THEN
        INSERT INTO prm_partner_tally_changes (partner_id, outcomes)
        SELECT pp.partner_id, count(*) FROM added AS a
        JOIN project_partners AS pp ON pp.project_id = a.project_id
        GROUP BY pp.partner_id;
    ELSIF TG_TABLE_NAME = 'deals' THEN
        INSERT INTO prm_partner_tally_changes (partner_id, deals, deals_won,
                                               deals_lost, won_amount)
        SELECT partner_id, count(*), count(*) FILTER (WHERE status = 'won'),
               count(*) FILTER (WHERE status = 'lost'),
               coalesce(sum(amount) FILTER (WHERE status = 'won'), 0)
        FROM added GROUP BY partner_id;
    ELSE -- project_partners
        INSERT INTO prm_partner_tally_changes (partner_id, projects,
                                               succeeded, failed, outcomes)
        SELECT a.partner_id, count(*),
               count(*) FILTER (WHERE x.status = 'succeeded'),
               count(*) FILTER (WHERE x.status = 'failed'),
               coalesce(sum((SELECT count(*) FROM outcomes AS o
                             WHERE o.project_id = a.project_id)), 0)
        FROM added AS a JOIN projects AS x ON x.id = a.project_id
        GROUP BY a.partner_id;
    END IF;
    RETURN NULL;
END
$$;
