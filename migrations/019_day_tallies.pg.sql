-- 019_day_tallies.pg.sql - the counts metrics keep, kept by day too, so
-- that metrics over dates alone (since=, until=) sum the window's whole
-- days and count only the rows of its first and last day, instead of
-- walking every row of the window (1.15M communications since a date at
-- 1M partners: 0.3 s on PostgreSQL, against 0.05 s for SQLite's count).
-- A day is the first ten characters of what the kind is dated by: a
-- communication's, resource's or outcome's at, a project's start (else
-- its created_at), a deal's created_at.  The same names as prm_tallies
-- (communications, resources, outcomes, projects, projects.STATUS,
-- deals, deals.STATUS, deals.ever_approved, deals.won_amount), kept by
-- the same triggers in the same way: changes added as rows, folded by
-- prm before it commits, emptied by check repair=yes.
CREATE TABLE prm_day_tallies (
    name text NOT NULL,
    day  text NOT NULL,
    n    bigint NOT NULL,
    PRIMARY KEY (name, day)
);
CREATE TABLE prm_day_tally_changes (
    name text NOT NULL,
    day  text NOT NULL,
    n    bigint NOT NULL
);
INSERT INTO prm_day_tallies (name, day, n)
SELECT name, day, sum(n) FROM (
    SELECT 'communications' AS name, substr(at, 1, 10) AS day, 1 AS n
    FROM communications
    UNION ALL SELECT 'resources', substr(at, 1, 10), 1 FROM resources
    UNION ALL SELECT 'outcomes', substr(at, 1, 10), 1 FROM outcomes
    UNION ALL SELECT 'projects', substr(coalesce(start, created_at), 1, 10), 1
    FROM projects
    UNION ALL SELECT 'projects.' || status,
                     substr(coalesce(start, created_at), 1, 10), 1
    FROM projects
    UNION ALL SELECT 'deals', substr(created_at, 1, 10), 1 FROM deals
    UNION ALL SELECT 'deals.' || status, substr(created_at, 1, 10), 1
    FROM deals
    UNION ALL SELECT 'deals.ever_approved', substr(created_at, 1, 10), 1
    FROM deals WHERE approved_at IS NOT NULL
    UNION ALL SELECT 'deals.won_amount', substr(created_at, 1, 10), amount
    FROM deals WHERE status = 'won' AND amount IS NOT NULL) AS u
GROUP BY name, day;
GRANT SELECT ON prm_day_tallies, prm_day_tally_changes TO prm_viewer;
-- metrics over dates: a deal's day, and the window's first and last days
CREATE INDEX deals_created ON deals (created_at);
-- and the approved deals of a window whose protection has not ended (not
-- kept: it moves with the clock), from the index alone
CREATE INDEX deals_live_made ON deals (status, created_at)
    INCLUDE (expires, amount);

CREATE OR REPLACE FUNCTION prm_tally_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_tally_changes
    VALUES (TG_TABLE_NAME, CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END);
    IF TG_TABLE_NAME <> 'partners' THEN
        INSERT INTO prm_day_tally_changes
        VALUES (TG_TABLE_NAME, substr(OLD.at, 1, 10), -1);
    END IF;
    RETURN NULL;
END
$$;
-- A communication, resource or outcome moved to another day.
CREATE FUNCTION prm_day_moved() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_day_tally_changes
    VALUES (TG_TABLE_NAME, substr(OLD.at, 1, 10), -1),
           (TG_TABLE_NAME, substr(NEW.at, 1, 10), 1);
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION prm_tally_project() RETURNS trigger
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
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO prm_day_tally_changes
        SELECT name, substr(coalesce(OLD.start, OLD.created_at), 1, 10), -1
        FROM (VALUES ('projects'), ('projects.' || OLD.status)) AS v (name);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO prm_day_tally_changes
        SELECT name, substr(coalesce(NEW.start, NEW.created_at), 1, 10), 1
        FROM (VALUES ('projects'), ('projects.' || NEW.status)) AS v (name);
    END IF;
    RETURN NULL;
END
$$;
-- A deal's counts, each times s (1 for a deal that is, -1 for one gone),
-- of all time and of its day.
CREATE OR REPLACE FUNCTION prm_tally_deal_rows(d deals, s integer)
RETURNS void
LANGUAGE sql AS $$
    WITH v (name, n) AS (
        SELECT name, n * s FROM (VALUES
            ('deals', 1::bigint),
            ('deals.' || d.status, 1),
            ('deals.ever_approved',
             CASE WHEN d.approved_at IS NULL THEN 0 ELSE 1 END),
            ('deals.won_amount', CASE WHEN d.status = 'won'
                                      THEN coalesce(d.amount, 0) ELSE 0 END))
            AS c (name, n)
        WHERE n <> 0),
    kept AS (INSERT INTO prm_tally_changes (name, n) SELECT name, n FROM v)
    INSERT INTO prm_day_tally_changes (name, day, n)
    SELECT name, substr(d.created_at, 1, 10), n FROM v
$$;
CREATE OR REPLACE FUNCTION prm_tally_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_tally_changes
    SELECT TG_TABLE_NAME, count(*) FROM added HAVING count(*) > 0;
    IF TG_TABLE_NAME <> 'partners' THEN
        INSERT INTO prm_day_tally_changes
        SELECT TG_TABLE_NAME, substr(at, 1, 10), count(*) FROM added
        GROUP BY 2;
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION prm_tally_projects_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_tally_changes
    SELECT 'projects', count(*) FROM added HAVING count(*) > 0
    UNION ALL
    SELECT 'projects.' || status, count(*) FROM added GROUP BY status;
    INSERT INTO prm_day_tally_changes
    SELECT name, day, count(*) FROM (
        SELECT 'projects' AS name,
               substr(coalesce(start, created_at), 1, 10) AS day FROM added
        UNION ALL
        SELECT 'projects.' || status,
               substr(coalesce(start, created_at), 1, 10) FROM added) AS u
    GROUP BY name, day;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION prm_tally_fold() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF pg_try_advisory_xact_lock(hashtext('prm_tally_fold')) THEN
        WITH gone AS (DELETE FROM prm_tally_changes RETURNING name, n),
             net AS (SELECT name, sum(n) AS n FROM gone GROUP BY name)
        UPDATE prm_tallies AS t SET n = t.n + net.n FROM net
        WHERE t.name = net.name AND net.n <> 0;
        WITH gone AS (DELETE FROM prm_day_tally_changes
                      RETURNING name, day, n),
             net AS (SELECT name, day, sum(n) AS n FROM gone
                     GROUP BY name, day)
        INSERT INTO prm_day_tallies AS t (name, day, n)
        SELECT name, day, n FROM net WHERE n <> 0
        ON CONFLICT (name, day) DO UPDATE SET n = t.n + EXCLUDED.n;
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION prm_tally_clear() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('prm_tally_fold'));
    DELETE FROM prm_tally_changes;
    DELETE FROM prm_tallies;
    DELETE FROM prm_day_tally_changes;
    DELETE FROM prm_day_tallies;
