-- 006_deals.pg.sql - deal registration on a team database: the deals
-- table, its ids, audit trigger, grants and row-level security (a deal is
-- its partner's).  Amounts are whole cents (exact).
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
    updated_at  text NOT NULL
);
CREATE INDEX deals_partner ON deals (partner_id, created_at);
CREATE INDEX deals_status ON deals (status, expires);
CREATE INDEX deals_domain ON deals (domain);

INSERT INTO prm_ids (kind, last) VALUES ('deals', 0);

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
    ELSE SELECT max(id) INTO NEW.id FROM deals;
    END CASE;
    NEW.id := greatest(NEW.id, floor) + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER ids_deals BEFORE INSERT ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_set_id();
CREATE TRIGGER gone_deals AFTER DELETE ON deals REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION prm_saw_ids();
CREATE TRIGGER audit_deals AFTER INSERT OR UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_audit('deal');

GRANT SELECT ON deals TO prm_viewer;
GRANT INSERT, UPDATE, DELETE ON deals TO prm_manager;

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
