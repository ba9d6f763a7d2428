/*
 * audit.c - the audit log, undo and check on a team database.
 *
 * The entries are written by triggers in the database (schema_pg.sql), so
 * every change is logged, whoever makes it and however; what prm adds is
 * the command's text, time and change number (pg_audit_settings).  Undo
 * works as on SQLite: the newest change not yet undone, entry by entry
 * from the last, from the JSON images the log keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_db.h"

typedef struct audit_rows {
    prm_audit_fn fn;
    void *ctx;
} audit_rows;

static prm_code audit_row(void *ctx, const PGresult *res, int r, bool *stop,
                          prm_error *err)
{
    (void)err;
    audit_rows *a = ctx;
#define TEXT(c) (PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c))
    prm_audit_entry e = {
        .id = pg_int(res, r, 0),
        .change = pg_int(res, r, 1),
        .at = TEXT(2),
        .user = TEXT(3),
        .command = TEXT(4),
        .action = TEXT(5),
        .kind = TEXT(6),
        .record = pg_int(res, r, 7),
        .before = TEXT(8),
        .after = TEXT(9),
        .undoes = pg_int(res, r, 10),
    };
#undef TEXT
    *stop = !a->fn(a->ctx, &e);
    return PRM_OK;
}

prm_code pg_audit_list(prm_db *base, const store_audit_filter *f,
                       prm_audit_fn fn, void *ctx, prm_error *err)
{
    sqlbuf inner = {.len = 0}, b = {.len = 0};
    prm_value params[STORE_AUDIT_PARAMS];
    size_t n = store_audit_select(&inner, f, params);
    pg_params p = {.n = 0};
    for (size_t i = 0; i < n; i++)
        pgp_value(&p, &params[i]);
    /* The newest entries (limit), shown oldest first, as a log reads. */
    sql_add(&b, "SELECT * FROM (%s) AS newest ORDER BY id", inner.text);
    audit_rows rows = {.fn = fn, .ctx = ctx};
    prm_code rc = pg_query_rows((pg_db *)base, b.text, &p, audit_row, &rows,
                                err);
    pgp_free(&p);
    return rc;
}

/* --- undo ----------------------------------------------------------------- */



static prm_code revert_entry(pg_db *db, const PGresult *entry, int r,
                             prm_error *err)
{
    const char *action = PQgetvalue(entry, r, 0);
    const char *kind = PQgetvalue(entry, r, 1);
    int64_t record = pg_int(entry, r, 2);
    const prm_kind_info *info = prm_kind_find(kind);
    bool added = strcmp(action, "add") == 0;
    sqlbuf b = {.len = 0};
    pg_params p = {.n = 0};
    if (added && info != NULL) {
        sql_add(&b, "DELETE FROM %s WHERE id = $1", store_table(info));
        pgp_int(&p, record);
    } else {
        bool reinsert = strcmp(action, "delete") == 0;
        store_revert_sql(&b, info, reinsert, &sqlm_pg_dialect);
        pgp_str(&p, PQgetvalue(entry, r, added ? 4 : 3));
        if (!reinsert && info != NULL)
            pgp_int(&p, record);
    }
    PGresult *res;
    prm_code rc = pg_query(db, b.text, &p, &res, err);
    pgp_free(&p);
    if (rc != PRM_OK)
        return rc;
    bool one = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    if (!one)
        return prm_error_set(err, PRM_ECONFLICT,
                             "%s %lld has changed since (it no longer exists)",
                             kind, (long long)record);
    return PRM_OK;
}

