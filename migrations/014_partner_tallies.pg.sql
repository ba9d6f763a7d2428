-- 014_partner_tallies.pg.sql - each partner's figures kept, as a file
-- keeps them (prm_partner_tallies), for report partners, insights and the
-- agenda: projects (all, succeeded, failed), communications, the last
-- contact, resources, outcomes of its projects, deals (all, won, lost)
-- and the cents won.  Counted as they are read, they cost a dozen index
-- searches a partner.
--
-- Kept as prm_tallies is: every insert, delete or change, whoever makes
-- it, adds what it changes as rows of prm_partner_tally_changes
-- (triggers); a partner's figures are its row plus its changes; prm folds
-- the changes into prm_partner_tallies before it commits, one writer at a
-- time.  Writers never update a partner's row together: two writers
-- touching two partners in turn would deadlock, and each would hold the
-- rows it touched until it commits.  The last contact is a maximum: a
-- communication added raises it; one deleted or moved marks its partner
-- to be read again from communications_partner (recount), when folded and
-- by a reader meanwhile.  Only these functions write the two tables;
-- everyone reads them; check repair=yes (an admin's) counts them again.
CREATE TABLE prm_partner_tallies (
    partner_id     bigint PRIMARY KEY,
    projects       bigint NOT NULL DEFAULT 0,
    succeeded      bigint NOT NULL DEFAULT 0,
    failed         bigint NOT NULL DEFAULT 0,
    communications bigint NOT NULL DEFAULT 0,
    last_contact   text,
    resources      bigint NOT NULL DEFAULT 0,
    outcomes       bigint NOT NULL DEFAULT 0,
    deals          bigint NOT NULL DEFAULT 0,
    deals_won      bigint NOT NULL DEFAULT 0,
    deals_lost     bigint NOT NULL DEFAULT 0,
    won_amount     bigint NOT NULL DEFAULT 0
);
CREATE TABLE prm_partner_tally_changes (
    partner_id     bigint NOT NULL,
    projects       bigint NOT NULL DEFAULT 0,
    succeeded      bigint NOT NULL DEFAULT 0,
    failed         bigint NOT NULL DEFAULT 0,
    communications bigint NOT NULL DEFAULT 0,
    last_contact   text,    -- of a communication added
    resources      bigint NOT NULL DEFAULT 0,
    outcomes       bigint NOT NULL DEFAULT 0,
    deals          bigint NOT NULL DEFAULT 0,
    deals_won      bigint NOT NULL DEFAULT 0,
    deals_lost     bigint NOT NULL DEFAULT 0,
    won_amount     bigint NOT NULL DEFAULT 0,
    recount        boolean NOT NULL DEFAULT false -- a communication gone
);
GRANT SELECT ON prm_partner_tallies, prm_partner_tally_changes TO prm_viewer;
GRANT INSERT, DELETE ON prm_partner_tallies TO prm_admin;

-- What a database has, counted a table at a time.
INSERT INTO prm_partner_tallies (partner_id, projects, succeeded, failed,
                                 outcomes)
SELECT pp.partner_id, count(*), count(*) FILTER (WHERE x.status = 'succeeded'),
       count(*) FILTER (WHERE x.status = 'failed'), coalesce(sum(o.n), 0)
FROM project_partners AS pp JOIN projects AS x ON x.id = pp.project_id
LEFT JOIN (SELECT project_id, count(*) AS n FROM outcomes GROUP BY project_id)
    AS o ON o.project_id = pp.project_id
GROUP BY pp.partner_id;
INSERT INTO prm_partner_tallies AS t (partner_id, communications, last_contact)
SELECT partner_id, count(*), max(at) FROM communications GROUP BY partner_id
ON CONFLICT (partner_id) DO UPDATE SET communications = excluded.communications,
    last_contact = excluded.last_contact;
INSERT INTO prm_partner_tallies AS t (partner_id, resources)
SELECT partner_id, count(*) FROM resources GROUP BY partner_id
ON CONFLICT (partner_id) DO UPDATE SET resources = excluded.resources;
INSERT INTO prm_partner_tallies AS t (partner_id, deals, deals_won, deals_lost,
                                      won_amount)
SELECT partner_id, count(*), count(*) FILTER (WHERE status = 'won'),
       count(*) FILTER (WHERE status = 'lost'),
       coalesce(sum(amount) FILTER (WHERE status = 'won'), 0)
FROM deals GROUP BY partner_id
ON CONFLICT (partner_id) DO UPDATE SET deals = excluded.deals,
    deals_won = excluded.deals_won, deals_lost = excluded.deals_lost,
    won_amount = excluded.won_amount;

-- Rows inserted, a statement at a time (an import's thousands in one
-- change a partner).  A link counts its project, the project's status
-- and its outcomes for the partner.
CREATE FUNCTION prm_partner_tally_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_TABLE_NAME = 'communications' THEN
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

-- A link's figures for its partner, each times s (1 for a link that is,
-- -1 for one gone), unless its project is gone: a project deleted takes
-- itself off its partners before it goes (prm_partner_tally_project_gone),
-- and its links go after it.
CREATE FUNCTION prm_partner_tally_link(l project_partners, s integer)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO prm_partner_tally_changes (partner_id, projects, succeeded,
                                           failed, outcomes)
    SELECT l.partner_id, s, s * (x.status = 'succeeded')::int,
           s * (x.status = 'failed')::int,
           s * (SELECT count(*) FROM outcomes AS o WHERE o.project_id = x.id)
    FROM projects AS x WHERE x.id = l.project_id
