-- 006_deals.sql - deal registration: the deals partners register.
-- Amounts are whole cents (exact); "expired" is never stored (an approved
-- deal past its expiry reads so).
CREATE TABLE deals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    customer    TEXT NOT NULL CHECK (customer <> ''),
    domain      TEXT,
    product     TEXT,
    amount      INTEGER CHECK (amount >= 0),
    close       TEXT,
    contact     TEXT,
    status      TEXT NOT NULL DEFAULT 'submitted'
                CHECK (status = 'submitted' OR status = 'approved' OR
                       status = 'rejected' OR status = 'won' OR
                       status = 'lost' OR status = 'cancelled'),
    approved_at TEXT,
    expires     TEXT,
    closed_at   TEXT,
    reason      TEXT,
    notes       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- kept by prm with the fields (prm_customer_key, prm_domain_root):
    -- the deals that may conflict with one are found by these indexes
    customer_key TEXT NOT NULL DEFAULT '',
    domain_root TEXT
);
CREATE INDEX deals_partner ON deals (partner_id, created_at);
CREATE INDEX deals_status ON deals (status, expires);
CREATE INDEX deals_domain ON deals (domain);
CREATE INDEX deals_customer_key ON deals (customer_key);
CREATE INDEX deals_domain_root ON deals (domain_root);
