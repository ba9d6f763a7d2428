/*
 * tallies.c - the counts kept for metrics (prm_tallies, migration 010,
 * and by day, prm_day_tallies, 019 and 023): the SQL that reads them for
 * an unfiltered metrics, counts a record a file adds, counts them all
 * again for check and check repair=yes; one text for both engines (a
 * team database's kept counts are its tallies plus the changes not yet
 * folded: the dialect's kept_tallies).
 */
#include <stdio.h>
#include <string.h>

#include "store/engine.h"
#include "store/sql_metrics.h"

#define TALLY(name) "coalesce(sum(k.n) FILTER (WHERE k.name = '" name "'), 0)"
/* Approved deals whose protection has not ended at :asof. */
#define LIVE_DEALS                                                            \
    "FROM deals WHERE status = 'approved' AND (expires IS NULL OR expires " \
    "> :asof)"

void sqlm_metrics_tallied(sqlbuf *b, const sql_dialect *d)
{
    sql_add(b, "SELECT " TALLY("partners") ", " TALLY("projects") ", "
               TALLY("projects.succeeded") ", " TALLY("projects.failed") ", "
               TALLY("communications") ", " TALLY("resources") ", "
               TALLY("outcomes") ", " TALLY("deals") ", " TALLY("deals.won")
               ", " TALLY("deals.lost") ", " TALLY("deals.submitted")
               " + (SELECT count(*) " LIVE_DEALS "), "
               TALLY("deals.ever_approved") ", " TALLY("deals.rejected")
               ", (SELECT coalesce(sum(amount), 0) " LIVE_DEALS "), "
               TALLY("deals.won_amount") " FROM %s AS k",
            d->kept_tallies);
}

void sqlm_tallied_outputs(prm_metrics *m, int64_t *out[SQLM_TALLIED])
{
    int64_t *in_order[SQLM_TALLIED] = {
        &m->partners,       &m->projects,       &m->succeeded,
        &m->failed,         &m->communications, &m->resources,
        &m->outcomes,       &m->deals,          &m->deals_won,
        &m->deals_lost,     &m->deals_active,   &m->deals_approved,
        &m->deals_rejected, &m->pipeline_value, &m->won_value};
    memcpy(out, in_order, sizeof in_order);
}

const char *sqlm_tally_added(const prm_kind_info *info)
{
    switch (info->kind) {
    case PRM_PARTNER:
        return "UPDATE prm_tallies SET n = n + 1 WHERE name = 'partners'";
    case PRM_COMMUNICATION:
        return "UPDATE prm_tallies SET n = n + 1 WHERE name = "
               "'communications'";
    case PRM_RESOURCE:
        return "UPDATE prm_tallies SET n = n + 1 WHERE name = 'resources'";
    case PRM_OUTCOME:
        return "UPDATE prm_tallies SET n = n + 1 WHERE name = 'outcomes'";
    case PRM_PROJECT:
        return "UPDATE prm_tallies SET n = n + 1 WHERE name = 'projects' OR "
               "name = (SELECT 'projects.' || status FROM projects WHERE id "
               "= $1)";
    case PRM_DEAL:
        return "UPDATE prm_tallies SET n = n + CASE WHEN prm_tallies.name = "
               "'deals.won_amount' THEN coalesce(d.amount, 0) ELSE 1 END FROM "
               "(SELECT status, approved_at, amount FROM deals WHERE id = $1) "
               "AS d WHERE prm_tallies.name = 'deals' OR prm_tallies.name = "
               "'deals.' || d.status OR (prm_tallies.name = "
               "'deals.ever_approved' AND d.approved_at IS NOT NULL) OR "
               "(prm_tallies.name = 'deals.won_amount' AND d.status = 'won')";
    default:
        return NULL;
    }
}

/* A day's count raised by what the selected rows give (name, day, n). */
#define DAY_UPSERT(select)                                                    \
    "INSERT INTO prm_day_tallies (name, day, n) " select                     \
    " ON CONFLICT (name, day) DO UPDATE SET n = n + excluded.n"
/* A communication, resource or outcome (dated by at; its table is its
 * count's name): its day's count raised by one, when the day has one
 * already, and counted into a new day. */
#define AT_DAY_RAISED(table)                                                  \
    "UPDATE prm_day_tallies SET n = n + 1 WHERE name = '" table "' AND day " \
    "= (SELECT substr(at, 1, 10) FROM " table " WHERE id = $1)"