$$;
-- A deal's figures for its partner, each times s.
CREATE FUNCTION prm_partner_tally_deal(d deals, s integer)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO prm_partner_tally_changes (partner_id, deals, deals_won,
                                           deals_lost, won_amount)
    VALUES (d.partner_id, s, s * (d.status = 'won')::int,
            s * (d.status = 'lost')::int,
            s * CASE WHEN d.status = 'won' THEN coalesce(d.amount, 0) ELSE 0 END)
$$;

-- A row deleted or changed: what it counted taken off its partners, what
-- it counts now added (row triggers, as prm_tally_count).
CREATE FUNCTION prm_partner_tally_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_TABLE_NAME = 'partners' THEN
        -- (a partner goes only once nothing refers to it)
        DELETE FROM prm_partner_tallies WHERE partner_id = OLD.id;
        DELETE FROM prm_partner_tally_changes WHERE partner_id = OLD.id;
    ELSIF TG_TABLE_NAME = 'communications' THEN
        INSERT INTO prm_partner_tally_changes (partner_id, communications,
                                               recount)
        VALUES (OLD.partner_id, -1, true);
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO prm_partner_tally_changes (partner_id, communications,
                                                   last_contact)
            VALUES (NEW.partner_id, 1, NEW.at);
        END IF;
    ELSIF TG_TABLE_NAME = 'resources' THEN
        INSERT INTO prm_partner_tally_changes (partner_id, resources)
        VALUES (OLD.partner_id, -1);
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO prm_partner_tally_changes (partner_id, resources)
            VALUES (NEW.partner_id, 1);
        END IF;
    ELSIF TG_TABLE_NAME = 'outcomes' THEN
        INSERT INTO prm_partner_tally_changes (partner_id, outcomes)
        SELECT partner_id, -1 FROM project_partners
        WHERE project_id = OLD.project_id;
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO prm_partner_tally_changes (partner_id, outcomes)
            SELECT partner_id, 1 FROM project_partners
            WHERE project_id = NEW.project_id;
        END IF;
    ELSIF TG_TABLE_NAME = 'deals' THEN
        PERFORM prm_partner_tally_deal(OLD, -1);
        IF TG_OP = 'UPDATE' THEN
            PERFORM prm_partner_tally_deal(NEW, 1);
        END IF;
    ELSIF TG_TABLE_NAME = 'project_partners' THEN
        PERFORM prm_partner_tally_link(OLD, -1);
        IF TG_OP = 'UPDATE' THEN
            PERFORM prm_partner_tally_link(NEW, 1);
        END IF;
    ELSE -- a project's status
        INSERT INTO prm_partner_tally_changes (partner_id, succeeded, failed)
        SELECT partner_id,
               (NEW.status = 'succeeded')::int - (OLD.status = 'succeeded')::int,
               (NEW.status = 'failed')::int - (OLD.status = 'failed')::int
        FROM project_partners WHERE project_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
-- A project about to go, while its links are there: it, its status and
-- its outcomes taken off its partners.
CREATE FUNCTION prm_partner_tally_project_gone() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_partner_tally_changes (partner_id, projects, succeeded,
                                           failed, outcomes)
    SELECT partner_id, -1, -(OLD.status = 'succeeded')::int,
           -(OLD.status = 'failed')::int,
           -(SELECT count(*) FROM outcomes AS o WHERE o.project_id = OLD.id)
    FROM project_partners WHERE project_id = OLD.id;
    RETURN OLD;
END
$$;

