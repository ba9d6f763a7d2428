/*
 * insights.c - the opportunity-mining rules on SQLite (insights.c
 * says what each means, sql_insights.c holds their SQL): one statement per
 * rule, rows streamed.
 */
#include <string.h>

#include "store/sql_metrics.h"
#include "store/sqlite/sqlite_db.h"

static int bind_number(sqlite3_stmt *stmt, const char *name, double v)
{
    int idx = sqlite3_bind_parameter_index(stmt, name);
    return idx == 0 ? SQLITE_OK : sqlite3_bind_double(stmt, idx, v);
}

static int bind_thresholds(sqlite3_stmt *stmt, const store_thresholds *t)
{
    int rc = SQLITE_OK;
    const struct {
        const char *name;
        double v;
    } n[] = {{":dormant_days", t->dormant_days},
             {":stalled_days", t->stalled_days},
             {":expand_rate", t->expand_rate},
             {":expand_efficiency", t->expand_efficiency},
             {":expand_max_projects", t->expand_max_projects},
             {":gap_max_partners", t->gap_max_partners},
             {":expiring_days", t->expiring_days}};
    for (size_t i = 0; i < sizeof n / sizeof n[0] && rc == SQLITE_OK; i++)
        rc = bind_number(stmt, n[i].name, n[i].v);
    return rc;
}

prm_code sqlite_insights(prm_db *base, store_rule rule, const store_scope *s,
                        const store_thresholds *t, int64_t limit,
                        bool (*fn)(void *ctx, const store_insight_row *row),
                        void *ctx, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    sqlm_insight(&b, rule, s, limit, &sqlm_sqlite_dialect);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_prepare_scoped(db, &b, s, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = bind_thresholds(stmt, t);
    while (src == SQLITE_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        store_insight_row row = {.rule = rule};
        /* columns: id (for a gap, 0 region or 1 type), name, numbers */
        row.dimension = rule == RULE_GAP ? sqlite3_column_int(stmt, 0) : 0;
        row.id = rule == RULE_GAP ? 0 : sqlite3_column_int64(stmt, 0);
        row.name = (const char *)sqlite3_column_text(stmt, 1);
        int ncols = sqlite3_column_count(stmt);
        for (int c = 2, i = 0; c < ncols && i < 4; c++, i++) {
            row.has[i] = sqlite3_column_type(stmt, c) != SQLITE_NULL;
            row.v[i] = sqlite3_column_double(stmt, c);
        }
        src = fn(ctx, &row) ? SQLITE_OK : SQLITE_DONE;
    }
    sdb_done(stmt);
    if (src != SQLITE_DONE)
        return sdb_fail(db, src, err, "mining insights");
    return PRM_OK;
}
