/*
 * records.c - records on a team database: reading (fetch, list with
 * filters, names for completion), writing (insert, update, the unchanged
 * check, delete with its cascade) and the id map of an import.  Row-level
 * security decides what a user sees and may change; a write that touches
 * no row of a record that exists was refused by it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_db.h"

/* --- reading records ------------------------------------------------------- */

/* The names after the fields, when the result has them. */
static void row_ref_names(const PGresult *res, int row,
                          const prm_kind_info *info, store_record *rec)
{
    int col = (int)info->nfields + store_shows_owner(info, true);
    bool named = PQnfields(res) > col;
    for (size_t i = 0; i < info->nfields; i++) {
        rec->ref_name[i] = NULL;
        if (named && store_is_ref(&info->fields[i])) {
            if (!PQgetisnull(res, row, col))
                rec->ref_name[i] = PQgetvalue(res, row, col);
            col++;
        }
    }
}

static prm_code row_to_record(pg_db *db, const prm_kind_info *info,
                              const PGresult *res, int row, store_record *rec,
                              prm_error *err)
{
    store_record_init(rec, info);
    for (size_t i = 0; i < info->nfields; i++) {
        prm_value *v = &rec->v[i];
        *v = (prm_value){.type = PRM_V_NULL};
        if (PQgetisnull(res, row, (int)i))
            continue;
        const char *text = PQgetvalue(res, row, (int)i);
        switch (info->fields[i].type) {
        case PRM_F_PARTNER_LIST:
        case PRM_F_ID_LIST: {
            prm_code rc = store_parse_ids(text, &db->ids, &db->ids_cap,
                                          &v->nids, err);
            if (rc != PRM_OK)
                return rc;
            v->type = PRM_V_IDS;
            v->ids = db->ids;
            break;
        }
        case PRM_F_ID:
        case PRM_F_PERCENT:
        case PRM_F_COUNT:
        case PRM_F_PARTNER_REF:
        case PRM_F_PROJECT_REF:
        case PRM_F_REF:
            v->type = PRM_V_INT;
            v->i = strtoll(text, NULL, 10);
            break;
        case PRM_F_MONEY:
            v->type = PRM_V_MONEY;
            v->i = strtoll(text, NULL, 10);
            break;
        case PRM_F_NUMBER:
        case PRM_F_RATIO:
            v->type = PRM_V_REAL;
            v->r = strtod(text, NULL);
            break;
        default:
            v->type = PRM_V_TEXT;
            v->s = text;
            v->len = (size_t)PQgetlength(res, row, (int)i);
        }
    }
    if (store_shows_owner(info, true) && !PQgetisnull(res, row, (int)info->nfields))
        rec->rec.owner = PQgetvalue(res, row, (int)info->nfields);
    row_ref_names(res, row, info, rec);
    return PRM_OK;
}

static prm_code each_row(pg_db *db, const prm_kind_info *info,
                         const PGresult *res, prm_record_fn fn, void *ctx,
                         prm_error *err)
{
    for (int r = 0; r < PQntuples(res); r++) {
        store_record rec;
        prm_code rc = row_to_record(db, info, res, r, &rec, err);
        if (rc != PRM_OK)
            return rc;
        if (!fn(ctx, &rec.rec))
            break;
    }
    return PRM_OK;
}

prm_code pg_fetch(prm_db *base, const prm_kind_info *info, int64_t id,
                         prm_record_fn fn, void *ctx, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    sqlbuf b = {.len = 0};
    store_select_list(&b, info, true, &sqlm_pg_dialect);
    sql_add(&b, " WHERE t.id = $1");
    pg_params p = {.n = 0};
    pgp_int(&p, id);
    PGresult *res;
    prm_code rc = pg_query(db, b.text, &p, &res, err);
    if (rc != PRM_OK)
        return rc;
    if (PQntuples(res) == 0)
        rc = prm_error_set(err, PRM_ENOT_FOUND, "no %s with id %lld",
                           info->name, (long long)id);
    else
        rc = each_row(db, info, res, fn, ctx, err);
    PQclear(res);
    return rc;
}



