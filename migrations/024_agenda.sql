-- 024_agenda.sql - a file keeps the items of everyone's agenda, in date
-- order, so that the agenda of a week is one range of a table instead of
-- five sources worked out, joined and sorted every time (2-3 s at a
-- million partners).  What is kept, and why, is said in schema.sql; the
-- items are made here from the records, in the table's order.
CREATE TABLE prm_agenda (
    date         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    id           INTEGER NOT NULL,
    partner      INTEGER,
    partner_name TEXT,
    label        TEXT,
    extra        TEXT,
    live_until   TEXT,
    PRIMARY KEY (date, kind, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX prm_agenda_item ON prm_agenda (kind, id);

-- A task's partner is its own, else its deal's, else its project's first.
CREATE VIEW prm_agenda_tasks AS
SELECT x.date, 'task' AS kind, x.id, x.partner,
       (SELECT pn.name FROM partners AS pn WHERE pn.id = x.partner)
           AS partner_name,
       x.label, NULL AS extra, NULL AS live_until
FROM (SELECT t.due AS date, t.id AS id,
             coalesce(t.partner_id,
                      (SELECT d.partner_id FROM deals AS d
                       WHERE d.id = t.deal_id),
                      (SELECT min(pp.partner_id) FROM project_partners AS pp
                       WHERE pp.project_id = t.project_id)) AS partner,
             t.title AS label
      FROM tasks AS t WHERE t.status = 'open' AND t.due IS NOT NULL) AS x;
CREATE VIEW prm_agenda_deals AS
SELECT d.expires AS date, 'deal_expiring' AS kind, d.id AS id,
       d.partner_id AS partner, pn.name AS partner_name,
       d.customer AS label, NULL AS extra, d.expires AS live_until
FROM deals AS d JOIN partners AS pn ON pn.id = d.partner_id
WHERE d.status = 'approved' AND d.expires IS NOT NULL
UNION ALL
SELECT d.close, 'deal_close', d.id, d.partner_id, pn.name, d.customer,
       NULL, d.expires
FROM deals AS d JOIN partners AS pn ON pn.id = d.partner_id
WHERE d.status = 'approved' AND d.close IS NOT NULL;
CREATE VIEW prm_agenda_projects AS
SELECT x.date, 'project_due' AS kind, x.id, x.partner,
       (SELECT pn.name FROM partners AS pn WHERE pn.id = x.partner)
           AS partner_name,
       x.label, NULL AS extra, NULL AS live_until
FROM (SELECT p.due AS date, p.id AS id,
             (SELECT min(pp.partner_id) FROM project_partners AS pp
              WHERE pp.project_id = p.id) AS partner,
             p.name AS label
      FROM projects AS p
      WHERE (p.status = 'planned' OR p.status = 'active') AND
            p.due IS NOT NULL) AS x;
-- Active work: an active project, a submitted deal or an approved one
-- (which counts only until it expires).  (+d.status: the last expiry is
-- found among the partner's deals, not by walking every approved deal's
-- in the index of status and expiry.)
CREATE VIEW prm_agenda_quiet AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', q.last, '90 days') AS date,
       'partner_quiet' AS kind, q.id AS id, q.id AS partner,
       q.name AS partner_name, q.name AS label, q.last AS extra,
       CASE WHEN EXISTS (SELECT 1 FROM project_partners AS pp
                         JOIN projects AS j ON j.id = pp.project_id
                         WHERE pp.partner_id = q.id AND j.status = 'active')
                 OR EXISTS (SELECT 1 FROM deals AS d
                            WHERE d.partner_id = q.id AND
                                  (d.status = 'submitted' OR
                                   d.status = 'approved' AND
                                   d.expires IS NULL))
            THEN NULL
            ELSE (SELECT max(d.expires) FROM deals AS d
                  WHERE d.partner_id = q.id AND +d.status = 'approved')
       END AS live_until
FROM (SELECT p.id, p.name,
             coalesce((SELECT max(c.at) FROM communications AS c
                       WHERE c.partner_id = p.id), p.created_at) AS last
      FROM partners AS p WHERE p.status = 'active') AS q
WHERE EXISTS (SELECT 1 FROM project_partners AS pp
              JOIN projects AS j ON j.id = pp.project_id
              WHERE pp.partner_id = q.id AND j.status = 'active')
   OR EXISTS (SELECT 1 FROM deals AS d
              WHERE d.partner_id = q.id AND
                    (d.status = 'submitted' OR d.status = 'approved'));
CREATE VIEW prm_agenda_all AS
SELECT * FROM prm_agenda_tasks UNION ALL SELECT * FROM prm_agenda_deals
UNION ALL SELECT * FROM prm_agenda_projects
UNION ALL SELECT * FROM prm_agenda_quiet;

-- Inserting (kind, id) here restates that item from its view: a task, a
-- deal (both its items), a project or a partner (kind partner_quiet).
CREATE VIEW prm_agenda_stale (kind, id) AS SELECT NULL, NULL WHERE 0;
CREATE TRIGGER prm_agenda_restate INSTEAD OF INSERT ON prm_agenda_stale
BEGIN
    DELETE FROM prm_agenda
    WHERE kind = NEW.kind AND id = NEW.id OR
          NEW.kind = 'deal' AND kind = 'deal_expiring' AND id = NEW.id OR
          NEW.kind = 'deal' AND kind = 'deal_close' AND id = NEW.id;
    INSERT INTO prm_agenda
    SELECT * FROM prm_agenda_tasks WHERE NEW.kind = 'task' AND id = NEW.id
    UNION ALL
    SELECT * FROM prm_agenda_deals WHERE NEW.kind = 'deal' AND id = NEW.id
    UNION ALL
    SELECT * FROM prm_agenda_projects
    WHERE NEW.kind = 'project_due' AND id = NEW.id
    UNION ALL
    SELECT * FROM prm_agenda_quiet
    WHERE NEW.kind = 'partner_quiet' AND id = NEW.id;
END;

CREATE TRIGGER prm_agenda_task_change
AFTER UPDATE OF title, partner_id, project_id, deal_id, due, status ON tasks
BEGIN
    INSERT INTO prm_agenda_stale VALUES ('task', NEW.id);
END;
CREATE TRIGGER prm_agenda_task_remove AFTER DELETE ON tasks BEGIN
    DELETE FROM prm_agenda WHERE kind = 'task' AND id = OLD.id;
END;

-- A deal keeps its partner busy, and names the partner of its tasks.
CREATE TRIGGER prm_agenda_deal_change
AFTER UPDATE OF partner_id, customer, close, status, expires ON deals BEGIN
    INSERT INTO prm_agenda_stale
    VALUES ('deal', NEW.id), ('partner_quiet', OLD.partner_id),
           ('partner_quiet', NEW.partner_id);
    INSERT INTO prm_agenda_stale
    SELECT 'task', t.id FROM tasks AS t
    WHERE t.deal_id = NEW.id AND OLD.partner_id IS NOT NEW.partner_id;
END;
CREATE TRIGGER prm_agenda_deal_remove AFTER DELETE ON deals BEGIN
    DELETE FROM prm_agenda
    WHERE kind = 'deal_expiring' AND id = OLD.id OR
          kind = 'deal_close' AND id = OLD.id;
    INSERT INTO prm_agenda_stale VALUES ('partner_quiet', OLD.partner_id);
END;

-- A project's status keeps its partners busy; its first partner names
-- it and its tasks.  When a project goes, its links go after it (the
-- foreign key's cascade), and the link's trigger restates the rest.
CREATE TRIGGER prm_agenda_project_change
AFTER UPDATE OF name, status, due ON projects BEGIN
    INSERT INTO prm_agenda_stale VALUES ('project_due', NEW.id);
    INSERT INTO prm_agenda_stale
    SELECT 'partner_quiet', pp.partner_id FROM project_partners AS pp
    WHERE pp.project_id = NEW.id AND OLD.status IS NOT NEW.status;
END;
CREATE TRIGGER prm_agenda_project_remove AFTER DELETE ON projects BEGIN
    DELETE FROM prm_agenda WHERE kind = 'project_due' AND id = OLD.id;
END;
CREATE TRIGGER prm_agenda_link AFTER INSERT ON project_partners BEGIN
    INSERT INTO prm_agenda_stale
    VALUES ('project_due', NEW.project_id), ('partner_quiet', NEW.partner_id);
    INSERT INTO prm_agenda_stale
    SELECT 'task', t.id FROM tasks AS t WHERE t.project_id = NEW.project_id;
END;
CREATE TRIGGER prm_agenda_unlink AFTER DELETE ON project_partners BEGIN
    INSERT INTO prm_agenda_stale
    VALUES ('project_due', OLD.project_id), ('partner_quiet', OLD.partner_id);
    INSERT INTO prm_agenda_stale
    SELECT 'task', t.id FROM tasks AS t WHERE t.project_id = OLD.project_id;
END;

-- A partner renamed: its items are found from its records (with an index
-- of the items by partner, moved with a quiet partner's date by every
-- communication added, piped adds of each partner's latest communication
-- took 1.60 times as long as before the agenda was kept; 1.46 without).
CREATE TRIGGER prm_agenda_partner_change
AFTER UPDATE OF name, status, created_at ON partners BEGIN
    INSERT INTO prm_agenda_stale VALUES ('partner_quiet', NEW.id);
    UPDATE prm_agenda SET partner_name = NEW.name
    WHERE (kind = 'deal_expiring' OR kind = 'deal_close') AND id IN (
              SELECT d.id FROM deals AS d WHERE d.partner_id = NEW.id) AND
          OLD.name IS NOT NEW.name;
    UPDATE prm_agenda SET partner_name = NEW.name
    WHERE kind = 'project_due' AND id IN (
              SELECT pp.project_id FROM project_partners AS pp
              WHERE pp.partner_id = NEW.id) AND
          partner = NEW.id AND OLD.name IS NOT NEW.name;
    UPDATE prm_agenda SET partner_name = NEW.name
    WHERE kind = 'task' AND id IN (
              SELECT t.id FROM tasks AS t WHERE t.partner_id = NEW.id
              UNION ALL
              SELECT t.id FROM deals AS d JOIN tasks AS t ON t.deal_id = d.id
              WHERE d.partner_id = NEW.id
              UNION ALL
              SELECT t.id FROM project_partners AS pp
              JOIN tasks AS t ON t.project_id = pp.project_id
              WHERE pp.partner_id = NEW.id) AND
          partner = NEW.id AND OLD.name IS NOT NEW.name;
END;
CREATE TRIGGER prm_agenda_partner_remove AFTER DELETE ON partners BEGIN
    DELETE FROM prm_agenda WHERE kind = 'partner_quiet' AND id = OLD.id;
END;

-- A quiet partner's last contact gone or moved.
CREATE TRIGGER prm_agenda_contact_remove AFTER DELETE ON communications
BEGIN
    INSERT INTO prm_agenda_stale VALUES ('partner_quiet', OLD.partner_id);
END;
CREATE TRIGGER prm_agenda_contact_change
AFTER UPDATE OF partner_id, at ON communications BEGIN
    INSERT INTO prm_agenda_stale
    VALUES ('partner_quiet', OLD.partner_id),
           ('partner_quiet', NEW.partner_id);
END;

INSERT INTO prm_agenda SELECT * FROM prm_agenda_all ORDER BY date, kind, id;
