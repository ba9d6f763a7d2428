/*
 * sql_metrics.c - the SQL of metrics and report (see sql_metrics.h;
 * insights' is in sql_insights.c, trend's in sql_trend.c), shared by the SQLite
 * and PostgreSQL engines.
 *
 * Each count is one indexed aggregate; the partner scope is a condition on
 * partners AS p, generated with only the filters given so that the
 * database can use the index of each.  Nothing is loaded into C but the
 * counts.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/sql_metrics.h"

/* The most columns of one count's statement (the deals'). */
enum { SQLM_COLUMNS = 8 };

void sqlm_add_scope_where(sqlbuf *b, const store_scope *s, bool active_only)
{
    if (s->has_partner)
        sql_add(b, " AND p.id = :partner");
    if (s->type != NULL)
        sql_add(b, " AND p.type = :type");
    if (s->region != NULL)
        sql_add(b, " AND p.region = :region");
    if (s->status != NULL)
        sql_add(b, " AND p.status = :status");
    else if (active_only)
        sql_add(b, " AND p.status <> 'inactive'");
}

static void add_scope(sqlbuf *b, const store_scope *s)
{
    sqlm_add_scope_where(b, s, false);
}

bool sqlm_scoped(const store_scope *s)
{
    return s->has_partner || s->type || s->region || s->status;
}

void sqlm_add_window(sqlbuf *b, const store_scope *s, const char *col)
{
    if (s->since != NULL)
        sql_add(b, " AND %s >= :since", col);
    if (s->until != NULL)
        sql_add(b, " AND %s <= :until", col);
}

/* count(*) of a kind dated by col, of the partners in scope. */
static void count_dated(sqlbuf *b, const store_scope *s, const sql_dialect *d,
                        const char *table, const char *col, const char *link)
{
    if (sqlm_by_days(s, d)) {
        sqlm_days_dated(b, s, d, table, col);
        return;
    }
    /* With no condition at all, a bare count(*) lets SQLite count the
     * rows of its smallest index without reading them. */
    sql_add(b, "SELECT count(*) FROM %s AS x%s", table,
            sqlm_scoped(s) || s->since || s->until ? " WHERE TRUE" : "");
    sqlm_add_window(b, s, col);
    if (sqlm_scoped(s)) {
        sql_add(b, " AND %s IN (SELECT ", link);
        if (strcmp(link, "x.project_id") == 0)
            sql_add(b, "pp.project_id FROM project_partners AS pp JOIN "
                       "partners AS p ON p.id = pp.partner_id WHERE TRUE");
        else
            sql_add(b, "p.id FROM partners AS p WHERE TRUE");
        add_scope(b, s);
        sql_add(b, ")");
    }
}

/* Whether a scope's outcomes are counted with its projects: over all
 * time, the outcomes of the scope's projects are all the scope's.  (In a
 * window, an outcome is dated by its own date, not its project's.) */
static bool outcomes_with_projects(const store_scope *s)
{
    return sqlm_scoped(s) && s->since == NULL && s->until == NULL;
}