typedef struct list_rows {
    pg_db *db;
    const prm_kind_info *info;
    prm_record_fn fn;
    void *ctx;
} list_rows;

static prm_code list_row(void *ctx, const PGresult *res, int r, bool *stop,
                         prm_error *err)
{
    list_rows *l = ctx;
    store_record rec;
    prm_code rc = row_to_record(l->db, l->info, res, r, &rec, err);
    if (rc == PRM_OK && !l->fn(l->ctx, &rec.rec))
        *stop = true;
    return rc;
}

prm_code pg_list(prm_db *base, const prm_kind_info *info,
                 const store_filter *filters, size_t nfilters, bool names,
                 prm_record_fn fn, void *ctx, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    sqlbuf b = {.len = 0};
    store_where w;
    prm_code rc = store_list_sql(&b, info, filters, nfilters, names,
                                 &sqlm_pg_dialect, &w, err);
    if (rc != PRM_OK)
        return rc;
    pg_params p = {.n = 0};
    for (size_t i = 0; i < w.n; i++)
        pgp_value(&p, &w.params[i]);
    list_rows rows = {.db = db, .info = info, .fn = fn, .ctx = ctx};
    rc = pg_query_rows(db, b.text, &p, list_row, &rows, err);
    pgp_free(&p);
    store_where_free(&w);
    return rc;
}

/* Names of a kind that start with prefix, for tab completion. */
prm_code pg_names(prm_db *base, const prm_kind_info *info,
                         const char *prefix,
                         bool (*fn)(void *ctx, const char *name), void *ctx,
                         prm_error *err)
{
    pg_db *db = (pg_db *)base;
    if (prm_field_find(info, "name") == NULL)
        return PRM_OK;
    char *pattern = store_like_prefix(prefix);
    if (pattern == NULL)
        return prm_error_nomem(err);
    sqlbuf b = {.len = 0};
    sql_add(&b,
            "SELECT name FROM %s WHERE lower(name COLLATE \"C\") LIKE "
            "lower($1 COLLATE \"C\") ESCAPE '\\' ORDER BY lower(name COLLATE "
            "\"C\"), name LIMIT 1000",
            store_table(info));
    pg_params p = {.n = 0};
    pgp_str(&p, pattern);
    PGresult *res;
    prm_code rc = pg_query(db, b.text, &p, &res, err);
    free(pattern);
    if (rc != PRM_OK)
        return rc;
    for (int r = 0; r < PQntuples(res); r++)
        if (!fn(ctx, PQgetvalue(res, r, 0)))
            break;
    PQclear(res);
    return PRM_OK;
}

/* --- writing records ------------------------------------------------------- */

/* Links of a new or changed project: first to the partners the user owns,
 * so that row security sees the project as theirs for the others.  A
 * change keeps the links that stay, so that the audit log shows only the
 * partners that left or joined. */
prm_code pg_set_partners(prm_db *base, int64_t project,
                         const prm_value *list, bool replace, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    if (db->bulk.on && !replace)
        return pg_bulk_links(db, project, list, err);
    char *array = store_id_array(list, '{', '}');
    if (array == NULL)
        return prm_error_nomem(err);
    pg_params p = {.n = 0};
    pgp_int(&p, project);
    pgp_str(&p, array);
    prm_code rc = PRM_OK;
    if (replace)
        rc = pg_run(db,
                    "DELETE FROM project_partners WHERE project_id = $1 AND "
                    "NOT (partner_id = ANY ($2::bigint[]))",
                    &p, err);
    for (int mine = 1; mine >= 0 && rc == PRM_OK; mine--)
        rc = pg_run(db,
                    mine ? "INSERT INTO project_partners (project_id, "
                           "partner_id) SELECT $1, id FROM partners WHERE id "
                           "= ANY ($2::bigint[]) AND owner = current_user "
                           "AND id NOT IN (SELECT partner_id FROM "
                           "project_partners WHERE project_id = $1) "
                           "ORDER BY id"
                         : "INSERT INTO project_partners (project_id, "
                           "partner_id) SELECT $1, id FROM partners WHERE id "
                           "= ANY ($2::bigint[]) AND owner <> current_user "
                           "AND id NOT IN (SELECT partner_id FROM "
                           "project_partners WHERE project_id = $1) "
                           "ORDER BY id",
                    &p, err);
    pgp_free(&p);
    free(array);
    return rc;
}

