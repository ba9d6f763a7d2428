/*
 * records.c - records on SQLite: reading (fetch, list with filters, names
 * for completion), writing (insert, update, the unchanged check, delete
 * with its cascade) and the id map of an import.  The SQL text is built
 * from the field tables in kinds.c alone; values are bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sql_metrics.h"
#include "store/sqlite/sqlite_db.h"

/* --- Reading records ------------------------------------------------------ */

/* The names after the fields, when the statement has them. */
static void row_ref_names(sqlite3_stmt *stmt, const prm_kind_info *info,
                          store_record *rec)
{
    int col = (int)info->nfields;
    bool named = sqlite3_column_count(stmt) > col;
    for (size_t i = 0; i < info->nfields; i++) {
        rec->ref_name[i] = NULL;
        if (named && store_is_ref(&info->fields[i]))
            rec->ref_name[i] = (const char *)sqlite3_column_text(stmt, col++);
    }
}

static prm_code row_to_record(sqlite_db *db, const prm_kind_info *info,
                              sqlite3_stmt *stmt, store_record *rec,
                              prm_error *err)
{
    store_record_init(rec, info);
    for (size_t i = 0; i < info->nfields; i++) {
        prm_value *v = &rec->v[i];
        *v = (prm_value){.type = PRM_V_NULL};
        int ctype = sqlite3_column_type(stmt, (int)i);
        if (ctype == SQLITE_NULL)
            continue;
        if (info->fields[i].type == PRM_F_PARTNER_LIST ||
            info->fields[i].type == PRM_F_ID_LIST) {
            const char *text = (const char *)sqlite3_column_text(stmt, (int)i);
            prm_code rc = store_parse_ids(text, &db->ids, &db->ids_cap,
                                          &v->nids, err);
            if (rc != PRM_OK)
                return rc;
            v->type = PRM_V_IDS;
            v->ids = db->ids;
        } else if (ctype == SQLITE_INTEGER &&
                   info->fields[i].type != PRM_F_NUMBER &&
                   info->fields[i].type != PRM_F_RATIO) {
            v->type = info->fields[i].type == PRM_F_MONEY ? PRM_V_MONEY
                                                          : PRM_V_INT;
            v->i = sqlite3_column_int64(stmt, (int)i);
        } else if (ctype == SQLITE_INTEGER || ctype == SQLITE_FLOAT) {
            v->type = PRM_V_REAL;
            v->r = sqlite3_column_double(stmt, (int)i);
        } else {
            v->type = PRM_V_TEXT;
            v->s = (const char *)sqlite3_column_text(stmt, (int)i);
            v->len = (size_t)sqlite3_column_bytes(stmt, (int)i);
        }
    }
    row_ref_names(stmt, info, rec);
    return PRM_OK;
}

/* Step stmt, handing each row to fn as a record. */
static prm_code each_row(sqlite_db *db, const prm_kind_info *info,
                         sqlite3_stmt *stmt, prm_record_fn fn, void *ctx,
                         size_t *rows, prm_error *err)
{
    prm_code rc = PRM_OK;
    int src;
    *rows = 0;
    while ((src = sqlite3_step(stmt)) == SQLITE_ROW) {
        store_record rec;
        rc = row_to_record(db, info, stmt, &rec, err);
        (*rows)++;
        if (rc != PRM_OK || !fn(ctx, &rec.rec))
            break;
    }
    if (rc == PRM_OK && src != SQLITE_ROW && src != SQLITE_DONE)
        rc = sdb_fail(db, src, err, "reading records");
    sdb_done(stmt);
    return rc;
}

prm_code sqlite_fetch(prm_db *base, const prm_kind_info *info, int64_t id,
                     prm_record_fn fn, void *ctx, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    prm_code rc = sdb_kind_stmt(db, info, KS_FETCH, &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, id, err);
    size_t rows = 0;
    if (rc == PRM_OK)
        rc = each_row(db, info, stmt, fn, ctx, &rows, err);
    if (rc == PRM_OK && rows == 0)
        rc = prm_error_set(err, PRM_ENOT_FOUND, "no %s with id %lld",
                           info->name, (long long)id);
    return rc;
}