static void count_projects(sqlbuf *b, const store_scope *s,
                           const sql_dialect *d)
{
    if (sqlm_by_days(s, d)) {
        sqlm_days_projects(b, s, d);
        return;
    }
    if (outcomes_with_projects(s)) {
        /* The scope's set of projects, made once for both kinds: made
         * again for its outcomes, it was a third of a region's metrics
         * (1M partners: 0.38 s on a file for the two, 0.29 s as one;
         * on a team database 1.04 s, 0.90 s). */
        sql_add(b, "SELECT count(*), count(*) FILTER (WHERE x.status = "
                   "'succeeded'), count(*) FILTER (WHERE x.status = 'failed'), "
                   "CAST(coalesce(sum((SELECT count(*) FROM outcomes AS o "
                   "WHERE o.project_id = x.id)), 0) AS bigint) "
                   "FROM projects AS x WHERE TRUE");
    } else if (sqlm_scoped(s) || s->since || s->until) {
        sql_add(b, "SELECT count(*), count(*) FILTER (WHERE x.status = "
                   "'succeeded'), count(*) FILTER (WHERE x.status = 'failed') "
                   "FROM projects AS x WHERE TRUE");
        sqlm_add_window(b, s, "coalesce(x.start, x.created_at)");
    } else {
        /* All projects: three counts over the status index, far cheaper
         * than reading every project. */
        sql_add(b, "SELECT (SELECT count(*) FROM projects), (SELECT count(*) "
                   "FROM projects WHERE status = 'succeeded'), (SELECT "
                   "count(*) FROM projects WHERE status = 'failed')");
    }
    if (sqlm_scoped(s)) {
        /* IN (...) rather than EXISTS: the scope's project ids come
         * through the partner indexes and only those projects are read. */
        sql_add(b, " AND x.id IN (SELECT pp.project_id FROM "
                   "project_partners AS pp JOIN partners AS p ON p.id = "
                   "pp.partner_id WHERE TRUE");
        add_scope(b, s);
        sql_add(b, ")");
    }
}

/* The deals of the partners in scope, dated by created_at: the eight
 * columns of prm_metrics's deal figures.  Active and the pipeline are
 * read at :asof (the window's end, or now), as a deal reads. */
static void count_deals(sqlbuf *b, const store_scope *s, const sql_dialect *d)
{
    if (sqlm_by_days(s, d)) {
        sqlm_days_deals(b, s, d);
        return;
    }
    sql_add(b, "SELECT count(*), count(*) FILTER (WHERE x.status = 'won'), "
               "count(*) FILTER (WHERE x.status = 'lost'), count(*) FILTER "
               "(WHERE x.status = 'submitted' OR (x.status = 'approved' AND "
               "(x.expires IS NULL OR x.expires > :asof))), count(*) FILTER "
               "(WHERE x.approved_at IS NOT NULL), count(*) FILTER (WHERE "
               "x.status = 'rejected'), coalesce(sum(x.amount) FILTER (WHERE "
               "x.status = 'approved' AND (x.expires IS NULL OR x.expires > "
               ":asof)), 0), coalesce(sum(x.amount) FILTER (WHERE x.status = "
               "'won'), 0) FROM deals AS x WHERE TRUE");
    sqlm_add_window(b, s, "x.created_at");
    if (sqlm_scoped(s)) {
        sql_add(b, " AND x.partner_id IN (SELECT p.id FROM partners AS p "
                   "WHERE TRUE");
        add_scope(b, s);
        sql_add(b, ")");
    }
}

/* Whether the partners' figures come from those kept (an engine that
 * keeps them, and not over dates: those kept are of all time). */
static bool kept_figures(const store_scope *s, const sql_dialect *d)
{
    return d->partner_tallies != NULL && s->since == NULL && s->until == NULL;
}

/* The partners in scope counted, with the sums of their kept
 * communications and resources where kept_figures holds: one read of
 * the scope's partners for three figures.  Counting the rows of a
 * region's partners walked a quarter of the communications by partner
 * (1M partners: 0.4-0.9 s on a file, 1.0 s on a team database, against
 * 0.26-0.32 s and 0.41 s for a sum), and each sum on its own read the
 * same partners again. */
static size_t count_partners(sqlbuf *b, const store_scope *s,
                             const sql_dialect *d, prm_metrics *m,
                             int64_t *out[SQLM_COLUMNS])
{
    out[0] = &m->partners;
    if (!sqlm_scoped(s) && d->kept_tallies != NULL) {
        /* a window dates no partner: all of them, as counted */
        sql_add(b, "SELECT coalesce(sum(k.n), 0) FROM %s AS k WHERE k.name "
                   "= 'partners'",
                d->kept_tallies);
        return 1;
    }
    sql_add(b, "SELECT count(*)");
    bool sums = sqlm_scoped(s) && kept_figures(s, d);
    if (sums) {
        static const char *const figure[] = {"communications", "resources"};
        for (size_t i = 0; i < 2; i++) {
            sql_add(b, ", CAST(coalesce(sum(");
            sqlm_add_figure(b, d, true, figure[i]);
            sql_add(b, "), 0) AS bigint)");
        }
        out[1] = &m->communications, out[2] = &m->resources;
    }
    sqlm_add_partners_from(b, d, sums);
    if (sqlm_scoped(s))
        sql_add(b, " WHERE TRUE");
    add_scope(b, s);
    return sums ? 3 : 1;
}

