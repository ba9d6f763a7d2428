/*
 * partner_tallies.c - each partner's figures kept for report partners,
 * insights and the agenda (prm_partner_tallies, migration 011; files
 * only so far, a team database counts them as it reads): what a file
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

const char *sqlm_partner_tally_added(const prm_kind_info *info)
{
    switch (info->kind) {
    case PRM_PARTNER:
        return "INSERT INTO prm_partner_tallies (partner_id) VALUES ($1)";
    case PRM_COMMUNICATION:
        /* NULL >= at is not true: the first contact is kept */
        return "UPDATE prm_partner_tallies SET communications = "
               "communications + 1, last_contact = CASE WHEN last_contact >= "
               "c.at THEN last_contact ELSE c.at END FROM (SELECT partner_id, "
               "at FROM communications WHERE id = $1) AS c WHERE "
               "prm_partner_tallies.partner_id = c.partner_id";
    case PRM_RESOURCE:
        return "UPDATE prm_partner_tallies SET resources = resources + 1 "
               "WHERE partner_id = (SELECT partner_id FROM resources WHERE id "
               "= $1)";
    case PRM_OUTCOME:
        return "UPDATE prm_partner_tallies SET outcomes = outcomes + 1 WHERE "
               "partner_id IN (SELECT pp.partner_id FROM outcomes AS o JOIN "
               "project_partners AS pp ON pp.project_id = o.project_id WHERE "
               "o.id = $1)";
    case PRM_DEAL:
        return "UPDATE prm_partner_tallies SET deals = deals + 1, deals_won = "
               "deals_won + (d.status = 'won'), deals_lost = deals_lost + "
               "(d.status = 'lost'), won_amount = won_amount + CASE WHEN "
               "d.status = 'won' THEN coalesce(d.amount, 0) ELSE 0 END FROM "
               "(SELECT partner_id, status, amount FROM deals WHERE id = $1) "
               "AS d WHERE prm_partner_tallies.partner_id = d.partner_id";
    default:
        /* a project counts for its partners as it is linked to them
         * (the links' trigger) */
        return NULL;
    }
}

/* Every partner's figures counted from the tables: partner_id then the
 * figures in the table's order. */
static void counted_figures(sqlbuf *b)
{
    sql_add(b, "SELECT p.id AS partner_id");
    for (size_t i = 0; i < PARTNER_FIGURES; i++)
        sql_add(b, ", (%s) AS %s", partner_figures[i].counted,
                partner_figures[i].name);
    sql_add(b, " FROM partners AS p");
}

/* The first partner whose kept figures differ from their recount (or
 * that has none kept, or kept figures but no partner), as one row of the
 * partner's id, the figure's name, kept and counted. */
static void partner_recount(sqlbuf *b)
{
    sql_add(b, "SELECT * FROM (SELECT c.partner_id, CASE WHEN t.partner_id "
               "IS NULL THEN 'all'");
    for (size_t i = 0; i < PARTNER_FIGURES; i++)
        sql_add(b, " WHEN t.%s IS NOT c.%s THEN '%s'", partner_figures[i].name,
                partner_figures[i].name, partner_figures[i].name);
    sql_add(b, " END AS figure, CASE");
    for (size_t i = 0; i < PARTNER_FIGURES; i++)
        sql_add(b, " WHEN t.%s IS NOT c.%s THEN t.%s || ' kept, ' || "
                   "coalesce(c.%s, 'none') || ' counted'",
                partner_figures[i].name, partner_figures[i].name,
                partner_figures[i].name, partner_figures[i].name);
    sql_add(b, " END AS what FROM (");
    counted_figures(b);
    sql_add(b, ") AS c LEFT JOIN prm_partner_tallies AS t ON t.partner_id = "
               "c.partner_id) AS d WHERE figure IS NOT NULL UNION ALL SELECT "
               "t.partner_id, 'all', 'kept for no partner' FROM "
               "prm_partner_tallies AS t WHERE NOT EXISTS (SELECT 1 FROM "
               "partners AS p WHERE p.id = t.partner_id) LIMIT 1");
}

static bool partner_differs(void *ctx, const char *const *cols, size_t ncols)
{
    prm_check_report *r = ctx;
    const char *figure = ncols > 1 && cols[1] ? cols[1] : "all";
    const char *what = ncols > 2 && cols[2] ? cols[2] : "none kept";
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
    partner_recount(&b);
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
    counted_figures(&b);
    return rc != PRM_OK ? rc
                        : store_exec_built(db, &b, NULL, 0, NULL, 0, NULL,
                                           "counting again", err);
}
