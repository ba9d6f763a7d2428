-- Encryption of sensitive fields at rest: the data key, wrapped under a
-- key derived from the passphrase (Argon2id with these limits and salt).
-- No row: encryption is off.  One row: every sensitive value is sealed.
CREATE TABLE keyring (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL,
    opslimit INTEGER NOT NULL,
    memlimit INTEGER NOT NULL,
    salt     TEXT NOT NULL,
    wrapped  TEXT NOT NULL
);
