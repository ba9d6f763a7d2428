/*
 * db.c - the SQLite engine: its statements and transactions, and the
 * engine table the dispatcher calls through (opening a file is open.c's).
 *
 * Every statement is prepared once and kept: fixed ones (transactions, a
 * kind's insert, update and fetch) in per-purpose slots, generated ones (a
 * list's filters, a metrics scope) in a small cache keyed by their SQL text,
 * so a script of 200,000 lines prepares a handful of statements, not
 * 200,000.  Values reach SQLite only as bound parameters.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqlite/sqlite_db.h"

static const char *const fixed_sql[FX_COUNT] = {
    [FX_BEGIN] = "BEGIN",
    [FX_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [FX_COMMIT] = "COMMIT",
    [FX_ROLLBACK] = "ROLLBACK",
    [FX_SAVEPOINT] = "SAVEPOINT prm_cmd",
    [FX_RELEASE] = "RELEASE prm_cmd",
    [FX_ROLLBACK_TO] = "ROLLBACK TO prm_cmd",
    [FX_CACHE_READ] = "PRAGMA cache_size = -65536",
    [FX_CACHE_WRITE] = "PRAGMA cache_size = -8192",
    [FX_CACHE_SCAN] = "PRAGMA cache_size = -2048",
};

/* --- Errors -------------------------------------------------------------- */

prm_code sdb_fail(sqlite_db *db, int rc, prm_error *err, const char *what)
{
    int primary = rc & 0xff;
    prm_code code = PRM_EDB;
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR ||
        primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY ||
        primary == SQLITE_PERM)
        code = PRM_EIO;
    return prm_error_set(err, code, "%s: %s", what,
                         db != NULL && db->sql != NULL ? sqlite3_errmsg(db->sql)
                                                       : sqlite3_errstr(rc));
}

/* --- Statements ---------------------------------------------------------- */

prm_code sdb_prepare(sqlite_db *db, const char *sql, sqlite3_stmt **out,
                        prm_error *err)
{
    int rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                out, NULL);
    if (rc != SQLITE_OK)
        return sdb_fail(db, rc, err, "preparing a statement");
    return PRM_OK;
}

static void cache_evict_oldest(sqlite_db *db)
{
    size_t oldest = 0;
    for (size_t i = 1; i < db->ncache; i++)
        if (db->cache[i].last_use < db->cache[oldest].last_use)
            oldest = i;
    sqlite3_finalize(db->cache[oldest].stmt);
    free(db->cache[oldest].sql);
    db->cache[oldest] = db->cache[--db->ncache];
}

/* A prepared statement for sql, from the cache when it has been seen. */
prm_code sdb_cached(sqlite_db *db, const char *sql, sqlite3_stmt **out,
                       prm_error *err)
{
    for (size_t i = 0; i < db->ncache; i++) {
        if (strcmp(db->cache[i].sql, sql) == 0) {
            db->cache[i].last_use = ++db->tick;
            *out = db->cache[i].stmt;
            return PRM_OK;
        }
    }
    char *copy = strdup(sql);
    if (copy == NULL)
        return prm_error_nomem(err);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_prepare(db, sql, &stmt, err);
    if (rc != PRM_OK) {
        free(copy);
        return rc;
    }
    if (db->ncache == STMT_CACHE_SIZE)
        cache_evict_oldest(db);
    db->cache[db->ncache++] = (struct cached_stmt){copy, stmt, ++db->tick};
    *out = stmt;
    return PRM_OK;
}

