/*
 * metrics.c - metrics, report, trend and insights on PostgreSQL:
 * the statements of sql_metrics.c, their :named parameters numbered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_db.h"
#include "store/sql_metrics.h"

/* lower() under the C collation folds ASCII letters alone, as SQLite's
 * NOCASE does. */
const sql_dialect sqlm_pg_dialect = {
    .name_order = "lower(name COLLATE \"C\"), name",
    .fence = " OFFSET 0",
    .name_equals = "lower(name COLLATE \"C\") = lower($1 COLLATE \"C\")",
    .partner_ids = "(SELECT string_agg(partner_id::text, ',' ORDER BY "
                   "partner_id) FROM project_partners WHERE project_id = t.id)",
    .partner_names = "(SELECT string_agg(p.name, ', ' ORDER BY p.id) FROM "
                     "project_partners AS pp JOIN partners AS p ON p.id = "
                     "pp.partner_id WHERE pp.project_id = t.id)",
    .name_is = "lower(t.name COLLATE \"C\") = lower($%zu COLLATE \"C\")",
    .owners = true,
    .image_field = "($1::json->>'%s')",
    .typed_images = true,
    .image_cents = "(($1::json->>'%s')::numeric * 100)::bigint",
    .distinct = "IS DISTINCT FROM",
    .bytewise = "",
    .lock_row = " FOR UPDATE",
    .ids_of = "coalesce((SELECT string_agg(c.id::text, ',' ORDER BY c.id) "
              "FROM (%s) AS c), '')",
    .unique_failed = "duplicate key",
    .temp_table_options = "",
    .add_days = "to_char(CAST(%s AS timestamp) + CAST(%s AS integer) * "
                "interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
    .kept_tallies = "(SELECT name, sum(n) AS n FROM (SELECT name, n FROM "
                    "prm_tallies UNION ALL SELECT name, n FROM "
                    "prm_tally_changes) AS u GROUP BY name)",
    .day_tallies = "(SELECT name, day, n FROM prm_day_tallies UNION ALL "
                   "SELECT name, day, n FROM prm_day_tally_changes)",
    .partner_tallies = "prm_partner_tallies",
    /* (as a rule empty: prm folds them as it commits) */
    .partner_tally_changes =
        "(SELECT partner_id, CAST(sum(projects) AS bigint) AS projects, "
        "CAST(sum(succeeded) AS bigint) AS succeeded, CAST(sum(failed) AS "
        "bigint) AS failed, CAST(sum(communications) AS bigint) AS "
        "communications, max(last_contact) AS last_contact, "
        "CAST(sum(resources) AS bigint) AS resources, CAST(sum(outcomes) AS "
        "bigint) AS outcomes, CAST(sum(deals) AS bigint) AS deals, "
        "CAST(sum(deals_won) AS bigint) AS deals_won, CAST(sum(deals_lost) "
        "AS bigint) AS deals_lost, CAST(sum(won_amount) AS bigint) AS "
        "won_amount, bool_or(recount) AS recount FROM "
        "prm_partner_tally_changes GROUP BY partner_id)",
    .kept_last_contact = "CASE WHEN tc.recount THEN (SELECT max(x.at) FROM "
                         "communications AS x WHERE x.partner_id = p.id) "
                         "ELSE greatest(t.last_contact, tc.last_contact) "
                         "END",
    .insight_orders = true};

/* The values of the named parameters a statement may have. */
typedef struct named {
    const store_scope *s;
    const store_thresholds *t;
    char asof[PRM_TIME_SIZE], recent[PRM_TIME_SIZE];
} named;

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || c == '_';
}

/* The value of the parameter called name (len bytes); false when unknown. */
static bool named_value(const named *v, const char *name, size_t len,
                        pg_params *p)
{
#define IS(word) (len == sizeof word - 1 && memcmp(name, word, len) == 0)
    const store_scope *s = v->s;
    if (IS("partner"))
        pgp_int(p, s->partner);
    else if (IS("type"))
        pgp_str(p, s->type);
    else if (IS("region"))
        pgp_str(p, s->region);
    else if (IS("status"))
        pgp_str(p, s->status);
    else if (IS("since"))
        pgp_str(p, s->since);
    else if (IS("until"))
        pgp_str(p, s->until);
    else if (IS("asof"))
        pgp_str(p, v->asof);
    else if (IS("recent_since"))
        pgp_str(p, v->recent);
    else if (v->t != NULL) {
        const store_thresholds *t = v->t;
        double d = IS("dormant_days")          ? t->dormant_days
                   : IS("stalled_days")        ? t->stalled_days
                   : IS("expand_rate")         ? t->expand_rate
                   : IS("expand_efficiency")   ? t->expand_efficiency
                   : IS("expand_max_projects") ? t->expand_max_projects
                   : IS("gap_max_partners")    ? t->gap_max_partners
                   : IS("expiring_days")       ? t->expiring_days
                                               : -1;
        if (d < 0)
            return false;
        char num[32];
        snprintf(num, sizeof num, "%.17g", d);
        pgp_text(p, num, strlen(num));
    } else
        return false;
    return true;
#undef IS
}

