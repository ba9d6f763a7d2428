/*
 * partner_tallies.c - each partner's figures kept for report partners,
 * insights and the agenda (prm_partner_tallies, migration 011 on a file,
 * 014 on a team database, whose triggers count everything): what a file
 * counts as it adds a record, and the same figures counted from the
 * tables for check and check repair=yes.
 */
#include <stdio.h>
#include <string.h>

#include "store/engine.h"
#include "store/sql_metrics.h"

/* Each figure kept, counted for the partner p.id, in the table's order. */
static const struct partner_figure {
    const char *name;
    const char *counted;
} partner_figures[] = {
    {"projects", "SELECT count(*) FROM project_partners AS pp WHERE "
                 "pp.partner_id = p.id"},
    {"succeeded", "SELECT count(*) FROM project_partners AS pp JOIN projects "
                  "AS x ON x.id = pp.project_id WHERE pp.partner_id = p.id "
                  "AND x.status = 'succeeded'"},
    {"failed", "SELECT count(*) FROM project_partners AS pp JOIN projects AS "
               "x ON x.id = pp.project_id WHERE pp.partner_id = p.id AND "
               "x.status = 'failed'"},
    {"communications", "SELECT count(*) FROM communications AS x WHERE "
                       "x.partner_id = p.id"},
    {"last_contact", "SELECT max(x.at) FROM communications AS x WHERE "
                     "x.partner_id = p.id"},
    {"resources", "SELECT count(*) FROM resources AS x WHERE x.partner_id = "
                  "p.id"},
    {"outcomes", "SELECT count(*) FROM project_partners AS pp JOIN outcomes "
                 "AS x ON x.project_id = pp.project_id WHERE pp.partner_id = "
                 "p.id"},
    {"deals", "SELECT count(*) FROM deals AS x WHERE x.partner_id = p.id"},
    {"deals_won", "SELECT count(*) FROM deals AS x WHERE x.partner_id = p.id "
                  "AND x.status = 'won'"},
    {"deals_lost", "SELECT count(*) FROM deals AS x WHERE x.partner_id = "
                   "p.id AND x.status = 'lost'"},
    {"won_amount", "SELECT coalesce(sum(x.amount), 0) FROM deals AS x WHERE "
                   "x.partner_id = p.id AND x.status = 'won'"},
};
enum { PARTNER_FIGURES = sizeof partner_figures / sizeof *partner_figures };

const char *sqlm_partner_figure(const char *name)
{
    for (size_t i = 0; i < PARTNER_FIGURES; i++)
        if (strcmp(partner_figures[i].name, name) == 0)
            return partner_figures[i].counted;
    return NULL;
}

/* A partner has a row once something counts for it (an add makes it):
 * a partner with none reads as zeros, and adding a partner costs nothing
 * more. */
const char *sqlm_partner_tally_added(const prm_kind_info *info)
{
    switch (info->kind) {
    case PRM_COMMUNICATION:
        /* NULL >= at is not true: the first contact is kept */
        return "INSERT INTO prm_partner_tallies (partner_id, communications, "
               "last_contact) SELECT partner_id, 1, at FROM communications "
               "WHERE id = $1 ON CONFLICT (partner_id) DO UPDATE SET "
               "communications = communications + 1, last_contact = CASE WHEN "
               "last_contact >= excluded.last_contact THEN last_contact ELSE "
               "excluded.last_contact END";
    case PRM_RESOURCE:
        return "INSERT INTO prm_partner_tallies (partner_id, resources) SELECT "
               "partner_id, 1 FROM resources WHERE id = $1 ON CONFLICT "
               "(partner_id) DO UPDATE SET resources = resources + 1";
    case PRM_OUTCOME:
        return "INSERT INTO prm_partner_tallies (partner_id, outcomes) SELECT "
               "pp.partner_id, 1 FROM outcomes AS o JOIN project_partners AS "
               "pp ON pp.project_id = o.project_id WHERE o.id = $1 ON "
               "CONFLICT (partner_id) DO UPDATE SET outcomes = outcomes + 1";
    case PRM_DEAL:
        return "INSERT INTO prm_partner_tallies (partner_id, deals, deals_won, "
               "deals_lost, won_amount) SELECT partner_id, 1, status = 'won', "
               "status = 'lost', CASE WHEN status = 'won' THEN "
               "coalesce(amount, 0) ELSE 0 END FROM deals WHERE id = $1 ON "
               "CONFLICT (partner_id) DO UPDATE SET deals = deals + 1, "
               "deals_won = deals_won + excluded.deals_won, deals_lost = "
               "deals_lost + excluded.deals_lost, won_amount = won_amount + "
               "excluded.won_amount";
    default:
        /* a project counts for its partners as it is linked to them
         * (the links' trigger); a partner by itself counts nothing */
        return NULL;
    }
}

/* Each partner's figures counted a table at a time, for partners that
 * have any, in the table's columns: each table's rows grouped by partner
 * (read in partner order from its index), then the groups of a partner
 * added up.  Counted a partner at a time instead (partner_figures), a
 * million partners took minutes on a team database, and a team database
 * just loaded, before the server has its statistics, took minutes for a
 * hundred thousand. */
