-- 007_tasks.sql - follow-ups: the tasks of the agenda.
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL CHECK (title <> ''),
    partner_id  INTEGER REFERENCES partners (id),
    project_id  INTEGER REFERENCES projects (id),
    deal_id     INTEGER REFERENCES deals (id),
    due         TEXT,
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status = 'open' OR status = 'done' OR
                       status = 'cancelled'),
    done_at     TEXT,
    notes       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- the agenda reads open tasks by due date
CREATE INDEX tasks_status_due ON tasks (status, due);
CREATE INDEX tasks_partner ON tasks (partner_id);
CREATE INDEX tasks_project ON tasks (project_id);
CREATE INDEX tasks_deal ON tasks (deal_id);
