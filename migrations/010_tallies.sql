-- 010_tallies.sql - counts of whole tables kept in step with every change,
-- so that an unfiltered metrics reads a dozen rows instead of counting
-- millions.  prm counts a record as it adds it (a statement after the
-- insert: a trigger on insert would cost SQLite a statement journal per
-- add); the triggers below count every change of status and every
-- delete, inside the statement that makes it, whatever makes it (a
-- command, undo, a cascade, restore, the sqlite3 shell).  check recounts
-- them; check repair=yes counts them again (after rows were inserted
-- around prm, say).  One row per count:
--   partners, projects, communications, resources, outcomes, deals
--   projects.STATUS     projects with that status (each status a row)
--   deals.STATUS        deals with that status (each status a row)
--   deals.ever_approved deals ever approved (approved_at set)
--   deals.won_amount    the cents of the won deals
-- What depends on the time (a deal's protection ending) is not kept: it is
-- read from the deals_status index, which holds the amount for it.
CREATE TABLE prm_tallies (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO prm_tallies (name, n)
SELECT 'partners', count(*) FROM partners
UNION ALL SELECT 'projects', count(*) FROM projects
UNION ALL SELECT 'communications', count(*) FROM communications
UNION ALL SELECT 'resources', count(*) FROM resources
UNION ALL SELECT 'outcomes', count(*) FROM outcomes
UNION ALL SELECT 'deals', count(*) FROM deals
UNION ALL SELECT 'projects.' || s.status, (SELECT count(*) FROM projects AS x
    WHERE x.status = s.status)
    FROM (SELECT 'planned' AS status UNION ALL SELECT 'active'
          UNION ALL SELECT 'succeeded' UNION ALL SELECT 'failed'
          UNION ALL SELECT 'cancelled') AS s
UNION ALL SELECT 'deals.' || s.status, (SELECT count(*) FROM deals AS x
    WHERE x.status = s.status)
    FROM (SELECT 'submitted' AS status UNION ALL SELECT 'approved'
          UNION ALL SELECT 'rejected' UNION ALL SELECT 'won'
          UNION ALL SELECT 'lost' UNION ALL SELECT 'cancelled') AS s
UNION ALL SELECT 'deals.ever_approved', count(*) FROM deals
    WHERE approved_at IS NOT NULL
UNION ALL SELECT 'deals.won_amount', coalesce(sum(amount), 0) FROM deals
    WHERE status = 'won';

CREATE TRIGGER prm_tally_partner_remove AFTER DELETE ON partners BEGIN
    UPDATE prm_tallies SET n = n - 1 WHERE name = 'partners';
END;
CREATE TRIGGER prm_tally_communication_remove AFTER DELETE ON communications
BEGIN
    UPDATE prm_tallies SET n = n - 1 WHERE name = 'communications';
END;
CREATE TRIGGER prm_tally_resource_remove AFTER DELETE ON resources BEGIN
    UPDATE prm_tallies SET n = n - 1 WHERE name = 'resources';
END;
CREATE TRIGGER prm_tally_outcome_remove AFTER DELETE ON outcomes BEGIN
    UPDATE prm_tallies SET n = n - 1 WHERE name = 'outcomes';
END;
CREATE TRIGGER prm_tally_project_remove AFTER DELETE ON projects BEGIN
    UPDATE prm_tallies SET n = n - 1
    WHERE name = 'projects' OR name = 'projects.' || OLD.status;
END;
CREATE TRIGGER prm_tally_project_status AFTER UPDATE OF status ON projects
WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE prm_tallies SET n = n - 1 WHERE name = 'projects.' || OLD.status;
    UPDATE prm_tallies SET n = n + 1 WHERE name = 'projects.' || NEW.status;
END;
CREATE TRIGGER prm_tally_deal_remove AFTER DELETE ON deals BEGIN
    UPDATE prm_tallies SET n = n - 1
    WHERE name = 'deals' OR name = 'deals.' || OLD.status
       OR (name = 'deals.ever_approved' AND OLD.approved_at IS NOT NULL);
    UPDATE prm_tallies SET n = n - coalesce(OLD.amount, 0)
    WHERE name = 'deals.won_amount' AND OLD.status = 'won';
END;
CREATE TRIGGER prm_tally_deal_change
AFTER UPDATE OF status, approved_at, amount ON deals BEGIN
    UPDATE prm_tallies SET n = n - 1
    WHERE name = 'deals.' || OLD.status
       OR (name = 'deals.ever_approved' AND OLD.approved_at IS NOT NULL);
    UPDATE prm_tallies SET n = n + 1
    WHERE name = 'deals.' || NEW.status
       OR (name = 'deals.ever_approved' AND NEW.approved_at IS NOT NULL);
    UPDATE prm_tallies SET n = n - coalesce(OLD.amount, 0)
    WHERE name = 'deals.won_amount' AND OLD.status = 'won';
    UPDATE prm_tallies SET n = n + coalesce(NEW.amount, 0)
    WHERE name = 'deals.won_amount' AND NEW.status = 'won';
END;

-- The pipeline (approved deals whose protection has not ended) is summed
-- from this index alone, without reading the deals.
DROP INDEX deals_status;
CREATE INDEX deals_status ON deals (status, expires, amount);
-- A dated metrics counts succeeded and failed projects from this index
-- alone, without reading the projects.
DROP INDEX projects_started;
CREATE INDEX projects_started ON projects (coalesce(start, created_at), status);
