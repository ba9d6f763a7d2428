/*
 * sql_insights.c - the SQL of the insights' rules (see insights.c for
 * what each means), one text for both engines; each partner's figures
 * are read from those kept where there are some (sql_metrics.h).
 */
#include <stdio.h>
#include <string.h>

#include "store/sql_metrics.h"

/* The scope; inactive partners are left out unless status= asks. */
static void add_partner_scope(sqlbuf *b, const store_scope *s)
{
    sqlm_add_scope_where(b, s, true);
}


/* Active projects (over the alias a) past due, or if not overdue,
 * not updated for :stalled_days; of partners in scope. */
static void add_stalled_where(sqlbuf *b, const store_scope *s,
                              const char *a, bool overdue)
{
    if (overdue)
        sql_add(b, " WHERE %s.status = 'active' AND %s.due < :asof", a, a);
    else
        sql_add(b, " WHERE %s.status = 'active' AND (%s.due IS NULL OR "
                   "%s.due >= :asof) AND " DAYS_SINCE("%s.updated_at")
                   " >= :stalled_days",
                a, a, a, a);
    sql_add(b, " AND EXISTS (SELECT 1 FROM project_partners AS pp JOIN "
               "partners AS p ON p.id = pp.partner_id WHERE pp.project_id = "
               "%s.id",
            a);
    add_partner_scope(b, s);
    sql_add(b, ")");
}

/*
 * Active projects past due, the longest overdue first, then those not
 * updated for :stalled_days, the longest idle first.  Read as two parts:
 * the overdue in due order (projects_active_due), which stops at the
 * limit; the idle only when fewer than the limit are overdue.  Over the
 * parts, the order is the rule's own: overdue days, idle days, id.
 */
static void insight_stalled(sqlbuf *b, const store_scope *s, int64_t limit,
                            const sql_dialect *d)
{
    (void)d;
    static const char columns[] =
        "SELECT x.id, x.name, x.progress, CASE WHEN x.due < :asof THEN "
        DAYS_SINCE("x.due") " END AS overdue, " DAYS_SINCE("x.updated_at")
        " AS idle FROM projects AS x";
    char lim[32] = "";
    if (limit > 0)
        snprintf(lim, sizeof lim, " LIMIT %lld", (long long)limit);
    sql_add(b, "SELECT * FROM (SELECT * FROM (%s", columns);
    add_stalled_where(b, s, "x", true);
    sql_add(b, " ORDER BY x.due, x.updated_at, x.id%s) AS overdue_part "
               "UNION ALL SELECT * FROM (%s",
            lim, columns);
    add_stalled_where(b, s, "x", false);
    sql_add(b, " ORDER BY x.updated_at, x.id");
    if (limit > 0) {
        /* none when limit are overdue: a LIMIT both engines work out
         * before reading a project (a condition would be tested on each) */
        sql_add(b, " LIMIT CASE WHEN (SELECT count(*) FROM (SELECT 1 FROM "
                   "projects AS y");
        add_stalled_where(b, s, "y", true);
        sql_add(b, "%s) AS n) < %lld THEN %lld ELSE 0 END", lim,
                (long long)limit, (long long)limit);
    }
    sql_add(b, ") AS idle_part) AS u ORDER BY overdue DESC NULLS LAST, idle "
               "DESC, id");
}

/* Ends a walk of the kept figures t in the index order given, up to the
 * limit: where changes are not yet folded in (a team database), only the
 * partners without any, and the start of the part that works out those
 * with some ("UNION ALL SELECT * FROM (", to be ended). */
static void add_unfolded_parts(sqlbuf *b, const sql_dialect *d,
                               int64_t limit, const char *order)
{
    const char *changes = d->partner_tally_changes;
    if (changes != NULL)
        sql_add(b, " AND t.partner_id NOT IN (SELECT tc.partner_id FROM %s "
                   "AS tc)",
                changes);
    sql_add(b, " ORDER BY %s LIMIT %lld) AS walked", order, (long long)limit);
    if (changes != NULL)
        sql_add(b, " UNION ALL SELECT * FROM (");
}

