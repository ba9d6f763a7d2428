/*
 * store_metrics.c - the metrics of SPEC.md section 4 as SQL aggregates.
 *
 * Each count is one indexed aggregate; the partner scope is a condition on
 * partners AS p, generated with only the filters given so that SQLite can
 * use the index of each.  Nothing is loaded into C but the counts.
 */
#include <string.h>

#include "sqlite_db.h"

static void add_scope(sqlbuf *b, const store_scope *s)
{
    sdb_add_scope(b, s, false);
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

static prm_code scope_counts(sqlite_db *db, const sqlbuf *b,
                             const store_scope *s, int64_t *out, int n,
                             prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sdb_bind_scope(stmt, s);
    if (src != SQLITE_OK) {
        sdb_done(stmt);
        return sdb_fail(db, src, err, "binding a filter");
    }
    return sdb_counts(db, stmt, out, n, err);
}

/* count(*) of a kind dated by col, of the partners in scope. */
static prm_code count_dated(sqlite_db *db, const store_scope *s,
                            const char *table, const char *col,
                            const char *link, int64_t *out, prm_error *err)
{
    sqlbuf b = {.len = 0};
    /* With no condition at all, a bare count(*) lets SQLite count the
     * rows of its smallest index without reading them: WHERE 1 would not. */
    sdb_add(&b, "SELECT count(*) FROM %s AS x%s", table,
            scoped(s) || s->since || s->until ? " WHERE 1" : "");
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

prm_code sqlite_metrics(prm_db *base, const store_scope *s, prm_metrics *m,
                       prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    *m = (prm_metrics){0};
    sqlbuf b = {.len = 0};
    sdb_add(&b, "SELECT count(*) FROM partners AS p%s",
            scoped(s) ? " WHERE 1" : "");
    add_scope(&b, s);
    prm_code rc = scope_counts(db, &b, s, &m->partners, 1, err);
    if (rc != PRM_OK)
        return rc;

    b = (sqlbuf){.len = 0};
    if (scoped(s) || s->since || s->until) {
        sdb_add(&b, "SELECT count(*), count(*) FILTER (WHERE x.status = "
                    "'succeeded'), count(*) FILTER (WHERE x.status = 'failed') "
                    "FROM projects AS x WHERE 1");
        add_window(&b, s, "coalesce(x.start, x.created_at)");
    } else {
        /* All projects: three counts over the status index, far cheaper
         * than reading every project. */
        sdb_add(&b, "SELECT (SELECT count(*) FROM projects), (SELECT count(*) "
                    "FROM projects WHERE status = 'succeeded'), (SELECT "
                    "count(*) FROM projects WHERE status = 'failed')");
    }
    if (scoped(s)) {
        /* IN (...) rather than EXISTS: SQLite collects the scope's project
         * ids through the partner indexes and seeks only those projects,
         * instead of testing every project. */
        sdb_add(&b, " AND x.id IN (SELECT pp.project_id FROM "
                    "project_partners AS pp JOIN partners AS p ON p.id = "
                    "pp.partner_id WHERE 1");
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


/* --- report partners ------------------------------------------------------- */

/* Per-partner aggregates of the partner p.id, in the window: the same
 * conditions as store_metrics's with the scope narrowed to one partner. */
static void add_report_columns(sqlbuf *b, const store_scope *s)
{
    static const char *const status[] = {NULL, "succeeded", "failed"};
    static const char *const alias[] = {"projects", "succeeded", "failed"};
    for (int i = 0; i < 3; i++) {
        sdb_add(b, ", (SELECT count(*) FROM project_partners AS pp JOIN "
                   "projects AS x ON x.id = pp.project_id WHERE pp.partner_id "
                   "= p.id");
        if (status[i] != NULL)
            sdb_add(b, " AND x.status = '%s'", status[i]);
        add_window(b, s, "coalesce(x.start, x.created_at)");
        sdb_add(b, ") AS %s", alias[i]);
    }
    sdb_add(b, ", (SELECT count(*) FROM communications AS x WHERE "
               "x.partner_id = p.id");
    add_window(b, s, "x.at");
    sdb_add(b, ") AS communications, (SELECT max(x.at) FROM communications "
               "AS x WHERE x.partner_id = p.id");
    add_window(b, s, "x.at");
    sdb_add(b, ") AS last_contact, (SELECT count(*) FROM resources AS x "
               "WHERE x.partner_id = p.id");
    add_window(b, s, "x.at");
    sdb_add(b, ") AS resources, (SELECT count(*) FROM outcomes AS x WHERE "
               "x.project_id IN (SELECT pp.project_id FROM project_partners "
               "AS pp WHERE pp.partner_id = p.id)");
    add_window(b, s, "x.at");
    sdb_add(b, ") AS outcomes");
}

/* ORDER BY for sort=: figures largest first (no value last), names from
 * A; ties by id. */
static void add_report_order(sqlbuf *b, const char *sort)
{
    if (sort == NULL || strcmp(sort, "partner") == 0)
        sdb_add(b, " ORDER BY id");
    else if (strcmp(sort, "health") == 0)
        sdb_add(b, " ORDER BY health DESC, id");
    else if (strcmp(sort, "name") == 0)
        sdb_add(b, " ORDER BY name COLLATE NOCASE, id");
    else if (strcmp(sort, "project_success_rate") == 0)
        sdb_add(b, " ORDER BY CASE WHEN projects > 0 THEN 1.0 * succeeded / "
                   "projects END DESC NULLS LAST, id");
    else if (strcmp(sort, "resource_efficiency") == 0)
        sdb_add(b, " ORDER BY CASE WHEN resources > 0 THEN 1.0 * outcomes / "
                   "resources END DESC NULLS LAST, id");
    else
        sdb_add(b, " ORDER BY %s DESC NULLS LAST, id", sort);
}

/*
 * The health score, 0 to 100 (README: Health), from four terms, each 0..1:
 *   recency    1 at the day of the last contact, falling to 0 at 180 days
 *              (0 when there was none)
 *   frequency  communications in the 90 days before the report's date,
 *              full marks at 6 (about one a fortnight)
 *   success    the closed success rate; 0.5 when nothing closed yet
 *   efficiency outcomes per resource, capped at 1; 0.5 with no resources
 * health = round(100 * (0.3 recency + 0.2 frequency + 0.3 success
 *                       + 0.2 efficiency)).
 * The report's date (:asof) is until= when given, else now.  This is the
 * one place the formula lives: sort=health orders by it in SQL too.
 */
static void add_health_terms(sqlbuf *b, const store_scope *s)
{
    sdb_add(b, ", (SELECT count(*) FROM communications AS x WHERE "
               "x.partner_id = p.id AND x.at > strftime('%%Y-%%m-%%dT%%H:%%M:"
               "%%SZ', :asof, '-90 days') AND x.at <= :asof");
    add_window(b, s, "x.at");
    sdb_add(b, ") AS recent");
}

static void add_health(sqlbuf *b)
{
    sdb_add(b, "SELECT *, round(100 * (0.3 * recency + 0.2 * frequency + 0.3 "
               "* success + 0.2 * efficiency)) AS health FROM (SELECT *, "
               "CASE WHEN last_contact IS NULL THEN NULL ELSE julianday(:asof) "
               "- julianday(last_contact) END AS days, "
               "CASE WHEN last_contact IS NULL THEN 0.0 ELSE max(0.0, min(1.0, "
               "1.0 - (julianday(:asof) - julianday(last_contact)) / 180.0)) "
               "END AS recency, "
               "min(1.0, recent / 6.0) AS frequency, "
               "CASE WHEN succeeded + failed > 0 THEN 1.0 * succeeded / "
               "(succeeded + failed) ELSE 0.5 END AS success, "
               "CASE WHEN resources > 0 THEN min(1.0, 1.0 * outcomes / "
               "resources) ELSE 0.5 END AS efficiency FROM (");
}

prm_code sqlite_report(prm_db *base, const store_scope *s, const char *sort,
                      int64_t limit, prm_report_fn fn, void *ctx,
                      prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    add_health(&b);
    sdb_add(&b, "SELECT p.id AS id, p.name AS name");
    add_report_columns(&b, s);
    add_health_terms(&b, s);
    sdb_add(&b, " FROM partners AS p WHERE 1");
    add_scope(&b, s);
    sdb_add(&b, "))");
    add_report_order(&b, sort);
    if (limit > 0)
        sdb_add(&b, " LIMIT %lld", (long long)limit);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sdb_bind_scope(stmt, s);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":asof",
                              s->until != NULL ? s->until : store_now(&db->base));
    while (src == SQLITE_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        prm_report_row row = {
            .partner = sqlite3_column_int64(stmt, 0),
            .name = (const char *)sqlite3_column_text(stmt, 1),
            .m = {.partners = 1,
                  .projects = sqlite3_column_int64(stmt, 2),
                  .succeeded = sqlite3_column_int64(stmt, 3),
                  .failed = sqlite3_column_int64(stmt, 4),
                  .communications = sqlite3_column_int64(stmt, 5),
                  .resources = sqlite3_column_int64(stmt, 7),
                  .outcomes = sqlite3_column_int64(stmt, 8)},
            .last_contact = (const char *)sqlite3_column_text(stmt, 6),
            .recent = sqlite3_column_int64(stmt, 9),
            .has_days = sqlite3_column_type(stmt, 10) != SQLITE_NULL,
            .days = sqlite3_column_double(stmt, 10),
            .recency = sqlite3_column_double(stmt, 11),
            .frequency = sqlite3_column_double(stmt, 12),
            .success = sqlite3_column_double(stmt, 13),
            .efficiency = sqlite3_column_double(stmt, 14),
            .health = sqlite3_column_int64(stmt, 15),
        };
        src = fn(ctx, &row) ? SQLITE_OK : SQLITE_DONE;
    }
    sdb_done(stmt);
    if (src != SQLITE_DONE)
        return sdb_fail(db, src, err, "computing the report");
    return PRM_OK;
}

/* --- report trend ---------------------------------------------------------- */

/* The period a timestamp falls in, as SQL over the column col. */
static void add_period(sqlbuf *b, store_period by, const char *col)
{
    if (by == PERIOD_YEAR)
        sdb_add(b, "substr(%s, 1, 4)", col);
    else if (by == PERIOD_QUARTER)
        sdb_add(b, "substr(%s, 1, 4) || '-Q' || ((CAST(substr(%s, 6, 2) AS "
                   "INTEGER) + 2) / 3)",
                col, col);
    else
        sdb_add(b, "substr(%s, 1, 7)", col);
}

/* "x.partner_id IN (partners in scope)" and the like, when scoped. */
static void add_scoped_link(sqlbuf *b, const store_scope *s, const char *link)
{
    if (!scoped(s))
        return;
    if (strcmp(link, "x.project_id") == 0)
        sdb_add(b, " AND x.project_id IN (SELECT pp.project_id FROM "
                   "project_partners AS pp JOIN partners AS p ON p.id = "
                   "pp.partner_id WHERE 1");
    else if (strcmp(link, "x.id") == 0)
        sdb_add(b, " AND EXISTS (SELECT 1 FROM project_partners AS pp JOIN "
                   "partners AS p ON p.id = pp.partner_id WHERE "
                   "pp.project_id = x.id");
    else
        sdb_add(b, " AND %s IN (SELECT p.id FROM partners AS p WHERE 1", link);
    add_scope(b, s);
    sdb_add(b, ")");
}

/* One arm of the trend's UNION ALL: a kind's rows as (period, partners,
 * projects, succeeded, failed, communications, resources, outcomes). */
static void add_trend_arm(sqlbuf *b, const store_scope *s, store_period by,
                          const char *table, const char *date,
                          const char *counts, const char *link)
{
    sdb_add(b, " UNION ALL SELECT ");
    add_period(b, by, date);
    sdb_add(b, ", %s FROM %s AS x WHERE 1", counts, table);
    add_window(b, s, date);
    add_scoped_link(b, s, link);
}

prm_code sqlite_trend(prm_db *base, const store_scope *s, store_period by,
                     prm_trend_fn fn, void *ctx, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    /* Partners count in the period they were added; those added before the
     * window count in its first period, so running totals start right. */
    sdb_add(&b, "SELECT period, total(a), total(j), total(su), total(fa), "
                "total(c), total(r), total(o) FROM (SELECT ");
    add_period(&b, by, s->since ? "max(p.created_at, :since)" : "p.created_at");
    sdb_add(&b, " AS period, 1 AS a, 0 AS j, 0 AS su, 0 AS fa, 0 AS c, 0 AS "
                "r, 0 AS o FROM partners AS p WHERE 1");
    add_scope(&b, s);
    if (s->until != NULL)
        sdb_add(&b, " AND p.created_at <= :until");
    add_trend_arm(&b, s, by, "projects", "coalesce(x.start, x.created_at)",
                  "0, 1, x.status = 'succeeded', x.status = 'failed', 0, 0, 0",
                  "x.id");
    add_trend_arm(&b, s, by, "communications", "x.at", "0, 0, 0, 0, 1, 0, 0",
                  "x.partner_id");
    add_trend_arm(&b, s, by, "resources", "x.at", "0, 0, 0, 0, 0, 1, 0",
                  "x.partner_id");
    add_trend_arm(&b, s, by, "outcomes", "x.at", "0, 0, 0, 0, 0, 0, 1",
                  "x.project_id");
    sdb_add(&b, ") GROUP BY period ORDER BY period");
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sdb_bind_scope(stmt, s);
    prm_trend_row row = {.period = NULL};
    while (src == SQLITE_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        row.period = (const char *)sqlite3_column_text(stmt, 0);
        row.in = (prm_metrics){
            .partners = sqlite3_column_int64(stmt, 1),
            .projects = sqlite3_column_int64(stmt, 2),
            .succeeded = sqlite3_column_int64(stmt, 3),
            .failed = sqlite3_column_int64(stmt, 4),
            .communications = sqlite3_column_int64(stmt, 5),
            .resources = sqlite3_column_int64(stmt, 6),
            .outcomes = sqlite3_column_int64(stmt, 7)};
        row.total.partners += row.in.partners;
        row.total.projects += row.in.projects;
        row.total.succeeded += row.in.succeeded;
        row.total.failed += row.in.failed;
        row.total.communications += row.in.communications;
        row.total.resources += row.in.resources;
        row.total.outcomes += row.in.outcomes;
        src = fn(ctx, &row) ? SQLITE_OK : SQLITE_DONE;
    }
    sdb_done(stmt);
    if (src != SQLITE_DONE)
        return sdb_fail(db, src, err, "computing the trend");
    return PRM_OK;
}
