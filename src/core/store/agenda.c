/*
 * agenda.c - the SQL of the agenda, one text for both engines: what needs
 * doing up to a day, from five sources in one ordered read.
 *
 * Each source is a SELECT of the same seven columns (kind, date, id,
 * partner, partner's name, label, extra) over an index on its date: open
 * tasks by (status, due), approved deals by (status, expires), projects
 * by status then due, and active partners with active work by their last
 * communication.  Parameters are numbered as they first appear, as
 * SQLite numbers $N.
 *
 * A file keeps the items of everyone's agenda (prm_agenda, schema.sql),
 * in date order, kept up to date as records change: that agenda is one
 * range of it (608,281 items at a million partners: 0.6-0.8 s, where the
 * five sources took 2.4-3.5 s).  An
 * agenda of one partner or owner, or with another quiet window, is still
 * worked out from the records; check compares what is kept with them.
 */
#include <stdio.h>
#include <string.h>

#include "store/engine.h"
#include "store/sql_metrics.h"

typedef struct agenda_sql {
    sqlbuf b;
    prm_value params[24];
    size_t n;
    const store_agenda_query *q;
    const sql_dialect *d;
} agenda_sql;

static size_t param(agenda_sql *a, prm_value v)
{
    if (a->n == sizeof a->params / sizeof *a->params) {
        a->b.overflow = true;
        return a->n;
    }
    a->params[a->n++] = v;
    return a->n;
}

static size_t text_param(agenda_sql *a, const char *s)
{
    return param(a, (prm_value){.type = PRM_V_TEXT, .s = s, .len = strlen(s)});
}

/* An approved deal whose protection has not ended, over the alias d. */
static void deal_live(agenda_sql *a)
{
    sql_add(&a->b, "d.status = 'approved' AND (d.expires IS NULL OR "
                   "d.expires > $%zu)", text_param(a, a->q->now));
}

/* The filters of one source, whose partner is the SQL partner and whose
 * partners' owner is owned (both over its own aliases). */
static void narrow(agenda_sql *a, const char *partner, const char *owned)
{
    if (a->q->has_partner)
        sql_add(&a->b, " AND %s = $%zu", partner,
                param(a, (prm_value){.type = PRM_V_INT, .i = a->q->partner}));
    if (a->q->owner != NULL && owned != NULL)
        sql_add(&a->b, " AND %s", owned);
    if (a->q->owner != NULL && owned != NULL)
        sql_add(&a->b, " = $%zu", text_param(a, a->q->owner));
}

#define PARTNER_OWNER(col) "(SELECT o.owner FROM partners AS o WHERE o.id = " col ")"

static void tasks(agenda_sql *a)
{
    /* A task's partner, else its deal's, else its project's first. */
    static const char partner[] =
        "coalesce(t.partner_id, (SELECT d.partner_id FROM deals AS d WHERE "
        "d.id = t.deal_id), (SELECT min(pp.partner_id) FROM project_partners "
        "AS pp WHERE pp.project_id = t.project_id))";
    sql_add(&a->b, "SELECT 'task' AS kind, t.due AS date, t.id AS id, %s AS "
                   "partner, t.title AS label, CAST(NULL AS text) AS extra "
                   "FROM tasks AS t WHERE t.status = 'open' AND t.due <= $%zu",
            partner, text_param(a, a->q->until));
    /* One partner's tasks found by id through the indexes of what they
     * refer to (an OR of the three would have PostgreSQL read every open
     * task's row: 0.9 s at 1M); the partner worked out above decides. */
    if (a->q->has_partner) {
        size_t p = param(a, (prm_value){.type = PRM_V_INT,
                                        .i = a->q->partner});
        sql_add(&a->b, " AND t.id IN (SELECT k.id FROM tasks AS k WHERE "
                       "k.partner_id = $%zu UNION ALL SELECT k.id FROM tasks "
                       "AS k JOIN deals AS d ON d.id = k.deal_id WHERE "
                       "d.partner_id = $%zu UNION ALL SELECT k.id FROM tasks "
                       "AS k JOIN project_partners AS pp ON pp.project_id = "
                       "k.project_id WHERE pp.partner_id = $%zu)",
                p, p, p);
    }
    narrow(a, partner, a->d->owners ? "t.owner" : NULL);
}

static void deals(agenda_sql *a, const char *kind, const char *column)
{
    sql_add(&a->b, " UNION ALL SELECT '%s', d.%s, d.id, d.partner_id, "
                   "d.customer, NULL FROM deals AS d WHERE ",
            kind, column);
    deal_live(a);
    sql_add(&a->b, " AND d.%s <= $%zu", column, text_param(a, a->q->until));
    narrow(a, "d.partner_id", PARTNER_OWNER("d.partner_id"));
}