/* The statement of count which into b, and where its columns go in m
 * (at most SQLM_COLUMNS); 0, and no statement, when another count's
 * statement gives its columns. */
static size_t count_of(sqlbuf *b, int which, const store_scope *s,
                       const sql_dialect *d, prm_metrics *m,
                       int64_t *out[SQLM_COLUMNS])
{
    /* a scope's communications and resources come with its partners */
    bool summed = sqlm_scoped(s) && kept_figures(s, d);
    switch (which) {
    case SQLM_PARTNERS:
        return count_partners(b, s, d, m, out);
    case SQLM_PROJECTS:
        count_projects(b, s, d);
        out[0] = &m->projects, out[1] = &m->succeeded, out[2] = &m->failed;
        if (!outcomes_with_projects(s))
            return 3;
        out[3] = &m->outcomes;
        return 4;
    case SQLM_COMMS:
        if (summed)
            return 0;
        count_dated(b, s, d, "communications", "x.at", "x.partner_id");
        out[0] = &m->communications;
        return 1;
    case SQLM_RESOURCES:
        if (summed)
            return 0;
        count_dated(b, s, d, "resources", "x.at", "x.partner_id");
        out[0] = &m->resources;
        return 1;
    case SQLM_OUTCOMES:
        if (outcomes_with_projects(s))
            return 0;
        count_dated(b, s, d, "outcomes", "x.at", "x.project_id");
        out[0] = &m->outcomes;
        return 1;
    default:
        count_deals(b, s, d);
        out[0] = &m->deals, out[1] = &m->deals_won, out[2] = &m->deals_lost;
        out[3] = &m->deals_active, out[4] = &m->deals_approved;
        out[5] = &m->deals_rejected, out[6] = &m->pipeline_value;
        out[7] = &m->won_value;
        return 8;
    }
}

/* One statement, a derived table per count: a team database plans it
 * once and answers it in one round trip, where each count's own
 * statement was a round trip and, in a new backend, a plan made with
 * cold catalog caches (at 1M partners, metrics since= on a team
 * database: six statements, 30 ms of parsing and planning). */
size_t sqlm_metrics(sqlbuf *b, const store_scope *s, const sql_dialect *d,
                    prm_metrics *m, int64_t *out[SQLM_ALL_COLUMNS])
{
    size_t total = 0;
    sql_add(b, "SELECT * FROM ");
    for (int i = 0; i < SQLM_COUNT; i++) {
        sqlbuf part = {.len = 0};
        int64_t *cols[SQLM_COLUMNS];
        size_t n = count_of(&part, i, s, d, m, cols);
        if (n == 0)
            continue;
        if (part.overflow)
            b->overflow = true;
        sql_add(b, "%s(%s) AS m%d", total > 0 ? " CROSS JOIN " : "",
                part.text, i);
        for (size_t k = 0; k < n && total < SQLM_ALL_COLUMNS; k++)
            out[total++] = cols[k];
    }
    return total;
}

/* --- counts kept for metrics (the SQL is in tallies.c) ------------------- */

bool sqlm_unfiltered(const store_scope *s)
{
    return !sqlm_scoped(s) && s->since == NULL && s->until == NULL;
}

/* --- report partners ------------------------------------------------------- */

