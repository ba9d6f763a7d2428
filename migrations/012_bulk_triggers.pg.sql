-- 012_bulk_triggers.pg.sql - inserts logged and counted a statement at a
-- time, so that an import's INSERT ... SELECT of thousands of rows writes
-- its audit entries and counts in one statement each (the row of an add
-- costs what it did):
--   * the audit entries of an INSERT come from a statement trigger over
--     the inserted rows (prm_audit_added); updates and deletes stay with
--     the row trigger prm_audit;
--   * the counts metrics keeps, of inserted rows, likewise
--     (prm_tally_added, prm_tally_projects_added);
--   * prm_set_id runs only for a row that comes without an id (prm always
--     gives one; psql may not).
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

CREATE FUNCTION prm_tally_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO prm_tally_changes
    SELECT TG_TABLE_NAME, count(*) FROM added HAVING count(*) > 0;
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
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION prm_tally_added(), prm_tally_projects_added()
    FROM PUBLIC;

DROP TRIGGER ids_partners ON partners;
CREATE TRIGGER ids_partners BEFORE INSERT ON partners
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_partners ON partners;
CREATE TRIGGER audit_partners AFTER UPDATE OR DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION prm_audit('partner');
CREATE TRIGGER audit_added_partners AFTER INSERT ON partners REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('partner');
DROP TRIGGER ids_projects ON projects;
CREATE TRIGGER ids_projects BEFORE INSERT ON projects
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_projects ON projects;
CREATE TRIGGER audit_projects AFTER UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION prm_audit('project');
CREATE TRIGGER audit_added_projects AFTER INSERT ON projects REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('project');
DROP TRIGGER audit_project_partners ON project_partners;
CREATE TRIGGER audit_project_partners AFTER DELETE ON project_partners
    FOR EACH ROW EXECUTE FUNCTION prm_audit('project_partner');
CREATE TRIGGER audit_added_project_partners AFTER INSERT ON project_partners REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('project_partner');
DROP TRIGGER ids_communications ON communications;
CREATE TRIGGER ids_communications BEFORE INSERT ON communications
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_communications ON communications;
CREATE TRIGGER audit_communications AFTER UPDATE OR DELETE ON communications
    FOR EACH ROW EXECUTE FUNCTION prm_audit('communication');
CREATE TRIGGER audit_added_communications AFTER INSERT ON communications REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('communication');
DROP TRIGGER ids_resources ON resources;
CREATE TRIGGER ids_resources BEFORE INSERT ON resources
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_resources ON resources;
CREATE TRIGGER audit_resources AFTER UPDATE OR DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION prm_audit('resource');
CREATE TRIGGER audit_added_resources AFTER INSERT ON resources REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('resource');
DROP TRIGGER ids_outcomes ON outcomes;
CREATE TRIGGER ids_outcomes BEFORE INSERT ON outcomes
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_outcomes ON outcomes;
CREATE TRIGGER audit_outcomes AFTER UPDATE OR DELETE ON outcomes
    FOR EACH ROW EXECUTE FUNCTION prm_audit('outcome');
CREATE TRIGGER audit_added_outcomes AFTER INSERT ON outcomes REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('outcome');
DROP TRIGGER ids_deals ON deals;
CREATE TRIGGER ids_deals BEFORE INSERT ON deals
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_deals ON deals;
CREATE TRIGGER audit_deals AFTER UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION prm_audit('deal');
CREATE TRIGGER audit_added_deals AFTER INSERT ON deals REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('deal');
DROP TRIGGER ids_tasks ON tasks;
CREATE TRIGGER ids_tasks BEFORE INSERT ON tasks
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_tasks ON tasks;
CREATE TRIGGER audit_tasks AFTER UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION prm_audit('task');
CREATE TRIGGER audit_added_tasks AFTER INSERT ON tasks REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('task');
DROP TRIGGER ids_funds ON funds;
CREATE TRIGGER ids_funds BEFORE INSERT ON funds
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_funds ON funds;
CREATE TRIGGER audit_funds AFTER UPDATE OR DELETE ON funds
    FOR EACH ROW EXECUTE FUNCTION prm_audit('fund');
CREATE TRIGGER audit_added_funds AFTER INSERT ON funds REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('fund');
DROP TRIGGER ids_requests ON requests;
CREATE TRIGGER ids_requests BEFORE INSERT ON requests
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_requests ON requests;
CREATE TRIGGER audit_requests AFTER UPDATE OR DELETE ON requests
    FOR EACH ROW EXECUTE FUNCTION prm_audit('request');
CREATE TRIGGER audit_added_requests AFTER INSERT ON requests REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('request');
DROP TRIGGER ids_claims ON claims;
CREATE TRIGGER ids_claims BEFORE INSERT ON claims
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_claims ON claims;
CREATE TRIGGER audit_claims AFTER UPDATE OR DELETE ON claims
    FOR EACH ROW EXECUTE FUNCTION prm_audit('claim');
CREATE TRIGGER audit_added_claims AFTER INSERT ON claims REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('claim');
DROP TRIGGER ids_tiers ON tiers;
CREATE TRIGGER ids_tiers BEFORE INSERT ON tiers
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION prm_set_id();
DROP TRIGGER audit_tiers ON tiers;
CREATE TRIGGER audit_tiers AFTER UPDATE OR DELETE ON tiers
    FOR EACH ROW EXECUTE FUNCTION prm_audit('tier');
CREATE TRIGGER audit_added_tiers AFTER INSERT ON tiers REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_audit_added('tier');
DROP TRIGGER tally_partners ON partners;
CREATE TRIGGER tally_partners AFTER DELETE ON partners
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_added_partners AFTER INSERT ON partners REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
DROP TRIGGER tally_communications ON communications;
CREATE TRIGGER tally_communications AFTER DELETE ON communications
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_added_communications AFTER INSERT ON communications REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
DROP TRIGGER tally_resources ON resources;
CREATE TRIGGER tally_resources AFTER DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_added_resources AFTER INSERT ON resources REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
DROP TRIGGER tally_outcomes ON outcomes;
CREATE TRIGGER tally_outcomes AFTER DELETE ON outcomes
    FOR EACH ROW EXECUTE FUNCTION prm_tally_count();
CREATE TRIGGER tally_added_outcomes AFTER INSERT ON outcomes REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_added();
DROP TRIGGER tally_projects ON projects;
CREATE TRIGGER tally_projects AFTER DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION prm_tally_project();
CREATE TRIGGER tally_added_projects AFTER INSERT ON projects REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION prm_tally_projects_added();
