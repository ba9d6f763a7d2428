-- 008_funds.pg.sql - market development funds (funds, requests, claims)
-- and the partner program's tiers on a team database: tables, ids, audit
-- triggers, grants and row-level security.
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

INSERT INTO prm_ids (kind, last) VALUES ('funds', 0), ('requests', 0),
    ('claims', 0), ('tiers', 0);

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

CREATE TRIGGER ids_funds BEFORE INSERT ON funds
    FOR EACH ROW EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_funds AFTER DELETE ON funds REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_requests BEFORE INSERT ON requests
    FOR EACH ROW EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_requests AFTER DELETE ON requests REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_claims BEFORE INSERT ON claims
    FOR EACH ROW EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_claims AFTER DELETE ON claims REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER ids_tiers BEFORE INSERT ON tiers
    FOR EACH ROW EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_tiers AFTER DELETE ON tiers REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER audit_funds AFTER INSERT OR UPDATE OR DELETE ON funds
    FOR EACH ROW EXECUTE FUNCTION prm_audit('fund');
CREATE TRIGGER audit_requests AFTER INSERT OR UPDATE OR DELETE ON requests
    FOR EACH ROW EXECUTE FUNCTION prm_audit('request');
CREATE TRIGGER audit_claims AFTER INSERT OR UPDATE OR DELETE ON claims
    FOR EACH ROW EXECUTE FUNCTION prm_audit('claim');
CREATE TRIGGER audit_tiers AFTER INSERT OR UPDATE OR DELETE ON tiers
    FOR EACH ROW EXECUTE FUNCTION prm_audit('tier');

GRANT SELECT ON funds, requests, claims, tiers TO prm_viewer;
GRANT INSERT, UPDATE, DELETE ON requests, claims TO prm_manager;
GRANT INSERT, UPDATE, DELETE ON funds, tiers TO prm_admin;

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