prm_code sqlite_list(prm_db *base, const prm_kind_info *info,
                     const store_filter *filters, size_t nfilters, bool names,
                     prm_record_fn fn, void *ctx, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    store_where w;
    prm_code rc = store_list_sql(&b, info, filters, nfilters, names,
                                 &sqlm_sqlite_dialect, &w, err);
    if (rc != PRM_OK)
        return rc;
    sqlite3_stmt *stmt;
    rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    int src = SQLITE_OK;
    for (size_t i = 0; rc == PRM_OK && i < w.n && src == SQLITE_OK; i++)
        src = sdb_bind_value(stmt, (int)i + 1, &w.params[i]);
    if (rc == PRM_OK && src != SQLITE_OK) {
        sdb_done(stmt);
        rc = sdb_fail(db, src, err, "binding a filter");
    }
    size_t rows;
    if (rc == PRM_OK)
        rc = each_row(db, info, stmt, fn, ctx, &rows, err);
    store_where_free(&w);
    return rc;
}

prm_code sqlite_names(prm_db *base, const prm_kind_info *info,
                     const char *prefix,
                     bool (*fn)(void *ctx, const char *name), void *ctx,
                     prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    if (prm_field_find(info, "name") == NULL)
        return PRM_OK;
    /* LIKE on a NOCASE column uses its index; escape LIKE's wildcards. */
    char *pattern = store_like_prefix(prefix);
    if (pattern == NULL)
        return prm_error_nomem(err);
    sqlbuf b = {.len = 0};
    sql_add(&b,
            "SELECT name FROM %s WHERE name LIKE ?1 ESCAPE '\\' ORDER BY "
            "name LIMIT 1000",
            store_table(info));
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    int src = SQLITE_OK;
    if (rc == PRM_OK)
        src = sqlite3_bind_text(stmt, 1, pattern, -1, SQLITE_STATIC);
    while (rc == PRM_OK && src == SQLITE_OK &&
           sqlite3_step(stmt) == SQLITE_ROW)
        if (!fn(ctx, (const char *)sqlite3_column_text(stmt, 0)))
            break;
    if (rc == PRM_OK)
        sdb_done(stmt);
    free(pattern);
    return rc;
}

/* --- Writing records ------------------------------------------------------ */

prm_code sdb_kind_stmt(sqlite_db *db, const prm_kind_info *info,
                       enum kind_stmt which, sqlite3_stmt **out,
                       prm_error *err)
{
    sqlite3_stmt **slot = &db->kind_stmt[info->kind][which];
    if (*slot == NULL) {
        sqlbuf b = {.len = 0};
        if (which == KS_INSERT) {
            sqlbuf values = {.len = 0};
            store_insert_sql(&b, info, &values);
            sql_add(&b, " VALUES (%s)", values.text);
            b.overflow |= values.overflow;
        } else if (which == KS_LOG_ADD)
            sdb_audit_added_sql(&b, info);
        else if (which == KS_TALLY)
            sql_add(&b, "%s", sqlm_tally_added(info));
        else if (which == KS_PARTNER_TALLY)
            sql_add(&b, "%s", sqlm_partner_tally_added(info));
        else if (which == KS_DAY_TALLY)
            sql_add(&b, "%s", sqlm_day_tally_added(info));
        else if (which == KS_DAY_RAISE)
            sql_add(&b, "%s", sqlm_day_tally_raised(info));
        else if (which == KS_AGENDA_CLEAR || which == KS_AGENDA)
            sql_add(&b, "%s", sdb_agenda_added(info, which));
        else {
            store_select_list(&b, info, true, &sqlm_sqlite_dialect);
            sql_add(&b, " WHERE t.id = ?");
        }
        if (b.overflow)
            return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
        prm_code rc = sdb_prepare(db, b.text, slot, err);
        if (rc != PRM_OK)
            return rc;
    }
    *out = *slot;
    return PRM_OK;
}

/* Run the kind's statement which (KS_TALLY, KS_PARTNER_TALLY,
 * KS_DAY_RAISE, KS_DAY_TALLY, KS_AGENDA_CLEAR, KS_AGENDA) for the record
 * id; none when sql (its text) is NULL. */
