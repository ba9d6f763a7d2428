/*
 * db.c - the SQLite engine: its connection, statements and transactions,
 * and the engine table the dispatcher calls through.
 *
 * Every statement is prepared once and kept: fixed ones (transactions, a
 * kind's insert, update and fetch) in per-purpose slots, generated ones (a
 * list's filters, a metrics scope) in a small cache keyed by their SQL text,
 * so a script of 200,000 lines prepares a handful of statements, not
 * 200,000.  Values reach SQLite only as bound parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/sqlite/sqlite_db.h"

extern const char prm_schema_sql[]; /* schema.sql, embedded by the build */
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

/* Run a statement whose only parameter ?1 is an id. */
prm_code sdb_run_with_id(sqlite_db *db, const char *sql, int64_t id,
                            prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db, sql, &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, id, err);
    if (rc == PRM_OK)
        rc = sdb_run(db, stmt, err, "deleting");
    return rc;
}

prm_code sqlite_exec(prm_db *base, const char *sql, const prm_value *params,
                     size_t nparams, int64_t *out, size_t nout, bool *got,
                     const char *what, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db, sql, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = SQLITE_OK;
    for (size_t i = 0; i < nparams && src == SQLITE_OK; i++)
        src = sdb_bind_value(stmt, (int)i + 1, &params[i]);
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

/* --- Opening ------------------------------------------------------------- */

/* Create the folders above path that are missing, mode 0700. */
static prm_code make_parents(const char *path, prm_error *err)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return prm_error_nomem(err);
    prm_code rc = PRM_OK;
    for (char *p = copy + 1; *p != '\0' && rc == PRM_OK; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST)
            rc = prm_error_set(err, PRM_EIO, "cannot create folder %s: %s",
                               copy, strerror(errno));
        *p = '/';
    }
    free(copy);
    return rc;
}

/* Create the database file mode 0600 unless it exists. */
static prm_code make_file(const char *path, prm_error *err)
{
    prm_code rc = make_parents(path, err);
    if (rc != PRM_OK)
        return rc;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return PRM_OK;
    }
    if (errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return prm_error_set(err, PRM_EIO, "%s is a folder, not a database",
                                 path);
        return PRM_OK;
    }
    return prm_error_set(err, PRM_EIO, "cannot create %s: %s", path,
                         strerror(errno));
}

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

/* The schema version this prm writes, as PRAGMA user_version. */
static prm_code set_user_version(sqlite_db *db, prm_error *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
             store_schema_version);
    return sdb_exec(db, sql, err);
}

/* A migration that rewrites sqlite_schema itself (003) must move the
 * schema version on, or other connections keep the statements they read;
 * after CREATE or ALTER SQLite does the same. */
static prm_code bump_schema_version(sqlite_db *db, prm_error *err)
{
    int64_t v;
    prm_code rc = sdb_pragma_int(db, "PRAGMA schema_version", &v, err);
    if (rc != PRM_OK)
        return rc;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA schema_version = %lld",
             (long long)(v + 1));
    return sdb_exec(db, sql, err);
}

/* Bring a database of an older schema version up to this one, inside the
 * caller's transaction: all of it happens, or none. */
static prm_code migrate(sqlite_db *db, const char *path, int64_t version,
                        prm_error *err)
{
    /* A SQLite built to be defensive by default refuses writable_schema;
     * the migrations are prm's own SQL, so allow it while they run. */
    int defensive = 0;
    sqlite3_db_config(db->sql, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
    sqlite3_db_config(db->sql, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *)NULL);
    prm_code rc = PRM_OK;
    const store_migration *m = store_sqlite_migrations;
    for (; m->version != 0 && rc == PRM_OK; m++) {
        if (m->version <= version)
            continue;
        rc = sdb_exec(db, m->sql, err);
        if (rc == PRM_OK)
            rc = bump_schema_version(db, err);
        if (rc != PRM_OK)
            rc = prm_error_set(err, PRM_EDB,
                               "cannot upgrade %s to schema version %d "
                               "(migrations/%s): %s",
                               path, m->version, m->name, err->message);
        else
            version = m->version;
    }
    /* A version with no SQLite migration (the team schema's alone)
     * moves the number on all the same. */
    if (rc == PRM_OK && version < store_schema_version)
        rc = set_user_version(db, err);
    sqlite3_db_config(db->sql, SQLITE_DBCONFIG_DEFENSIVE, defensive,
                      (int *)NULL);
    return rc;
}