void sqlm_add_kept_join(sqlbuf *b, const sql_dialect *d, bool kept)
{
    if (kept)
        sql_add(b, " LEFT JOIN %s AS t ON t.partner_id = p.id",
                d->partner_tallies);
    if (kept && d->partner_tally_changes != NULL)
        sql_add(b, " LEFT JOIN %s AS tc ON tc.partner_id = p.id",
                d->partner_tally_changes);
}

void sqlm_add_partners_from(sqlbuf *b, const sql_dialect *d, bool kept)
{
    sql_add(b, " FROM partners AS p");
    sqlm_add_kept_join(b, d, kept);
}

void sqlm_add_figure(sqlbuf *b, const sql_dialect *d, bool kept,
                     const char *column)
{
    bool changes = d->partner_tally_changes != NULL;
    if (!kept)
        sql_add(b, "(%s)", sqlm_partner_figure(column));
    else if (strcmp(column, "last_contact") == 0)
        sql_add(b, "%s", changes ? d->kept_last_contact : "t.last_contact");
    else if (changes)
        sql_add(b, "(coalesce(t.%s, 0) + coalesce(tc.%s, 0))", column,
                column);
    else
        sql_add(b, "coalesce(t.%s, 0)", column);
}

void sqlm_add_figures(sqlbuf *b, const sql_dialect *d, bool kept,
                      const char *const (*figures)[2], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sql_add(b, ", ");
        sqlm_add_figure(b, d, kept, figures[i][0]);
        sql_add(b, " AS %s", figures[i][1]);
    }
}

/* Per-partner aggregates of the partner p.id, in the window: the same
 * conditions as store_metrics's with the scope narrowed to one partner. */
static void add_counted_columns(sqlbuf *b, const store_scope *s)
{
    static const char *const status[] = {NULL, "succeeded", "failed"};
    static const char *const alias[] = {"projects", "succeeded", "failed"};
    for (int i = 0; i < 3; i++) {
        if (status[i] == NULL && s->since == NULL && s->until == NULL) {
            /* every project linked: the links alone */
            sql_add(b, ", (SELECT count(*) FROM project_partners AS pp WHERE "
                       "pp.partner_id = p.id) AS projects");
            continue;
        }
        sql_add(b, ", (SELECT count(*) FROM project_partners AS pp JOIN "
                   "projects AS x ON x.id = pp.project_id WHERE pp.partner_id "
                   "= p.id");
        if (status[i] != NULL)
            sql_add(b, " AND x.status = '%s'", status[i]);
        sqlm_add_window(b, s, "coalesce(x.start, x.created_at)");
        sql_add(b, ") AS %s", alias[i]);
    }
    sql_add(b, ", (SELECT count(*) FROM communications AS x WHERE "
               "x.partner_id = p.id");
    sqlm_add_window(b, s, "x.at");
    sql_add(b, ") AS communications, (SELECT max(x.at) FROM communications "
               "AS x WHERE x.partner_id = p.id");
    sqlm_add_window(b, s, "x.at");
    sql_add(b, ") AS last_contact, (SELECT count(*) FROM resources AS x "
               "WHERE x.partner_id = p.id");
    sqlm_add_window(b, s, "x.at");
    sql_add(b, ") AS resources, (SELECT count(*) FROM outcomes AS x WHERE "
               "x.project_id IN (SELECT pp.project_id FROM project_partners "
               "AS pp WHERE pp.partner_id = p.id)");
    sqlm_add_window(b, s, "x.at");
    sql_add(b, ") AS outcomes");
}

static void add_report_columns(sqlbuf *b, const store_scope *s,
                               const sql_dialect *d, bool kept)
{
    static const char *const figures[][2] = {
        {"projects", "projects"},       {"succeeded", "succeeded"},
        {"failed", "failed"},           {"communications", "communications"},
        {"last_contact", "last_contact"}, {"resources", "resources"},
        {"outcomes", "outcomes"}};
    if (kept)
        sqlm_add_figures(b, d, kept, figures, sizeof figures / sizeof *figures);
    else
        add_counted_columns(b, s);
}

