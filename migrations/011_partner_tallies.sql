-- 011_partner_tallies.sql - each partner's figures kept in step with every
-- change, so that report partners, insights and the agenda read one row a
-- partner instead of counting its projects, communications, resources,
-- outcomes and deals again (a dozen index searches a partner, most of
-- them random reads into projects).  As with prm_tallies, prm counts what
-- it adds (a statement after each insert) and these triggers count every
-- change and delete, whatever makes it; a project's links to partners are
-- counted by trigger both ways (they already have the audit log's).
-- check recounts; check repair=yes counts again.  The figures are those of
-- all time: a report over dates still counts the rows of its window.
CREATE TABLE prm_partner_tallies (
    partner_id     INTEGER PRIMARY KEY,
    projects       INTEGER NOT NULL DEFAULT 0,
    succeeded      INTEGER NOT NULL DEFAULT 0,
    failed         INTEGER NOT NULL DEFAULT 0,
    communications INTEGER NOT NULL DEFAULT 0,
    last_contact   TEXT,
    resources      INTEGER NOT NULL DEFAULT 0,
    outcomes       INTEGER NOT NULL DEFAULT 0,
    deals          INTEGER NOT NULL DEFAULT 0,
    deals_won      INTEGER NOT NULL DEFAULT 0,
    deals_lost     INTEGER NOT NULL DEFAULT 0,
    won_amount     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO prm_partner_tallies
SELECT p.id,
    (SELECT count(*) FROM project_partners AS pp WHERE pp.partner_id = p.id),
    (SELECT count(*) FROM project_partners AS pp JOIN projects AS x
        ON x.id = pp.project_id WHERE pp.partner_id = p.id
        AND x.status = 'succeeded'),
    (SELECT count(*) FROM project_partners AS pp JOIN projects AS x
        ON x.id = pp.project_id WHERE pp.partner_id = p.id
        AND x.status = 'failed'),
    (SELECT count(*) FROM communications AS x WHERE x.partner_id = p.id),
    (SELECT max(x.at) FROM communications AS x WHERE x.partner_id = p.id),
    (SELECT count(*) FROM resources AS x WHERE x.partner_id = p.id),
    (SELECT count(*) FROM project_partners AS pp JOIN outcomes AS x
        ON x.project_id = pp.project_id WHERE pp.partner_id = p.id),
    (SELECT count(*) FROM deals AS x WHERE x.partner_id = p.id),
    (SELECT count(*) FROM deals AS x WHERE x.partner_id = p.id
        AND x.status = 'won'),
    (SELECT count(*) FROM deals AS x WHERE x.partner_id = p.id
        AND x.status = 'lost'),
    (SELECT coalesce(sum(x.amount), 0) FROM deals AS x
        WHERE x.partner_id = p.id AND x.status = 'won')
FROM partners AS p;

CREATE TRIGGER prm_partner_tally_remove AFTER DELETE ON partners BEGIN
    DELETE FROM prm_partner_tallies WHERE partner_id = OLD.id;
END;

-- A project's link: the project, its status and its outcomes count for
-- the partner.  When the project itself goes, its links go after it (the
-- foreign key's cascade) and the project's trigger has taken them off.
CREATE TRIGGER prm_partner_tally_link AFTER INSERT ON project_partners BEGIN
    INSERT INTO prm_partner_tallies (partner_id, projects, succeeded, failed,
                                     outcomes)
    VALUES (NEW.partner_id, 1,
        (SELECT count(*) FROM projects
            WHERE id = NEW.project_id AND status = 'succeeded'),
        (SELECT count(*) FROM projects
            WHERE id = NEW.project_id AND status = 'failed'),
        (SELECT count(*) FROM outcomes WHERE project_id = NEW.project_id))
    ON CONFLICT (partner_id) DO UPDATE SET projects = projects + 1,
        succeeded = succeeded + excluded.succeeded,
        failed = failed + excluded.failed,
        outcomes = outcomes + excluded.outcomes;
END;
CREATE TRIGGER prm_partner_tally_unlink AFTER DELETE ON project_partners
WHEN EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) BEGIN
    UPDATE prm_partner_tallies SET projects = projects - 1,
        succeeded = succeeded - (SELECT count(*) FROM projects
            WHERE id = OLD.project_id AND status = 'succeeded'),
        failed = failed - (SELECT count(*) FROM projects
            WHERE id = OLD.project_id AND status = 'failed'),
        outcomes = outcomes - (SELECT count(*) FROM outcomes
            WHERE project_id = OLD.project_id)
    WHERE partner_id = OLD.partner_id;
END;
CREATE TRIGGER prm_partner_tally_project_remove BEFORE DELETE ON projects
BEGIN
    UPDATE prm_partner_tallies SET projects = projects - 1,
        succeeded = succeeded - (OLD.status = 'succeeded'),
        failed = failed - (OLD.status = 'failed'),
        outcomes = outcomes - (SELECT count(*) FROM outcomes
            WHERE project_id = OLD.id)
    WHERE partner_id IN (SELECT partner_id FROM project_partners
                         WHERE project_id = OLD.id);
END;
CREATE TRIGGER prm_partner_tally_project_status
AFTER UPDATE OF status ON projects WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE prm_partner_tallies
    SET succeeded = succeeded - (OLD.status = 'succeeded')
                              + (NEW.status = 'succeeded'),
        failed = failed - (OLD.status = 'failed') + (NEW.status = 'failed')
    WHERE partner_id IN (SELECT partner_id FROM project_partners
                         WHERE project_id = NEW.id);
END;

CREATE TRIGGER prm_partner_tally_outcome_remove AFTER DELETE ON outcomes
BEGIN
    UPDATE prm_partner_tallies SET outcomes = outcomes - 1
    WHERE partner_id IN (SELECT partner_id FROM project_partners
                         WHERE project_id = OLD.project_id);
END;
CREATE TRIGGER prm_partner_tally_outcome_move
AFTER UPDATE OF project_id ON outcomes
WHEN OLD.project_id IS NOT NEW.project_id BEGIN
    UPDATE prm_partner_tallies SET outcomes = outcomes - 1
    WHERE partner_id IN (SELECT partner_id FROM project_partners
                         WHERE project_id = OLD.project_id);
    UPDATE prm_partner_tallies SET outcomes = outcomes + 1
    WHERE partner_id IN (SELECT partner_id FROM project_partners
                         WHERE project_id = NEW.project_id);
END;

-- The last contact is read again from communications_partner when the
-- latest communication may have gone.
CREATE TRIGGER prm_partner_tally_communication_remove
AFTER DELETE ON communications BEGIN
    UPDATE prm_partner_tallies SET communications = communications - 1,
        last_contact = (SELECT max(at) FROM communications
                        WHERE partner_id = OLD.partner_id)
    WHERE partner_id = OLD.partner_id;
END;
CREATE TRIGGER prm_partner_tally_communication_change
AFTER UPDATE OF partner_id, at ON communications BEGIN
    INSERT OR IGNORE INTO prm_partner_tallies (partner_id)
    VALUES (NEW.partner_id);
    UPDATE prm_partner_tallies
    SET communications = communications
            - (partner_id = OLD.partner_id) + (partner_id = NEW.partner_id),
        last_contact = (SELECT max(at) FROM communications AS c
                        WHERE c.partner_id = prm_partner_tallies.partner_id)
    WHERE partner_id = OLD.partner_id OR partner_id = NEW.partner_id;
END;

CREATE TRIGGER prm_partner_tally_resource_remove AFTER DELETE ON resources
BEGIN
    UPDATE prm_partner_tallies SET resources = resources - 1
    WHERE partner_id = OLD.partner_id;
END;
CREATE TRIGGER prm_partner_tally_resource_move
AFTER UPDATE OF partner_id ON resources
WHEN OLD.partner_id IS NOT NEW.partner_id BEGIN
    INSERT OR IGNORE INTO prm_partner_tallies (partner_id)
    VALUES (NEW.partner_id);
    UPDATE prm_partner_tallies SET resources = resources - 1
    WHERE partner_id = OLD.partner_id;
    UPDATE prm_partner_tallies SET resources = resources + 1
    WHERE partner_id = NEW.partner_id;
END;

CREATE TRIGGER prm_partner_tally_deal_remove AFTER DELETE ON deals BEGIN
    UPDATE prm_partner_tallies SET deals = deals - 1,
        deals_won = deals_won - (OLD.status = 'won'),
        deals_lost = deals_lost - (OLD.status = 'lost'),
        won_amount = won_amount - CASE WHEN OLD.status = 'won'
                                  THEN coalesce(OLD.amount, 0) ELSE 0 END
    WHERE partner_id = OLD.partner_id;
END;
CREATE TRIGGER prm_partner_tally_deal_change
AFTER UPDATE OF status, amount, partner_id ON deals BEGIN
    INSERT OR IGNORE INTO prm_partner_tallies (partner_id)
    VALUES (NEW.partner_id);
    UPDATE prm_partner_tallies SET deals = deals - 1,
        deals_won = deals_won - (OLD.status = 'won'),
        deals_lost = deals_lost - (OLD.status = 'lost'),
        won_amount = won_amount - CASE WHEN OLD.status = 'won'
                                  THEN coalesce(OLD.amount, 0) ELSE 0 END
    WHERE partner_id = OLD.partner_id;
    UPDATE prm_partner_tallies SET deals = deals + 1,
        deals_won = deals_won + (NEW.status = 'won'),
        deals_lost = deals_lost + (NEW.status = 'lost'),
        won_amount = won_amount + CASE WHEN NEW.status = 'won'
                                  THEN coalesce(NEW.amount, 0) ELSE 0 END
    WHERE partner_id = NEW.partner_id;
END;

-- The partners contacted since a date come from this index alone (the
-- healthiest partners are looked for among those contacted lately first).
DROP INDEX communications_at;
CREATE INDEX communications_at ON communications (at, partner_id);
-- The stalled projects are read in the order of their due date from this
-- index of the active ones (projects_status stays as it was: what reads
-- the projects of a status reads them in id order, page after page).
CREATE INDEX projects_active_due ON projects (due) WHERE status = 'active';
