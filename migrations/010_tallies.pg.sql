-- 010_tallies.pg.sql - counts of whole tables kept in step with every
-- change, so that an unfiltered metrics reads a few rows instead of
-- counting millions.  The same counts as a file keeps (one row each):
--   partners, projects, communications, resources, outcomes, deals
--   projects.STATUS     projects with that status (each status a row)
--   deals.STATUS        deals with that status (each status a row)
--   deals.ever_approved deals ever approved (approved_at set)
--   deals.won_amount    the cents of the won deals
-- Every statement that adds, changes or deletes counted rows, whoever
-- runs it (prm, psql), adds its net change as rows of prm_tally_changes
-- (statement triggers, over the rows it changed); a count is its row in
-- prm_tallies plus its changes.  Writers never update one row together:
-- many updates of one row in a transaction grow a chain of row versions
-- each update walks.  prm folds the changes into prm_tallies before it
-- commits (prm_tally_fold), one writer at a time, the others leaving it
-- to the next.  Only these functions write the two tables; everyone
-- reads them.
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

-- What one row of a table counts for: (name, n) pairs.
CREATE FUNCTION prm_tally_row(tbl text, r jsonb)
RETURNS TABLE (name text, n bigint)
LANGUAGE sql IMMUTABLE AS $$
    SELECT tbl, 1::bigint
    UNION ALL SELECT tbl || '.' || (r ->> 'status'), 1
        WHERE tbl = 'projects' OR tbl = 'deals'
    UNION ALL SELECT 'deals.ever_approved', 1
        WHERE tbl = 'deals' AND r ->> 'approved_at' IS NOT NULL
    UNION ALL SELECT 'deals.won_amount', coalesce((r ->> 'amount')::bigint, 0)
        WHERE tbl = 'deals' AND r ->> 'status' = 'won'
$$;
CREATE FUNCTION prm_tally_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_tally_changes (name, n)
    SELECT t.name, sum(t.n) FROM added AS a,
        prm_tally_row(TG_TABLE_NAME, to_jsonb(a)) AS t GROUP BY t.name;
    RETURN NULL;
END
$$;
CREATE FUNCTION prm_tally_gone() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_tally_changes (name, n)
    SELECT t.name, -sum(t.n) FROM gone AS g,
        prm_tally_row(TG_TABLE_NAME, to_jsonb(g)) AS t GROUP BY t.name;
    RETURN NULL;
END
$$;
CREATE FUNCTION prm_tally_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_tally_changes (name, n)
    SELECT c.name, sum(c.n) FROM (
        SELECT t.name, -t.n AS n FROM old_rows AS o,
            prm_tally_row(TG_TABLE_NAME, to_jsonb(o)) AS t
        UNION ALL
        SELECT t.name, t.n FROM new_rows AS w,
            prm_tally_row(TG_TABLE_NAME, to_jsonb(w)) AS t) AS c
    GROUP BY c.name HAVING sum(c.n) <> 0;
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
REVOKE ALL ON FUNCTION prm_tally_added(), prm_tally_gone(),
    prm_tally_changed(), prm_tally_fold(), prm_tally_clear() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prm_tally_fold() TO prm_viewer;
GRANT EXECUTE ON FUNCTION prm_tally_clear() TO prm_admin;
GRANT INSERT ON prm_tallies TO prm_admin;

CREATE TRIGGER tally_added_partners AFTER INSERT ON partners
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_gone_partners AFTER DELETE ON partners
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_gone();
CREATE TRIGGER tally_added_projects AFTER INSERT ON projects
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_changed_projects AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_changed();
CREATE TRIGGER tally_gone_projects AFTER DELETE ON projects
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_gone();
CREATE TRIGGER tally_added_communications AFTER INSERT ON communications
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_gone_communications AFTER DELETE ON communications
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_gone();
CREATE TRIGGER tally_added_resources AFTER INSERT ON resources
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_gone_resources AFTER DELETE ON resources
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_gone();
CREATE TRIGGER tally_added_outcomes AFTER INSERT ON outcomes
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_gone_outcomes AFTER DELETE ON outcomes
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_gone();
CREATE TRIGGER tally_added_deals AFTER INSERT ON deals
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_changed_deals AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_changed();
CREATE TRIGGER tally_gone_deals AFTER DELETE ON deals
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_gone();

-- The pipeline (approved deals whose protection has not ended) is summed
-- from this index alone, without reading the deals.
DROP INDEX deals_status;
CREATE INDEX deals_status ON deals (status, expires, amount);
