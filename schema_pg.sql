-- schema_pg.sql - the prm schema on PostgreSQL (team databases), as it is
-- after the newest migration in migrations/ (NNN_*.pg.sql upgrade an
-- older team database in place; prm records the version in prm_meta).
--
-- The same tables, columns and checks as schema.sql (a test compares the
-- two), plus what a shared database needs: partners have an owner, and
-- roles, grants and row-level security decide who may read and change what,
-- so that a user who connects with psql can do no more than prm lets them.
-- prm runs this file in one transaction the first time an admin (a role
-- that may create tables and roles) connects to an empty database.
--
-- Roles (cluster-wide, shared by the prm databases of a cluster):
--   prm_viewer   reads and reports
--   prm_manager  also adds records; changes only the partners it owns and
--                their projects, communications, resources and outcomes
--   prm_admin    everything, and managing users
-- Dates are ISO 8601 UTC text, as in schema.sql, so they sort as time does.
-- Names are unique per kind without regard to ASCII case: lower() under the
-- "C" collation folds ASCII letters only, as SQLite's NOCASE does.

-- Two databases of one cluster may be created at once: a role the other
-- made meanwhile is no error.
DO $$
BEGIN
    BEGIN
        CREATE ROLE prm_viewer NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE prm_manager NOLOGIN IN ROLE prm_viewer;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE prm_admin NOLOGIN IN ROLE prm_manager;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$$;

-- The schema version, as PRAGMA user_version is on a file.
CREATE TABLE prm_meta (
    version     integer NOT NULL
);

-- Record ids, as SQLite's AUTOINCREMENT gives them: one more than the
-- largest ever used, never reused, and (unlike a sequence) given back when
-- the command that took one fails, so that the same commands give the same
-- ids on both engines.  The largest is the table's (an index lookup) or,
-- when rows were deleted, the largest deleted, kept in prm_ids by a
-- statement trigger.  Writers take a transaction-level advisory lock
-- first, so two never pick the same id (prm takes it as a transaction's
-- first writing command begins, psql here or in prm_next_change).
CREATE TABLE prm_ids (
    kind        text PRIMARY KEY,
    last        bigint NOT NULL
);
INSERT INTO prm_ids (kind, last) VALUES ('partners', 0), ('projects', 0),
    ('communications', 0), ('resources', 0), ('outcomes', 0), ('deals', 0),
    ('tasks', 0), ('funds', 0), ('requests', 0), ('claims', 0), ('tiers', 0);

-- Static statements, one per table, so that PL/pgSQL plans each once.
-- It runs as the user who inserts (who may read the tables); only
-- prm_saw_ids writes prm_ids.
CREATE FUNCTION prm_set_id() RETURNS trigger
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
    WHEN 'tasks' THEN NEW.id := prm_max_task_id();
    WHEN 'funds' THEN SELECT max(id) INTO NEW.id FROM funds;
    WHEN 'requests' THEN SELECT max(id) INTO NEW.id FROM requests;
    WHEN 'claims' THEN SELECT max(id) INTO NEW.id FROM claims;
    ELSE SELECT max(id) INTO NEW.id FROM tiers;
    END CASE;
    NEW.id := greatest(NEW.id, floor) + 1;
    RETURN NEW;
END
$$;

CREATE FUNCTION prm_saw_ids() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE prm_ids SET last = greatest(last, (SELECT max(id) FROM gone))
        WHERE kind = TG_TABLE_NAME;
    RETURN NULL;
END
$$;

CREATE TABLE partners (
    id          bigint PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    type        text,
    region      text,
    status      text NOT NULL DEFAULT 'active'
                CHECK (status IN ('prospect', 'active', 'inactive')),
    tier        text,
    email       text,
    phone       text,
    notes       text,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    owner       text NOT NULL DEFAULT current_user
);
CREATE UNIQUE INDEX partners_name ON partners (lower(name COLLATE "C"));
-- A scope's partners as the index gives them, without a read of their
-- rows: a file's index holds the id (the rowid) by itself.
CREATE INDEX partners_type ON partners (type, id);
CREATE INDEX partners_region ON partners (region, id);
CREATE INDEX partners_status ON partners (status, id);
CREATE INDEX partners_owner ON partners (owner);

CREATE TABLE projects (
    id          bigint PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    goal        text,
    plan        text,
    progress    integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    status      text NOT NULL DEFAULT 'planned'
                CHECK (status IN ('planned', 'active', 'succeeded', 'failed',
                                  'cancelled')),
    result      text,
    start       text,
    due         text,
    created_at  text NOT NULL,
    updated_at  text NOT NULL
);
CREATE UNIQUE INDEX projects_name ON projects (lower(name COLLATE "C"));
CREATE INDEX projects_status ON projects (status);
-- the stalled projects, in due order (insights)
CREATE INDEX projects_active_due ON projects (due) WHERE status = 'active';
-- (status: a dated metrics counts succeeded and failed from the index)
-- (with the columns of the expression: PostgreSQL answers from an index
-- alone only when it holds every column the query names)
CREATE INDEX projects_started ON projects (coalesce(start, created_at), status)
    INCLUDE (start, created_at);

CREATE TABLE project_partners (
    project_id  bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    partner_id  bigint NOT NULL REFERENCES partners (id),
    PRIMARY KEY (project_id, partner_id)
);
CREATE INDEX project_partners_partner ON project_partners (partner_id, project_id);

