-- 007_tasks.pg.sql - follow-ups on a team database: the tasks table, its
-- ids, audit trigger, grants and row-level security (a task is its
-- owner's, and its partner's owner's).
CREATE TABLE tasks (
    id          bigint PRIMARY KEY,
    title       text NOT NULL CHECK (title <> ''),
    partner_id  bigint REFERENCES partners (id),
    project_id  bigint REFERENCES projects (id),
    deal_id     bigint REFERENCES deals (id),
    due         text,
    status      text NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'done', 'cancelled')),
    done_at     text,
    notes       text,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    owner       text NOT NULL DEFAULT current_user
);
-- the agenda reads open tasks by due date
CREATE INDEX tasks_status_due ON tasks (status, due);
CREATE INDEX tasks_partner ON tasks (partner_id);
CREATE INDEX tasks_project ON tasks (project_id);
CREATE INDEX tasks_deal ON tasks (deal_id);
CREATE INDEX tasks_owner ON tasks (owner);

INSERT INTO prm_ids (kind, last) VALUES ('tasks', 0);

-- The largest task id, whoever asks: row security hides others' tasks
-- from a manager, and ids are counted over them all.
CREATE FUNCTION prm_max_task_id() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT max(id) FROM tasks
$$;

CREATE OR REPLACE FUNCTION prm_set_id() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    floor bigint;
BEGIN
    IF NEW.id IS NOT NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(1347571761);
    SELECT last INTO floor FROM prm_ids WHERE kind = TG_TABLE_NAME;
    CASE TG_TABLE_NAME
    WHEN 'partners' THEN SELECT max(id) INTO NEW.id FROM partners;
    WHEN 'projects' THEN SELECT max(id) INTO NEW.id FROM projects;
    WHEN 'communications' THEN SELECT max(id) INTO NEW.id FROM communications;
    WHEN 'resources' THEN SELECT max(id) INTO NEW.id FROM resources;
    WHEN 'outcomes' THEN SELECT max(id) INTO NEW.id FROM outcomes;
    WHEN 'deals' THEN SELECT max(id) INTO NEW.id FROM deals;
    ELSE NEW.id := prm_max_task_id();
    END CASE;
    NEW.id := greatest(NEW.id, floor) + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER ids_tasks BEFORE INSERT ON tasks
    FOR EACH ROW EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_tasks AFTER DELETE ON tasks REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER audit_tasks AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION prm_audit('task');

GRANT SELECT ON tasks TO prm_viewer;
GRANT INSERT, UPDATE, DELETE ON tasks TO prm_manager;

-- A task is its owner's: a manager sees and changes their own tasks and
-- those of the partners they own; admins all; viewers read them all.
CREATE FUNCTION prm_sees_task(task_owner text, p bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT task_owner = current_user
        OR NOT pg_has_role(current_user, 'prm_manager', 'MEMBER')
        OR prm_owns_partner(p)
$$;
CREATE FUNCTION prm_owns_task(task_owner text, p bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT task_owner = current_user OR prm_owns_partner(p)
$$;
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON tasks FOR SELECT USING (prm_sees_task(owner, partner_id));
CREATE POLICY add ON tasks FOR INSERT
    WITH CHECK (prm_owns_task(owner, partner_id));
CREATE POLICY change ON tasks FOR UPDATE
    USING (prm_owns_task(owner, partner_id))
    WITH CHECK (prm_owns_task(owner, partner_id));
CREATE POLICY remove ON tasks FOR DELETE
    USING (prm_owns_task(owner, partner_id));