/* A rule's partners worked out from every partner's figures (kept, or
 * counted as they are read), as a subquery that ends in its WHERE. */
typedef void counted_fn(sqlbuf *b, const store_scope *s, const sql_dialect *d,
                        bool kept);
/* The same, for the first limit, read in the rule's order from an index
 * of the kept figures. */
typedef void walked_fn(sqlbuf *b, const store_scope *s, int64_t limit,
                       const sql_dialect *d);

/* After a walk, the part add_unfolded_parts began: the partners with
 * changes not yet folded in, worked out by counted. */
static void add_changed_part(sqlbuf *b, const store_scope *s,
                             const sql_dialect *d, counted_fn *counted)
{
    if (d->partner_tally_changes == NULL)
        return;
    counted(b, s, d, true);
    sql_add(b, " AND id IN (SELECT tc.partner_id FROM %s AS tc)) AS changed",
            d->partner_tally_changes);
}

/* A rule over each partner's figures, walked where the engine keeps them
 * in its order and a limit is asked for, else worked out; sorted by
 * order over the columns either gives. */
static void add_figures_rule(sqlbuf *b, const store_scope *s, int64_t limit,
                             const sql_dialect *d, walked_fn *walked,
                             counted_fn *counted, const char *order)
{
    bool kept = d->partner_tallies != NULL;
    sql_add(b, "SELECT * FROM (");
    if (kept && d->insight_orders && limit > 0)
        walked(b, s, limit, d);
    else
        counted(b, s, d, kept);
    sql_add(b, ") AS u ORDER BY %s", order);
}

/* The dormant rule's conditions on the kept figures' columns and the
 * partner p. */
static void add_dormant_where(sqlbuf *b, const store_scope *s,
                              const char *projects, const char *last)
{
    sql_add(b, " WHERE %s > 0 AND (%s IS NULL OR " ASOF_DAY " - julianday(%s) "
               ">= :dormant_days)",
            projects, last, last);
    add_partner_scope(b, s);
}

/* Partners with projects and no contact for :dormant_days, or never,
 * counted from every partner's figures. */
static void dormant_counted(sqlbuf *b, const store_scope *s,
                            const sql_dialect *d, bool kept)
{
    sql_add(b, "SELECT * FROM (SELECT p.id, p.name, ");
    sqlm_add_figure(b, d, kept, "projects");
    sql_add(b, " AS projects, " ASOF_DAY " - julianday(");
    sqlm_add_figure(b, d, kept, "last_contact");
    sql_add(b, ") AS days");
    sqlm_add_partners_from(b, d, kept);
    sql_add(b, " WHERE TRUE");
    add_partner_scope(b, s);
    sql_add(b, "%s) AS q WHERE projects > 0 AND (days IS NULL OR days >= "
               ":dormant_days)",
            d->fence);
}

/*
 * The same, for the first limit of them, where the kept figures have an
 * index in the rule's order (prm_partner_tallies_dormant: most projects,
 * then the oldest last contact, none first): read in that order,
 * stopping at the limit, each row's partner read by its id; rather than
 * every partner's figures joined and sorted (1.7 s at 1M on a team
 * database).  The partners with changes not yet folded in are worked out
 * from their changes apart, and the two parts sorted again.
 */
static void dormant_walked(sqlbuf *b, const store_scope *s, int64_t limit,
                           const sql_dialect *d)
{
    sql_add(b, "SELECT * FROM (SELECT p.id, p.name, t.projects AS projects, "
               ASOF_DAY " - julianday(t.last_contact) AS days FROM %s AS t "
               "JOIN partners AS p ON p.id = t.partner_id",
            d->partner_tallies);
    add_dormant_where(b, s, "t.projects", "t.last_contact");
    add_unfolded_parts(b, d, limit,
                       "t.projects DESC, t.last_contact NULLS FIRST, "
                       "t.partner_id");
    add_changed_part(b, s, d, dormant_counted);
}

static void insight_dormant(sqlbuf *b, const store_scope *s, int64_t limit,
                            const sql_dialect *d)
{
    add_figures_rule(b, s, limit, d, dormant_walked, dormant_counted,
                     "projects DESC, days IS NOT NULL, days DESC, id");
}