CREATE TABLE communications (
    id          bigint PRIMARY KEY,
    partner_id  bigint NOT NULL REFERENCES partners (id),
    project_id  bigint REFERENCES projects (id),
    method      text NOT NULL
                CHECK (method IN ('email', 'phone', 'meeting', 'chat', 'other')),
    at          text NOT NULL,
    subject     text,
    content     text NOT NULL
);
CREATE INDEX communications_partner ON communications (partner_id, at);
CREATE INDEX communications_project ON communications (project_id);
-- (the partner too: the healthiest partners are ranked from the index
-- alone)
CREATE INDEX communications_at ON communications (at, partner_id);

CREATE TABLE resources (
    id          bigint PRIMARY KEY,
    partner_id  bigint NOT NULL REFERENCES partners (id),
    project_id  bigint REFERENCES projects (id),
    kind        text NOT NULL
                CHECK (kind IN ('people', 'technology', 'funding', 'other')),
    amount      double precision NOT NULL DEFAULT 1 CHECK (amount >= 0),
    unit        text,
    description text,
    at          text NOT NULL
);
CREATE INDEX resources_partner ON resources (partner_id, at);
CREATE INDEX resources_project ON resources (project_id);
CREATE INDEX resources_at ON resources (at);

CREATE TABLE outcomes (
    id          bigint PRIMARY KEY,
    project_id  bigint NOT NULL REFERENCES projects (id),
    description text NOT NULL,
    value       double precision CHECK (value >= 0),
    at          text NOT NULL
);
CREATE INDEX outcomes_project ON outcomes (project_id, at);
CREATE INDEX outcomes_at ON outcomes (at);

CREATE TABLE deals (
    id          bigint PRIMARY KEY,
    partner_id  bigint NOT NULL REFERENCES partners (id),
    customer    text NOT NULL CHECK (customer <> ''),
    domain      text,
    product     text,
    amount      bigint CHECK (amount >= 0),
    close       text,
    contact     text,
    status      text NOT NULL DEFAULT 'submitted'
                CHECK (status IN ('submitted', 'approved', 'rejected', 'won',
                                  'lost', 'cancelled')),
    approved_at text,
    expires     text,
    closed_at   text,
    reason      text,
    notes       text,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    -- kept by prm with the fields (prm_customer_key, prm_domain_root):
    -- the deals that may conflict with one are found by these indexes
    customer_key text NOT NULL DEFAULT '',
    domain_root text
);
CREATE INDEX deals_partner ON deals (partner_id, created_at);
-- (amount: the pipeline is summed from this index alone)
CREATE INDEX deals_status ON deals (status, expires, amount);
-- metrics over dates: a deal's day, and the window's first and last days
CREATE INDEX deals_created ON deals (created_at);
-- and the approved deals of a window whose protection has not ended (not
-- kept: it moves with the clock), from the index alone
CREATE INDEX deals_live_made ON deals (status, created_at)
    INCLUDE (expires, amount);
CREATE INDEX deals_domain ON deals (domain);
CREATE INDEX deals_customer_key ON deals (customer_key);
CREATE INDEX deals_domain_root ON deals (domain_root);

-- Follow-ups: what is to be done, for a partner, project or deal, by when;
-- each belongs to a user (who added it, unless handed over).
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

-- The largest task id, whoever asks: row security hides others' tasks
-- from a manager, and ids are counted over them all.
CREATE FUNCTION prm_max_task_id() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT max(id) FROM tasks
$$;

-- Market development funds: a budget (amounts in whole cents, exact),
-- requests for money from it, claims against an approved request, and
-- the funding resource a paid claim made.  A fund's approved, claimed,
-- paid and available are worked out from its requests when read.
CREATE TABLE funds (
    id          bigint PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    amount      bigint NOT NULL CHECK (amount >= 0),
    currency    text,
    start       text,
    "end"       text,
    request_by  text,
    claim_by    text,
    notes       text
);
CREATE UNIQUE INDEX funds_name ON funds (lower(name COLLATE "C"));

CREATE TABLE requests (
    id          bigint PRIMARY KEY,
    fund_id     bigint NOT NULL REFERENCES funds (id),
    partner_id  bigint NOT NULL REFERENCES partners (id),
    project_id  bigint REFERENCES projects (id),
    activity    text NOT NULL CHECK (activity <> ''),
    amount      bigint NOT NULL CHECK (amount >= 0),
    approved_amount bigint CHECK (approved_amount >= 0),
    status      text NOT NULL DEFAULT 'submitted'
                CHECK (status IN ('submitted', 'approved', 'rejected',
                                  'cancelled', 'completed')),
    reason      text,
    created_at  text NOT NULL,
    updated_at  text NOT NULL
);
-- a fund's approved sum is read from this index alone
CREATE INDEX requests_fund ON requests (fund_id, status, approved_amount);
CREATE INDEX requests_partner ON requests (partner_id);
CREATE INDEX requests_project ON requests (project_id);

CREATE TABLE claims (
    id          bigint PRIMARY KEY,
    request_id  bigint NOT NULL REFERENCES requests (id),
    amount      bigint NOT NULL CHECK (amount >= 0),
    proof       text,
    status      text NOT NULL DEFAULT 'submitted'
                CHECK (status IN ('submitted', 'approved', 'rejected',
                                  'paid')),
    reason      text,
    paid_at     text,
    resource_id bigint REFERENCES resources (id),
    created_at  text NOT NULL,
    updated_at  text NOT NULL
);
CREATE INDEX claims_request ON claims (request_id, status, amount);
CREATE INDEX claims_resource ON claims (resource_id);