prm_code pg_insert(prm_db *base, const prm_kind_info *info,
                   const store_row *row, const store_row *plain, int64_t *id,
                   prm_error *err)
{
    (void)plain; /* the server's trigger keeps every command */
    pg_db *db = (pg_db *)base;
    if (db->bulk.on)
        return pg_bulk_insert(db, info, row, id, err);
    const char *now = store_now(base);
    prm_value stamp = {.type = PRM_V_TEXT, .s = now, .len = strlen(now)};
    /* counted under the writers' lock */
    prm_value next = {.type = PRM_V_INT, .i = db->next_id[info->kind]};
    sqlbuf cols = {.len = 0}, vals = {.len = 0};
    store_insert_sql(&cols, info, &vals);
    pg_params p = {.n = 0};
    for (size_t i = 0; i < info->nfields; i++)
        if (store_column(&info->fields[i]) != NULL)
            pgp_value(&p, store_insert_value(info, row, i, &next, &stamp));
    sqlbuf b = {.len = 0};
    struct pg_deferred *settings = pg_take_settings(db);
    if (settings == NULL) {
        sql_add(&b, "%s VALUES (%s) RETURNING id", cols.text, vals.text);
    } else {
        /* The row is made only once the settings are set, before any
         * trigger of the INSERT fires. */
        int k = p.n;
        for (int i = 0; i < settings->params.n; i++)
            pgp_str(&p, settings->params.values[i]);
        sql_add(&b,
                "%s SELECT %s FROM (SELECT set_config('prm.command', $%d, "
                "true), set_config('prm.now', $%d, true), "
                "set_config('prm.undoes', $%d, true), set_config('prm.change', "
                "$%d, true)) AS prm_settings RETURNING id",
                cols.text, vals.text, k + 1, k + 2, k + 3, k + 4);
    }
    PGresult *res;
    prm_code rc = pg_query_built(db, &b, &p, &res, err);
    pgp_free(&p);
    if (settings != NULL)
        pgp_free(&settings->params);
    if (rc != PRM_OK)
        return rc;
    *id = pg_int(res, 0, 0);
    PQclear(res);
    if (*id >= db->next_id[info->kind])
        db->next_id[info->kind] = *id + 1;
    return PRM_OK;
}

/* Counted under the writers' lock, as pg_insert numbers records. */
prm_code pg_next_id(prm_db *base, const prm_kind_info *info, int64_t *id,
                    prm_error *err)
{
    (void)err;
    *id = ((pg_db *)base)->next_id[info->kind];
    return PRM_OK;
}

/* encrypt on and off: an admin's, in a transaction the server marks
 * (prm_reseal_begin) so that its audit trigger lets through the updates
 * that only seal or open values, and prm_reseal_audit rewrites the log's
 * entries the same way (schema_pg.sql). */
prm_code pg_reseal_begin(prm_db *base, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    if (strcmp(db->role, "admin") != 0)
        return prm_error_set(err, PRM_EFORBIDDEN,
                             "%s, a %s here, may not turn encryption on or "
                             "off: an admin's",
                             db->base.user, db->role);
    return base->engine->exec(base, "SELECT prm_reseal_begin()", NULL, 0,
                              NULL, 0, NULL, "sealing", err);
}

prm_code pg_reseal_end(prm_db *base, prm_error *err)
{
    return base->engine->exec(base, "SELECT prm_reseal_end()", NULL, 0, NULL,
                              0, NULL, "sealing", err);
}

/* Zero rows written to a record that exists: row security hid it. */
prm_code pg_hidden_row(prm_db *base, const prm_kind_info *info, int64_t id,
                       prm_error *err)
{
    pg_db *db = (pg_db *)base;
    return prm_error_set(err, PRM_EFORBIDDEN,
                         "%s, a %s here, may not change %s %lld: %s",
                         db->base.user, db->role, info->name, (long long)id,
                         pg_role_limit(db));
}