#define AT_DAY_ADDED(table)                                                   \
    DAY_UPSERT("SELECT '" table "', substr(at, 1, 10), 1 FROM " table        \
               " WHERE id = $1")

/* Most adds fall on a day counted already: an UPDATE of its one row by
 * its key costs SQLite less than an upsert. */
const char *sqlm_day_tally_raised(const prm_kind_info *info)
{
    switch (info->kind) {
    case PRM_COMMUNICATION:
        return AT_DAY_RAISED("communications");
    case PRM_RESOURCE:
        return AT_DAY_RAISED("resources");
    case PRM_OUTCOME:
        return AT_DAY_RAISED("outcomes");
    default:
        return NULL;
    }
}

const char *sqlm_day_tally_added(const prm_kind_info *info)
{
    switch (info->kind) {
    case PRM_COMMUNICATION:
        return AT_DAY_ADDED("communications");
    case PRM_RESOURCE:
        return AT_DAY_ADDED("resources");
    case PRM_OUTCOME:
        return AT_DAY_ADDED("outcomes");
    case PRM_PROJECT:
        return DAY_UPSERT(
            "SELECT v.name, substr(coalesce(p.start, p.created_at), 1, 10), "
            "1 FROM projects AS p, (SELECT 'projects' AS name UNION ALL "
            "SELECT 'projects.' || status FROM projects WHERE id = $1) AS v "
            "WHERE p.id = $1");
    case PRM_DEAL:
        return DAY_UPSERT(
            "SELECT v.name, substr(d.created_at, 1, 10), v.n FROM deals AS "
            "d, (SELECT 'deals' AS name, 1 AS n UNION ALL SELECT 'deals.' || "
            "status, 1 FROM deals WHERE id = $1 UNION ALL SELECT "
            "'deals.ever_approved', 1 FROM deals WHERE id = $1 AND "
            "approved_at IS NOT NULL UNION ALL SELECT 'deals.won_amount', "
            "amount FROM deals WHERE id = $1 AND status = 'won' AND amount "
            "IS NOT NULL) AS v WHERE d.id = $1");
    default:
        return NULL;
    }
}

/* The statuses of projects and deals, as their CHECK constraints list
 * them: each has a count. */
static const char *const project_statuses[] = {
    "planned", "active", "succeeded", "failed", "cancelled", NULL};
static const char *const deal_statuses[] = {
    "submitted", "approved", "rejected", "won", "lost", "cancelled", NULL};

static void recount_statuses(sqlbuf *b, const char *table,
                             const char *const *statuses)
{
    for (size_t i = 0; statuses[i] != NULL; i++)
        sql_add(b, " UNION ALL SELECT '%s.%s', count(*) FROM %s WHERE status "
                   "= '%s'",
                table, statuses[i], table, statuses[i]);
}

/* Every kept count counted from the tables, as rows of name and n. */
static void tally_counts(sqlbuf *b)
{
    sql_add(b, "SELECT 'partners' AS name, count(*) AS n FROM partners UNION "
               "ALL SELECT 'projects', count(*) FROM projects UNION ALL "
               "SELECT 'communications', count(*) FROM communications UNION "
               "ALL SELECT 'resources', count(*) FROM resources UNION ALL "
               "SELECT 'outcomes', count(*) FROM outcomes UNION ALL SELECT "
               "'deals', count(*) FROM deals");
    recount_statuses(b, "projects", project_statuses);
    recount_statuses(b, "deals", deal_statuses);
    sql_add(b, " UNION ALL SELECT 'deals.ever_approved', count(*) FROM deals "
               "WHERE approved_at IS NOT NULL UNION ALL SELECT "
               "'deals.won_amount', coalesce(sum(amount), 0) FROM deals WHERE "
               "status = 'won'");
}

/* Every count kept by day counted from the tables, as rows of name, day
 * and n (a day the first ten characters of what the kind is dated by). */
