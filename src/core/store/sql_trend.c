/*
 * sql_trend.c - the SQL of report trend (see sql_metrics.h), one text for
 * both engines: each kind's rows by the period they fall in, one UNION
 * ALL grouped by period, the partner scope a condition on partners AS p.
 */
#include <stdio.h>
#include <string.h>

#include "store/sql_metrics.h"

/* The period a timestamp falls in, as SQL over the column col. */
static void add_period(sqlbuf *b, store_period by, const char *col)
{
    if (by == PERIOD_YEAR)
        sql_add(b, "substr(%s, 1, 4)", col);
    else if (by == PERIOD_QUARTER)
        sql_add(b, "substr(%s, 1, 4) || '-Q' || ((CAST(substr(%s, 6, 2) AS "
                   "INTEGER) + 2) / 3)",
                col, col);
    else
        sql_add(b, "substr(%s, 1, 7)", col);
}

/* "x.partner_id IN (partners in scope)" and the like, when scoped. */
static void add_scoped_link(sqlbuf *b, const store_scope *s, const char *link)
{
    if (!sqlm_scoped(s))
        return;
    if (strcmp(link, "x.project_id") == 0)
        sql_add(b, " AND x.project_id IN (SELECT pp.project_id FROM "
                   "project_partners AS pp JOIN partners AS p ON p.id = "
                   "pp.partner_id WHERE TRUE");
    else if (strcmp(link, "x.id") == 0)
        sql_add(b, " AND EXISTS (SELECT 1 FROM project_partners AS pp JOIN "
                   "partners AS p ON p.id = pp.partner_id WHERE "
                   "pp.project_id = x.id");
    else
        sql_add(b, " AND %s IN (SELECT p.id FROM partners AS p WHERE TRUE", link);
    sqlm_add_scope_where(b, s, false);
    sql_add(b, ")");
}

/* One arm of the trend's UNION ALL: a kind's rows as (period, partners,
 * projects, succeeded, failed, communications, resources, outcomes). */
static void add_trend_arm(sqlbuf *b, const store_scope *s, store_period by,
                          const char *table, const char *date,
                          const char *counts, const char *link)
{
    sql_add(b, " UNION ALL SELECT ");
    add_period(b, by, date);
    sql_add(b, ", %s FROM %s AS x WHERE TRUE", counts, table);
    sqlm_add_window(b, s, date);
    add_scoped_link(b, s, link);
}

void sqlm_trend(sqlbuf *b, const store_scope *s, store_period by)
{
    /* Partners count in the period they were added; those added before the
     * window count in its first period, so running totals start right. */
    sql_add(b, "SELECT period, sum(a), sum(j), sum(su), sum(fa), sum(c), "
               "sum(r), sum(o) FROM (SELECT ");
    add_period(b, by,
               s->since ? "CASE WHEN p.created_at > :since THEN p.created_at "
                          "ELSE :since END"
                        : "p.created_at");
    sql_add(b, " AS period, 1 AS a, 0 AS j, 0 AS su, 0 AS fa, 0 AS c, 0 AS "
               "r, 0 AS o FROM partners AS p WHERE TRUE");
    sqlm_add_scope_where(b, s, false);
    if (s->until != NULL)
        sql_add(b, " AND p.created_at <= :until");
    add_trend_arm(b, s, by, "projects", "coalesce(x.start, x.created_at)",
                  "0, 1, CASE WHEN x.status = 'succeeded' THEN 1 ELSE 0 END, "
                  "CASE WHEN x.status = 'failed' THEN 1 ELSE 0 END, 0, 0, 0",
                  "x.id");
    add_trend_arm(b, s, by, "communications", "x.at", "0, 0, 0, 0, 1, 0, 0",
                  "x.partner_id");
    add_trend_arm(b, s, by, "resources", "x.at", "0, 0, 0, 0, 0, 1, 0",
                  "x.partner_id");
    add_trend_arm(b, s, by, "outcomes", "x.at", "0, 0, 0, 0, 0, 0, 1",
                  "x.project_id");
    sql_add(b, ") AS rows_by_period GROUP BY period ORDER BY period");
}

void sqlm_trend_accumulate(prm_trend_row *row)
{
    row->total.partners += row->in.partners;
    row->total.projects += row->in.projects;
    row->total.succeeded += row->in.succeeded;
    row->total.failed += row->in.failed;
    row->total.communications += row->in.communications;
    row->total.resources += row->in.resources;
    row->total.outcomes += row->in.outcomes;
}
