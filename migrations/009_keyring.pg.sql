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

-- The audit trigger, as before, but for encryption's rewrite.
CREATE OR REPLACE FUNCTION prm_audit() RETURNS trigger
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