/* Whether a database is prm's, of this schema version: the common case,
 * read without a write lock so that opening never waits for a writer. */
static bool is_current(sqlite_db *db)
{
    int64_t app_id = 0, version = 0;
    return sdb_pragma_int(db, "PRAGMA application_id", &app_id, NULL) ==
               PRM_OK &&
           sdb_pragma_int(db, "PRAGMA user_version", &version, NULL) ==
               PRM_OK &&
           app_id == PRM_APPLICATION_ID && version == store_schema_version;
}

/* Give a new (empty) database the schema; check an existing one is prm's
 * and upgrade it when it is older. */
static prm_code ensure_schema(sqlite_db *db, const char *path, prm_error *err)
{
    int64_t app_id = 0, version = 0, objects = 0;
    if (is_current(db))
        return PRM_OK;
    /* Create or upgrade under the write lock, looking again: another
     * process may have done it meanwhile. */
    prm_code rc = sdb_run_fixed(db, FX_BEGIN_IMMEDIATE, err);
    if (rc != PRM_OK)
        return rc;
    if ((rc = sdb_pragma_int(db, "PRAGMA application_id", &app_id, err)) ||
        (rc = sdb_pragma_int(db, "PRAGMA user_version", &version, err)) ||
        (rc = sdb_pragma_int(db, "SELECT count(*) FROM sqlite_master", &objects,
                         err))) {
        sdb_run_fixed(db, FX_ROLLBACK, NULL);
        return prm_error_set(err, PRM_EDB, "%s is not a prm database (%s)",
                             path, err->message);
    }
    if (app_id == 0 && objects == 0) {
        rc = sdb_exec(db, prm_schema_sql, err);
        if (rc == PRM_OK)
            rc = set_user_version(db, err);
    }
    else if (app_id != PRM_APPLICATION_ID)
        rc = prm_error_set(err, PRM_EDB,
                           "%s is not a prm database (it is another "
                           "program's SQLite database)",
                           path);
    else if (version < 1)
        /* Every prm database has had a version since the first; without
         * one there is no knowing which migrations it needs. */
        rc = prm_error_set(err, PRM_EDB,
                           "%s has no schema version (PRAGMA user_version is "
                           "%lld); restore it from a backup",
                           path, (long long)version);
    else if (version > store_schema_version)
        rc = prm_error_set(err, PRM_EDB,
                           "%s has schema version %lld, newer than this prm "
                           "knows (%d); upgrade prm to open it",
                           path, (long long)version, store_schema_version);
    else
        rc = migrate(db, path, version, err);
    if (rc != PRM_OK) {
        sdb_run_fixed(db, FX_ROLLBACK, NULL);
        return rc;
    }
    return sdb_run_fixed(db, FX_COMMIT, err);
}