static void projects(agenda_sql *a)
{
    sql_add(&a->b, " UNION ALL SELECT 'project_due', p.due, p.id, (SELECT "
                   "min(pp.partner_id) FROM project_partners AS pp WHERE "
                   "pp.project_id = p.id), p.name, NULL FROM projects AS p "
                   "WHERE p.status IN ('planned', 'active') AND p.due <= "
                   "$%zu",
            text_param(a, a->q->until));
    if (a->q->has_partner)
        sql_add(&a->b, " AND p.id IN (SELECT pp.project_id FROM "
                       "project_partners AS pp WHERE pp.partner_id = $%zu)",
                param(a, (prm_value){.type = PRM_V_INT, .i = a->q->partner}));
    if (a->q->owner != NULL)
        sql_add(&a->b, " AND p.id IN (SELECT pp.project_id FROM "
                       "project_partners AS pp JOIN partners AS o ON o.id = "
                       "pp.partner_id WHERE o.owner = $%zu)",
                text_param(a, a->q->owner));
}

/* Active partners with an active project or an active deal whose last
 * communication (else their created_at) is before quiet_before, dated
 * that contact plus quiet_days; the last contact kept where it is. */
static void quiet_partners(agenda_sql *a)
{
    sql_add(&a->b, " UNION ALL SELECT 'partner_quiet', ");
    char days[24];
    snprintf(days, sizeof days, "$%zu",
             param(a, (prm_value){.type = PRM_V_INT, .i = a->q->quiet_days}));
    sql_add(&a->b, a->d->add_days, "q.last", days);
    /* The partners with active work, found from the work (a fraction of
     * the partners: one set of the partners of active projects and live
     * deals, each partner then read by its id, rather than every active
     * partner tested against two sets, 2x as long), each partner's last
     * contact read once (the fence keeps the subquery whole). */
    bool kept = a->d->partner_tallies != NULL;
    sql_add(&a->b, ", q.id, q.id, q.name, q.last FROM (SELECT p.id, p.name, "
                   "coalesce(");
    sqlm_add_figure(&a->b, a->d, kept, "last_contact");
    sql_add(&a->b, ", p.created_at) AS last");
    sqlm_add_partners_from(&a->b, a->d, kept);
    if (a->q->has_partner) {
        /* one partner: its own work looked up, not everyone's */
        sql_add(&a->b, " WHERE p.status = 'active' AND (EXISTS (SELECT 1 "
                       "FROM project_partners AS pp JOIN projects AS j ON "
                       "j.id = pp.project_id WHERE pp.partner_id = p.id AND "
                       "j.status = 'active') OR EXISTS (SELECT 1 FROM deals "
                       "AS d WHERE d.partner_id = p.id AND (d.status = "
                       "'submitted' OR ");
        deal_live(a);
        sql_add(&a->b, ")))");
    } else {
        sql_add(&a->b, " WHERE p.status = 'active' AND p.id IN (SELECT "
                       "pp.partner_id FROM project_partners AS pp JOIN "
                       "projects AS j ON j.id = pp.project_id WHERE j.status "
                       "= 'active' UNION SELECT d.partner_id FROM deals AS d "
                       "WHERE d.status = 'submitted' OR ");
        deal_live(a);
        sql_add(&a->b, ")");
    }
    narrow(a, "p.id", a->d->owners ? "p.owner" : NULL);
    sql_add(&a->b, "%s) AS q WHERE q.last < $%zu", a->d->fence,
            text_param(a, a->q->quiet_before));
}

/* Whether the agenda asked for is the one the database keeps: everyone's
 * (no partner or owner picked out), in the quiet window kept. */
static bool kept(const sql_dialect *d, const store_agenda_query *q)
{
    return d->agenda_kept != NULL && !q->has_partner && q->owner == NULL &&
           q->quiet_days == d->agenda_kept_quiet_days;
}

/* The items kept, up to the last day asked for, in their order: one range
 * of the table's key, each with its partner's name.  A quiet partner is
 * kept dated by its last contact plus the window, so it is quiet when
 * that date has passed. */
static void kept_items(agenda_sql *a)
{
    sql_add(&a->b, "SELECT a.kind, a.date, a.id, a.partner, %s, a.label, "
                   "a.extra FROM %s AS a",
            a->q->names ? "a.partner_name" : "NULL", a->d->agenda_kept);
    size_t until = text_param(a, a->q->until);
    size_t now = text_param(a, a->q->now);
    sql_add(&a->b, " WHERE a.date <= $%zu AND (a.live_until IS NULL OR "
                   "a.live_until > $%zu) AND (a.kind <> 'partner_quiet' OR "
                   "a.date < $%zu) ORDER BY a.date, a.kind, a.id",
            until, now, now);
}

