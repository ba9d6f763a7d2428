/*
 * write.c - changing records, with the SQL both engines share: the
 * columns and values of an insert (each engine runs it its own way: SQLite
 * writes the audit entry itself, PostgreSQL's triggers do and its settings
 * ride along), an update, whether an update would change anything, a
 * delete with its cascade, and the import's id map table.
 *
 * Every statement goes through the engine's exec.  A write that touches no
 * row of a record that exists was hidden by row security on a team
 * database: the engine's hidden() says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/engine.h"
#include "store/seal.h"

/* The parameter a field's value has in store_insert_sql: its place
 * among the fields that have a column. */
static size_t insert_param(const prm_kind_info *info, const char *field)
{
    size_t n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        if (store_column(&info->fields[i]) == NULL)
            continue;
        n++;
        if (strcmp(info->fields[i].name, field) == 0)
            return n;
    }
    return 0;
}

/* The column of parameter n of store_insert_sql. */
static const char *insert_column(const prm_kind_info *info, size_t n)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        if (col != NULL && --n == 0)
            return col;
    }
    return NULL;
}

void store_insert_sql(sqlbuf *b, const prm_kind_info *info, sqlbuf *values)
{
    sql_add(b, "INSERT INTO %s (", store_table(info));
    size_t n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        if (col == NULL)
            continue;
        sql_add(b, "%s\"%s\"", n ? ", " : "", col);
        sql_add(values, "%s$%zu", n ? ", " : "", n + 1);
        n++;
    }
    const store_derived *d;
    size_t nd = store_derived_of(info, &d);
    for (size_t i = 0; i < nd; i++) {
        sql_add(b, ", \"%s\"", d[i].column);
        sql_add(values, ", %s(CAST($%zu AS text))", d[i].function,
                insert_param(info, d[i].field));
    }
    sql_add(b, ")");
}

void store_insert_select_sql(sqlbuf *b, const prm_kind_info *info,
                             const char *from)
{
    sqlbuf values = {.len = 0};
    store_insert_sql(b, info, &values);
    sql_add(b, " SELECT ");
    /* $N is the Nth column after prm_seq */
    for (const char *p = values.text; *p != '\0'; p++) {
        if (*p != '$') {
            sql_add(b, "%c", *p);
            continue;
        }
        size_t n = (size_t)strtoul(p + 1, (char **)&p, 10);
        p--;
        sql_add(b, "s.\"%s\"", insert_column(info, n));
    }
    sql_add(b, " FROM %s AS s ORDER BY s.prm_seq", from);
}

const prm_value *store_insert_value(const prm_kind_info *info,
                                    const store_row *row, size_t i,
                                    const prm_value *id, const prm_value *now)
{
    const prm_field *f = &info->fields[i];
    if (row->set[i])
        return &row->v[i];
    if (f->type == PRM_F_ID)
        return id;
    if (f->flags & PRM_FF_STAMP)
        return now;
    return &row->v[i]; /* the add's default, or NULL */
}

/* A write that failed: a name taken is the user's conflict, worded so. */
static prm_code write_failed(prm_db *db, prm_code rc, const prm_kind_info *info,
                             const store_row *row, prm_error *err)
{
    int name = prm_field_index(info, "name");
    int rank = prm_field_index(info, "rank"); /* a tier's, also unique */
    bool unique = rc == PRM_ECONFLICT &&
                  strstr(err->message, db->engine->dialect->unique_failed);
    if (unique && rank >= 0 && row->set[rank] &&
        strstr(err->message, "rank") != NULL)
        return prm_error_set(err, PRM_ECONFLICT,
                             "a %s of rank %lld already exists; ranks are "
                             "unique",
                             info->name, (long long)row->v[rank].i);
    /* the id (an import keeps the file's): SQLite names the column,
     * PostgreSQL the primary key */
    int idf = prm_field_index(info, "id");
    char column[64];
    snprintf(column, sizeof column, "%s.id", store_table(info));
    if (unique && idf >= 0 && row->set[idf] &&
        (strstr(err->message, column) != NULL ||
         strstr(err->message, "_pkey") != NULL))
        return prm_error_set(err, PRM_ECONFLICT,
                             "a %s with id %lld already exists", info->name,
                             (long long)row->v[idf].i);
    if (unique && name >= 0 && row->set[name])
        return prm_error_set(err, PRM_ECONFLICT,
                             "a %s named '%.*s' already exists; names are "
                             "unique, without regard to case",
                             info->name, (int)row->v[name].len,
                             row->v[name].s);
    return rc;
}