/* Whether the report is in id order, its default. */
static bool sorts_by_id(const char *sort)
{
    return sort == NULL || strcmp(sort, "partner") == 0;
}

/* ORDER BY for sort=: figures largest first (no value last), names from
 * A; ties by id. */
static void add_report_order(sqlbuf *b, const char *sort,
                             const sql_dialect *d)
{
    if (sorts_by_id(sort))
        sql_add(b, " ORDER BY id");
    else if (strcmp(sort, "health") == 0)
        sql_add(b, " ORDER BY health DESC, id");
    else if (strcmp(sort, "name") == 0)
        sql_add(b, " ORDER BY %s, id", d->name_order);
    else if (strcmp(sort, "project_success_rate") == 0)
        sql_add(b, " ORDER BY CASE WHEN projects > 0 THEN 1.0 * succeeded / "
                   "projects END DESC NULLS LAST, id");
    else if (strcmp(sort, "deal_win_rate") == 0)
        sql_add(b, " ORDER BY CASE WHEN deals_won + deals_lost > 0 THEN 1.0 * "
                   "deals_won / (deals_won + deals_lost) END DESC NULLS LAST, "
                   "id");
    else if (strcmp(sort, "resource_efficiency") == 0)
        sql_add(b, " ORDER BY CASE WHEN resources > 0 THEN 1.0 * outcomes / "
                   "resources END DESC NULLS LAST, id");
    else
        sql_add(b, " ORDER BY %s DESC NULLS LAST, id", sort);
}

/*
 * The health score, 0 to 100 (doc/guide.md: Health), from four terms, each 0..1:
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
static void add_health_terms(sqlbuf *b, const store_scope *s,
                             const sql_dialect *d, bool kept, bool uncontacted)
{
    if (uncontacted) {
        /* none since :recent_since, so none of the 90 days: no partner
         * need be looked up (a million index searches at 1M) */
        sql_add(b, ", CAST(0 AS bigint) AS recent");
    } else {
        sql_add(b, ", (SELECT count(*) FROM communications AS x WHERE "
                   "x.partner_id = p.id AND x.at > :recent_since AND x.at "
                   "<= :asof");
        sqlm_add_window(b, s, "x.at");
        sql_add(b, ") AS recent");
    }
    static const char *const kept_deals[][2] = {{"deals", "deals"},
                                                {"deals_won", "deals_won"},
                                                {"deals_lost", "deals_lost"},
                                                {"won_amount", "won_value"}};
    if (kept) {
        sqlm_add_figures(b, d, kept, kept_deals, 4);
        return;
    }
    /* The partner's deals, dated by created_at. */
    static const char *const deal_figure[][2] = {
        {"count(*)", "deals"},
        {"count(*) FILTER (WHERE x.status = 'won')", "deals_won"},
        {"count(*) FILTER (WHERE x.status = 'lost')", "deals_lost"},
        {"coalesce(sum(x.amount) FILTER (WHERE x.status = 'won'), 0)",
         "won_value"}};
    for (size_t i = 0; i < 4; i++) {
        sql_add(b, ", (SELECT %s FROM deals AS x WHERE x.partner_id = p.id",
                deal_figure[i][0]);
        sqlm_add_window(b, s, "x.created_at");
        sql_add(b, ") AS %s", deal_figure[i][1]);
    }
}


/* The columns asked for and health, over the terms and their figures.
 * Clamps written as CASE: SQLite's max(a, b) is PostgreSQL's greatest. */