prm_code sdb_cached_sqlbuf(sqlite_db *db, const sqlbuf *b, sqlite3_stmt **out,
                              prm_error *err)
{
    if (b->overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return sdb_cached(db, b->text, out, err);
}

/* Release a statement's row and bindings so it holds no read lock. */
void sdb_done(sqlite3_stmt *stmt)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

/* Step a statement that returns no rows, and release it. */
prm_code sdb_run(sqlite_db *db, sqlite3_stmt *stmt, prm_error *err,
                    const char *what)
{
    int rc = sqlite3_step(stmt);
    sdb_done(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sdb_fail(db, rc, err, what);
    return PRM_OK;
}

prm_code sdb_run_fixed(sqlite_db *db, enum fixed_stmt which, prm_error *err)
{
    if (db->fixed[which] == NULL) {
        prm_code rc = sdb_prepare(db, fixed_sql[which], &db->fixed[which], err);
        if (rc != PRM_OK)
            return rc;
    }
    return sdb_run(db, db->fixed[which], err, fixed_sql[which]);
}

int sdb_bind_value(sqlite3_stmt *stmt, int idx, const prm_value *v)
{
    switch (v->type) {
    case PRM_V_INT:
    case PRM_V_MONEY:
        return sqlite3_bind_int64(stmt, idx, v->i);
    case PRM_V_REAL:
        return sqlite3_bind_double(stmt, idx, v->r);
    case PRM_V_TEXT:
        if (v->len > INT_MAX)
            return SQLITE_TOOBIG;
        return sqlite3_bind_text(stmt, idx, v->s, (int)v->len, SQLITE_STATIC);
    default:
        return sqlite3_bind_null(stmt, idx);
    }
}

int sdb_bind_named_text(sqlite3_stmt *stmt, const char *name,
                        const char *value)
{
    int idx = sqlite3_bind_parameter_index(stmt, name);
    if (idx == 0 || value == NULL)
        return SQLITE_OK;
    return sqlite3_bind_text(stmt, idx, value, -1, SQLITE_STATIC);
}

int sdb_bind_scope(sqlite3_stmt *stmt, const store_scope *s)
{
    int src = SQLITE_OK;
    int pidx = sqlite3_bind_parameter_index(stmt, ":partner");
    if (pidx != 0)
        src = sqlite3_bind_int64(stmt, pidx, s->partner);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":type", s->type);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":region", s->region);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":status", s->status);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":since", s->since);
    if (src == SQLITE_OK)
        src = sdb_bind_named_text(stmt, ":until", s->until);
    return src;
}

prm_code sdb_bind_id(sqlite_db *db, sqlite3_stmt *stmt, int idx, int64_t id,
                        prm_error *err)
{
    int rc = sqlite3_bind_int64(stmt, idx, id);
    if (rc != SQLITE_OK)
        return sdb_fail(db, rc, err, "binding a value");
    return PRM_OK;
}

/* The statement of sql, kept, with params bound in order: *src the
 * first binding's failure, or SQLITE_OK. */
static prm_code prepared_with(sqlite_db *db, const char *sql,
                              const prm_value *params, size_t nparams,
                              sqlite3_stmt **stmt, int *src, prm_error *err)
{
    prm_code rc = sdb_cached(db, sql, stmt, err);
    *src = SQLITE_OK;
    for (size_t i = 0; rc == PRM_OK && i < nparams && *src == SQLITE_OK; i++)
        *src = sdb_bind_value(*stmt, (int)i + 1, &params[i]);
    return rc;
}

prm_code sqlite_exec(prm_db *base, const char *sql, const prm_value *params,
                     size_t nparams, int64_t *out, size_t nout, bool *got,
                     const char *what, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    int src;
    prm_code rc = prepared_with(db, sql, params, nparams, &stmt, &src, err);
    if (rc != PRM_OK)
        return rc;
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    for (size_t i = 0; i < nout; i++)
        out[i] = src == SQLITE_ROW ? sqlite3_column_int64(stmt, (int)i) : 0;
    if (got != NULL)
        *got = src == SQLITE_ROW;
    if (src != SQLITE_ROW && src != SQLITE_DONE && (src & 0xff) == SQLITE_CONSTRAINT)
        rc = prm_error_set(err, PRM_ECONFLICT, "%s: %s", what,
                           sqlite3_errmsg(db->sql));
    else if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = sdb_fail(db, src, err, what);
    sdb_done(stmt);
    return rc;
}