static void day_counts(sqlbuf *b)
{
    static const char *const dated[][2] = {
        {"communications", "at"}, {"resources", "at"}, {"outcomes", "at"},
        {"projects", "coalesce(start, created_at)"},
        {"deals", "created_at"}};
    sql_add(b, "SELECT name, day, sum(n) AS n FROM (");
    for (size_t i = 0; i < sizeof dated / sizeof *dated; i++)
        sql_add(b, "%sSELECT '%s' AS name, substr(%s, 1, 10) AS day, 1 AS n "
                   "FROM %s",
                i > 0 ? " UNION ALL " : "", dated[i][0], dated[i][1],
                dated[i][0]);
    sql_add(b, " UNION ALL SELECT 'projects.' || status, substr(coalesce("
               "start, created_at), 1, 10), 1 FROM projects UNION ALL SELECT "
               "'deals.' || status, substr(created_at, 1, 10), 1 FROM deals "
               "UNION ALL SELECT 'deals.ever_approved', substr(created_at, 1, "
               "10), 1 FROM deals WHERE approved_at IS NOT NULL UNION ALL "
               "SELECT 'deals.won_amount', substr(created_at, 1, 10), amount "
               "FROM deals WHERE status = 'won' AND amount IS NOT NULL) AS u "
               "GROUP BY name, day");
}

void sqlm_tally_recount(sqlbuf *b, const sql_dialect *d)
{
    sql_add(b, "SELECT c.name, t.n, c.n FROM (");
    tally_counts(b);
    sql_add(b, ") AS c LEFT JOIN %s AS t ON t.name = c.name WHERE t.n IS "
               "NULL OR t.n <> c.n",
            d->kept_tallies);
    if (d->day_tallies != NULL) {
        /* a day kept at 0 (all its records gone) is one counted as none */
        sql_add(b, " UNION ALL SELECT * FROM (SELECT coalesce(c.name, t.name) "
                   "|| ' on ' || coalesce(c.day, t.day), t.n, c.n FROM (");
        day_counts(b);
        sql_add(b, ") AS c FULL JOIN (SELECT name, day, sum(n) AS n FROM %s "
                   "AS k GROUP BY name, day) AS t ON t.name = c.name AND "
                   "t.day = c.day WHERE coalesce(t.n, 0) <> coalesce(c.n, 0) "
                   "ORDER BY 1 LIMIT 1) AS by_day",
                d->day_tallies);
    }
    sql_add(b, " ORDER BY 1");
}

void sqlm_tally_refill(sqlbuf *b)
{
    sql_add(b, "INSERT INTO prm_tallies (name, n) SELECT name, n FROM (");
    tally_counts(b);
    sql_add(b, ") AS c");
}

void sqlm_day_tally_refill(sqlbuf *b)
{
    sql_add(b, "INSERT INTO prm_day_tallies (name, day, n) ");
    day_counts(b);
}

/* --- check ----------------------------------------------------------------- */

/* The first kept count that differs from its recount, as a problem. */
static bool tally_differs(void *ctx, const char *const *cols, size_t ncols)
{
    prm_check_report *r = ctx;
    char what[200];
    snprintf(what, sizeof what,
             "the counts metrics keep differ from a recount (%s: %s kept, %s "
             "counted): check repair=yes counts them again",
             cols[0], ncols > 1 && cols[1] ? cols[1] : "none",
             ncols > 2 && cols[2] ? cols[2] : "none");
    store_check_problem(r, "%s", what);
    return false; /* one is enough to say */
}

prm_code store_check_tallies(prm_db *db, prm_check_report *r, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sqlm_tally_recount(&b, db->engine->dialect);
    if (b.overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return db->engine->rows(db, b.text, NULL, 0, tally_differs, r,
                            "recounting", err);
}

prm_code prm_check_repair(prm_db *db, prm_error *err)
{
    prm_code rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc == PRM_OK)
        rc = db->engine->exec(db, db->engine->tally_clear, NULL, 0, NULL, 0,
                              NULL, "counting again", err);
    sqlbuf b = {.len = 0};
    sqlm_tally_refill(&b);
    if (rc == PRM_OK)
        rc = store_exec_built(db, &b, NULL, 0, NULL, 0, NULL,
                              "counting again", err);
    if (rc == PRM_OK && db->engine->day_tally_clear != NULL)
        rc = db->engine->exec(db, db->engine->day_tally_clear, NULL, 0, NULL,
                              0, NULL, "counting again", err);
    if (rc == PRM_OK && db->engine->dialect->day_tallies != NULL) {
        b = (sqlbuf){.len = 0};
        sqlm_day_tally_refill(&b);
        rc = store_exec_built(db, &b, NULL, 0, NULL, 0, NULL,
                              "counting again", err);
    }
    if (rc == PRM_OK && db->engine->dialect->partner_tallies != NULL)
        rc = store_refill_partner_tallies(db, err);
    /* after the partners' figures: a quiet partner is dated by its last
     * contact */
    if (rc == PRM_OK)
        rc = store_refill_agenda(db, err);
    return store_cmd_end(db, rc, err);
}