/* Projects under way whose resources produced no outcome: found from
 * the projects that have resources (resources_project) without an
 * outcome, rather than from every project (a million wide rows read at
 * 1M, 0.26 s against 0.15 s); the resources of no project are left out
 * at once (half of them at 1M, each tested against the outcomes).  Each
 * such project's partners are then read by its id (the fence keeps
 * PostgreSQL from joining every link and partner first, 0.5 s at 1M
 * before it finds there is nothing to join them with). */
static void insight_idle(sqlbuf *b, const store_scope *s, int64_t limit,
                         const sql_dialect *d)
{
    (void)limit;
    sql_add(b, "SELECT x.id, x.name, count(r.id) AS resources, "
               "sum(r.amount) AS amount FROM (SELECT DISTINCT w.project_id "
               "AS id FROM resources AS w WHERE w.project_id IS NOT NULL "
               "AND NOT EXISTS (SELECT 1 FROM outcomes AS o WHERE "
               "o.project_id = w.project_id)) AS idle JOIN projects AS x ON "
               "x.id = idle.id JOIN resources AS r ON r.project_id = x.id "
               "WHERE x.status <> 'planned' AND EXISTS (SELECT 1 FROM "
               "project_partners AS pp JOIN partners AS p ON p.id = "
               "pp.partner_id WHERE pp.project_id = x.id");
    add_partner_scope(b, s);
    sql_add(b, "%s) GROUP BY x.id ORDER BY resources DESC, amount DESC, "
               "x.id", d->fence);
}

/* A partner's closed success rate and resource efficiency over the
 * columns prefixed x, as the expand rule and its index compute them. */
#define EXPAND_RATE(x)                                                       \
    "CASE WHEN " x "succeeded + " x "failed > 0 THEN 1.0 * " x "succeeded "  \
    "/ (" x "succeeded + " x "failed) END"
#define EXPAND_EFFICIENCY(x)                                                 \
    "CASE WHEN " x "resources > 0 THEN 1.0 * " x "outcomes / " x             \
    "resources END"

/* Partners that do well with few projects, from every partner's figures. */
static void expand_counted(sqlbuf *b, const store_scope *s,
                           const sql_dialect *d, bool kept)
{
    static const char *const figure[][2] = {{"projects", "projects"},
                                            {"succeeded", "succeeded"},
                                            {"failed", "failed"},
                                            {"resources", "resources"},
                                            {"outcomes", "outcomes"}};
    sql_add(b, "SELECT * FROM (SELECT id, name, projects, " EXPAND_RATE("")
               " AS rate, " EXPAND_EFFICIENCY("") " AS efficiency FROM "
               "(SELECT p.id, p.name");
    sqlm_add_figures(b, d, kept, figure, sizeof figure / sizeof *figure);
    sqlm_add_partners_from(b, d, kept);
    sql_add(b, " WHERE TRUE");
    add_partner_scope(b, s);
    sql_add(b, "%s) AS q) AS e WHERE 1.0 * projects <= "
               ":expand_max_projects AND (rate >= :expand_rate OR "
               "efficiency >= :expand_efficiency)",
            d->fence);
}

/* The same, for the first limit of them, read in the rule's order from
 * prm_partner_tallies_expand (as dormant_walked reads the dormant). */
static void expand_walked(sqlbuf *b, const store_scope *s, int64_t limit,
                          const sql_dialect *d)
{
    sql_add(b, "SELECT * FROM (SELECT p.id, p.name, t.projects AS projects, "
               EXPAND_RATE("t.") " AS rate, " EXPAND_EFFICIENCY("t.")
               " AS efficiency FROM %s AS t JOIN partners AS p ON p.id = "
               "t.partner_id WHERE 1.0 * t.projects <= :expand_max_projects "
               "AND (" EXPAND_RATE("t.") " >= :expand_rate OR "
               EXPAND_EFFICIENCY("t.") " >= :expand_efficiency)",
            d->partner_tallies);
    add_partner_scope(b, s);
    add_unfolded_parts(b, d, limit,
                       "(" EXPAND_RATE("t.") ") DESC NULLS LAST, ("
                       EXPAND_EFFICIENCY("t.") ") DESC NULLS LAST, "
                       "t.projects, t.partner_id");
    add_changed_part(b, s, d, expand_counted);
}

