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
GRANT SELECT ON keyring TO prm_viewer;
GRANT INSERT, UPDATE, DELETE ON keyring TO prm_admin;
ALTER TABLE keyring ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON keyring FOR SELECT USING (true);
CREATE POLICY add ON keyring FOR INSERT WITH CHECK (prm_is_admin());
CREATE POLICY change ON keyring FOR UPDATE USING (prm_is_admin());
CREATE POLICY remove ON keyring FOR DELETE USING (prm_is_admin());
