/*
 * shared.c - what both engines do with the same SQL, written once on the
 * engine's exec (one statement, values bound, a row of integers back):
 * whether a record exists, a record by its name, what refers to a record,
 * whether the database is empty, the id map of an import, and the change
 * undo takes back next.
 */
#include <stdio.h>
#include <string.h>

#include "store/engine.h"

/* A value to bind: an id, or a kind's number. */
static prm_value int_value(int64_t i)
{
    return (prm_value){.type = PRM_V_INT, .i = i};
}

prm_code store_exec_built(prm_db *db, const sqlbuf *b, const prm_value *p,
                          size_t np, int64_t *out, size_t nout, bool *got,
                          const char *what, prm_error *err)
{
    if (b->overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return db->engine->exec(db, b->text, p, np, out, nout, got, what, err);
}

/* Both lookups ask the database once a batch for each reference
 * (refs.c). */
prm_code store_exists(prm_db *db, const prm_kind_info *info, int64_t id,
                      bool *found, prm_error *err)
{
    *found = store_refs_known_id(db, info, id);
    if (*found)
        return PRM_OK;
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT count(*) FROM %s WHERE id = $1", store_table(info));
    prm_value p = int_value(id);
    int64_t n = 0;
    prm_code rc = store_exec_built(db, &b, &p, 1, &n, 1, NULL, "counting", err);
    *found = n != 0;
    if (rc == PRM_OK && *found)
        store_refs_keep_id(db, info, id);
    return rc;
}

prm_code store_find_name(prm_db *db, const prm_kind_info *info,
                         const char *name, int64_t *id, bool *found,
                         prm_error *err)
{
    *found = false;
    if (prm_field_find(info, "name") == NULL)
        return PRM_OK;
    *found = store_refs_known_name(db, info, name, id);
    if (*found)
        return PRM_OK;
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT id FROM %s WHERE %s", store_table(info),
            db->engine->dialect->name_equals);
    prm_value p = {.type = PRM_V_TEXT, .s = name, .len = strlen(name)};
    prm_code rc = store_exec_built(db, &b, &p, 1, id, 1, found,
                                   "looking up a name", err);
    if (rc == PRM_OK && *found)
        store_refs_keep_name(db, info, name, *id);
    return rc;
}

prm_code store_deps_of(prm_db *db, const prm_kind_info *info, int64_t id,
                       store_deps *deps, prm_error *err)
{
    *deps = (store_deps){0};
    const char *sql = store_deps_sql(info);
    if (sql == NULL)
        return PRM_OK;
    prm_value p = int_value(id);
    return db->engine->exec(db, sql, &p, 1, deps->n, PRM_KIND_COUNT, NULL,
                            "counting", err);
}

prm_code store_clear(prm_db *db, prm_error *err)
{
    /* Children first: a claim names its request and resource. */
    static const char *const tables[] = {
        "claims", "requests", "funds", "tiers", "tasks", "outcomes",
        "communications", "resources", "deals", "project_partners",
        "projects", "partners"};
    char sql[64];
    prm_code rc = PRM_OK;
    for (size_t i = 0; i < sizeof tables / sizeof *tables && rc == PRM_OK;
         i++) {
        snprintf(sql, sizeof sql, "DELETE FROM %s", tables[i]);
        rc = db->engine->exec(db, sql, NULL, 0, NULL, 0, NULL, "clearing",
                              err);
    }
    return rc;
}

prm_code store_is_empty(prm_db *db, bool *empty, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT CAST((");
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        sql_add(&b, "%sEXISTS (SELECT 1 FROM %s)", k ? " OR " : "",
                store_table(prm_kind_get((prm_kind)k)));
    sql_add(&b, ") AS integer)");
    int64_t n = 1;
    prm_code rc = store_exec_built(db, &b, NULL, 0, &n, 1, NULL, "counting",
                                   err);
    *empty = n == 0;
    return rc;
}

prm_code store_map_put(prm_db *db, prm_kind kind, int64_t old, int64_t new_id,
                       prm_error *err)
{
    prm_value p[3] = {int_value(kind), int_value(old), int_value(new_id)};
    prm_code rc = db->engine->exec(db,
                                   "INSERT INTO prm_import_map (kind, old, "
                                   "new) VALUES ($1, $2, $3)",
                                   p, 3, NULL, 0, NULL, "importing", err);
    if (rc == PRM_ECONFLICT)
        return prm_error_set(err, PRM_ECONFLICT, "id %lld appears twice",
                             (long long)old);
    return rc;
}

prm_code store_map_get(prm_db *db, prm_kind kind, int64_t old,
                       int64_t *new_id, bool *found, prm_error *err)
{
    prm_value p[2] = {int_value(kind), int_value(old)};
    return db->engine->exec(db,
                            "SELECT new FROM prm_import_map WHERE kind = $1 "
                            "AND old = $2",
                            p, 2, new_id, 1, found, "importing", err);
}

bool store_bulk_begin(prm_db *db)
{
    if (db->engine->bulk_begin == NULL)
        return false;
    db->engine->bulk_begin(db);
    return true;
}

prm_code store_bulk_flush(prm_db *db, prm_error *err)
{
    return db->engine->bulk_flush != NULL ? db->engine->bulk_flush(db, err)
                                          : PRM_OK;
}

void store_bulk_end(prm_db *db)
{
    if (db->engine->bulk_end != NULL)
        db->engine->bulk_end(db);
}

prm_code store_last_change(prm_db *db, int64_t *change, prm_error *err)
{
    return db->engine->exec(
        db,
        "SELECT coalesce((SELECT a.change FROM audit AS a WHERE a.undoes IS "
        "NULL AND NOT EXISTS (SELECT 1 FROM audit AS u WHERE u.undoes = "
        "a.change) ORDER BY a.id DESC LIMIT 1), 0)",
        NULL, 0, change, 1, NULL, "reading the audit log", err);
}

prm_code store_deal_conflict(prm_db *db, int64_t deal, bool own,
                             bool protected_only, int64_t *other,
                             prm_error *err)
{
    sqlbuf b = {.len = 0};
    store_deal_conflict_sql(&b, own, protected_only);
    prm_value p = int_value(deal);
    *other = 0;
    return store_exec_built(db, &b, &p, 1, other, 1, NULL,
                            "looking for conflicts", err);
}

/* --- money ---------------------------------------------------------------- */

prm_code store_lock(prm_db *db, const prm_kind_info *info, int64_t id,
                    prm_error *err)
{
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT id FROM %s WHERE id = $1%s", store_table(info),
            db->engine->dialect->lock_row);
    prm_value p = int_value(id);
    return store_exec_built(db, &b, &p, 1, NULL, 0, NULL, "locking", err);
}

prm_code store_fund_available(prm_db *db, int64_t fund, int64_t *cents,
                              prm_error *err)
{
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT %s FROM funds AS t WHERE t.id = $1",
            store_fund_sql("available"));
    prm_value p = int_value(fund);
    *cents = 0;
    return store_exec_built(db, &b, &p, 1, cents, 1, NULL,
                            "reading the fund", err);
}