static prm_code configure(sqlite_db *db, bool memory, prm_error *err)
{
    /* Savepoints keep their undo records in memory, not in temporary
     * files. */
    prm_code rc = sdb_exec(db,
                           "PRAGMA foreign_keys = ON; PRAGMA temp_store = "
                           "MEMORY",
                           err);
    /* 16 KiB pages for a new file (an existing one keeps its own): a bulk
     * load writes every page twice, to the WAL and back, one system call
     * each, and the audit log doubles the bytes; four times fewer, larger
     * pages made piping 200,000 adds 6-9% faster.  It must come before
     * WAL, which fixes the page size. */
    if (rc == PRM_OK && !memory)
        rc = sdb_exec(db, "PRAGMA page_size = 16384", err);
    /* 64 MiB of page cache for reading, bounded, so memory stays flat
     * (write_cache makes it smaller while a batch writes).  Set after the
     * page size: SQLite (3.40) turns the size in KiB into a count of pages
     * when it is set and keeps the count when the page size changes,
     * which made 64 MiB of 4 KiB pages 256 MiB of 16 KiB ones on a new
     * database. */
    if (rc == PRM_OK)
        rc = sdb_exec(db, "PRAGMA cache_size = -65536", err);
    if (rc != PRM_OK || memory)
        return rc;
    /* WAL lets readers run beside a writer; NORMAL sync keeps every
     * committed command through a crash of prm (doc/design.md, guarantees) at far less
     * cost than FULL. */
    rc = sdb_exec(db, "PRAGMA journal_mode = WAL", err);
    if (rc == PRM_OK)
        rc = sdb_exec(db, "PRAGMA synchronous = NORMAL", err);
    return rc;
}

static void sqlite_close(prm_db *base);

/* Before SQLite's first use: no statistics of its memory (prm reads none),
 * which spares a global lock on every allocation.  Refused harmlessly if
 * the program has used SQLite already. */
static void configure_library(void)
{
    static bool done;
    if (!done) {
        done = true;
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
}

prm_code store_sqlite_open(const char *path, prm_db **out, prm_error *err)
{
    configure_library();
    bool memory = strcmp(path, ":memory:") == 0;
    *out = NULL;
    if (!memory) {
        prm_code rc = make_file(path, err);
        if (rc != PRM_OK)
            return rc;
    }
    sqlite_db *db = calloc(1, sizeof *db);
    if (db == NULL)
        return prm_error_nomem(err);
    store_base_init(&db->base, &store_sqlite_engine);
    /* One thread uses a connection: SQLite need not lock it on every
     * call (5% of a bulk load's instructions). */
    int src = sqlite3_open_v2(path, &db->sql,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                  SQLITE_OPEN_NOMUTEX,
                              NULL);
    prm_code rc = PRM_OK;
    if (src != SQLITE_OK)
        rc = prm_error_set(err, PRM_EIO, "cannot open %s: %s", path,
                           db->sql ? sqlite3_errmsg(db->sql)
                                   : sqlite3_errstr(src));
    /* Wait for other processes rather than fail, from the first read. */
    if (rc == PRM_OK) {
        sqlite3_extended_result_codes(db->sql, 1);
        sqlite3_busy_timeout(db->sql, BUSY_TIMEOUT_MS);
    }
    /* Reading the header first tells a non-database file apart before
     * journal_mode tries to change it. */
    int64_t probe;
    if (rc == PRM_OK &&
        sdb_pragma_int(db, "PRAGMA application_id", &probe, err) != PRM_OK) {
        if ((sqlite3_errcode(db->sql) & 0xff) == SQLITE_NOTADB)
            rc = prm_error_set(err, PRM_EDB,
                               "%s is not a prm database (it is not an SQLite "
                               "file)",
                               path);
        else
            rc = prm_error_set(err, PRM_EDB, "cannot read %s: %s", path,
                               sqlite3_errmsg(db->sql));
    }
    if (rc == PRM_OK)
        rc = configure(db, memory, err);
    if (rc == PRM_OK)
        rc = ensure_schema(db, path, err);
    if (rc == PRM_OK)
        rc = sdb_audit_functions(db, err);
    if (rc == PRM_OK && !memory && (db->path = strdup(path)) == NULL)
        rc = prm_error_nomem(err);
    db->base.file = db->path;
    if (rc != PRM_OK) {
        sqlite_close(&db->base);
        return rc;
    }
    *out = &db->base;
    return PRM_OK;
}

static void sqlite_close(prm_db *base)
{
    sqlite_db *db = (sqlite_db *)base;
    if (db == NULL)
        return;
    for (size_t i = 0; i < FX_COUNT; i++)
        sqlite3_finalize(db->fixed[i]);
    for (size_t k = 0; k < PRM_KIND_COUNT; k++)
        for (size_t s = 0; s < KS_COUNT; s++)
            sqlite3_finalize(db->kind_stmt[k][s]);
    for (size_t i = 0; i < db->ncache; i++) {
        sqlite3_finalize(db->cache[i].stmt);
        free(db->cache[i].sql);
    }
    if (db->sql != NULL && !sqlite3_get_autocommit(db->sql))
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db->sql);
    free(db->ids);
    free(db->image);
    free(db->path);
    store_base_free(&db->base);
    free(db);
}