/* Rewrite :name parameters as $1, $2... (one number per name), leaving
 * quoted text and :: casts alone, and collect their values. */
static prm_code number_params(const sqlbuf *in, const named *v, sqlbuf *out,
                              pg_params *p, prm_error *err)
{
    const char *names[PG_MAX_PARAMS];
    size_t lens[PG_MAX_PARAMS];
    int n = 0;
    bool quoted = false;
    for (const char *c = in->text; *c != '\0'; c++) {
        if (*c == '\'')
            quoted = !quoted;
        if (quoted || *c != ':' || c[1] == ':' || !is_name_char(c[1])) {
            if (*c == ':' && c[1] == ':' && !quoted) {
                sql_add(out, "::");
                c++;
                continue;
            }
            sql_add(out, "%c", *c);
            continue;
        }
        const char *name = c + 1;
        size_t len = 0;
        while (is_name_char(name[len]))
            len++;
        int k = 0;
        while (k < n && !(lens[k] == len && memcmp(names[k], name, len) == 0))
            k++;
        if (k == n) {
            if (n == PG_MAX_PARAMS || !named_value(v, name, len, p))
                return prm_error_set(err, PRM_EDB,
                                     "internal error: unknown parameter :%.*s",
                                     (int)len, name);
            names[n] = name;
            lens[n++] = len;
        }
        sql_add(out, "$%d", k + 1);
        c += len;
    }
    if (in->overflow || out->overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return PRM_OK;
}

/* Run b with its :names bound: the whole result to *res, or, with fn,
 * its rows streamed to fn one at a time (pg_query_rows). */
static prm_code run_named(pg_db *db, const sqlbuf *b, const store_scope *s,
                          const store_thresholds *t, PGresult **res,
                          pg_row_fn fn, void *ctx, prm_error *err)
{
    named v = {.s = s, .t = t};
    snprintf(v.asof, sizeof v.asof, "%s",
             s->until != NULL ? s->until : store_now(&db->base));
    sqlm_recent_since(v.asof, v.recent);
    sqlbuf sql = {.len = 0};
    pg_params p = {.n = 0};
    prm_code rc = number_params(b, &v, &sql, &p, err);
    if (rc == PRM_OK)
        rc = fn != NULL ? pg_query_rows(db, sql.text, &p, fn, ctx, err)
                        : pg_query(db, sql.text, &p, res, err);
    pgp_free(&p);
    return rc;
}

static double pg_double(const PGresult *res, int row, int col)
{
    return strtod(PQgetvalue(res, row, col), NULL);
}

/* Everything, unfiltered: the counts the triggers keep, in one row. */
/* Run the metrics statement built in b, its first row's columns into
 * out[0..n). */
static prm_code run_counts(pg_db *db, const sqlbuf *b, const store_scope *s,
                           int64_t *const *out, size_t n, prm_error *err)
{
    PGresult *res;
    prm_code rc = run_named(db, b, s, NULL, &res, NULL, NULL, err);
    if (rc != PRM_OK)
        return rc;
    for (size_t k = 0; k < n; k++)
        *out[k] = pg_int(res, 0, (int)k);
    PQclear(res);
    return PRM_OK;
}

prm_code pg_metrics(prm_db *base, const store_scope *s, prm_metrics *m,
                    prm_error *err)
{
    pg_db *db = (pg_db *)base;
    *m = (prm_metrics){0};
    sqlbuf b = {.len = 0};
    if (sqlm_unfiltered(s)) {
        int64_t *out[SQLM_TALLIED];
        sqlm_tallied_outputs(m, out);
        sqlm_metrics_tallied(&b, &sqlm_pg_dialect);
        return run_counts(db, &b, s, out, SQLM_TALLIED, err);
    }
    int64_t *out[SQLM_ALL_COLUMNS];
    size_t n = sqlm_metrics(&b, s, &sqlm_pg_dialect, m, out);
    return run_counts(db, &b, s, out, n, err);
}

typedef struct report_rows {
    prm_report_fn fn;
    void *ctx;
} report_rows;

static prm_code report_row(void *ctx, const PGresult *res, int r, bool *stop,
                           prm_error *err)
{
    (void)err;
    report_rows *rr = ctx;
    prm_report_row row = {
        .partner = pg_int(res, r, 0),
        .name = PQgetvalue(res, r, 1),
        .m = {.partners = 1,
              .projects = pg_int(res, r, 2),
              .succeeded = pg_int(res, r, 3),
              .failed = pg_int(res, r, 4),
              .communications = pg_int(res, r, 5),
              .resources = pg_int(res, r, 7),
              .outcomes = pg_int(res, r, 8)},
        .last_contact = PQgetisnull(res, r, 6) ? NULL : PQgetvalue(res, r, 6),
        .recent = pg_int(res, r, 9),
        .has_days = !PQgetisnull(res, r, 14),
        .days = pg_double(res, r, 14),
        .recency = pg_double(res, r, 15),
        .frequency = pg_double(res, r, 16),
        .success = pg_double(res, r, 17),
        .efficiency = pg_double(res, r, 18),
        .health = (int64_t)pg_double(res, r, 19),
    };
    row.m.deals = pg_int(res, r, 10);
    row.m.deals_won = pg_int(res, r, 11);
    row.m.deals_lost = pg_int(res, r, 12);
    row.m.won_value = pg_int(res, r, 13);
    *stop = !rr->fn(rr->ctx, &row);
    return PRM_OK;
}

/* A row per partner in scope, streamed: a team database may hold many. */
prm_code pg_report(prm_db *base, const store_scope *s, const char *sort,
                   int64_t limit, prm_report_fn fn, void *ctx, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sqlm_report(&b, s, sort, limit, &sqlm_pg_dialect);
    report_rows rows = {.fn = fn, .ctx = ctx};
    return run_named((pg_db *)base, &b, s, NULL, NULL, report_row, &rows,
                     err);
}

prm_code pg_trend(prm_db *base, const store_scope *s, store_period by,
                  prm_trend_fn fn, void *ctx, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sqlm_trend(&b, s, by);
    PGresult *res;
    prm_code rc =
        run_named((pg_db *)base, &b, s, NULL, &res, NULL, NULL, err);
    if (rc != PRM_OK)
        return rc;
    prm_trend_row row = {.period = NULL};
    for (int r = 0; r < PQntuples(res); r++) {
        row.period = PQgetvalue(res, r, 0);
        row.in = (prm_metrics){.partners = pg_int(res, r, 1),
                               .projects = pg_int(res, r, 2),
                               .succeeded = pg_int(res, r, 3),
                               .failed = pg_int(res, r, 4),
                               .communications = pg_int(res, r, 5),
                               .resources = pg_int(res, r, 6),
                               .outcomes = pg_int(res, r, 7)};
        sqlm_trend_accumulate(&row);
        if (!fn(ctx, &row))
            break;
    }
    PQclear(res);
    return PRM_OK;
}

prm_code pg_insights(prm_db *base, store_rule rule, const store_scope *s,
                     const store_thresholds *t, int64_t limit,
                     bool (*fn)(void *ctx, const store_insight_row *row),
                     void *ctx, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sqlm_insight(&b, rule, s, limit, &sqlm_pg_dialect);
    PGresult *res;
    prm_code rc = run_named((pg_db *)base, &b, s, t, &res, NULL, NULL, err);
    if (rc != PRM_OK)
        return rc;
    for (int r = 0; r < PQntuples(res); r++) {
        store_insight_row row = {.rule = rule};
        /* columns: id (for a gap, 0 region or 1 type), name, numbers */
        row.dimension = rule == RULE_GAP ? (int)pg_int(res, r, 0) : 0;
        row.id = rule == RULE_GAP ? 0 : pg_int(res, r, 0);
        row.name = PQgetvalue(res, r, 1);
        for (int c = 2, i = 0; c < PQnfields(res) && i < 4; c++, i++) {
            row.has[i] = !PQgetisnull(res, r, c);
            row.v[i] = row.has[i] ? pg_double(res, r, c) : 0;
        }
        if (!fn(ctx, &row))
            break;
    }
    PQclear(res);
    return PRM_OK;
}