-- The changes into prm_partner_tallies, unless another writer is folding
-- now (it or the next takes these too).  Run by prm before it commits.
-- A partner marked for recount has its last contact read again, any
-- other's is the later of its row's and its changes' (worked out before
-- the upsert, from the row by its key: the fold lock keeps the row as
-- read); a partner gone since is left out.
CREATE FUNCTION prm_partner_tally_fold() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF pg_try_advisory_xact_lock(hashtext('prm_partner_tally_fold')) THEN
        WITH gone AS (DELETE FROM prm_partner_tally_changes RETURNING *),
        net AS (SELECT partner_id, sum(projects) AS projects,
                       sum(succeeded) AS succeeded, sum(failed) AS failed,
                       sum(communications) AS communications,
                       max(last_contact) AS last_contact,
                       sum(resources) AS resources, sum(outcomes) AS outcomes,
                       sum(deals) AS deals, sum(deals_won) AS deals_won,
                       sum(deals_lost) AS deals_lost,
                       sum(won_amount) AS won_amount,
                       bool_or(recount) AS recount
                FROM gone GROUP BY partner_id)
        INSERT INTO prm_partner_tallies AS t (partner_id, projects, succeeded,
            failed, communications, last_contact, resources, outcomes, deals,
            deals_won, deals_lost, won_amount)
        SELECT n.partner_id, n.projects, n.succeeded, n.failed,
               n.communications,
               CASE WHEN n.recount THEN (SELECT max(c.at) FROM communications
                    AS c WHERE c.partner_id = n.partner_id)
               ELSE greatest(n.last_contact, (SELECT k.last_contact
                    FROM prm_partner_tallies AS k
                    WHERE k.partner_id = n.partner_id)) END,
               n.resources, n.outcomes, n.deals, n.deals_won, n.deals_lost,
               n.won_amount
        FROM net AS n
        WHERE EXISTS (SELECT 1 FROM partners AS p WHERE p.id = n.partner_id)
        ON CONFLICT (partner_id) DO UPDATE SET
            projects = t.projects + excluded.projects,
            succeeded = t.succeeded + excluded.succeeded,
            failed = t.failed + excluded.failed,
            communications = t.communications + excluded.communications,
            last_contact = excluded.last_contact,
            resources = t.resources + excluded.resources,
            outcomes = t.outcomes + excluded.outcomes,
            deals = t.deals + excluded.deals,
            deals_won = t.deals_won + excluded.deals_won,
            deals_lost = t.deals_lost + excluded.deals_lost,
            won_amount = t.won_amount + excluded.won_amount;
    END IF;
END
$$;
-- check repair=yes (an admin's): the figures emptied, for prm to count
-- them again in the same transaction.
CREATE FUNCTION prm_partner_tally_clear() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('prm_partner_tally_fold'));
    DELETE FROM prm_partner_tally_changes;
    DELETE FROM prm_partner_tallies;
END
$$;
REVOKE ALL ON FUNCTION prm_partner_tally_added(),
    prm_partner_tally_link(project_partners, integer),
    prm_partner_tally_deal(deals, integer), prm_partner_tally_changed(),
    prm_partner_tally_project_gone(), prm_partner_tally_fold(),
    prm_partner_tally_clear() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prm_partner_tally_fold() TO prm_viewer;
GRANT EXECUTE ON FUNCTION prm_partner_tally_clear() TO prm_admin;

CREATE TRIGGER partner_tally_added_communications AFTER INSERT ON communications
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_partner_tally_added();
CREATE TRIGGER partner_tally_added_resources AFTER INSERT ON resources
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_partner_tally_added();
CREATE TRIGGER partner_tally_added_outcomes AFTER INSERT ON outcomes
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_partner_tally_added();
CREATE TRIGGER partner_tally_added_deals AFTER INSERT ON deals
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_partner_tally_added();
CREATE TRIGGER partner_tally_added_links AFTER INSERT ON project_partners
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_partner_tally_added();

CREATE TRIGGER partner_tally_partners AFTER DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_communications AFTER DELETE ON communications
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_communication_moved
    AFTER UPDATE OF partner_id, at ON communications FOR EACH ROW
    WHEN (OLD.partner_id IS DISTINCT FROM NEW.partner_id
          OR OLD.at IS DISTINCT FROM NEW.at)
    EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_resources AFTER DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_resource_moved
    AFTER UPDATE OF partner_id ON resources FOR EACH ROW
    WHEN (OLD.partner_id IS DISTINCT FROM NEW.partner_id)
    EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_outcomes AFTER DELETE ON outcomes
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_outcome_moved
    AFTER UPDATE OF project_id ON outcomes FOR EACH ROW
    WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id)
    EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_deals AFTER DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_deal_changed
    AFTER UPDATE OF status, amount, partner_id ON deals FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.amount IS DISTINCT FROM NEW.amount
          OR OLD.partner_id IS DISTINCT FROM NEW.partner_id)
    EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_links AFTER DELETE OR UPDATE ON project_partners
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_project_status
    AFTER UPDATE OF status ON projects FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION prm_partner_tally_changed();
CREATE TRIGGER partner_tally_project_gone BEFORE DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_project_gone();

-- The healthiest partners are ranked from one pass over the
-- communications of the last 90 days, grouped by partner: with the
-- partner in the index, as on a file, the pass reads the index alone
-- (0.87 s to 0.26 s for 243,744 communications at 1M).
DROP INDEX communications_at;
CREATE INDEX communications_at ON communications (at, partner_id);
