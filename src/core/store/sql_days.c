/*
 * sql_days.c - metrics over dates alone from the counts kept by day
 * (prm_day_tallies, a team database's; sql_metrics.h), one text: the
 * days wholly in the window summed from them, the rows of its first and
 * last day counted, so that a window of a million communications reads a
 * few hundred rows and the edges' index ranges.
 */
#include <stdio.h>
#include <string.h>

#include "store/sql_metrics.h"

/* Whether metrics over dates alone read the counts kept by day (an
 * engine that keeps them): the days wholly in the window are summed,
 * only the rows of its first and last day counted. */
bool sqlm_by_days(const store_scope *s, const sql_dialect *d)
{
    return d->day_tallies != NULL && !sqlm_scoped(s) &&
           (s->since != NULL || s->until != NULL);
}

/* " AND ..." on the day k.day: wholly in the window.  A day is text, the
 * first ten characters of what is dated, so a day after the window's
 * first and before its last holds only what the window takes in. */
static void add_whole_days(sqlbuf *b, const store_scope *s)
{
    if (s->since != NULL)
        sql_add(b, " AND k.day > substr(:since, 1, 10)");
    if (s->until != NULL)
        sql_add(b, " AND k.day < substr(:until, 1, 10)");
}

/* " AND ..." on col: in the window, on its first or last day (before the
 * day after the first, as a bare date: a project's start is one). */
static void add_edge_days(sqlbuf *b, const store_scope *s,
                          const sql_dialect *d, const char *col)
{
    sqlm_add_window(b, s, col);
    sql_add(b, " AND (");
    if (s->since != NULL) {
        sql_add(b, "%s < substr(", col);
        sql_add(b, d->add_days, "substr(:since, 1, 10) || 'T00:00:00Z'",
                "1");
        sql_add(b, ", 1, 10)");
    }
    if (s->since != NULL && s->until != NULL)
        sql_add(b, " OR ");
    if (s->until != NULL)
        sql_add(b, "%s >= substr(:until, 1, 10)", col);
    sql_add(b, ")");
}

/* Figures of a kind over dates alone, from the counts kept by day: each
 * column i its kept count name[i] (none when NULL) over the window's
 * whole days, plus count[i] over the rows of table x on its first and
 * last day (col dated), plus more[i] (SQL over FROM items the caller
 * appends after it). */
typedef struct day_figures {
    const char *table, *col;
    const char *const *name, *const *count, *const *more;
    size_t n;
} day_figures;

static void add_by_days(sqlbuf *b, const store_scope *s, const sql_dialect *d,
                        const day_figures *f)
{
    sql_add(b, "SELECT ");
    for (size_t i = 0; i < f->n; i++)
        sql_add(b, "%sCAST(coalesce(k.c%zu, 0) + e.c%zu%s AS bigint)",
                i > 0 ? ", " : "", i, i, f->more ? f->more[i] : "");
    sql_add(b, " FROM (SELECT ");
    for (size_t i = 0; i < f->n; i++) {
        if (f->name[i] != NULL)
            sql_add(b, "%ssum(k.n) FILTER (WHERE k.name = '%s') AS c%zu",
                    i > 0 ? ", " : "", f->name[i], i);
        else
            sql_add(b, "%sCAST(NULL AS bigint) AS c%zu", i > 0 ? ", " : "",
                    i);
    }
    sql_add(b, " FROM %s AS k WHERE k.name IN (", d->day_tallies);
    const char *sep = "";
    for (size_t i = 0; i < f->n; i++) {
        if (f->name[i] != NULL) {
            sql_add(b, "%s'%s'", sep, f->name[i]);
            sep = ", ";
        }
    }
    sql_add(b, ")");
    add_whole_days(b, s);
    sql_add(b, ") AS k, (SELECT ");
    for (size_t i = 0; i < f->n; i++)
        sql_add(b, "%s%s AS c%zu", i > 0 ? ", " : "", f->count[i], i);
    sql_add(b, " FROM %s AS x WHERE TRUE", f->table);
    add_edge_days(b, s, d, f->col);
    sql_add(b, ") AS e");
}

void sqlm_days_dated(sqlbuf *b, const store_scope *s, const sql_dialect *d,
                     const char *table, const char *col)
{
    const char *name[] = {table}, *count[] = {"count(*)"};
    add_by_days(b, s, d,
                &(day_figures){.table = table, .col = col, .name = name,
                               .count = count, .n = 1});
}

void sqlm_days_projects(sqlbuf *b, const store_scope *s, const sql_dialect *d)
{
    static const char *const name[] = {"projects", "projects.succeeded",
                                       "projects.failed"};
    static const char *const count[] = {
        "count(*)", "count(*) FILTER (WHERE x.status = 'succeeded')",
        "count(*) FILTER (WHERE x.status = 'failed')"};
    add_by_days(b, s, d,
                &(day_figures){.table = "projects",
                               .col = "coalesce(x.start, x.created_at)",
                               .name = name, .count = count, .n = 3});
}

/* The approved deals whose protection has not ended at :asof (not
 * kept: it moves with the clock), counted and summed over the window. */
#define LIVE_IN_WINDOW                                                        \
    ", (SELECT count(*) AS n, coalesce(sum(x.amount), 0) AS amount FROM "    \
    "deals AS x WHERE x.status = 'approved' AND (x.expires IS NULL OR "      \
    "x.expires > :asof)"

void sqlm_days_deals(sqlbuf *b, const store_scope *s, const sql_dialect *d)
{
    static const char *const name[] = {
        "deals",          "deals.won",           "deals.lost",
        "deals.submitted", "deals.ever_approved", "deals.rejected",
        NULL,             "deals.won_amount"};
    static const char *const count[] = {
        "count(*)",
        "count(*) FILTER (WHERE x.status = 'won')",
        "count(*) FILTER (WHERE x.status = 'lost')",
        "count(*) FILTER (WHERE x.status = 'submitted')",
        "count(*) FILTER (WHERE x.approved_at IS NOT NULL)",
        "count(*) FILTER (WHERE x.status = 'rejected')",
        "0",
        "coalesce(sum(x.amount) FILTER (WHERE x.status = 'won'), 0)"};
    static const char *const more[] = {"", "", "", " + l.n", "", "",
                                       " + l.amount", ""};
    add_by_days(b, s, d,
                &(day_figures){.table = "deals", .col = "x.created_at",
                               .name = name, .count = count,
                               .more = more, .n = 8});
    sql_add(b, LIVE_IN_WINDOW);
    sqlm_add_window(b, s, "x.created_at");
    sql_add(b, ") AS l");
}