static void grouped_figures(sqlbuf *b)
{
    sql_add(b, "SELECT partner_id, sum(projects) AS projects, sum(succeeded) "
               "AS succeeded, sum(failed) AS failed, sum(communications) AS "
               "communications, max(last_contact) AS last_contact, "
               "sum(resources) AS resources, sum(outcomes) AS outcomes, "
               "sum(deals) AS deals, sum(deals_won) AS deals_won, "
               "sum(deals_lost) AS deals_lost, sum(won_amount) AS won_amount "
               "FROM (SELECT pp.partner_id AS partner_id, count(*) AS "
               "projects, count(*) FILTER (WHERE x.status = 'succeeded') AS "
               "succeeded, count(*) FILTER (WHERE x.status = 'failed') AS "
               "failed, 0 AS communications, CAST(NULL AS TEXT) AS "
               "last_contact, 0 AS resources, coalesce(sum(o.n), 0) AS "
               "outcomes, 0 AS deals, 0 AS deals_won, 0 AS deals_lost, 0 AS "
               "won_amount FROM project_partners AS pp JOIN projects AS x ON "
               "x.id = pp.project_id LEFT JOIN (SELECT project_id, count(*) AS "
               "n FROM outcomes GROUP BY project_id) AS o ON o.project_id = "
               "pp.project_id GROUP BY pp.partner_id UNION ALL SELECT "
               "partner_id, 0, 0, 0, count(*), max(at), 0, 0, 0, 0, 0, 0 FROM "
               "communications GROUP BY partner_id UNION ALL SELECT "
               "partner_id, 0, 0, 0, 0, NULL, count(*), 0, 0, 0, 0, 0 FROM "
               "resources GROUP BY partner_id UNION ALL SELECT partner_id, 0, "
               "0, 0, 0, NULL, 0, 0, count(*), count(*) FILTER (WHERE status "
               "= 'won'), count(*) FILTER (WHERE status = 'lost'), "
               "coalesce(sum(amount) FILTER (WHERE status = 'won'), 0) FROM "
               "deals GROUP BY partner_id) AS u GROUP BY partner_id");
}

/* Every partner's figures kept (k_NAME) beside the same counted again
 * (NAME), in one row a partner. */
static void kept_and_counted(sqlbuf *b, const sql_dialect *d)
{
    sql_add(b, "SELECT p.id AS partner_id");
    for (size_t i = 0; i < PARTNER_FIGURES; i++) {
        const char *name = partner_figures[i].name;
        if (strcmp(name, "last_contact") == 0)
            sql_add(b, ", g.last_contact AS last_contact, ");
        else
            sql_add(b, ", coalesce(g.%s, 0) AS %s, ", name, name);
        sqlm_add_figure(b, d, true, name);
        sql_add(b, " AS k_%s", name);
    }
    sqlm_add_partners_from(b, d, true);
    sql_add(b, " LEFT JOIN (");
    grouped_figures(b);
    sql_add(b, ") AS g ON g.partner_id = p.id");
}

/* The first partner whose kept figures differ from their recount (or
 * whose figures are kept but who is no more), as one row of the partner's
 * id, the figure's name and what differs. */
static void partner_recount(sqlbuf *b, const sql_dialect *d)
{
    sql_add(b, "SELECT * FROM (SELECT c.partner_id, CASE");
    for (size_t i = 0; i < PARTNER_FIGURES; i++)
        sql_add(b, " WHEN c.k_%s %s c.%s THEN '%s'", partner_figures[i].name,
                d->distinct, partner_figures[i].name,
                partner_figures[i].name);
    sql_add(b, " END AS figure, CASE");
    for (size_t i = 0; i < PARTNER_FIGURES; i++) {
        const char *name = partner_figures[i].name;
        sql_add(b, " WHEN c.k_%s %s c.%s THEN coalesce(CAST(c.k_%s AS TEXT), "
                   "'none') || ' kept, ' || coalesce(CAST(c.%s AS TEXT), "
                   "'none') || ' counted'",
                name, d->distinct, name, name, name);
    }
    sql_add(b, " END AS what FROM (");
    kept_and_counted(b, d);
    sql_add(b, ") AS c) AS d WHERE figure IS NOT NULL UNION ALL SELECT "
               "t.partner_id, 'all', 'kept for no partner' FROM "
               "prm_partner_tallies AS t WHERE NOT EXISTS (SELECT 1 FROM "
               "partners AS p WHERE p.id = t.partner_id) LIMIT 1");
}

static bool partner_differs(void *ctx, const char *const *cols, size_t ncols)
{
    prm_check_report *r = ctx;
    const char *figure = ncols > 1 && cols[1] ? cols[1] : "all";
    const char *what = ncols > 2 && cols[2] ? cols[2] : "";
    bool whole = strcmp(figure, "all") == 0;
    char what_differs[200];
    snprintf(what_differs, sizeof what_differs,
             "the figures kept for partner %s differ from a recount (%s%s%s): "
             "check repair=yes counts them again",
             cols[0], whole ? "" : figure, whole ? "" : ": ", what);
    store_check_problem(r, "%s", what_differs);
    return false; /* one is enough to say */
}

prm_code store_check_partner_tallies(prm_db *db, prm_check_report *r,
                                     prm_error *err)
{
    sqlbuf b = {.len = 0};
    partner_recount(&b, db->engine->dialect);
    if (b.overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return db->engine->rows(db, b.text, NULL, 0, partner_differs, r,
                            "recounting", err);
}

prm_code store_refill_partner_tallies(prm_db *db, prm_error *err)
{
    prm_code rc = db->engine->exec(db, "DELETE FROM prm_partner_tallies",
                                   NULL, 0, NULL, 0, NULL, "counting again",
                                   err);
    sqlbuf b = {.len = 0};
    sql_add(&b, "INSERT INTO prm_partner_tallies ");
    grouped_figures(&b);
    /* in the order a report of every partner reads them (a team
     * database keeps a table in the order it was written) */
    sql_add(&b, " ORDER BY partner_id");
    return rc != PRM_OK ? rc
                        : store_exec_built(db, &b, NULL, 0, NULL, 0, NULL,
                                           "counting again", err);
}