/* Record id exists (the core looked) but the write touched no row. */
static prm_code untouched(prm_db *db, const prm_kind_info *info, int64_t id,
                          prm_error *err)
{
    if (db->engine->hidden == NULL)
        return PRM_OK;
    return db->engine->hidden(db, info, id, err);
}

/* Whether an update writes field f when the row sets it: every field
 * but the id and the time stamps.  A field prm sets (a deal's status) is
 * set by the core's own verbs; the front end refuses it from a user. */
static bool core_writable(const prm_field *f)
{
    return f->type != PRM_F_ID && !(f->flags & PRM_FF_STAMP);
}

static bool is_partner_list(const prm_field *f)
{
    return f->type == PRM_F_PARTNER_LIST;
}

/* Who a project's partners are, when row sets them: its links, kept
 * where they stay, so that the audit log shows only the partners that
 * left or joined (engine: links are written the engine's way). */
static prm_code relink(prm_db *db, const prm_kind_info *info, int64_t id,
                       const store_row *row, bool replace, prm_error *err)
{
    for (size_t i = 0; i < info->nfields; i++)
        if (is_partner_list(&info->fields[i]) && (row->set[i] || !replace))
            return db->engine->set_partners(db, id, &row->v[i], replace, err);
    return PRM_OK;
}

/* UPDATE t SET "col" = $1, ..., updated_at = $k WHERE id = $k+1: only the
 * fields row sets, numbered as they appear (SQLite numbers its named
 * parameters so). */
static prm_code update_row(prm_db *db, const prm_kind_info *info, int64_t id,
                           const store_row *row, prm_error *err);

/* With encryption on, sensitive values are sealed for the record (seal.h)
 * before they are written. */
prm_code store_update(prm_db *db, const prm_kind_info *info, int64_t id,
                      const store_row *row, prm_error *err)
{
    if (!store_sealing(db) || !store_row_has_sensitive(info, row))
        return update_row(db, info, id, row, err);
    store_sealed_row sealed;
    prm_code rc = store_seal_row(db, info, id, row, &sealed, err);
    if (rc == PRM_OK)
        rc = update_row(db, info, id, &sealed.row, err);
    store_sealed_free(&sealed);
    return rc;
}

static prm_code update_row(prm_db *db, const prm_kind_info *info, int64_t id,
                           const store_row *row, prm_error *err)
{
    sqlbuf b = {.len = 0};
    prm_value p[2 * STORE_MAX_FIELDS + 2];
    size_t n = 0;
    sql_add(&b, "UPDATE %s SET ", store_table(info));
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        if (col == NULL || !core_writable(f) || !row->set[i])
            continue;
        p[n++] = row->v[i];
        sql_add(&b, "%s\"%s\" = $%zu", n > 1 ? ", " : "", col, n);
    }
    const store_derived *d;
    size_t nd = store_derived_of(info, &d);
    for (size_t k = 0; k < nd; k++) {
        int i = prm_field_index(info, d[k].field);
        if (i < 0 || !row->set[i])
            continue;
        p[n++] = row->v[i];
        sql_add(&b, "%s\"%s\" = %s(CAST($%zu AS text))", n > 1 ? ", " : "",
                d[k].column, d[k].function, n);
    }
    if (prm_field_index(info, "updated_at") >= 0) {
        const char *now = store_now(db);
        p[n++] = (prm_value){.type = PRM_V_TEXT, .s = now, .len = strlen(now)};
        sql_add(&b, "%supdated_at = $%zu", n > 1 ? ", " : "", n);
    }
    prm_code rc = PRM_OK;
    if (n > 0) {
        p[n++] = (prm_value){.type = PRM_V_INT, .i = id};
        sql_add(&b, " WHERE id = $%zu RETURNING id", n);
        bool got = false;
        rc = store_exec_built(db, &b, p, n, NULL, 0, &got, "writing", err);
        if (rc != PRM_OK)
            return write_failed(db, rc, info, row, err);
        if (!got)
            return untouched(db, info, id, err);
    }
    return relink(db, info, id, row, true, err);
}

