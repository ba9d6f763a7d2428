/*
 * store_insights.c - the SQL of the opportunity-mining rules (insights.c
 * says what each means).  One statement per rule, over the partners in
 * scope, using the same indexes as metrics; rows are streamed.
 */
#include <string.h>

#include "sqlite_db.h"

/* The scope; inactive partners are left out unless status= asks. */
static void add_partner_scope(sqlbuf *b, const store_scope *s)
{
    sdb_add_scope(b, s, true);
}

#define PROJECTS_OF_P                                                        \
    "(SELECT count(*) FROM project_partners AS pp WHERE pp.partner_id = p.id)"
#define DAYS_SINCE(col) "(julianday(:asof) - julianday(" col "))"

static void rule_sql(sqlbuf *b, store_rule rule, const store_scope *s)
{
    switch (rule) {
    case RULE_STALLED:
        sdb_add(b, "SELECT x.id, x.name, x.progress, CASE WHEN x.due < :asof "
                   "THEN " DAYS_SINCE("x.due") " END AS overdue, "
                   DAYS_SINCE("x.updated_at") " AS idle FROM projects AS x "
                   "WHERE x.status = 'active' AND (x.due < :asof OR "
                   DAYS_SINCE("x.updated_at") " >= :stalled_days) AND EXISTS "
                   "(SELECT 1 FROM project_partners AS pp JOIN partners AS p "
                   "ON p.id = pp.partner_id WHERE pp.project_id = x.id");
        add_partner_scope(b, s);
        sdb_add(b, ") ORDER BY overdue DESC NULLS LAST, idle DESC, x.id");
        break;
    case RULE_DORMANT:
        sdb_add(b, "SELECT * FROM (SELECT p.id, p.name, " PROJECTS_OF_P
                   " AS projects, (SELECT " DAYS_SINCE("max(c.at)")
                   " FROM communications AS c WHERE c.partner_id = p.id) AS "
                   "days FROM partners AS p WHERE 1");
        add_partner_scope(b, s);
        sdb_add(b, ") WHERE projects > 0 AND (days IS NULL OR days >= "
                   ":dormant_days) ORDER BY projects DESC, days IS NOT NULL, "
                   "days DESC, id");
        break;
    case RULE_IDLE:
        sdb_add(b, "SELECT x.id, x.name, count(r.id) AS resources, "
                   "total(r.amount) AS amount FROM projects AS x JOIN "
                   "resources AS r ON r.project_id = x.id WHERE NOT EXISTS "
                   "(SELECT 1 FROM outcomes AS o WHERE o.project_id = x.id) "
                   "AND x.status <> 'planned' AND EXISTS (SELECT 1 FROM "
                   "project_partners AS pp JOIN partners AS p ON p.id = "
                   "pp.partner_id WHERE pp.project_id = x.id");
        add_partner_scope(b, s);
        sdb_add(b, ") GROUP BY x.id ORDER BY resources DESC, amount DESC, "
                   "x.id");
        break;
    case RULE_EXPAND:
        sdb_add(b, "SELECT id, name, projects, CASE WHEN succeeded + failed > "
                   "0 THEN 1.0 * succeeded / (succeeded + failed) END AS "
                   "rate, CASE WHEN resources > 0 THEN 1.0 * outcomes / "
                   "resources END AS efficiency FROM (SELECT p.id, p.name, "
                   PROJECTS_OF_P " AS projects, (SELECT count(*) FROM "
                   "project_partners AS pp JOIN projects AS x ON x.id = "
                   "pp.project_id WHERE pp.partner_id = p.id AND x.status = "
                   "'succeeded') AS succeeded, (SELECT count(*) FROM "
                   "project_partners AS pp JOIN projects AS x ON x.id = "
                   "pp.project_id WHERE pp.partner_id = p.id AND x.status = "
                   "'failed') AS failed, (SELECT count(*) FROM resources AS r "
                   "WHERE r.partner_id = p.id) AS resources, (SELECT count(*) "
                   "FROM outcomes AS o WHERE o.project_id IN (SELECT "
                   "pp.project_id FROM project_partners AS pp WHERE "
                   "pp.partner_id = p.id)) AS outcomes FROM partners AS p "
                   "WHERE 1");
        add_partner_scope(b, s);
        sdb_add(b, ") WHERE projects <= :expand_max_projects AND (rate >= "
                   ":expand_rate OR efficiency >= :expand_efficiency) ORDER "
                   "BY rate DESC NULLS LAST, efficiency DESC NULLS LAST, "
                   "projects, id");
        break;
    case RULE_GAP:
    case RULE_COUNT:
        /* Each partner's activity once (MATERIALIZED), then grouped by
         * region and by type. */
        sdb_add(b, "WITH act AS MATERIALIZED (SELECT p.region, p.type, "
                   "p.status = 'active' AS active, " PROJECTS_OF_P " AS "
                   "projects, (SELECT count(*) FROM communications AS c WHERE "
                   "c.partner_id = p.id) AS comms FROM partners AS p WHERE 1");
        if (s->has_partner)
            sdb_add(b, " AND p.id = :partner");
        if (s->type != NULL)
            sdb_add(b, " AND p.type = :type");
        if (s->region != NULL)
            sdb_add(b, " AND p.region = :region");
        sdb_add(b, ") SELECT * FROM (SELECT 0 AS dim, region AS name, "
                   "total(active) AS active, count(*) AS partners, "
                   "total(projects) AS projects, total(comms) AS comms FROM "
                   "act WHERE region IS NOT NULL GROUP BY region UNION ALL "
                   "SELECT 1, type, total(active), count(*), total(projects), "
                   "total(comms) FROM act WHERE type IS NOT NULL GROUP BY "
                   "type) WHERE active <= :gap_max_partners AND projects + "
                   "comms > 0 ORDER BY projects + comms DESC, dim, name");
        break;
    }
}

static int bind_number(sqlite3_stmt *stmt, const char *name, double v)
{
    int idx = sqlite3_bind_parameter_index(stmt, name);
    return idx == 0 ? SQLITE_OK : sqlite3_bind_double(stmt, idx, v);
}

static int bind_all(sqlite3_stmt *stmt, const store_scope *s,
                    const store_thresholds *t, const char *asof)
{
    int rc = sdb_bind_scope(stmt, s);
    if (rc == SQLITE_OK)
        rc = sdb_bind_named_text(stmt, ":asof", asof);
    const struct {
        const char *name;
        double v;
    } n[] = {{":dormant_days", t->dormant_days},
             {":stalled_days", t->stalled_days},
             {":expand_rate", t->expand_rate},
             {":expand_efficiency", t->expand_efficiency},
             {":expand_max_projects", t->expand_max_projects},
             {":gap_max_partners", t->gap_max_partners}};
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
    rule_sql(&b, rule, s);
    if (limit > 0)
        sdb_add(&b, " LIMIT %lld", (long long)limit);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = bind_all(stmt, s, t, s->until ? s->until : store_now(&db->base));
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
