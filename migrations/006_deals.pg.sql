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
    updated_at  text NOT NULL,
    -- kept by prm with the fields (prm_customer_key, prm_domain_root):
    -- the deals that may conflict with one are found by these indexes
    customer_key text NOT NULL DEFAULT '',
    domain_root text
);
CREATE INDEX deals_partner ON deals (partner_id, created_at);
CREATE INDEX deals_status ON deals (status, expires);
CREATE INDEX deals_domain ON deals (domain);
CREATE INDEX deals_customer_key ON deals (customer_key);
CREATE INDEX deals_domain_root ON deals (domain_root);

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