prm_code store_agenda(prm_db *db, const store_agenda_query *q,
                      store_text_row_fn fn, void *ctx, prm_error *err)
{
    agenda_sql a = {.b = {.len = 0}, .n = 0, .q = q,
                    .d = db->engine->dialect};
    if (kept(a.d, q)) {
        kept_items(&a);
        return db->engine->rows(db, a.b.text, a.params, a.n, fn, ctx,
                                "reading the agenda", err);
    }
    sql_add(&a.b, "SELECT u.kind, u.date, u.id, u.partner, %s, u.label, "
                  "u.extra FROM (",
            q->names ? "pn.name" : "NULL");
    tasks(&a);
    deals(&a, "deal_expiring", "expires");
    deals(&a, "deal_close", "close");
    projects(&a);
    quiet_partners(&a);
    /* a partner's name is a lookup an item: only for people */
    sql_add(&a.b, ") AS u%s ORDER BY u.date, u.kind, u.id",
            q->names ? " LEFT JOIN partners AS pn ON pn.id = u.partner" : "");
    if (a.b.overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return db->engine->rows(db, a.b.text, a.params, a.n, fn, ctx,
                            "reading the agenda", err);
}

/* --- the items kept: check and check repair=yes ------------------------- */

/* What the records' items (the views of schema.sql) and the items kept
 * have in common: how many the records make, one that is kept otherwise
 * or not at all (each record makes at most one item of a kind), and how
 * many are kept. */
enum { RECOUNT_TEXT = 64 };
typedef struct agenda_recount {
    char made[RECOUNT_TEXT], kept[RECOUNT_TEXT], differs[RECOUNT_TEXT];
} agenda_recount;

/* The first column of the first row, into a buffer of RECOUNT_TEXT. */
static bool first_text(void *ctx, const char *const *cols, size_t ncols)
{
    snprintf(ctx, RECOUNT_TEXT, "%s", ncols > 0 && cols[0] ? cols[0] : "");
    return false;
}

static bool made_and_differs(void *ctx, const char *const *cols, size_t ncols)
{
    agenda_recount *c = ctx;
    snprintf(c->made, sizeof c->made, "%s",
             ncols > 0 && cols[0] ? cols[0] : "");
    snprintf(c->differs, sizeof c->differs, "%s",
             ncols > 1 && cols[1] ? cols[1] : "");
    return false;
}

static prm_code agenda_read(prm_db *db, const sqlbuf *b, store_text_row_fn fn,
                            void *ctx, prm_error *err)
{
    if (b->overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return db->engine->rows(db, b->text, NULL, 0, fn, ctx,
                            "checking the agenda", err);
}

/* The records' items, each looked up among those kept: one pass over the
 * records (both sets compared both ways with EXCEPT, each made and
 * sorted twice, made check at a million partners 28 s longer, not 16). */
static prm_code recount_agenda(prm_db *db, const char *table,
                               agenda_recount *c, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT count(*), min(CASE WHEN k.id IS NULL");
    static const char *const columns[] = {"date", "partner", "partner_name",
                                          "label", "extra", "live_until"};
    for (size_t i = 0; i < sizeof columns / sizeof *columns; i++)
        sql_add(&b, " OR k.%s %s v.%s", columns[i],
                db->engine->dialect->distinct, columns[i]);
    sql_add(&b, " THEN v.kind || ' ' || v.id END) FROM %s_all AS v LEFT JOIN "
                "%s AS k ON k.kind = v.kind AND k.id = v.id",
            table, table);
    prm_code rc = agenda_read(db, &b, made_and_differs, c, err);
    b = (sqlbuf){.len = 0};
    sql_add(&b, "SELECT count(*) FROM %s", table);
    return rc != PRM_OK ? rc : agenda_read(db, &b, first_text, c->kept, err);
}

prm_code store_check_agenda(prm_db *db, prm_check_report *r, prm_error *err)
{
    const char *table = db->engine->dialect->agenda_kept;
    if (table == NULL)
        return PRM_OK;
    agenda_recount c = {.made = "", .kept = "", .differs = ""};
    prm_code rc = recount_agenda(db, table, &c, err);
    if (rc == PRM_OK && c.differs[0] == '\0' && strcmp(c.made, c.kept) != 0) {
        /* as many made as kept, all alike: the rest kept is not made */
        sqlbuf b = {.len = 0};
        sql_add(&b, "SELECT k.kind || ' ' || k.id FROM %s AS k WHERE NOT "
                    "EXISTS (SELECT 1 FROM %s_all AS v WHERE v.kind = k.kind "
                    "AND v.id = k.id) LIMIT 1",
                table, table);
        rc = agenda_read(db, &b, first_text, c.differs, err);
    }
    if (rc == PRM_OK && c.differs[0] != '\0') {
        char what[200];
        snprintf(what, sizeof what,
                 "the agenda kept differs from the records (%s): check "
                 "repair=yes makes it again",
                 c.differs);
        store_check_problem(r, "%s", what);
    }
    return rc;
}

prm_code store_refill_agenda(prm_db *db, prm_error *err)
{
    const char *table = db->engine->dialect->agenda_kept;
    if (table == NULL)
        return PRM_OK;
    sqlbuf b = {.len = 0};
    sql_add(&b, "DELETE FROM %s", table);
    prm_code rc = store_exec_built(db, &b, NULL, 0, NULL, 0, NULL,
                                   "making the agenda again", err);
    b = (sqlbuf){.len = 0};
    /* in the key's order: appended, not scattered */
    sql_add(&b, "INSERT INTO %s SELECT * FROM %s_all ORDER BY date, kind, id",
            table, table);
    return rc != PRM_OK ? rc
                        : store_exec_built(db, &b, NULL, 0, NULL, 0, NULL,
                                           "making the agenda again", err);
}