prm_code sqlite_rows(prm_db *base, const char *sql, const prm_value *params,
                     size_t nparams, store_text_row_fn fn, void *ctx,
                     const char *what, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    int src;
    prm_code rc = prepared_with(db, sql, params, nparams, &stmt, &src, err);
    if (rc != PRM_OK)
        return rc;
    size_t ncols = (size_t)sqlite3_column_count(stmt);
    if (ncols > STORE_MAX_ROW_COLUMNS)
        ncols = STORE_MAX_ROW_COLUMNS;
    while (src == SQLITE_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *cols[STORE_MAX_ROW_COLUMNS];
        for (size_t i = 0; i < ncols; i++)
            cols[i] = (const char *)sqlite3_column_text(stmt, (int)i);
        src = fn(ctx, cols, ncols) ? SQLITE_OK : SQLITE_DONE;
    }
    if (src != SQLITE_DONE)
        rc = sdb_fail(db, src, err, what);
    sdb_done(stmt);
    return rc;
}

/* --- Helpers ------------------------------------------------------------- */

prm_code sdb_pragma_int(sqlite_db *db, const char *sql, int64_t *out,
                           prm_error *err)
{
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(db->sql, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(stmt, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK)
        return sdb_fail(db, rc, err, "reading the database");
    return PRM_OK;
}

prm_code sdb_exec(sqlite_db *db, const char *sql, prm_error *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        prm_code code = prm_error_set(err, rc == SQLITE_FULL ? PRM_EIO : PRM_EDB,
                                      "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return code;
    }
    return PRM_OK;
}

/* --- Transactions -------------------------------------------------------- */

static prm_code sqlite_begin(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    store_changes_forget(base);
    sdb_next_ids_forget(db);
    prm_code rc = sdb_audit_triggers(db, err);
    return rc != PRM_OK ? rc : sdb_run_fixed(db, FX_BEGIN_IMMEDIATE, err);
}

static prm_code sqlite_commit(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    store_changes_forget(base);
    sdb_next_ids_forget(db);
    if (sqlite3_get_autocommit(db->sql))
        return PRM_OK;
    return sdb_run_fixed(db, FX_COMMIT, err);
}

static prm_code sqlite_rollback(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    store_changes_forget(base);
    sdb_next_ids_forget(db);
    if (sqlite3_get_autocommit(db->sql))
        return PRM_OK;
    return sdb_run_fixed(db, FX_ROLLBACK, err);
}

static bool sqlite_in_transaction(const prm_db *base)
{
    const sqlite_db *db = (const sqlite_db *)base;
    return !sqlite3_get_autocommit(db->sql);
}

/* The page cache a command works with.  A command that writes inside a
 * batch gets 8 MiB, which holds the pages a batch changes (20,000 adds
 * change about 7 MiB): piping 200,000 adds took 1.3x as long with 64 MiB,
 * nearly all of it in the kernel (copying pages the cache had let go cold
 * into the WAL, faulting in new memory).  A scan (metrics, every partner's
 * report) reads each page once and gets 2 MiB: filling a larger cache is
 * new memory faulted in for pages never read again (metrics since= over a
 * million partners: 0.14 s with 8 MiB, 0.11 s with 2; 0.35 s with 64).
 * Any other command gets 64 MiB: insights over a million partners took
 * 1.65x as long with 8.  Changed only when it must, so a run of adds pays
 * nothing for it. */
static prm_code use_cache(sqlite_db *db, enum fixed_stmt cache,
                          prm_error *err)
{
    if (db->cache_in_use == cache)
        return PRM_OK;
    prm_code rc = sdb_run_fixed(db, cache, err);
    if (rc == PRM_OK)
        db->cache_in_use = cache;
    return rc;
}

static prm_code sqlite_cmd_begin(prm_db *base, store_access access, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    db->cmd_owns_tx = sqlite3_get_autocommit(db->sql) != 0;
    db->cmd_savepoint = false;
    prm_code rc = use_cache(db,
                            access == STORE_SCAN ? FX_CACHE_SCAN
                            : !db->cmd_owns_tx && store_writes(access)
                                ? FX_CACHE_WRITE
                                : FX_CACHE_READ,
                            err);
    if (rc == PRM_OK && store_writes(access))
        rc = sdb_audit_triggers(db, err);
    if (rc != PRM_OK)
        return rc;
    if (db->cmd_owns_tx)
        rc = sdb_run_fixed(db,
                           store_writes(access) ? FX_BEGIN_IMMEDIATE : FX_BEGIN,
                           err);
    else if (access == STORE_WRITE_MANY) {
        db->cmd_savepoint = true;
        rc = sdb_run_fixed(db, FX_SAVEPOINT, err);
    }
    /* A command that writes is one change in the audit log. */
    store_changes_command(base);
    if (rc == PRM_OK && store_writes(access)) {
        rc = sdb_next_change(db, err);
        if (rc != PRM_OK && db->cmd_owns_tx)
            sdb_run_fixed(db, FX_ROLLBACK, NULL);
    }
    return rc;
}

static prm_code sqlite_cmd_end(prm_db *base, prm_code rc, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    prm_error end_err;
    if (db->cmd_owns_tx || rc != PRM_OK)
        sdb_next_ids_forget(db);
    if (db->cmd_owns_tx) {
        if (rc == PRM_OK && sdb_run_fixed(db, FX_COMMIT, &end_err) != PRM_OK) {
            sdb_run_fixed(db, FX_ROLLBACK, NULL);
            *err = end_err;
            return err->code;
        }
        if (rc != PRM_OK)
            sdb_run_fixed(db, FX_ROLLBACK, NULL);
        return rc;
    }
    /* A failed command is no change: the next takes its number, so that
     * a script's changes are numbered alike however it is batched. */
    if (rc != PRM_OK)
        store_unchanged(base);
    /* Some errors (a full disk, say) make SQLite roll the whole
     * transaction back; then there is no savepoint left to end. */
    if (!db->cmd_savepoint || sqlite3_get_autocommit(db->sql))
        return rc;
    if (rc != PRM_OK)
        sdb_run_fixed(db, FX_ROLLBACK_TO, NULL);
    if (sdb_run_fixed(db, FX_RELEASE, &end_err) != PRM_OK && rc == PRM_OK) {
        *err = end_err;
        return err->code;
    }
    return rc;
}

const store_engine store_sqlite_engine = {
    .name = "sqlite",
    .dialect = &sqlm_sqlite_dialect,
    .exec = sqlite_exec,
    .rows = sqlite_rows,
    .close = sqlite_close,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .in_transaction = sqlite_in_transaction,
    .cmd_begin = sqlite_cmd_begin,
    .cmd_end = sqlite_cmd_end,
    .insert = sqlite_insert,
    .set_partners = sqlite_set_partners,
    .fetch = sqlite_fetch,
    .list = sqlite_list,
    .names = sqlite_names,
    .metrics = sqlite_metrics,
    .report = sqlite_report,
    .trend = sqlite_trend,
    .insights = sqlite_insights,
    .audit_list = sqlite_audit_list,
    .undo_last = sqlite_undo_last,
    .copy_to = sqlite_copy_to,
    .check = sqlite_check,
    .tally_clear = "DELETE FROM prm_tallies",
    .day_tally_clear = "DELETE FROM prm_day_tallies",
    .next_id = sqlite_next_id,
    .reseal_begin = sqlite_reseal_begin,
    .reseal_end = sqlite_reseal_end,
    .audit_reseal = "UPDATE audit SET command = $1, before = $2, after = $3 "
                    "WHERE id = $4",
    .compact = sqlite_compact,
};