static void insight_expand(sqlbuf *b, const store_scope *s, int64_t limit,
                           const sql_dialect *d)
{
    add_figures_rule(b, s, limit, d, expand_walked, expand_counted,
                     "rate DESC NULLS LAST, efficiency DESC NULLS LAST, "
                     "projects, id");
}

/* The distinct values of partners' column col (regions or types), one
 * index seek each: a recursive CTE named name. */
static void add_distinct_values(sqlbuf *b, const char *name, const char *col)
{
    sql_add(b, "%s(name) AS (SELECT min(%s) FROM partners UNION ALL SELECT "
               "(SELECT min(p.%s) FROM partners AS p WHERE p.%s > v.name) "
               "FROM %s AS v WHERE v.name IS NOT NULL)",
            name, col, col, col, name);
}

/* Of the values in the CTE values, those with at most :gap_max_partners
 * active partners in scope, counted no further than one past it. */
static void add_few_active(sqlbuf *b, const char *name, const char *values,
                           const char *col, const store_scope *s)
{
    sql_add(b, "%s(name) AS (SELECT v.name FROM %s AS v WHERE v.name IS NOT "
               "NULL AND (SELECT count(*) FROM (SELECT 1 FROM partners AS p "
               "WHERE p.%s = v.name AND p.status = 'active'",
            name, values, col);
    sqlm_add_scope_where(b, s, false);
    sql_add(b, " LIMIT CAST(:gap_max_partners AS integer) + 1) AS a) <= "
               ":gap_max_partners)");
}

/* The activity of the partners in scope of each group in few. */
static void add_group_activity(sqlbuf *b, int dim, const char *few,
                               const char *col, const store_scope *s,
                               const sql_dialect *d)
{
    bool kept = d->partner_tallies != NULL;
    sql_add(b, "SELECT %d AS dim, f.name, sum(CASE WHEN p.status = 'active' "
               "THEN 1 ELSE 0 END) AS active, count(*) AS partners, sum(",
            dim);
    sqlm_add_figure(b, d, kept, "projects");
    sql_add(b, ") AS projects, sum(");
    sqlm_add_figure(b, d, kept, "communications");
    sql_add(b, ") AS comms FROM %s AS f JOIN partners AS p ON p.%s = f.name",
            few, col);
    sqlm_add_kept_join(b, d, kept);
    sql_add(b, " WHERE TRUE");
    sqlm_add_scope_where(b, s, false);
    sql_add(b, " GROUP BY f.name");
}

/*
 * Regions and types with activity but few active partners.  Partners of
 * every status count (the scope without its status), since the rule
 * weighs a group's active ones against all its activity.  A group's
 * activity is summed only where the group has few active partners: the
 * regions and types are listed by seeking their indexes, each one's
 * active partners counted up to one past the bound, so that a program
 * whose groups all have many active partners reads next to nothing.
 */
static void insight_gap(sqlbuf *b, const store_scope *s, int64_t limit,
                        const sql_dialect *d)
{
    (void)limit;
    store_scope every_status = *s;
    every_status.status = NULL;
    sql_add(b, "WITH RECURSIVE ");
    add_distinct_values(b, "regions", "region");
    sql_add(b, ", ");
    add_distinct_values(b, "types", "type");
    sql_add(b, ", ");
    add_few_active(b, "few_regions", "regions", "region", &every_status);
    sql_add(b, ", ");
    add_few_active(b, "few_types", "types", "type", &every_status);
    sql_add(b, " SELECT * FROM (");
    add_group_activity(b, 0, "few_regions", "region", &every_status, d);
    sql_add(b, " UNION ALL ");
    add_group_activity(b, 1, "few_types", "type", &every_status, d);
    sql_add(b, ") AS g WHERE 1.0 * active <= :gap_max_partners AND projects "
               "+ comms > 0 ORDER BY projects + comms DESC, dim, name");
}