static prm_code count_added(sqlite_db *db, const prm_kind_info *info,
                            enum kind_stmt which, const char *sql, int64_t id,
                            prm_error *err)
{
    if (sql == NULL)
        return PRM_OK;
    sqlite3_stmt *stmt;
    prm_code rc = sdb_kind_stmt(db, info, which, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_bind_parameter_count(stmt) > 0
                  ? sqlite3_bind_int64(stmt, 1, id)
                  : SQLITE_OK;
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return src == SQLITE_DONE ? PRM_OK : sdb_fail(db, src, err, "counting");
}

prm_code sdb_tally_added(sqlite_db *db, const prm_kind_info *info,
                         int64_t id, const prm_value *const values[],
                         prm_error *err)
{
    prm_code rc = count_added(db, info, KS_TALLY, sqlm_tally_added(info), id,
                              err);
    if (rc == PRM_OK)
        rc = count_added(db, info, KS_PARTNER_TALLY,
                         sqlm_partner_tally_added(info), id, err);
    /* the agenda's items the record makes, and a partner's last contact
     * (agenda.c) */
    if (rc == PRM_OK)
        rc = count_added(db, info, KS_AGENDA_CLEAR,
                         sdb_agenda_added(info, KS_AGENDA_CLEAR), id, err);
    if (rc == PRM_OK)
        rc = count_added(db, info, KS_AGENDA,
                         sdb_agenda_added(info, KS_AGENDA), id, err);
    if (rc == PRM_OK && info->kind == PRM_COMMUNICATION)
        rc = sdb_agenda_contact(db, info, id, values, err);
    if (rc != PRM_OK)
        return rc;
    /* a day already counted is raised; only a new one is inserted */
    const char *raise = sqlm_day_tally_raised(info);
    if (raise != NULL) {
        rc = count_added(db, info, KS_DAY_RAISE, raise, id, err);
        if (rc != PRM_OK || sqlite3_changes(db->sql) > 0)
            return rc;
    }
    return count_added(db, info, KS_DAY_TALLY, sqlm_day_tally_added(info), id,
                       err);
}

/* A failed write: a broken constraint is the user's conflict (the core
 * words a taken name), the rest is ours. */
static prm_code write_fail(sqlite_db *db, int src, prm_error *err)
{
    if ((src & 0xff) == SQLITE_CONSTRAINT)
        return prm_error_set(err, PRM_ECONFLICT, "%s", sqlite3_errmsg(db->sql));
    return sdb_fail(db, src, err, "writing");
}

/* Drop the links of project to partners not in list. */
static prm_code unlink_others(sqlite_db *db, int64_t project,
                              const prm_value *list, prm_error *err)
{
    char *array = store_id_array(list, '[', ']');
    if (array == NULL)
        return prm_error_nomem(err);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                             "DELETE FROM project_partners WHERE project_id = "
                             "?1 AND partner_id NOT IN (SELECT value FROM "
                             "json_each(?2))",
                             &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, project, err);
    if (rc == PRM_OK &&
        sqlite3_bind_text(stmt, 2, array, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        rc = sdb_fail(db, sqlite3_errcode(db->sql), err, "unlinking");
    if (rc == PRM_OK)
        rc = sdb_run(db, stmt, err, "unlinking a partner");
    free(array);
    return rc;
}

/* A new project's links, or a changed one's: that keeps the links that
 * stay, so that the audit log shows only the partners that left or
 * joined. */
prm_code sqlite_set_partners(prm_db *base, int64_t project,
                             const prm_value *list, bool replace,
                             prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    prm_code rc = replace ? unlink_others(db, project, list, err) : PRM_OK;
    sqlite3_stmt *stmt;
    /* OR IGNORE: the links that stay are there already. */
    if (rc == PRM_OK)
        rc = sdb_cached(db,
                        "INSERT OR IGNORE INTO project_partners (project_id, "
                        "partner_id) VALUES (?1, ?2)",
                        &stmt, err);
    for (size_t i = 0; rc == PRM_OK && i < list->nids; i++) {
        rc = sdb_bind_id(db, stmt, 1, project, err);
        if (rc == PRM_OK)
            rc = sdb_bind_id(db, stmt, 2, list->ids[i], err);
        if (rc == PRM_OK)
            rc = sdb_run(db, stmt, err, "linking a partner");
    }
    return rc;
}

static const prm_value null_value = {.type = PRM_V_NULL};

/* The audit entry of a record just added, whose values were bound, and
 * its counts.  Should either fail, the record must not stay: a command that began the
 * transaction or holds a savepoint has it rolled back when it ends; a
 * plain add inside a batch has neither, so the batch goes, as SQLite itself
 * would take it on a full disk, and the script runner reports its lines as
 * not kept. */
static prm_code log_added(sqlite_db *db, const prm_kind_info *info, int64_t id,
                          const prm_value *const values[],
                          const prm_value *const given[], prm_error *err)
{
    /* With encryption on, whether the command can be left out is judged
     * on the values as given; the image kept is of those bound, sealed. */
    const char *image = sdb_audit_image(db, info, given, false);
    const char *command = image ? sdb_entry_command(db, info, image) : NULL;
    if (image != NULL && given != values) {
        image = sdb_audit_image(db, info, values, true);
        /* made again when read, the command must fit its buffer with
         * the sealed values in it (it is at most the image's length) */
        if (image != NULL && command != NULL && command[0] == '\0' &&
            strlen(image) + strlen(info->name) + 5 >= PRM_ADD_COMMAND_MAX)
            command = store_command(&db->base);
    }
    prm_code rc = image == NULL ? prm_error_nomem(err)
                                : sdb_audit_added(db, info, id, image, command,
                                                  err);
    if (rc == PRM_OK)
        rc = sdb_tally_added(db, info, id, values, err);
    if (rc != PRM_OK && !db->cmd_owns_tx && !db->cmd_savepoint &&
        !sqlite3_get_autocommit(db->sql))
        sdb_run_fixed(db, FX_ROLLBACK, NULL);
    return rc;
}

prm_code sqlite_insert(prm_db *base, const prm_kind_info *info,
                      const store_row *row, const store_row *plain,
                      int64_t *id, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    prm_code rc = sdb_kind_stmt(db, info, KS_INSERT, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    const char *now = store_now(&db->base);
    prm_value stamp = {.type = PRM_V_TEXT, .s = now, .len = strlen(now)};
    const prm_value *values[STORE_MAX_FIELDS], *given[STORE_MAX_FIELDS];
    int idx = 1, src = SQLITE_OK;
    for (size_t i = 0; i < info->nfields && src == SQLITE_OK; i++) {
        if (store_column(&info->fields[i]) == NULL)
            continue;
        values[i] = store_insert_value(info, row, i, &null_value, &stamp);
        given[i] = plain != NULL && (info->fields[i].flags & PRM_FF_SENSITIVE)
                       ? store_insert_value(info, plain, i, &null_value, &stamp)
                       : values[i];
        src = sdb_bind_value(stmt, idx++, values[i]);
    }
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    if (src != SQLITE_DONE) {
        rc = write_fail(db, src, err);
        sdb_done(stmt);
        return rc;
    }
    /* Every parameter is bound again on each use: the bindings need no
     * clearing, which costs as much as binding them. */
    sqlite3_reset(stmt);
    *id = sqlite3_last_insert_rowid(db->sql);
    if (db->next_id[info->kind] > 0 && *id >= db->next_id[info->kind])
        db->next_id[info->kind] = *id + 1; /* counted on (sqlite_next_id) */
    return log_added(db, info, *id, values, plain != NULL ? given : values,
                     err);
}

/* Run a query whose one row holds one or more counts. */
prm_code sdb_counts(sqlite_db *db, sqlite3_stmt *stmt, int64_t *out,
                       int n, prm_error *err)
{
    int src = sqlite3_step(stmt);
    if (src == SQLITE_ROW)
        for (int i = 0; i < n; i++)
            out[i] = sqlite3_column_int64(stmt, i);
    sdb_done(stmt);
    if (src != SQLITE_ROW)
        return sdb_fail(db, src, err, "counting");
    return PRM_OK;
}
