-- 010_tallies.pg.sql - counts of whole tables kept in step with every
-- change, so that an unfiltered metrics reads a few rows instead of
-- counting millions.  The same counts as a file keeps (one row each):
--   partners, projects, communications, resources, outcomes, deals
--   projects.STATUS     projects with that status (each status a row)
--   deals.STATUS        deals with that status (each status a row)
--   deals.ever_approved deals ever approved (approved_at set)
--   deals.won_amount    the cents of the won deals
-- Every insert, delete or change of a counted row, whoever makes it (prm,
-- psql), adds what it changes as rows of prm_tally_changes (triggers);
-- a count is its row in prm_tallies plus its changes.  Writers never
-- update one row together: many updates of one row in a transaction grow
-- a chain of row versions each update walks.  prm folds the changes
-- into prm_tallies before it commits (prm_tally_fold), one writer at a
-- time, the others leaving it to the next.  Only these functions write
-- the two tables; everyone reads them.
CREATE TABLE prm_tallies (
    name text PRIMARY KEY,
    n    bigint NOT NULL
);
CREATE TABLE prm_tally_changes (
    name text NOT NULL,
    n    bigint NOT NULL
);
INSERT INTO prm_tallies (name, n)
SELECT 'partners', count(*) FROM partners
UNION ALL SELECT 'projects', count(*) FROM projects
UNION ALL SELECT 'communications', count(*) FROM communications
UNION ALL SELECT 'resources', count(*) FROM resources
UNION ALL SELECT 'outcomes', count(*) FROM outcomes
UNION ALL SELECT 'deals', count(*) FROM deals
UNION ALL SELECT 'projects.' || s.status, (SELECT count(*) FROM projects AS x
    WHERE x.status = s.status)
    FROM (VALUES ('planned'), ('active'), ('succeeded'), ('failed'),
                 ('cancelled')) AS s (status)
UNION ALL SELECT 'deals.' || s.status, (SELECT count(*) FROM deals AS x
    WHERE x.status = s.status)
    FROM (VALUES ('submitted'), ('approved'), ('rejected'), ('won'),
                 ('lost'), ('cancelled')) AS s (status)
UNION ALL SELECT 'deals.ever_approved', count(*) FROM deals
    WHERE approved_at IS NOT NULL
UNION ALL SELECT 'deals.won_amount', coalesce(sum(amount), 0) FROM deals
    WHERE status = 'won';
GRANT SELECT ON prm_tallies, prm_tally_changes TO prm_viewer;

-- Row triggers: a statement trigger over its transition table cost more
-- than twice as much for the one-row statements prm sends.
CREATE FUNCTION prm_tally_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_tally_changes
    VALUES (TG_TABLE_NAME, CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END);
    RETURN NULL;
END
$$;
CREATE FUNCTION prm_tally_project() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO prm_tally_changes
        VALUES ('projects', 1), ('projects.' || NEW.status, 1);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO prm_tally_changes
        VALUES ('projects', -1), ('projects.' || OLD.status, -1);
    ELSE
        INSERT INTO prm_tally_changes
        VALUES ('projects.' || OLD.status, -1), ('projects.' || NEW.status, 1);
    END IF;
    RETURN NULL;
END
$$;
-- A deal's counts, each times s (1 for a deal that is, -1 for one gone).
CREATE FUNCTION prm_tally_deal_rows(d deals, s integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO prm_tally_changes (name, n)
    SELECT name, n * s FROM (VALUES
        ('deals', 1::bigint),
        ('deals.' || d.status, 1),
        ('deals.ever_approved', CASE WHEN d.approved_at IS NULL THEN 0 ELSE 1 END),
        ('deals.won_amount', CASE WHEN d.status = 'won'
                                  THEN coalesce(d.amount, 0) ELSE 0 END))
        AS v (name, n)
    WHERE n <> 0
$$;
CREATE FUNCTION prm_tally_deal() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM prm_tally_deal_rows(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM prm_tally_deal_rows(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;
-- The changes into prm_tallies, unless another writer is folding now (it
-- or the next takes these too).  Run by prm before it commits.
CREATE FUNCTION prm_tally_fold() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF pg_try_advisory_xact_lock(hashtext('prm_tally_fold')) THEN
        WITH gone AS (DELETE FROM prm_tally_changes RETURNING name, n),
             net AS (SELECT name, sum(n) AS n FROM gone GROUP BY name)
        UPDATE prm_tallies AS t SET n = t.n + net.n FROM net
        WHERE t.name = net.name AND net.n <> 0;
    END IF;
END
$$;
-- check repair=yes (an admin's): the counts emptied, for prm to count
-- them again into prm_tallies in the same transaction.
CREATE FUNCTION prm_tally_clear() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('prm_tally_fold'));
    DELETE FROM prm_tally_changes;
    DELETE FROM prm_tallies;
END
$$;
REVOKE ALL ON FUNCTION prm_tally_count(), prm_tally_project(),
    prm_tally_deal_rows(deals, integer), prm_tally_deal(), prm_tally_fold(),
    prm_tally_clear() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prm_tally_fold() TO prm_viewer;
GRANT EXECUTE ON FUNCTION prm_tally_clear() TO prm_admin;
GRANT INSERT ON prm_tallies TO prm_admin;

CREATE TRIGGER tally_partners AFTER INSERT OR DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_communications AFTER INSERT OR DELETE ON communications
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_resources AFTER INSERT OR DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_outcomes AFTER INSERT OR DELETE ON outcomes
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_projects AFTER INSERT OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION prm_tally_project();
CREATE TRIGGER tally_project_status AFTER UPDATE OF status ON projects
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION prm_tally_project();
CREATE TRIGGER tally_deals AFTER INSERT OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_tally_deal();
CREATE TRIGGER tally_deal_change AFTER UPDATE OF status, approved_at, amount
    ON deals FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.approved_at IS DISTINCT FROM NEW.approved_at
          OR OLD.amount IS DISTINCT FROM NEW.amount)
    EXECUTE FUNCTION prm_tally_deal();

-- The pipeline (approved deals whose protection has not ended) is summed
-- from this index alone, without reading the deals.
DROP INDEX deals_status;
CREATE INDEX deals_status ON deals (status, expires, amount);
-- A dated metrics counts succeeded and failed projects from this index
-- alone, without reading the projects.
DROP INDEX projects_started;
CREATE INDEX projects_started ON projects (coalesce(start, created_at), status);