/* A deal t of a partner in scope. */
static void deal_in_scope(sqlbuf *b, const store_scope *s)
{
    sql_add(b, " AND EXISTS (SELECT 1 FROM partners AS p WHERE p.id = "
               "t.partner_id");
    add_partner_scope(b, s);
    sql_add(b, ")");
}

/*
 * Submitted deals in conflict: the most conflicts first.  Each deal's
 * conflicts are counted once (fenced), the deals without any left out
 * and the rest sorted; only then is each one's partner tested against the
 * scope, in that order (a filter keeps it), until the limit is reached.
 * Testing every submitted deal's partner first read a partner at random
 * for each (60,000 at 1M: a third of the rule's time on a file).  The
 * test is a count, not EXISTS, so that PostgreSQL keeps it a test of each
 * row in the sorted order rather than a join, which would lose the order.
 */
static void insight_deal_conflict(sqlbuf *b, const store_scope *s,
                                  int64_t limit, const sql_dialect *d)
{
    (void)limit;
    sql_add(b, "SELECT q.id, q.customer, q.conflicts FROM (SELECT * FROM "
               "(SELECT t.id, t.customer, t.partner_id, (SELECT count(*) "
               "FROM (");
    store_deal_pairs(b, false, false);
    sql_add(b, ") AS c) AS conflicts FROM deals AS t WHERE t.status = "
               "'submitted'%s) AS counted WHERE conflicts > 0 ORDER BY "
               "conflicts DESC, id%s) AS q WHERE (SELECT count(*) FROM "
               "partners AS p WHERE p.id = q.partner_id",
            d->fence, d->fence);
    add_partner_scope(b, s);
    sql_add(b, ") > 0");
}

/* Approved deals whose protection ends within :expiring_days. */
static void insight_deal_expiring(sqlbuf *b, const store_scope *s,
                                  int64_t limit, const sql_dialect *d)
{
    (void)limit;
    (void)d;
    sql_add(b, "SELECT t.id, t.customer, julianday(t.expires) - "
               "julianday(:asof) AS days_left FROM deals AS t WHERE t.status "
               "= 'approved' AND t.expires > :asof AND julianday(t.expires) "
               "- julianday(:asof) <= :expiring_days");
    deal_in_scope(b, s);
    sql_add(b, " ORDER BY days_left, t.id");
}

/* Approved (unexpired) deals whose expected close has passed, longest
 * past first.  Dates are kept in one ISO 8601 form, whose text order is
 * time order, so ordering by the close itself gives the same rows as by
 * days past, and a file reads the first of them from deals_close in that
 * order where it sorted every approved deal (60,000 of 200,000 at a
 * million partners: 0.26 s of insights' 1.7 s). */
static void insight_deal_past_close(sqlbuf *b, const store_scope *s,
                                    int64_t limit, const sql_dialect *d)
{
    (void)limit;
    (void)d;
    sql_add(b, "SELECT t.id, t.customer, julianday(:asof) - julianday(t.close) "
               "AS days_past FROM deals AS t WHERE t.status = 'approved' AND "
               "(t.expires IS NULL OR t.expires > :asof) AND t.close < :asof");
    deal_in_scope(b, s);
    sql_add(b, " ORDER BY t.close, t.id");
}

void sqlm_insight(sqlbuf *b, store_rule rule, const store_scope *s,
                  int64_t limit, const sql_dialect *d)
{
    static void (*const build[RULE_COUNT])(sqlbuf *, const store_scope *,
                                           int64_t, const sql_dialect *) = {
        [RULE_STALLED] = insight_stalled, [RULE_DORMANT] = insight_dormant,
        [RULE_IDLE] = insight_idle,       [RULE_EXPAND] = insight_expand,
        [RULE_GAP] = insight_gap,
        [RULE_DEAL_CONFLICT] = insight_deal_conflict,
        [RULE_DEAL_EXPIRING] = insight_deal_expiring,
        [RULE_DEAL_PAST_CLOSE] = insight_deal_past_close,
    };
    build[rule](b, s, limit, d);
    if (limit > 0)
        sql_add(b, " LIMIT %lld", (long long)limit);
}