-- The partner program's tiers: each minimum counted over window_days.
CREATE TABLE tiers (
    id          bigint PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    rank        bigint NOT NULL UNIQUE CHECK (rank >= 0),
    min_won_value bigint CHECK (min_won_value >= 0),
    min_deals_won bigint CHECK (min_deals_won >= 0),
    min_succeeded bigint CHECK (min_succeeded >= 0),
    min_closed_success_rate double precision
                CHECK (min_closed_success_rate >= 0 AND
                       min_closed_success_rate <= 1),
    min_communications bigint CHECK (min_communications >= 0),
    window_days bigint CHECK (window_days >= 0)
);
CREATE UNIQUE INDEX tiers_name ON tiers (lower(name COLLATE "C"));

-- A deal's customer key and domain root, as prm computes them (its C code
-- and these are held to the same results by the tests): ASCII letters
-- lower-cased, the words split at ASCII punctuation and spaces and at CJK
-- and full-width punctuation, one trailing legal form dropped, the words
-- joined; a domain's last two labels.  (U&'\6709\9650\516C\53F8' is
-- the legal form written in Chinese: the schema is ASCII.)
CREATE FUNCTION prm_customer_key(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    w text[];
    n int;
BEGIN
    IF name IS NULL THEN
        RETURN NULL;
    END IF;
    w := array_remove(regexp_split_to_array(
        translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                  'abcdefghijklmnopqrstuvwxyz'),
        '([^a-z0-9\u0080-\U0010ffff]|[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65])+'),
        '');
    n := coalesce(array_length(w, 1), 0);
    IF n >= 3 AND w[n - 1] = 'pty' AND w[n] = 'ltd' THEN
        w := w[1:n - 2];
    ELSIF n >= 2 AND w[n] = ANY (ARRAY['inc', 'llc', 'ltd', 'limited', 'gmbh',
            'ag', 'sa', 'sas', 'srl', 'bv', 'nv', 'co', 'corp', 'corporation',
            'plc', 'kk', U&'\6709\9650\516C\53F8']) THEN
        w := w[1:n - 1];
    ELSIF n >= 1 AND length(w[n]) > 4 AND right(w[n], 4) = U&'\6709\9650\516C\53F8' THEN
        w[n] := left(w[n], -4);
    END IF;
    RETURN array_to_string(w, '');
END
$$;