prm_code store_request_claims(prm_db *db, int64_t request, int64_t sums[2],
                              prm_error *err)
{
    prm_value p = int_value(request);
    sums[0] = sums[1] = 0;
    return db->engine->exec(
        db,
        "SELECT CAST(coalesce(sum(CASE WHEN status <> 'rejected' THEN amount "
        "END), 0) AS bigint), CAST(coalesce(sum(CASE WHEN status = 'paid' "
        "THEN amount END), 0) AS bigint) FROM claims WHERE request_id = $1",
        &p, 1, sums, 2, NULL, "reading the claims", err);
}

prm_code store_money_check(prm_db *db, store_money_problems *p,
                           prm_error *err)
{
    /* Each rule: the SQL that counts what breaks it (and the first),
     * and how to say so. */
    static const struct money_rule {
        const char *sql, *what;
    } rules[STORE_MONEY_RULES] = {
        {"SELECT count(*), coalesce(min(t.id), 0) FROM funds AS t WHERE %s "
         "< 0",
         "fund %lld is overdrawn: its approved requests add up to more than "
         "its amount (funds so: %lld)"},
        {"SELECT count(*), coalesce(min(r.id), 0) FROM requests AS r WHERE "
         "(SELECT coalesce(sum(c.amount), 0) FROM claims AS c WHERE "
         "c.request_id = r.id AND c.status <> 'rejected') > "
         "coalesce(r.approved_amount, 0)",
         "request %lld is over-claimed: its claims not rejected add up to "
         "more than its approved amount (requests so: %lld)"},
        {"SELECT count(*), coalesce(min(id), 0) FROM claims WHERE status = "
         "'paid' AND resource_id IS NULL",
         "claim %lld is paid but its payment's resource is missing (claims "
         "so: %lld)"},
    };
    prm_code rc = PRM_OK;
    for (int i = 0; i < STORE_MONEY_RULES && rc == PRM_OK; i++) {
        int64_t out[2] = {0, 0};
        sqlbuf b = {.len = 0};
        sql_add(&b, rules[i].sql, store_fund_sql("available"));
        rc = store_exec_built(db, &b, NULL, 0, out, 2, NULL,
                              "checking the funds", err);
        p->count[i] = out[0];
        p->first[i] = out[1];
        p->what[i] = rules[i].what;
    }
    return rc;
}

prm_code store_fund_terms(prm_db *db, int64_t fund, store_text_row_fn fn,
                          void *ctx, prm_error *err)
{
    prm_value p = int_value(fund);
    return db->engine->rows(db,
                            "SELECT name, currency, request_by, claim_by, "
                            "amount FROM funds WHERE id = $1",
                            &p, 1, fn, ctx, "reading the fund", err);
}

prm_code store_fund_fractions(prm_db *db, int64_t fund, int64_t *n,
                              prm_error *err)
{
    prm_value p = int_value(fund);
    *n = 0;
    return db->engine->exec(
        db,
        "SELECT (SELECT count(*) FROM requests WHERE fund_id = $1 AND "
        "(amount % 100 <> 0 OR coalesce(approved_amount, 0) % 100 <> 0)) + "
        "(SELECT count(*) FROM claims AS c JOIN requests AS r ON r.id = "
        "c.request_id WHERE r.fund_id = $1 AND c.amount % 100 <> 0)",
        &p, 1, n, 1, NULL, "reading the fund", err);
}

char *store_json_escape(char *out, const char *s, size_t len)
{
    static const char short_escape[0x20] = {['\b'] = 'b', ['\t'] = 't',
                                            ['\n'] = 'n', ['\f'] = 'f',
                                            ['\r'] = 'r'};
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out++ = (char)c;
            continue;
        }
        *out++ = '\\';
        if (c >= 0x20)
            *out++ = (char)c;
        else if (short_escape[c])
            *out++ = short_escape[c];
        else {
            memcpy(out, "u00", 3);
            out[3] = hex[c >> 4];
            out[4] = hex[c & 0xf];
            out += 5;
        }
    }
    return out;
}
