-- 008_funds.sql - market development funds (funds, requests, claims) and
-- the partner program's tiers.
CREATE TABLE funds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (name <> ''),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    currency    TEXT,
    start       TEXT,
    "end"       TEXT,
    request_by  TEXT,
    claim_by    TEXT,
    notes       TEXT
);

CREATE TABLE requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    fund_id     INTEGER NOT NULL REFERENCES funds (id),
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    project_id  INTEGER REFERENCES projects (id),
    activity    TEXT NOT NULL CHECK (activity <> ''),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    approved_amount INTEGER CHECK (approved_amount >= 0),
    status      TEXT NOT NULL DEFAULT 'submitted'
                CHECK (status = 'submitted' OR status = 'approved' OR
                       status = 'rejected' OR status = 'cancelled' OR
                       status = 'completed'),
    reason      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- a fund's approved sum is read from this index alone
CREATE INDEX requests_fund ON requests (fund_id, status, approved_amount);
CREATE INDEX requests_partner ON requests (partner_id);
CREATE INDEX requests_project ON requests (project_id);

CREATE TABLE claims (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  INTEGER NOT NULL REFERENCES requests (id),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    proof       TEXT,
    status      TEXT NOT NULL DEFAULT 'submitted'
                CHECK (status = 'submitted' OR status = 'approved' OR
                       status = 'rejected' OR status = 'paid'),
    reason      TEXT,
    paid_at     TEXT,
    resource_id INTEGER REFERENCES resources (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX claims_request ON claims (request_id, status, amount);
CREATE INDEX claims_resource ON claims (resource_id);

-- The partner program's tiers: each minimum counted over window_days.
CREATE TABLE tiers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (name <> ''),
    rank        INTEGER NOT NULL UNIQUE CHECK (rank >= 0),
    min_won_value INTEGER CHECK (min_won_value >= 0),
    min_deals_won INTEGER CHECK (min_deals_won >= 0),
    min_succeeded INTEGER CHECK (min_succeeded >= 0),
    min_closed_success_rate REAL CHECK (min_closed_success_rate >= 0 AND
                                        min_closed_success_rate <= 1),
    min_communications INTEGER CHECK (min_communications >= 0),
    window_days INTEGER CHECK (window_days >= 0)
);
