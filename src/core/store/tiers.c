/*
 * tiers.c - the SQL of tier review, one text for both engines: for each
 * partner in scope and each tier, the partner's results over that tier's
 * window, each one indexed count or sum.
 *
 * A row per (partner, tier), partners in id order and each partner's
 * tiers from the highest rank down, so the core reads a partner's rows
 * together and never holds more than one partner's.  Parameters are
 * numbered as they first appear, as SQLite numbers $N.
 */
#include <string.h>

#include "store/engine.h"

/* The won deals, succeeded and failed projects and communications of
 * partner p since w.since (the tier's window). */
#define WON_DEALS                                                            \
    "FROM deals AS d WHERE d.partner_id = p.id AND d.status = 'won' AND "    \
    "d.closed_at >= w.since"
#define CLOSED_PROJECTS(status)                                              \
    "(SELECT count(*) FROM project_partners AS pp JOIN projects AS x ON "    \
    "x.id = pp.project_id WHERE pp.partner_id = p.id AND x.status = '"      \
    status "' AND x.updated_at >= w.since)"

prm_code store_tier_rows(prm_db *db, const store_scope *s, const char *now,
                         store_text_row_fn fn, void *ctx, prm_error *err)
{
    const sql_dialect *d = db->engine->dialect;
    prm_value p[5];
    size_t n = 0;
    sqlbuf b = {.len = 0};
    p[n++] = (prm_value){.type = PRM_V_TEXT, .s = now, .len = strlen(now)};
    sql_add(&b, "SELECT p.id, p.name, p.tier, w.id, (SELECT "
                "CAST(coalesce(sum(d.amount), 0) AS bigint) " WON_DEALS
                "), (SELECT count(*) " WON_DEALS "), " CLOSED_PROJECTS(
                    "succeeded") ", " CLOSED_PROJECTS("failed")
                ", (SELECT count(*) FROM communications AS c WHERE "
                "c.partner_id = p.id AND c.at >= w.since) FROM partners AS p "
                "CROSS JOIN (SELECT t.id, t.rank, ");
    sql_add(&b, d->add_days, "$1", "-coalesce(t.window_days, 365)");
    sql_add(&b, " AS since FROM tiers AS t) AS w WHERE TRUE");
    if (s->has_partner) {
        p[n++] = (prm_value){.type = PRM_V_INT, .i = s->partner};
        sql_add(&b, " AND p.id = $%zu", n);
    }
    const char *const text[3][2] = {{"type", s->type},
                                    {"region", s->region},
                                    {"status", s->status}};
    for (size_t i = 0; i < 3; i++)
        if (text[i][1] != NULL) {
            p[n++] = (prm_value){.type = PRM_V_TEXT, .s = text[i][1],
                                 .len = strlen(text[i][1])};
            sql_add(&b, " AND p.%s = $%zu", text[i][0], n);
        }
    sql_add(&b, " ORDER BY p.id, w.rank DESC");
    if (b.overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return db->engine->rows(db, b.text, p, n, fn, ctx, "reviewing tiers",
                            err);
}