/* With encryption on: the record's sensitive values sealed, bound to
 * the id it takes now (the one given, or the engine's next), and the row
 * as given beside them (SQLite's audit entry judges its command on it). */
static prm_code insert_sealed(prm_db *db, const prm_kind_info *info,
                              const store_row *row, int64_t *id,
                              prm_error *err)
{
    int idf = prm_field_index(info, "id");
    int64_t next = row->set[idf] ? row->v[idf].i : 0;
    prm_code rc = next == 0 ? db->engine->next_id(db, info, &next, err)
                            : PRM_OK;
    store_sealed_row sealed;
    if (rc == PRM_OK)
        rc = store_seal_row(db, info, next, row, &sealed, err);
    if (rc != PRM_OK)
        return rc;
    sealed.row.set[idf] = true;
    sealed.row.v[idf] = (prm_value){.type = PRM_V_INT, .i = next};
    rc = db->engine->insert(db, info, &sealed.row, row, id, err);
    store_sealed_free(&sealed);
    return rc;
}

/* The engine adds the row (and, on SQLite, its audit entry); a project's
 * links follow. */
prm_code store_insert(prm_db *db, const prm_kind_info *info,
                      const store_row *row, int64_t *id, prm_error *err)
{
    prm_code rc = store_sealing(db) && store_row_has_sensitive(info, row)
                      ? insert_sealed(db, info, row, id, err)
                      : db->engine->insert(db, info, row, NULL, id, err);
    if (rc != PRM_OK)
        return write_failed(db, rc, info, row, err);
    return relink(db, info, *id, row, false, err);
}

/* Whether differs compares field i: one row sets that the user may. */
static bool compared(const prm_kind_info *info, const store_row *row,
                     size_t i)
{
    const prm_field *f = &info->fields[i];
    return row->set[i] && core_writable(f) &&
           (store_column(f) != NULL || is_partner_list(f));
}

/* A value that would be sealed is compared by its keyed hash. */
static bool sealed_compare(const prm_db *db, const prm_field *f,
                           const prm_value *v)
{
    return store_sealing(db) && (f->flags & PRM_FF_SENSITIVE) &&
           v->type == PRM_V_TEXT;
}

/* SELECT whether any field row sets differs from what the record holds,
 * byte for byte (a name's case is a change, though names are unique
 * without regard to it); a project's partners compare as the text of
 * their ids.  The dialect locks the row where the engine has row
 * security, so that a change that would change nothing is refused where
 * the change would be. */