static void add_health(sqlbuf *b, const char *columns)
{
    sql_add(b, "SELECT %s, round(100 * (0.3 * recency + 0.2 * frequency + "
               "0.3 * success + 0.2 * efficiency)) AS health FROM (SELECT *, "
               "CASE WHEN days IS NULL THEN 0.0 "
               "WHEN days >= 180 THEN 0.0 "
               "WHEN days <= 0 THEN 1.0 "
               "ELSE 1.0 - days / 180.0 "
               "END AS recency, "
               "CASE WHEN recent >= 6 THEN 1.0 ELSE recent / 6.0 END AS "
               "frequency, "
               "CASE WHEN succeeded + failed > 0 THEN 1.0 * succeeded / "
               "(succeeded + failed) ELSE 0.5 END AS success, "
               "CASE WHEN resources = 0 THEN 0.5 WHEN outcomes >= resources "
               "THEN 1.0 ELSE 1.0 * outcomes / resources END AS efficiency "
               "FROM (SELECT *, CASE WHEN last_contact IS NULL THEN NULL ELSE "
               DAYS_SINCE("last_contact") " END AS days FROM (",
            columns);
}

/* Ends what add_health began: days is fenced too, so that it is worked
 * out once a partner (merged, each use of it in the terms and in health
 * would read the two dates again). */
static void end_health(sqlbuf *b, const sql_dialect *d)
{
    sql_add(b, ") AS counts%s) AS dated) AS terms", d->fence);
}

/* Every partner in scope (and in only, a condition on p, when given)
 * with its figures and health terms, in id order when the report is; at
 * most as many as the SQL upto says, when given (it ends the fence).
 * The others of the healthiest (upto given) are the partners not
 * contacted since :recent_since. */
static void add_report_rows(sqlbuf *b, const store_scope *s, const char *sort,
                            int64_t limit, const sql_dialect *d,
                            const char *only, const char *upto)
{
    bool kept = kept_figures(s, d);
    add_health(b, "*");
    sql_add(b, "SELECT p.id AS id, p.name AS name");
    add_report_columns(b, s, d, kept);
    add_health_terms(b, s, d, kept, upto != NULL);
    sqlm_add_partners_from(b, d, kept);
    sql_add(b, " WHERE TRUE");
    add_scope(b, s);
    if (only != NULL)
        sql_add(b, " AND %s", only);
    /* Fenced: merged into the health formula, which names last_contact,
     * succeeded, resources and outcomes several times each, every name
     * would run its correlated count again (25 instead of 9 a partner).
     * In id order, the limit goes inside the fence too, so that only the
     * partners shown are counted. */
    if (upto != NULL)
        sql_add(b, " LIMIT %s OFFSET 0", upto);
    else if (sorts_by_id(sort) && limit > 0)
        sql_add(b, " ORDER BY p.id LIMIT %lld OFFSET 0", (long long)limit);
    else if (sorts_by_id(sort))
        sql_add(b, " ORDER BY p.id%s", d->fence);
    else
        sql_add(b, "%s", d->fence);
    end_health(b, d);
}

/* The most health a partner can have with no communication dated after
 * :recent_since: its last contact is 90 days old or more (recency at most
 * 0.5), none in the 90 days (frequency 0), success and efficiency at most
 * 1: round(100 * (0.3 * 0.5 + 0.2 * 0 + 0.3 + 0.2)). */
#define HEALTH_WITHOUT_RECENT_CONTACT 65
#define CONTACTED_SINCE_RECENT                                               \
    "p.id IN (SELECT x.partner_id FROM communications AS x WHERE x.at > "    \
    ":recent_since)"

/* The id and health of each partner of the SQL from (columns id and
 * recent: its communications of the 90 days), worked out from no more
 * than health needs (a narrow row is quicker to keep and sort: 146,250
 * of them at 1M, -15%); at most as many as the SQL upto says, when
 * given (it ends the fence). */
static void add_health_ranks(sqlbuf *b, const store_scope *s,
                             const sql_dialect *d, const char *from,
                             const char *upto)
{
    static const char *const figure[][2] = {{"last_contact", "last_contact"},
                                            {"succeeded", "succeeded"},
                                            {"failed", "failed"},
                                            {"resources", "resources"},
                                            {"outcomes", "outcomes"}};
    bool kept = kept_figures(s, d);
    add_health(b, "id");
    sql_add(b, "SELECT p.id AS id");
    sqlm_add_figures(b, d, kept, figure, sizeof figure / sizeof *figure);
    sql_add(b, ", p.recent AS recent FROM %s AS p", from);
    sqlm_add_kept_join(b, d, kept);
    if (upto != NULL)
        sql_add(b, " LIMIT %s OFFSET 0", upto);
    else
        sql_add(b, "%s", d->fence);
    end_health(b, d);
}