-- The command's clock: what prm set for the command (PRM_NOW included), or
-- the server's time for anyone else (psql).
CREATE FUNCTION prm_now() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('prm.now', true), ''),
                    to_char(now() AT TIME ZONE 'UTC',
                            'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
$$;

CREATE FUNCTION prm_domain_root(domain text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT substring(domain from '([^.]+\.[^.]+)$')
$$;

-- The audit log, as in schema.sql; "user" is the database user.  Only the
-- trigger function below (running as the schema's owner) writes it; no
-- role prm makes may change or remove an entry.
CREATE TABLE audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    change      bigint NOT NULL,
    at          text NOT NULL,
    "user"      text NOT NULL,
    command     text NOT NULL,
    action      text NOT NULL CHECK (action IN ('add', 'update', 'delete')),
    kind        text NOT NULL,
    record      bigint NOT NULL,
    before      text,
    after       text,
    undoes      bigint
);
CREATE INDEX audit_change ON audit (change);
CREATE INDEX audit_undoes ON audit (undoes) WHERE undoes IS NOT NULL;
CREATE INDEX audit_record ON audit (kind, record);

CREATE FUNCTION julianday(t text) RETURNS double precision
LANGUAGE sql STABLE STRICT AS $$
    SELECT extract(epoch FROM t::timestamptz)::double precision / 86400.0
           + 2440587.5
$$;

CREATE FUNCTION prm_is_admin() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, 'prm_admin', 'MEMBER')
$$;

-- Whether the current user may change what belongs to a partner or a
-- project: admins always; managers when they own the partner, or one of
-- the project's partners.
CREATE FUNCTION prm_owns_partner(p bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT prm_is_admin() OR EXISTS (
        SELECT 1 FROM partners WHERE id = p AND owner = current_user)
$$;

CREATE FUNCTION prm_owns_project(j bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT prm_is_admin() OR EXISTS (
        SELECT 1 FROM project_partners AS pp JOIN partners AS p
            ON p.id = pp.partner_id
        WHERE pp.project_id = j AND p.owner = current_user)
$$;

-- The next change number, for the command prm is about to run, under the
-- writers' advisory lock (held to the end of the transaction), so that
-- numbers follow commit order and a command that fails gives its number
-- back, as on a file.  Taken before anything is written.
CREATE FUNCTION prm_next_change() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    c bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(1347571761);
    SELECT coalesce(max(change), 0) + 1 INTO c FROM audit;
    PERFORM set_config('prm.change', c::text, true);
    RETURN c;
END
$$;
REVOKE ALL ON FUNCTION prm_next_change() FROM PUBLIC;

-- A record's image, keyed by its field names in field order, as compact as
-- SQLite's json_object (row_to_json writes no spaces): prm_image(kind, row),
-- which prm makes from its kind tables right after this file runs, and
-- again after every upgrade, so that a kind's new field is in the images
-- the moment the database has its column.

-- One audit entry for the row the trigger fired on.  What prm ran (change
-- number, command, time, the change an undo reverts) comes from settings
-- prm makes for each command; a change made with psql gets a change
-- number of its own and "(sql)" as its command.  SECURITY DEFINER: it
-- writes the audit log, which no one else may; a trigger function cannot
-- be called but as a trigger.
CREATE FUNCTION prm_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    kind text := TG_ARGV[0];
    record bigint;
    action text;
    before text;
    after text;
    c bigint := nullif(current_setting('prm.change', true), '')::bigint;
BEGIN
    -- A link's record is its project (read from the image: a field of a
    -- row type that lacks it cannot even be named).
    IF TG_OP = 'DELETE' THEN
        action := 'delete';
        before := prm_image(kind, OLD)::text;
        record := (before::json->>CASE WHEN kind = 'project_partner'
                                        THEN 'project' ELSE 'id' END)::bigint;
    ELSE
        action := CASE TG_OP WHEN 'INSERT' THEN 'add' ELSE 'update' END;
        after := prm_image(kind, NEW)::text;
        IF TG_OP = 'UPDATE' THEN
            before := prm_image(kind, OLD)::text;
        END IF;
        record := (after::json->>CASE WHEN kind = 'project_partner'
                                       THEN 'project' ELSE 'id' END)::bigint;
    END IF;
    -- encrypt on or off: values sealed or opened in place, not changed
    IF TG_OP = 'UPDATE' AND prm_resealing_now()
       AND prm_resealed(before::jsonb, after::jsonb) THEN
        RETURN NULL;
    END IF;
    IF c IS NULL THEN
        c := prm_next_change(); -- a change made with psql
    END IF;
    INSERT INTO audit (change, at, "user", command, action, kind, record,
                       before, after, undoes)
    VALUES (c,
            coalesce(nullif(current_setting('prm.now', true), ''),
                     to_char(now() AT TIME ZONE 'UTC',
                             'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
            session_user,
            coalesce(nullif(current_setting('prm.command', true), ''), '(sql)'),
            action, kind, record, before, after,
            nullif(current_setting('prm.undoes', true), '')::bigint);
    RETURN NULL;
END
$$;

-- The audit entries of one INSERT statement, written by one statement
-- over its rows (a transition table): as prm_audit writes an add's, in
-- the order of the rows' ids.  A trigger per row ran its image's query
-- and its INSERT for every row, half of a bulk import's time on the
-- server; for the one row of an add it costs the same.  prm makes it
-- again right after this file runs, and after every upgrade, with each
-- kind's image written out in its INSERT instead of a call of prm_image
-- a row.
CREATE FUNCTION prm_audit_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    -- named apart from the columns: a row's "at" or "kind" would hide them
    entry_kind text := TG_ARGV[0];
    c bigint := nullif(current_setting('prm.change', true), '')::bigint;
    entry_at text := coalesce(nullif(current_setting('prm.now', true), ''),
                              to_char(now() AT TIME ZONE 'UTC',
                                      'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
    entry_command text := coalesce(
        nullif(current_setting('prm.command', true), ''), '(sql)');
    entry_undoes bigint :=
        nullif(current_setting('prm.undoes', true), '')::bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM added) THEN
        RETURN NULL;
    END IF;
    IF c IS NULL THEN
        c := prm_next_change(); -- a change made with psql
    END IF;
    -- A link's record is its project; no other row has the column.
    IF entry_kind = 'project_partner' THEN
        INSERT INTO audit (change, at, "user", command, action, kind, record,
                           before, after, undoes)
        SELECT c, entry_at, session_user, entry_command, 'add', entry_kind,
               r.project_id, NULL, prm_image(entry_kind, r)::text, entry_undoes
        FROM added AS r ORDER BY r.project_id, r.partner_id;
    ELSE
        INSERT INTO audit (change, at, "user", command, action, kind, record,
                           before, after, undoes)
        SELECT c, entry_at, session_user, entry_command, 'add', entry_kind,
               r.id, NULL, prm_image(entry_kind, r)::text, entry_undoes
        FROM added AS r ORDER BY r.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ids_partners BEFORE INSERT ON partners
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_partners AFTER DELETE ON partners REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_projects BEFORE INSERT ON projects
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_projects AFTER DELETE ON projects REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_communications BEFORE INSERT ON communications
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_communications AFTER DELETE ON communications REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_resources BEFORE INSERT ON resources
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_resources AFTER DELETE ON resources REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_outcomes BEFORE INSERT ON outcomes
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_outcomes AFTER DELETE ON outcomes REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_deals BEFORE INSERT ON deals
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_deals AFTER DELETE ON deals REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_tasks BEFORE INSERT ON tasks
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_tasks AFTER DELETE ON tasks REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();

CREATE TRIGGER audit_partners AFTER UPDATE OR DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION prm_audit('partner');
CREATE TRIGGER audit_added_partners AFTER INSERT ON partners REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('partner');
CREATE TRIGGER audit_projects AFTER UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION prm_audit('project');
CREATE TRIGGER audit_added_projects AFTER INSERT ON projects REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('project');
CREATE TRIGGER audit_project_partners AFTER DELETE ON project_partners
    FOR EACH ROW EXECUTE FUNCTION prm_audit('project_partner');
CREATE TRIGGER audit_added_project_partners AFTER INSERT ON project_partners REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('project_partner');
CREATE TRIGGER audit_communications AFTER UPDATE OR DELETE ON communications
    FOR EACH ROW EXECUTE FUNCTION prm_audit('communication');
CREATE TRIGGER audit_added_communications AFTER INSERT ON communications REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('communication');
CREATE TRIGGER audit_resources AFTER UPDATE OR DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION prm_audit('resource');
CREATE TRIGGER audit_added_resources AFTER INSERT ON resources REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('resource');
CREATE TRIGGER audit_outcomes AFTER UPDATE OR DELETE ON outcomes
    FOR EACH ROW EXECUTE FUNCTION prm_audit('outcome');
CREATE TRIGGER audit_added_outcomes AFTER INSERT ON outcomes REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('outcome');
CREATE TRIGGER audit_deals AFTER UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_audit('deal');
CREATE TRIGGER audit_added_deals AFTER INSERT ON deals REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('deal');
CREATE TRIGGER audit_tasks AFTER UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION prm_audit('task');
CREATE TRIGGER audit_added_tasks AFTER INSERT ON tasks REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('task');
CREATE TRIGGER ids_funds BEFORE INSERT ON funds
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_funds AFTER DELETE ON funds REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_requests BEFORE INSERT ON requests
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_requests AFTER DELETE ON requests REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_claims BEFORE INSERT ON claims
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_claims AFTER DELETE ON claims REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_tiers BEFORE INSERT ON tiers
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_tiers AFTER DELETE ON tiers REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER audit_funds AFTER UPDATE OR DELETE ON funds
    FOR EACH ROW EXECUTE FUNCTION prm_audit('fund');
CREATE TRIGGER audit_added_funds AFTER INSERT ON funds REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('fund');
CREATE TRIGGER audit_requests AFTER UPDATE OR DELETE ON requests
    FOR EACH ROW EXECUTE FUNCTION prm_audit('request');
CREATE TRIGGER audit_added_requests AFTER INSERT ON requests REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('request');
CREATE TRIGGER audit_claims AFTER UPDATE OR DELETE ON claims
    FOR EACH ROW EXECUTE FUNCTION prm_audit('claim');
CREATE TRIGGER audit_added_claims AFTER INSERT ON claims REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('claim');
CREATE TRIGGER audit_tiers AFTER UPDATE OR DELETE ON tiers
    FOR EACH ROW EXECUTE FUNCTION prm_audit('tier');
CREATE TRIGGER audit_added_tiers AFTER INSERT ON tiers REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('tier');

-- Encryption of sensitive fields at rest: the data key, wrapped under a
-- key derived from the passphrase (Argon2id with these limits and salt).
-- No row: encryption is off.  One row: every sensitive value is sealed.
-- Everyone reads it (every user needs the passphrase); only an admin
-- turns encryption on or off or changes the passphrase.
CREATE TABLE keyring (
    id       integer PRIMARY KEY CHECK (id = 1),
    version  integer NOT NULL,
    opslimit bigint NOT NULL,
    memlimit bigint NOT NULL,
    salt     text NOT NULL,
    wrapped  text NOT NULL
);

-- Turning encryption on or off rewrites every sensitive value and the
-- audit log's images and commands in one transaction of an admin's.
-- Those updates are not changes to log: prm_reseal_begin marks the
-- transaction (only admins may call it), and while it is marked the
-- audit trigger lets through an update that only seals or opens values
-- (prm_resealed), and prm_reseal_audit rewrites an entry the same way;
-- nothing else.  prm_reseal_end takes the mark away.
CREATE TABLE prm_resealing (tx bigint PRIMARY KEY);

CREATE FUNCTION prm_resealed(old jsonb, new jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT (old IS NULL) = (new IS NULL) AND NOT EXISTS (
        SELECT 1 FROM (SELECT jsonb_object_keys(old) AS k
                       UNION SELECT jsonb_object_keys(new)) AS keys
        WHERE (old -> k) IS DISTINCT FROM (new -> k)
          AND NOT (coalesce(old ->> k, '') LIKE 'prm1:%'
                   OR coalesce(new ->> k, '') LIKE 'prm1:%'))
$$;

CREATE FUNCTION prm_reseal_begin() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    INSERT INTO prm_resealing VALUES (txid_current()) ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION prm_reseal_end() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DELETE FROM prm_resealing WHERE tx = txid_current()
$$;
CREATE FUNCTION prm_resealing_now() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT EXISTS (SELECT 1 FROM prm_resealing WHERE tx = txid_current())
$$;
CREATE FUNCTION prm_reseal_audit(entry bigint, new_command text,
                                 new_before text, new_after text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT prm_resealing_now() THEN
        RAISE EXCEPTION 'the audit log is rewritten only by encrypt on or off'
            USING ERRCODE = '42501';
    END IF;
    UPDATE audit SET command = new_command, before = new_before,
                     after = new_after
    WHERE id = entry
      AND (command = new_command OR command LIKE 'prm1:%'
           OR new_command LIKE 'prm1:%')
      AND prm_resealed(before::jsonb, new_before::jsonb)
      AND prm_resealed(after::jsonb, new_after::jsonb);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit entry % would change more than its sealed values',
            entry USING ERRCODE = '42501';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION prm_reseal_begin(), prm_reseal_end(),
    prm_resealing_now(), prm_reseal_audit(bigint, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prm_reseal_begin(), prm_reseal_end(),
    prm_reseal_audit(bigint, text, text, text) TO prm_admin;

-- Grants: viewers read, managers also write (row-level security narrows
-- which rows); the audit log and prm_ids are written only by triggers.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO prm_viewer;
GRANT SELECT ON prm_meta, prm_ids, partners, projects, project_partners,
    communications, resources, outcomes, deals, tasks, funds, requests,
    claims, tiers, keyring, audit TO prm_viewer;
GRANT INSERT, UPDATE, DELETE ON partners, projects, project_partners,
    communications, resources, outcomes, deals, tasks, requests, claims
    TO prm_manager;
GRANT INSERT, UPDATE, DELETE ON funds, tiers, keyring TO prm_admin;

-- Row-level security: everyone reads every row; what a manager writes is
-- narrowed to what they own.  The owner of the tables (the admin who
-- created the database) is not subject to it, nor are superusers.
ALTER TABLE keyring ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON keyring FOR SELECT USING (true);
CREATE POLICY add ON keyring FOR INSERT WITH CHECK (prm_is_admin());
CREATE POLICY change ON keyring FOR UPDATE USING (prm_is_admin());
CREATE POLICY remove ON keyring FOR DELETE USING (prm_is_admin());

ALTER TABLE partners ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON partners FOR SELECT USING (true);
CREATE POLICY add ON partners FOR INSERT
    WITH CHECK (prm_is_admin() OR owner = current_user);
CREATE POLICY change ON partners FOR UPDATE
    USING (prm_is_admin() OR owner = current_user)
    WITH CHECK (prm_is_admin() OR owner = current_user);
CREATE POLICY remove ON partners FOR DELETE
    USING (prm_is_admin() OR owner = current_user);

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON projects FOR SELECT USING (true);
-- A new project has no partners yet; its links decide whose it is.
CREATE POLICY add ON projects FOR INSERT WITH CHECK (true);
CREATE POLICY change ON projects FOR UPDATE USING (prm_owns_project(id));
CREATE POLICY remove ON projects FOR DELETE USING (prm_owns_project(id));

ALTER TABLE project_partners ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON project_partners FOR SELECT USING (true);
CREATE POLICY add ON project_partners FOR INSERT
    WITH CHECK (prm_owns_partner(partner_id) OR prm_owns_project(project_id));
CREATE POLICY remove ON project_partners FOR DELETE
    USING (prm_owns_partner(partner_id) OR prm_owns_project(project_id));

ALTER TABLE communications ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON communications FOR SELECT USING (true);
CREATE POLICY add ON communications FOR INSERT
    WITH CHECK (prm_owns_partner(partner_id));
CREATE POLICY change ON communications FOR UPDATE
    USING (prm_owns_partner(partner_id))
    WITH CHECK (prm_owns_partner(partner_id));
CREATE POLICY remove ON communications FOR DELETE
    USING (prm_owns_partner(partner_id));

ALTER TABLE resources ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON resources FOR SELECT USING (true);
CREATE POLICY add ON resources FOR INSERT
    WITH CHECK (prm_owns_partner(partner_id));
CREATE POLICY change ON resources FOR UPDATE
    USING (prm_owns_partner(partner_id))
    WITH CHECK (prm_owns_partner(partner_id));
CREATE POLICY remove ON resources FOR DELETE
    USING (prm_owns_partner(partner_id));

ALTER TABLE outcomes ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON outcomes FOR SELECT USING (true);
CREATE POLICY add ON outcomes FOR INSERT
    WITH CHECK (prm_owns_project(project_id));
CREATE POLICY change ON outcomes FOR UPDATE
    USING (prm_owns_project(project_id))
    WITH CHECK (prm_owns_project(project_id));
CREATE POLICY remove ON outcomes FOR DELETE
    USING (prm_owns_project(project_id));

-- A deal is its partner's: a manager registers and changes the deals of
-- the partners they own.
ALTER TABLE deals ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON deals FOR SELECT USING (true);
CREATE POLICY add ON deals FOR INSERT
    WITH CHECK (prm_owns_partner(partner_id));
CREATE POLICY change ON deals FOR UPDATE
    USING (prm_owns_partner(partner_id))
    WITH CHECK (prm_owns_partner(partner_id));
CREATE POLICY remove ON deals FOR DELETE
    USING (prm_owns_partner(partner_id));

-- Only an admin approves, rejects or extends a deal: a deal that becomes
-- approved or rejected, or whose approval or expiry changes, by anyone
-- else is refused, through prm or psql.  Managers register, change,
-- cancel and close the deals of their partners.
CREATE FUNCTION prm_deal_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF prm_is_admin() THEN
        RETURN NEW;
    END IF;
    IF (TG_OP = 'INSERT' AND (NEW.status <> 'submitted' OR
            NEW.approved_at IS NOT NULL OR NEW.expires IS NOT NULL)) OR
       (TG_OP = 'UPDATE' AND (
            (NEW.status IN ('approved', 'rejected') AND
             NEW.status IS DISTINCT FROM OLD.status) OR
            NEW.approved_at IS DISTINCT FROM OLD.approved_at OR
            NEW.expires IS DISTINCT FROM OLD.expires)) THEN
        RAISE EXCEPTION 'only an admin approves, rejects or extends a deal'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER guard_deals BEFORE INSERT OR UPDATE ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_deal_guard();

-- Whoever writes a deal (prm, or psql), its customer key and domain root
-- follow its customer and domain.
CREATE FUNCTION prm_deal_keys() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.customer_key := prm_customer_key(NEW.customer);
    NEW.domain_root := prm_domain_root(NEW.domain);
    RETURN NEW;
END
$$;
CREATE TRIGGER keys_deals BEFORE INSERT OR UPDATE OF customer, domain ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_deal_keys();

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

-- Funds and tiers are the admins'; a manager requests and claims money
-- for the partners they own; only an admin approves, rejects or pays.
CREATE FUNCTION prm_owns_request(r bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT prm_owns_partner((SELECT partner_id FROM requests WHERE id = r))
$$;
ALTER TABLE funds ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON funds FOR SELECT USING (true);
CREATE POLICY add ON funds FOR INSERT WITH CHECK (prm_is_admin());
CREATE POLICY change ON funds FOR UPDATE USING (prm_is_admin());
CREATE POLICY remove ON funds FOR DELETE USING (prm_is_admin());
ALTER TABLE tiers ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON tiers FOR SELECT USING (true);
CREATE POLICY add ON tiers FOR INSERT WITH CHECK (prm_is_admin());
CREATE POLICY change ON tiers FOR UPDATE USING (prm_is_admin());
CREATE POLICY remove ON tiers FOR DELETE USING (prm_is_admin());
ALTER TABLE requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON requests FOR SELECT USING (true);
CREATE POLICY add ON requests FOR INSERT
    WITH CHECK (prm_owns_partner(partner_id));
CREATE POLICY change ON requests FOR UPDATE
    USING (prm_owns_partner(partner_id))
    WITH CHECK (prm_owns_partner(partner_id));
CREATE POLICY remove ON requests FOR DELETE
    USING (prm_owns_partner(partner_id));
ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON claims FOR SELECT USING (true);
CREATE POLICY add ON claims FOR INSERT
    WITH CHECK (prm_owns_request(request_id));
CREATE POLICY change ON claims FOR UPDATE
    USING (prm_owns_request(request_id))
    WITH CHECK (prm_owns_request(request_id));
CREATE POLICY remove ON claims FOR DELETE
    USING (prm_owns_request(request_id));

-- What only an admin does to a request or a claim, refused to anyone
-- else through prm or psql: approve, reject, pay (and a request's
-- completion, which paying makes).
CREATE FUNCTION prm_request_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF prm_is_admin() THEN
        RETURN NEW;
    END IF;
    IF (TG_OP = 'INSERT' AND (NEW.status <> 'submitted' OR
                              NEW.approved_amount IS NOT NULL)) OR
       (TG_OP = 'UPDATE' AND (
            (NEW.status IN ('approved', 'rejected', 'completed') AND
             NEW.status IS DISTINCT FROM OLD.status) OR
            NEW.approved_amount IS DISTINCT FROM OLD.approved_amount)) THEN
        RAISE EXCEPTION 'only an admin approves or rejects a request'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE FUNCTION prm_claim_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF prm_is_admin() THEN
        RETURN NEW;
    END IF;
    IF (TG_OP = 'INSERT' AND (NEW.status <> 'submitted' OR
                              NEW.paid_at IS NOT NULL OR
                              NEW.resource_id IS NOT NULL)) OR
       (TG_OP = 'UPDATE' AND (
            NEW.status IS DISTINCT FROM OLD.status OR
            NEW.paid_at IS DISTINCT FROM OLD.paid_at OR
            NEW.resource_id IS DISTINCT FROM OLD.resource_id)) THEN
        RAISE EXCEPTION 'only an admin approves, rejects or pays a claim'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER guard_requests BEFORE INSERT OR UPDATE ON requests
    FOR EACH ROW EXECUTE FUNCTION prm_request_guard();
CREATE TRIGGER guard_claims BEFORE INSERT OR UPDATE ON claims
    FOR EACH ROW EXECUTE FUNCTION prm_claim_guard();


-- Counts of whole tables kept in step with every change, so that an
-- unfiltered metrics reads a few rows instead of counting millions.  The
-- same counts as a file keeps (one row each):
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

-- The same counts by day, so that metrics over dates alone (since=,
-- until=) sum the window's whole days and count only the rows of its
-- first and last day, instead of walking every row of the window.  A day
-- is the first ten characters of what the kind is dated by: a
-- communication's, resource's or outcome's at, a project's start (else
-- its created_at), a deal's created_at.  Kept by the same triggers, in
-- the same way.
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

-- Deletes and changes are counted by row triggers (a statement trigger
-- over its transition table cost more than twice as much for the one-row
-- statements prm sends), inserts by a statement's: an import's thousands
-- of rows in one change a table (and a status), the one row of an add at
-- the same cost as a row trigger's.
CREATE FUNCTION prm_tally_count() RETURNS trigger
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
-- A deal's counts, each times s (1 for a deal that is, -1 for one gone).
CREATE FUNCTION prm_tally_deal_rows(d deals, s integer)
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
CREATE FUNCTION prm_tally_added() RETURNS trigger
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
CREATE FUNCTION prm_tally_projects_added() RETURNS trigger
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
-- check repair=yes (an admin's): the counts emptied, for prm to count
-- them again into prm_tallies in the same transaction.
CREATE FUNCTION prm_tally_clear() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('prm_tally_fold'));
    DELETE FROM prm_tally_changes;
    DELETE FROM prm_tallies;
    DELETE FROM prm_day_tally_changes;
    DELETE FROM prm_day_tallies;
END
$$;
REVOKE ALL ON FUNCTION prm_tally_count(), prm_tally_project(),
    prm_tally_added(), prm_tally_projects_added(),
    prm_tally_deal_rows(deals, integer), prm_tally_deal(), prm_tally_fold(),
    prm_tally_clear() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prm_tally_fold() TO prm_viewer;
GRANT EXECUTE ON FUNCTION prm_tally_clear() TO prm_admin;
GRANT INSERT ON prm_tallies TO prm_admin;
REVOKE ALL ON FUNCTION prm_day_moved() FROM PUBLIC;
GRANT INSERT ON prm_day_tallies TO prm_admin;

CREATE TRIGGER tally_partners AFTER DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_added_partners AFTER INSERT ON partners REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_communications AFTER DELETE ON communications
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_added_communications AFTER INSERT ON communications REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_resources AFTER DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_added_resources AFTER INSERT ON resources REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_outcomes AFTER DELETE ON outcomes
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_added_outcomes AFTER INSERT ON outcomes REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
CREATE TRIGGER tally_projects AFTER DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION prm_tally_project();
CREATE TRIGGER tally_added_projects AFTER INSERT ON projects REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_projects_added();
CREATE TRIGGER tally_project_status AFTER UPDATE OF status, start, created_at
    ON projects FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR coalesce(OLD.start, OLD.created_at)
             IS DISTINCT FROM coalesce(NEW.start, NEW.created_at))
    EXECUTE FUNCTION prm_tally_project();
CREATE TRIGGER tally_deals AFTER INSERT OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_tally_deal();
CREATE TRIGGER tally_deal_change
    AFTER UPDATE OF status, approved_at, amount, created_at
    ON deals FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.approved_at IS DISTINCT FROM NEW.approved_at
          OR OLD.amount IS DISTINCT FROM NEW.amount
          OR substr(OLD.created_at, 1, 10)
             IS DISTINCT FROM substr(NEW.created_at, 1, 10))
    EXECUTE FUNCTION prm_tally_deal();
CREATE TRIGGER day_moved_communications AFTER UPDATE OF at ON communications
    FOR EACH ROW WHEN (substr(OLD.at, 1, 10) <> substr(NEW.at, 1, 10))
    EXECUTE FUNCTION prm_day_moved();
CREATE TRIGGER day_moved_resources AFTER UPDATE OF at ON resources
    FOR EACH ROW WHEN (substr(OLD.at, 1, 10) <> substr(NEW.at, 1, 10))
    EXECUTE FUNCTION prm_day_moved();
CREATE TRIGGER day_moved_outcomes AFTER UPDATE OF at ON outcomes
    FOR EACH ROW WHEN (substr(OLD.at, 1, 10) <> substr(NEW.at, 1, 10))
    EXECUTE FUNCTION prm_day_moved();

-- Each partner's figures kept, as a file keeps them (prm_partner_tallies),
-- for report partners, insights and the agenda: projects (all, succeeded, failed), communications, the last
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
) WITH (fillfactor = 70);
-- Kept in partner order, as a report of every partner reads them: a
-- bulk count writes them in that order, and the room left on each page
-- keeps a changed row's new version beside the old one.  (In the order
-- the count's hash joins gave, reading a million of them by key took
-- 2.7 s.)  CLUSTER prm_partner_tallies puts them back in order.
ALTER TABLE prm_partner_tallies CLUSTER ON prm_partner_tallies_pkey;
-- A scope's communications and resources (metrics region=EMEA) summed
-- from this index alone, by the partner's key: reading the table's rows
-- for a quarter of a million partners was a hash join over all of them.
CREATE INDEX prm_partner_tallies_sums
    ON prm_partner_tallies (partner_id) INCLUDE (communications, resources);
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
-- The dormant partners read in the insights' order (most projects, then
-- the oldest last contact, none first), so that the rule stops at its
-- limit rather than joining and sorting every partner's figures.
CREATE INDEX prm_partner_tallies_dormant
    ON prm_partner_tallies (projects DESC, last_contact NULLS FIRST, partner_id);
-- And the partners that do well with few projects, in that rule's order
-- (best closed success rate, then resource efficiency, fewest projects).
CREATE INDEX prm_partner_tallies_expand ON prm_partner_tallies (
    (CASE WHEN succeeded + failed > 0
          THEN 1.0 * succeeded / (succeeded + failed) END) DESC NULLS LAST,
    (CASE WHEN resources > 0 THEN 1.0 * outcomes / resources END)
        DESC NULLS LAST,
    projects, partner_id);

-- Rows inserted, a statement at a time (an import's thousands in one
-- change a partner).  A link counts its project, the project's status
-- and its outcomes for the partner.
CREATE FUNCTION prm_partner_tally_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM prm_partner_tally_bulk
               WHERE tx = txid_current()) THEN
        RETURN NULL; -- a bulk load, counted as it commits (below)
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

-- A bulk load counts each partner's figures once, when it commits.
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
       OR r.partner_id IS NOT NULL OR d.partner_id IS NOT NULL
    ORDER BY p.id;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER partner_tally_bulk_done
    AFTER INSERT ON prm_partner_tally_bulk DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION prm_partner_tally_recount();
REVOKE ALL ON FUNCTION prm_partner_tally_bulk(),
    prm_partner_tally_recount() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prm_partner_tally_bulk() TO prm_manager;
