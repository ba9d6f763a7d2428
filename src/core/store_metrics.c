/*
 * store_metrics.c - the metrics of SPEC.md section 4 as SQL aggregates.
 *
 * Each count is one indexed aggregate; the partner scope is a condition on
 * partners AS p, generated with only the filters given so that SQLite can
 * use the index of each.  Nothing is loaded into C but the counts.
 */
#include <string.h>

#include "sqlite_db.h"

/* Conditions on partners AS p that choose the partners in scope. */
static void add_scope(sqlbuf *b, const store_scope *s)
{
    if (s->has_partner)
        sdb_add(b, " AND p.id = :partner");
    if (s->type != NULL)
        sdb_add(b, " AND p.type = :type");
    if (s->region != NULL)
        sdb_add(b, " AND p.region = :region");
    if (s->status != NULL)
        sdb_add(b, " AND p.status = :status");
}

static bool scoped(const store_scope *s)
{
    return s->has_partner || s->type || s->region || s->status;
}

static void add_window(sqlbuf *b, const store_scope *s, const char *col)
{
    if (s->since != NULL)
        sdb_add(b, " AND %s >= :since", col);
    if (s->until != NULL)
        sdb_add(b, " AND %s <= :until", col);
}

static int bind_named_text(sqlite3_stmt *stmt, const char *name,
                           const char *value)
{
    int idx = sqlite3_bind_parameter_index(stmt, name);
    if (idx == 0 || value == NULL)
        return SQLITE_OK;
    return sqlite3_bind_text(stmt, idx, value, -1, SQLITE_STATIC);
}

static prm_code scope_counts(prm_db *db, const sqlbuf *b,
                             const store_scope *s, int64_t *out, int n,
                             prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = SQLITE_OK;
    int pidx = sqlite3_bind_parameter_index(stmt, ":partner");
    if (pidx != 0)
        src = sqlite3_bind_int64(stmt, pidx, s->partner);
    if (src == SQLITE_OK)
        src = bind_named_text(stmt, ":type", s->type);
    if (src == SQLITE_OK)
        src = bind_named_text(stmt, ":region", s->region);
    if (src == SQLITE_OK)
        src = bind_named_text(stmt, ":status", s->status);
    if (src == SQLITE_OK)
        src = bind_named_text(stmt, ":since", s->since);
    if (src == SQLITE_OK)
        src = bind_named_text(stmt, ":until", s->until);
    if (src != SQLITE_OK) {
        sdb_done(stmt);
        return sdb_fail(db, src, err, "binding a filter");
    }
    return sdb_counts(db, stmt, out, n, err);
}

/* count(*) of a kind dated by col, of the partners in scope. */
static prm_code count_dated(prm_db *db, const store_scope *s,
                            const char *table, const char *col,
                            const char *link, int64_t *out, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sdb_add(&b, "SELECT count(*) FROM %s AS x WHERE 1", table);
    add_window(&b, s, col);
    if (scoped(s)) {
        sdb_add(&b, " AND %s IN (SELECT ", link);
        if (strcmp(link, "x.project_id") == 0)
            sdb_add(&b, "pp.project_id FROM project_partners AS pp JOIN "
                        "partners AS p ON p.id = pp.partner_id WHERE 1");
        else
            sdb_add(&b, "p.id FROM partners AS p WHERE 1");
        add_scope(&b, s);
        sdb_add(&b, ")");
    }
    return scope_counts(db, &b, s, out, 1, err);
}

prm_code store_metrics(prm_db *db, const store_scope *s, prm_metrics *m,
                       prm_error *err)
{
    *m = (prm_metrics){0};
    sqlbuf b = {.len = 0};
    sdb_add(&b, "SELECT count(*) FROM partners AS p WHERE 1");
    add_scope(&b, s);
    prm_code rc = scope_counts(db, &b, s, &m->partners, 1, err);
    if (rc != PRM_OK)
        return rc;

    b = (sqlbuf){.len = 0};
    sdb_add(&b, "SELECT count(*), count(*) FILTER (WHERE x.status = "
                "'succeeded'), count(*) FILTER (WHERE x.status = 'failed') "
                "FROM projects AS x WHERE 1");
    add_window(&b, s, "coalesce(x.start, x.created_at)");
    if (scoped(s)) {
        sdb_add(&b, " AND EXISTS (SELECT 1 FROM project_partners AS pp JOIN "
                    "partners AS p ON p.id = pp.partner_id WHERE "
                    "pp.project_id = x.id");
        add_scope(&b, s);
        sdb_add(&b, ")");
    }
    int64_t projects[3];
    rc = scope_counts(db, &b, s, projects, 3, err);
    if (rc != PRM_OK)
        return rc;
    m->projects = projects[0];
    m->succeeded = projects[1];
    m->failed = projects[2];

    rc = count_dated(db, s, "communications", "x.at", "x.partner_id",
                     &m->communications, err);
    if (rc == PRM_OK)
        rc = count_dated(db, s, "resources", "x.at", "x.partner_id",
                         &m->resources, err);
    if (rc == PRM_OK)
        rc = count_dated(db, s, "outcomes", "x.at", "x.project_id",
                         &m->outcomes, err);
    return rc;
}