/*
 * contacted: each partner in scope contacted since :recent_since (or
 * later), its communications of the 90 days, and the most health it can
 * have: its recency and frequency, with full marks for success and
 * efficiency.  Both terms come from the communications alone (a partner
 * contacted since then was last contacted at the latest of them), so no
 * figure kept for a partner is read.  The bound is worked out in binary
 * floating point (float: double precision to PostgreSQL, REAL to
 * SQLite), quicker on PostgreSQL than its decimal arithmetic, and raised
 * by a hundredth before rounding so that it is never below the health
 * worked out in that other arithmetic.
 *
 * The partners and their communications of the 90 days come from one
 * pass over the communications since then, grouped, rather than a set of
 * partners and then a search a partner (-30%); the unary + keeps SQLite
 * from reading all of communications_partner for its order instead.
 * Without a scope no partner's row is needed: the communications'
 * partners are the partners (a foreign key).
 */
static void add_contacted(sqlbuf *b, const store_scope *s,
                          const sql_dialect *d)
{
    sql_add(b, "contacted AS MATERIALIZED (SELECT r.id AS id, r.recent AS "
               "recent, round(100 * (0.3 * CASE WHEN r.days >= 180 THEN 0.0 "
               "WHEN r.days <= 0 THEN 1.0 ELSE 1.0 - r.days / 180 END + 0.2 "
               "* CASE WHEN r.recent >= 6 THEN 1.0 ELSE CAST(r.recent AS "
               "float) / 6 END + 0.5) + 0.01) AS bound FROM (SELECT g.id AS "
               "id, g.recent AS recent, " DAYS_SINCE("g.last") " AS days "
               "FROM (SELECT +x.partner_id AS id, count(*) FILTER (WHERE "
               "x.at <= :asof) AS recent, max(x.at) AS last FROM "
               "communications AS x WHERE x.at > :recent_since GROUP BY "
               "+x.partner_id) AS g");
    if (sqlm_scoped(s)) {
        sql_add(b, " JOIN partners AS p ON p.id = g.id WHERE TRUE");
        add_scope(b, s);
    }
    sql_add(b, "%s) AS r)", d->fence);
}

/*
 * ranked: the id and health of the partners contacted since
 * :recent_since among whom the limit healthiest of them are, for the
 * fewest kept figures read (a search a partner: on a team database,
 * joining all 146,250 at 1M with a million rows of them was most of the
 * report).  The candidates are the partners with the highest bounds;
 * once the first partner left out can neither beat the limit-th best of
 * them nor tie it with a smaller id (its bound, and so its health, is
 * below that health, or equal with a greater id), no partner left out
 * can be among the first.  Else every contacted partner is ranked, as
 * before; the SQL below reads that condition before reading any of them.
 * The room beyond limit is for partners whose bound reaches the best
 * health without their health doing so.
 */