/* --- Transactions -------------------------------------------------------- */

static prm_code sqlite_begin(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    db->change_known = false;
    prm_code rc = sdb_audit_triggers(db, err);
    return rc != PRM_OK ? rc : sdb_run_fixed(db, FX_BEGIN_IMMEDIATE, err);
}

static prm_code sqlite_commit(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    db->change_known = false;
    if (sqlite3_get_autocommit(db->sql))
        return PRM_OK;
    return sdb_run_fixed(db, FX_COMMIT, err);
}

static prm_code sqlite_rollback(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    db->change_known = false;
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
 * into the WAL, faulting in new memory).  Any other command gets 64 MiB:
 * insights over a million partners took 1.65x as long with 8.  Changed
 * only when it must, so a run of adds pays nothing for it. */
static prm_code write_cache(sqlite_db *db, bool small, prm_error *err)
{
    if (db->write_cache == small)
        return PRM_OK;
    prm_code rc =
        sdb_run_fixed(db, small ? FX_CACHE_WRITE : FX_CACHE_READ, err);
    if (rc == PRM_OK)
        db->write_cache = small;
    return rc;
}

static prm_code sqlite_cmd_begin(prm_db *base, store_access access, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    db->cmd_owns_tx = sqlite3_get_autocommit(db->sql) != 0;
    db->cmd_savepoint = false;
    prm_code rc = write_cache(db, !db->cmd_owns_tx && access != STORE_READ,
                              err);
    if (rc == PRM_OK && access != STORE_READ)
        rc = sdb_audit_triggers(db, err);
    if (rc != PRM_OK)
        return rc;
    if (db->cmd_owns_tx)
        rc = sdb_run_fixed(db,
                           access == STORE_READ ? FX_BEGIN : FX_BEGIN_IMMEDIATE,
                           err);
    else if (access == STORE_WRITE_MANY) {
        db->cmd_savepoint = true;
        rc = sdb_run_fixed(db, FX_SAVEPOINT, err);
    }
    /* A command that writes is one change in the audit log. */
    db->cmd_change_from = db->change;
    db->cmd_change_known = db->change_known;
    if (rc == PRM_OK && access != STORE_READ) {
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
    if (rc != PRM_OK) {
        db->change = db->cmd_change_from;
        db->change_known = db->cmd_change_known;
    }
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
    .close = sqlite_close,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .in_transaction = sqlite_in_transaction,
    .cmd_begin = sqlite_cmd_begin,
    .cmd_end = sqlite_cmd_end,
    .insert = sqlite_insert,
    .update = sqlite_update,
    .differs = sqlite_differs,
    .unchanged = sqlite_unchanged,
    .fetch = sqlite_fetch,
    .list = sqlite_list,
    .names = sqlite_names,
    .remove = sqlite_remove,
    .metrics = sqlite_metrics,
    .map_reset = sqlite_map_reset,
    .report = sqlite_report,
    .trend = sqlite_trend,
    .insights = sqlite_insights,
    .audit_list = sqlite_audit_list,
    .undo_last = sqlite_undo_last,
    .copy_to = sqlite_copy_to,
    .check = sqlite_check,
};
