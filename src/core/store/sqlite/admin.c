/*
 * admin.c - a copy of the database file and check, on SQLite.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sql_metrics.h"
#include "store/sqlite/sqlite_db.h"

/* --- backup ------------------------------------------------------------- */

/* A page-by-page copy of the database into the new file tmp. */
prm_code sqlite_copy_to(prm_db *base, const char *tmp, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3 *dest = NULL;
    int rc = sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE, NULL);
    sqlite3_backup *b =
        rc == SQLITE_OK ? sqlite3_backup_init(dest, "main", db->sql, "main")
                        : NULL;
    if (b != NULL) {
        /* All pages in one step: one read transaction, one consistent
         * state, however busy the database is. */
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        int fin = sqlite3_backup_finish(b);
        if (rc == SQLITE_OK)
            rc = fin;
    } else if (rc == SQLITE_OK) {
        rc = sqlite3_errcode(dest);
    }
    prm_code out = PRM_OK;
    if (rc != SQLITE_OK)
        out = prm_error_set(err, PRM_EIO, "backup failed: %s",
                            dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
    sqlite3_close(dest);
    return out;
}

/* --- check ----------------------------------------------------------------- */

static prm_code check_integrity(sqlite_db *db, prm_check_report *r,
                                prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db, "PRAGMA integrity_check(1)", &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_step(stmt);
    snprintf(r->integrity, sizeof r->integrity, "%s",
             src == SQLITE_ROW ? (const char *)sqlite3_column_text(stmt, 0)
                               : sqlite3_errmsg(db->sql));
    sdb_done(stmt);
    if (strcmp(r->integrity, "ok") != 0)
        store_check_problem(r, "integrity_check: %s", r->integrity);
    rc = sdb_cached(db, "SELECT count(*) FROM pragma_foreign_key_check",
                    &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, &r->foreign_key_errors, 1, err);
    if (rc == PRM_OK && r->foreign_key_errors > 0)
        store_check_problem(r, "%s",
                            "foreign_key_check: records refer to records "
                            "that do not exist");
    if (rc == PRM_OK)
        rc = sdb_pragma_int(db, "PRAGMA user_version", &r->schema_version,
                            err);
    if (rc == PRM_OK && r->schema_version != store_schema_version)
        store_check_problem(r, "%s", "the schema version is not this prm's");
    return rc;
}

/* Whether others than the owner may read the file and its folder. */
static void check_modes(sqlite_db *db, prm_check_report *r)
{
    struct stat st;
    if (db->path == NULL)
        return;
    if (stat(db->path, &st) == 0) {
        r->on_file = true;
        r->file_mode = st.st_mode & 07777;
        if (st.st_mode & 077)
            store_check_problem(r, "%s is readable by others: chmod 600 it",
                                db->path);
    }
    char *copy = strdup(db->path);
    if (copy != NULL && stat(dirname(copy), &st) == 0) {
        r->folder_mode = st.st_mode & 07777;
        if (st.st_mode & 077)
            store_check_problem(r,
                                "the folder of %s is open to others: chmod "
                                "700 it",
                                db->path);
    }
    free(copy);
}

prm_code sqlite_check(prm_db *base, prm_check_report *r, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    *r = (prm_check_report){.problems = 0};
    prm_code rc = store_cmd_begin(base, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    rc = check_integrity(db, r, err);
    if (rc == PRM_OK)
        rc = store_check_tallies(base, r, err);
    if (rc == PRM_OK)
        rc = store_check_partner_tallies(base, r, err);
    if (rc == PRM_OK)
        rc = store_check_agenda(base, r, err);
    rc = store_cmd_end(base, rc, err);
    if (rc == PRM_OK)
        check_modes(db, r);
    return rc;
}

/* --- encryption at rest ---------------------------------------------------- */

prm_code sqlite_next_id(prm_db *base, const prm_kind_info *info, int64_t *id,
                        prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    if (db->next_id[info->kind] > 0) {
        *id = db->next_id[info->kind];
        return PRM_OK;
    }
    /* AUTOINCREMENT: one past the highest ever given, or than any there. */
    sqlbuf b = {.len = 0};
    sql_add(&b,
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name "
            "= '%s'), 0), coalesce((SELECT max(id) FROM %s), 0)) + 1",
            store_table(info), store_table(info));
    prm_code rc = store_exec_built(base, &b, NULL, 0, id, 1, NULL,
                                   "numbering", err);
    if (rc == PRM_OK)
        db->next_id[info->kind] = *id;
    return rc;
}

void sdb_next_ids_forget(sqlite_db *db)
{
    memset(db->next_id, 0, sizeof db->next_id);
}

/* The rewrite's updates are not changes: the audit triggers of updates go
 * (they are made again before the next write), and the log's guard
 * against updates stands aside, to be put back as it was. */
prm_code sqlite_reseal_begin(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    db->audit_triggers = false;
    sqlbuf b = {.len = 0};
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        sql_add(&b, "DROP TRIGGER IF EXISTS temp.prm_audit_%s_update;",
                store_table(prm_kind_get((prm_kind)k)));
    sql_add(&b, "DROP TRIGGER IF EXISTS main.audit_no_update;");
    if (b.overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    free(db->audit_guard);
    db->audit_guard = NULL;
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                             "SELECT sql FROM main.sqlite_master WHERE type = "
                             "'trigger' AND name = 'audit_no_update'",
                             &stmt, err);
    if (rc != PRM_OK)
        return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        db->audit_guard = strdup((const char *)sqlite3_column_text(stmt, 0));
        if (db->audit_guard == NULL)
            rc = prm_error_nomem(err);
    }
    sdb_done(stmt);
    return rc == PRM_OK ? sdb_exec(db, b.text, err) : rc;
}

prm_code sqlite_reseal_end(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    prm_code rc = db->audit_guard != NULL ? sdb_exec(db, db->audit_guard, err)
                                          : PRM_OK;
    free(db->audit_guard);
    db->audit_guard = NULL;
    return rc;
}

/* The text a rewrite replaced may still sit in free pages and the WAL:
 * a VACUUM writes the file anew, and the WAL is emptied. */
prm_code sqlite_compact(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    prm_code rc = sdb_exec(db, "VACUUM", err);
    if (rc == PRM_OK)
        rc = sdb_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", err);
    return rc;
}