prm_code pg_undo_last(prm_db *base, int64_t *undone, char *command,
                      size_t size, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    int64_t change = 0;
    prm_code rc = store_last_change(base, &change, err);
    if (rc != PRM_OK)
        return rc;
    if (change == 0)
        return prm_error_set(err, PRM_ENOT_FOUND, "nothing left to undo");
    pg_params p = {.n = 0};
    pgp_int(&p, change);
    PGresult *entries;
    /* In the order both engines undo in (store_undo_order). */
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT action, kind, record, before, after, command FROM "
                "audit WHERE change = $1 ORDER BY %s", store_undo_order);
    rc = pg_query_built(db, &b, &p, &entries, err);
    if (rc != PRM_OK)
        return rc;
    snprintf(command, size, "%s",
             PQntuples(entries) ? PQgetvalue(entries, 0, 5) : "");
    /* Each undo is a change of its own: the second of an "undo N" takes
     * the next number. */
    store_changes_next_undo(base);
    rc = pg_audit_settings(db, change, err);
    for (int r = 0; r < PQntuples(entries) && rc == PRM_OK; r++)
        rc = revert_entry(db, entries, r, err);
    PQclear(entries);
    if (rc == PRM_OK)
        rc = pg_audit_settings(db, 0, err);
    if (rc != PRM_OK) {
        return prm_error_set(err, err->code, "cannot undo change %lld (%s): %s",
                             (long long)change, command, err->message);
    }
    *undone = change;
    return PRM_OK;
}

/* --- check ---------------------------------------------------------------- */

/* What prm can check of a server's database: the schema version, that
 * every table still has row-level security and its audit trigger, and
 * that every project still has a partner.  Pages and foreign keys are the
 * server's to keep. */
/* The tables of records and links, as an SQL list: ('partners', ...). */
static void record_tables(sqlbuf *b)
{
    sql_add(b, "('project_partners'");
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        sql_add(b, ", '%s'", store_table(prm_kind_get((prm_kind)k)));
    sql_add(b, ")");
}

/* The schema version, the record tables without row security, the audit
 * triggers that are on (two a table: one for the rows an INSERT adds, one
 * for each row changed or deleted), and the projects without a partner. */
static const char *protections_sql(sqlbuf *b)
{
    sql_add(b, "SELECT (SELECT max(version) FROM prm_meta), (SELECT count(*) "
               "FROM pg_class WHERE relname IN ");
    record_tables(b);
    sql_add(b, " AND relnamespace = 'public'::regnamespace AND NOT "
               "relrowsecurity), (SELECT count(*) FROM pg_trigger WHERE "
               "tgname LIKE 'audit\\_%%' AND tgrelid::regclass::text IN ");
    record_tables(b);
    sql_add(b, " AND tgenabled <> 'D'), (SELECT count(*) FROM projects AS x "
               "WHERE NOT EXISTS (SELECT 1 FROM project_partners AS pp WHERE "
               "pp.project_id = x.id))");
    return b->text;
}

prm_code pg_check(prm_db *base, prm_check_report *r, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    sqlbuf b = {.len = 0};
    *r = (prm_check_report){.problems = 0};
    prm_code rc = store_cmd_begin(base, STORE_READ, err);
    int64_t n[4] = {0};
    if (rc == PRM_OK)
        rc = pg_counts(db, protections_sql(&b), NULL, n, 4, err);
    if (rc == PRM_OK)
        rc = store_check_tallies(base, r, err);
    if (rc == PRM_OK)
        rc = store_check_partner_tallies(base, r, err);
    rc = store_cmd_end(base, rc, err);
    if (rc != PRM_OK)
        return rc;
    r->schema_version = n[0];
    r->foreign_key_errors = n[3];
    const int64_t triggers = 2 * (PRM_KIND_COUNT + 1);
    if (n[1] > 0 || n[2] != triggers) {
        snprintf(r->integrity, sizeof r->integrity,
                 "%lld tables without row-level security, %lld of %lld audit "
                 "triggers",
                 (long long)n[1], (long long)n[2], (long long)triggers);
        store_check_problem(r,
                            "the team database's protections were changed "
                            "(%s): restore them as schema_pg.sql sets them",
                            r->integrity);
    } else {
        snprintf(r->integrity, sizeof r->integrity, "ok");
    }
    if (n[3] > 0) {
        char count[32];
        snprintf(count, sizeof count, "%lld", (long long)n[3]);
        store_check_problem(r, "%s projects have no partner", count);
    }
    if (r->schema_version != store_schema_version)
        store_check_problem(r, "%s", "the schema version is not this prm's");
    return PRM_OK;
}