#define HEALTH_CANDIDATES_PER_ROW 4
static void add_ranked(sqlbuf *b, const store_scope *s, int64_t limit,
                       const sql_dialect *d)
{
    /* (fewer than limit is never wrong, only slower: the limit-th best is
     * then missing and every contacted partner is ranked) */
    int64_t few = limit <= (INT64_MAX - 1) / HEALTH_CANDIDATES_PER_ROW
                      ? limit * HEALTH_CANDIDATES_PER_ROW
                      : INT64_MAX - 1;
    sql_add(b, ", top AS MATERIALIZED (SELECT id, recent, bound FROM "
               "contacted ORDER BY bound DESC, id LIMIT %lld), few AS "
               "MATERIALIZED (",
            (long long)few + 1);
    char from[120];
    snprintf(from, sizeof from, "(SELECT id, recent FROM top ORDER BY bound "
                                "DESC, id LIMIT %lld)",
             (long long)few);
    add_health_ranks(b, s, d, from, NULL);
    sql_add(b, "), enough AS (SELECT (SELECT count(*) FROM top) <= %lld OR "
               "EXISTS (SELECT 1 FROM (SELECT bound, id FROM top ORDER BY "
               "bound DESC, id LIMIT 1 OFFSET %lld) AS o, (SELECT health, id "
               "FROM few ORDER BY health DESC, id LIMIT 1 OFFSET %lld) AS h "
               "WHERE o.bound < h.health OR (o.bound = h.health AND o.id > "
               "h.id)) AS ok), ranked AS MATERIALIZED (SELECT id, health FROM "
               "few WHERE (SELECT ok FROM enough) UNION ALL SELECT id, health "
               "FROM (",
            (long long)few, (long long)few, (long long)limit - 1);
    add_health_ranks(b, s, d, "contacted",
                     "CASE WHEN (SELECT ok FROM enough) THEN 0 ELSE "
                     "9223372036854775807 END");
    sql_add(b, ") AS rest)");
}

/*
 * The limit healthiest partners, exactly as sorting them all would give
 * them, but ranking the partners contacted in the last 90 days (or
 * later) alone when that is enough: once limit of them score above what
 * any other partner can, no other can be among the first.  They are
 * ranked on the figures health needs alone; the report's columns are then
 * read for the limit best.  The others are counted only when they could
 * be among the first.
 */
static void add_healthiest(sqlbuf *b, const store_scope *s, int64_t limit,
                           const sql_dialect *d)
{
    /* The others' limit: none when they are needed, else 0, which both
     * engines read before reading any partner (a condition in their
     * WHERE would be tested on each). */
    char others_upto[200];
    snprintf(others_upto, sizeof others_upto,
             "CASE WHEN (SELECT count(*) FROM ranked WHERE health > %d) < "
             "%lld THEN 9223372036854775807 ELSE 0 END",
             HEALTH_WITHOUT_RECENT_CONTACT, (long long)limit);
    sql_add(b, "WITH ");
    add_contacted(b, s, d);
    add_ranked(b, s, limit, d);
    sql_add(b, ", best AS (SELECT id FROM ranked ORDER BY health DESC, id "
               "LIMIT %lld) SELECT * FROM (SELECT * FROM (",
            (long long)limit);
    add_report_rows(b, s, "health", limit, d,
                    "p.id IN (SELECT id FROM best)", NULL);
    sql_add(b, ") AS the_best UNION ALL SELECT * FROM (");
    add_report_rows(b, s, "health", limit, d, "NOT " CONTACTED_SINCE_RECENT,
                    others_upto);
    sql_add(b, ") AS others) AS u ORDER BY health DESC, id LIMIT %lld",
            (long long)limit);
}

void sqlm_report(sqlbuf *b, const store_scope *s, const char *sort,
                 int64_t limit, const sql_dialect *d)
{
    /* (over dates, the report's date and its figures are the window's) */
    if (sort != NULL && strcmp(sort, "health") == 0 && limit > 0 &&
        s->since == NULL && s->until == NULL) {
        add_healthiest(b, s, limit, d);
        return;
    }
    add_report_rows(b, s, sort, limit, d, NULL, NULL);
    /* In id order the partners come out of the fence sorted, and the two
     * queries around it only add columns: an ORDER BY here would sort
     * every row again (a million partners: 150 MB more memory, and
     * time), as neither engine knows a fenced subquery's order. */
    if (!sorts_by_id(sort))
        add_report_order(b, sort, d);
    if (limit > 0)
        sql_add(b, " LIMIT %lld", (long long)limit);
}

void sqlm_recent_since(const char *asof, char out[PRM_TIME_SIZE])
{
    prm_time_add(asof, -90 * 86400, out);
}