prm_code store_differs(prm_db *db, const prm_kind_info *info, int64_t id,
                       const store_row *row, bool *differs, prm_error *err)
{
    const sql_dialect *d = db->engine->dialect;
    sqlbuf b = {.len = 0};
    prm_value p[STORE_MAX_FIELDS + 1];
    char *ids_text = NULL, *prefix[STORE_MAX_FIELDS] = {NULL};
    size_t n = 0;
    prm_code rc = PRM_OK;
    sql_add(&b, "SELECT CASE WHEN 1 = 0");
    for (size_t i = 0; i < info->nfields; i++) {
        if (!compared(info, row, i))
            continue;
        const char *col = store_column(&info->fields[i]);
        if (col != NULL && sealed_compare(db, &info->fields[i], &row->v[i])) {
            /* the keyed hash: a sealed value's nonce is new each time */
            prefix[i] = store_seal_prefix(db, info->name, info->fields[i].name,
                                          row->v[i].s, row->v[i].len);
            if (prefix[i] == NULL) {
                rc = prm_error_nomem(err);
                break;
            }
            p[n++] = (prm_value){.type = PRM_V_TEXT, .s = prefix[i],
                                 .len = strlen(prefix[i])};
            sql_add(&b, " OR substr(t.\"%s\", 1, %d) %s $%zu%s", col,
                    STORE_SEAL_PREFIX_LEN, d->distinct, n, d->bytewise);
            continue;
        }
        if (col != NULL) {
            p[n++] = row->v[i];
            sql_add(&b, " OR t.\"%s\" %s $%zu%s", col, d->distinct, n,
                    d->bytewise);
            continue;
        }
        free(ids_text);
        ids_text = store_ids_text(row->v[i].ids, row->v[i].nids);
        if (ids_text == NULL) {
            rc = prm_error_nomem(err);
            break;
        }
        p[n++] = (prm_value){.type = PRM_V_TEXT, .s = ids_text,
                             .len = strlen(ids_text)};
        sql_add(&b, " OR %s %s $%zu", d->partner_ids, d->distinct, n);
    }
    p[n++] = (prm_value){.type = PRM_V_INT, .i = id};
    sql_add(&b, " THEN 1 ELSE 0 END FROM %s AS t WHERE t.id = $%zu%s",
            store_table(info), n, d->lock_row);
    int64_t any = 1;
    bool got = false;
    if (rc == PRM_OK)
        rc = store_exec_built(db, &b, p, n, &any, 1, &got, "comparing", err);
    free(ids_text);
    for (size_t i = 0; i < STORE_MAX_FIELDS; i++)
        free(prefix[i]);
    *differs = !got || any != 0;
    if (rc == PRM_OK && !got)
        rc = untouched(db, info, id, err); /* else the update says so */
    return rc;
}

/* A record, after (with cascade) what refers to it (store_cascade_sql). */
prm_code store_delete(prm_db *db, const prm_kind_info *info, int64_t id,
                      bool cascade, prm_error *err)
{
    prm_value p = {.type = PRM_V_INT, .i = id};
    const char *const *steps = cascade ? store_cascade_sql(info) : NULL;
    prm_code rc = PRM_OK;
    for (size_t i = 0; steps != NULL && steps[i] != NULL && rc == PRM_OK; i++)
        rc = db->engine->exec(db, steps[i], &p, 1, NULL, 0, NULL, "deleting",
                              err);
    if (rc != PRM_OK)
        return rc;
    sqlbuf b = {.len = 0};
    sql_add(&b, "DELETE FROM %s WHERE id = $1 RETURNING id", store_table(info));
    bool got = false;
    rc = store_exec_built(db, &b, &p, 1, NULL, 0, &got, "deleting", err);
    if (rc == PRM_OK && !got)
        rc = untouched(db, info, id, err);
    return rc;
}

/* The ids an import read and the ids they were stored under live in a
 * temporary table, so memory stays flat however large the import. */
prm_code store_map_reset(prm_db *db, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sql_add(&b,
            "CREATE TEMP TABLE IF NOT EXISTS prm_import_map (kind integer, "
            "old bigint, new bigint, PRIMARY KEY (kind, old))%s",
            db->engine->dialect->temp_table_options);
    prm_code rc = store_exec_built(db, &b, NULL, 0, NULL, 0, NULL, "importing", err);
    if (rc == PRM_OK)
        rc = db->engine->exec(db, "DELETE FROM prm_import_map", NULL, 0, NULL,
                              0, NULL, "importing", err);
    return rc;
}