END
$$;
REVOKE ALL ON FUNCTION prm_day_moved() FROM PUBLIC;
GRANT INSERT ON prm_day_tallies TO prm_admin;

CREATE TRIGGER day_moved_communications AFTER UPDATE OF at ON communications
    FOR EACH ROW WHEN (substr(OLD.at, 1, 10) <> substr(NEW.at, 1, 10))
    EXECUTE FUNCTION prm_day_moved();
CREATE TRIGGER day_moved_resources AFTER UPDATE OF at ON resources
    FOR EACH ROW WHEN (substr(OLD.at, 1, 10) <> substr(NEW.at, 1, 10))
    EXECUTE FUNCTION prm_day_moved();
CREATE TRIGGER day_moved_outcomes AFTER UPDATE OF at ON outcomes
    FOR EACH ROW WHEN (substr(OLD.at, 1, 10) <> substr(NEW.at, 1, 10))
    EXECUTE FUNCTION prm_day_moved();
DROP TRIGGER tally_project_status ON projects;
CREATE TRIGGER tally_project_status AFTER UPDATE OF status, start, created_at
    ON projects FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR coalesce(OLD.start, OLD.created_at)
             IS DISTINCT FROM coalesce(NEW.start, NEW.created_at))
    EXECUTE FUNCTION prm_tally_project();
DROP TRIGGER tally_deal_change ON deals;
CREATE TRIGGER tally_deal_change
    AFTER UPDATE OF status, approved_at, amount, created_at
    ON deals FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.approved_at IS DISTINCT FROM NEW.approved_at
          OR OLD.amount IS DISTINCT FROM NEW.amount
          OR substr(OLD.created_at, 1, 10)
             IS DISTINCT FROM substr(NEW.created_at, 1, 10))
    EXECUTE FUNCTION prm_tally_deal();
