/*
 * metrics.c - metrics, report and trend on SQLite: the statements of
 * sql_metrics.c, prepared once, bound by name and stepped.
 */
#include <string.h>

#include "store/sql_metrics.h"
#include "store/sqlite/sqlite_db.h"

/* Names are stored COLLATE NOCASE, which folds ASCII letters alone. */
const sql_dialect sqlm_sqlite_dialect = {.name_order = "name COLLATE NOCASE",
                                         .fence = " LIMIT -1 OFFSET 0",
                                         .name_equals = "name = $1",
                                         .partner_ids =
                                             "(SELECT group_concat(partner_id) "
                                             "FROM (SELECT partner_id FROM "
                                             "project_partners WHERE "
                                             "project_id = t.id ORDER BY "
                                             "partner_id))",
                                         .partner_names =
                                             "(SELECT group_concat(name, ', ') "
                                             "FROM (SELECT p.name FROM "
                                             "project_partners AS pp JOIN "
                                             "partners AS p ON p.id = "
                                             "pp.partner_id WHERE "
                                             "pp.project_id = t.id ORDER BY "
                                             "p.id))",
                                         .name_is = "t.\"name\" = $%zu",
                                         .owners = false,
                                         .image_field =
                                             "json_extract($1, '$.%s')",
                                         .image_cents =
                                             "prm_cents($1 -> '$.%s')",
                                         .distinct = "IS NOT",
                                         .bytewise = " COLLATE BINARY",
                                         .lock_row = "",
                                         .ids_of =
                                             "coalesce((SELECT group_concat("
                                             "c.id) FROM (%s ORDER BY 1) AS c), "
                                             "'')",
                                         .unique_failed =
                                             "UNIQUE constraint failed",
                                         .temp_table_options =
                                             " WITHOUT ROWID",
                                         .add_days =
                                             "strftime('%%Y-%%m-%%dT%%H:%%M:"
                                             "%%SZ', %s, (%s) || ' days')",
                                         .kept_tallies = "prm_tallies",
                                         .day_tallies = "prm_day_tallies",
                                         .partner_tallies =
                                             "prm_partner_tallies",
                                         .trend_ranges = true,
                                         .agenda_kept = "prm_agenda",
                                         /* prm_agenda_quiet's (schema.sql) */
                                         .agenda_kept_quiet_days = 90};

/* The statement for the SQL in b, with the scope and the report's dates
 * bound to the parameters it has. */
prm_code sdb_prepare_scoped(sqlite_db *db, const sqlbuf *b,
                            const store_scope *s, sqlite3_stmt **stmt,
                            prm_error *err)
{
    prm_code rc = sdb_cached_sqlbuf(db, b, stmt, err);
    if (rc != PRM_OK)
        return rc;
    const char *asof = s->until != NULL ? s->until : store_now(&db->base);
    char recent[PRM_TIME_SIZE];
    sqlm_recent_since(asof, recent);
    int src = sdb_bind_scope(*stmt, s);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(*stmt, ":asof", asof);
    if (src == SQLITE_OK)
        src = sqlite3_bind_parameter_index(*stmt, ":recent_since")
                  ? sqlite3_bind_text(*stmt,
                                      sqlite3_bind_parameter_index(
                                          *stmt, ":recent_since"),
                                      recent, -1, SQLITE_TRANSIENT)
                  : SQLITE_OK;
    if (src != SQLITE_OK) {
        sdb_done(*stmt);
        return sdb_fail(db, src, err, "binding a filter");
    }
    return PRM_OK;
}

/* Everything, unfiltered: the counts the triggers keep, in one row. */
static prm_code tallied_metrics(sqlite_db *db, const store_scope *s,
                                prm_metrics *m, prm_error *err)
{
    int64_t *out[SQLM_TALLIED], got[SQLM_TALLIED] = {0};
    sqlm_tallied_outputs(m, out);
    sqlbuf b = {.len = 0};
    sqlm_metrics_tallied(&b, &sqlm_sqlite_dialect);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_prepare_scoped(db, &b, s, &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, got, SQLM_TALLIED, err);
    for (size_t k = 0; k < SQLM_TALLIED; k++)
        *out[k] = got[k];
    return rc;
}

prm_code sqlite_metrics(prm_db *base, const store_scope *s, prm_metrics *m,
                        prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    *m = (prm_metrics){0};
    if (sqlm_unfiltered(s))
        return tallied_metrics(db, s, m, err);
    int64_t *out[SQLM_ALL_COLUMNS], got[SQLM_ALL_COLUMNS] = {0};
    sqlbuf b = {.len = 0};
    size_t n = sqlm_metrics(&b, s, &sqlm_sqlite_dialect, m, out);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_prepare_scoped(db, &b, s, &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, got, (int)n, err);
    for (size_t k = 0; k < n; k++)
        *out[k] = got[k];
    return rc;
}

prm_code sqlite_report(prm_db *base, const store_scope *s, const char *sort,
                       int64_t limit, prm_report_fn fn, void *ctx,
                       prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    sqlm_report(&b, s, sort, limit, &sqlm_sqlite_dialect);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_prepare_scoped(db, &b, s, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = SQLITE_OK;
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
            .has_days = sqlite3_column_type(stmt, 14) != SQLITE_NULL,
            .days = sqlite3_column_double(stmt, 14),
            .recency = sqlite3_column_double(stmt, 15),
            .frequency = sqlite3_column_double(stmt, 16),
            .success = sqlite3_column_double(stmt, 17),
            .efficiency = sqlite3_column_double(stmt, 18),
            .health = sqlite3_column_int64(stmt, 19),
        };
        row.m.deals = sqlite3_column_int64(stmt, 10);
        row.m.deals_won = sqlite3_column_int64(stmt, 11);
        row.m.deals_lost = sqlite3_column_int64(stmt, 12);
        row.m.won_value = sqlite3_column_int64(stmt, 13);
        src = fn(ctx, &row) ? SQLITE_OK : SQLITE_DONE;
    }
    sdb_done(stmt);
    if (src != SQLITE_DONE)
        return sdb_fail(db, src, err, "computing the report");
    return PRM_OK;
}

/* --- report trend ---------------------------------------------------------- */

prm_code sqlite_trend(prm_db *base, const store_scope *s, store_period by,
                      prm_trend_fn fn, void *ctx, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    sqlm_trend(&b, s, by);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_prepare_scoped(db, &b, s, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = SQLITE_OK;
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
        sqlm_trend_accumulate(&row);
        src = fn(ctx, &row) ? SQLITE_OK : SQLITE_DONE;
    }
    sdb_done(stmt);
    if (src != SQLITE_DONE)
        return sdb_fail(db, src, err, "computing the trend");
    return PRM_OK;
}
