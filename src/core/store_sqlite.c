/*
 * store_sqlite.c - the storage layer on SQLite.
 *
 * Every statement is prepared once and kept: fixed ones (transactions, a
 * kind's insert, update and fetch) in per-purpose slots, generated ones (a
 * list's filters, a metrics scope) in a small cache keyed by their SQL text,
 * so a script of 200,000 lines prepares a handful of statements, not
 * 200,000.  Values reach SQLite only as bound parameters; the SQL text is
 * built from the field tables in kinds.c alone.
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

#include "sqlite_db.h"

extern const char prm_schema_sql[]; /* schema.sql, embedded by the build */

/* A project's partner ids as text, ascending ("1,2,3"): what a record
 * reads, and what store_ids_text makes of a list to compare with it. */
#define PARTNER_IDS_SQL                                                      \
    "(SELECT group_concat(partner_id) FROM (SELECT partner_id FROM "         \
    "project_partners WHERE project_id = t.id ORDER BY partner_id))"

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
        return prm_error_set(err, PRM_EDB, "out of memory");
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

/* --- Opening ------------------------------------------------------------- */

/* Create the folders above path that are missing, mode 0700. */
static prm_code make_parents(const char *path, prm_error *err)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return prm_error_set(err, PRM_EIO, "out of memory");
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

extern const char prm_migration_002[]; /* migrations/002_audit.sql */
extern const char prm_migration_003[]; /* migrations/003_enum_checks.sql */
extern const char prm_migration_004[]; /* migrations/004_compact_images.sql */
extern const char prm_migration_005[]; /* migrations/005_canonical_commands.sql */

/* The migrations, in order: migration[i] takes version i + 1 to i + 2. */
static const char *const migrations[PRM_SCHEMA_VERSION - 1] = {
    prm_migration_002,
    prm_migration_003,
    prm_migration_004,
    prm_migration_005,
};

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
    for (int64_t v = version; v < PRM_SCHEMA_VERSION && rc == PRM_OK; v++) {
        rc = sdb_exec(db, migrations[v - 1], err);
        if (rc == PRM_OK)
            rc = bump_schema_version(db, err);
        if (rc != PRM_OK) {
            char msg[sizeof err->message];
            snprintf(msg, sizeof msg, "%s", err->message);
            rc = prm_error_set(err, PRM_EDB,
                               "cannot upgrade %s from schema version %lld: %s",
                               path, (long long)v, msg);
        }
    }
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
           app_id == PRM_APPLICATION_ID && version == PRM_SCHEMA_VERSION;
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
        char why[sizeof err->message];
        snprintf(why, sizeof why, "%s", err->message);
        sdb_run_fixed(db, FX_ROLLBACK, NULL);
        return prm_error_set(err, PRM_EDB, "%s is not a prm database (%s)",
                             path, why);
    }
    if (app_id == 0 && objects == 0)
        rc = sdb_exec(db, prm_schema_sql, err);
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
    else if (version > PRM_SCHEMA_VERSION)
        rc = prm_error_set(err, PRM_EDB,
                           "%s has schema version %lld, newer than this prm "
                           "knows (%d); upgrade prm to open it",
                           path, (long long)version, PRM_SCHEMA_VERSION);
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
     * committed command through a crash of prm (SPEC.md §5) at far less
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
        return prm_error_set(err, PRM_EIO, "out of memory");
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
        rc = prm_error_set(err, PRM_EIO, "out of memory");
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

/* --- Reading records ------------------------------------------------------ */


/* The fields of a kind, in order, then with names the names of what its
 * references refer to (store_add_ref_names). */
static void add_select_list(sqlbuf *b, const prm_kind_info *info, bool names)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        sql_add(b, i ? ", " : "SELECT ");
        if (col != NULL)
            sql_add(b, "t.\"%s\"", col);
        else
            sql_add(b, PARTNER_IDS_SQL);
    }
    if (names)
        store_add_ref_names(
            b, info,
            "(SELECT group_concat(name, ', ') FROM (SELECT p.name FROM "
            "project_partners AS pp JOIN partners AS p ON p.id = "
            "pp.partner_id WHERE pp.project_id = t.id ORDER BY p.id))");
    sql_add(b, " FROM %s AS t", store_table(info));
}

/* The names after the fields, when the statement has them. */
static void row_ref_names(sqlite3_stmt *stmt, const prm_kind_info *info,
                          prm_record *rec)
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
                              sqlite3_stmt *stmt, prm_record *rec,
                              prm_error *err)
{
    rec->info = info;
    for (size_t i = 0; i < info->nfields; i++) {
        prm_value *v = &rec->v[i];
        *v = (prm_value){.type = PRM_V_NULL};
        int ctype = sqlite3_column_type(stmt, (int)i);
        if (ctype == SQLITE_NULL)
            continue;
        if (info->fields[i].type == PRM_F_PARTNER_LIST) {
            const char *text = (const char *)sqlite3_column_text(stmt, (int)i);
            prm_code rc = store_parse_ids(text, &db->ids, &db->ids_cap,
                                          &v->nids, err);
            if (rc != PRM_OK)
                return rc;
            v->type = PRM_V_IDS;
            v->ids = db->ids;
        } else if (ctype == SQLITE_INTEGER &&
                   info->fields[i].type != PRM_F_NUMBER) {
            v->type = PRM_V_INT;
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
        prm_record rec;
        rc = row_to_record(db, info, stmt, &rec, err);
        (*rows)++;
        if (rc != PRM_OK || !fn(ctx, &rec))
            break;
    }
    if (rc == PRM_OK && src != SQLITE_ROW && src != SQLITE_DONE)
        rc = sdb_fail(db, src, err, "reading records");
    sdb_done(stmt);
    return rc;
}

static prm_code sqlite_fetch(prm_db *base, const prm_kind_info *info, int64_t id,
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

static void add_filter_sql(sqlbuf *b, const prm_kind_info *info,
                           const store_filter *f)
{
    const char *col =
        f->op <= SF_RANGE ? store_column(&info->fields[f->field]) : NULL;
    switch (f->op) {
    case SF_EQ:
        sql_add(b, "t.\"%s\" = ?", col);
        break;
    case SF_NULL:
        sql_add(b, "t.\"%s\" IS NULL", col);
        break;
    case SF_RANGE:
        sql_add(b, "t.\"%s\" BETWEEN ? AND ?", col);
        break;
    case SF_HAS_PARTNER:
        sql_add(b, "t.id IN (SELECT project_id FROM project_partners WHERE "
                   "partner_id = ?)");
        break;
    case SF_HAS_PROJECT:
        sql_add(b, "t.id IN (SELECT partner_id FROM project_partners WHERE "
                   "project_id = ?)");
        break;
    case SF_PARTNER_WORK:
        sql_add(b, "t.project_id IN (SELECT project_id FROM project_partners "
                   "WHERE partner_id = ?)");
        break;
    case SF_PARTNERS_ARE:
        /* The first partner's projects (indexed), then the whole list
         * as text in ascending order (the primary key's: no sort). */
        if (f->value.nids == 0)
            sql_add(b, "FALSE");
        else
            sql_add(b, "t.id IN (SELECT project_id FROM project_partners "
                       "WHERE partner_id = ?) AND " PARTNER_IDS_SQL " = ?");
        break;
    case SF_OWNER: /* a file has no owners: records.c refuses owner= */
        sql_add(b, "(? IS NULL AND FALSE)");
        break;
    case SF_WINDOW:
        sql_add(b, "%s BETWEEN ? AND ?", store_date_sql(info));
        break;
    }
}

static int bind_filter(sqlite3_stmt *stmt, int *idx, const store_filter *f)
{
    switch (f->op) {
    case SF_NULL:
        return SQLITE_OK;
    case SF_RANGE:
    case SF_WINDOW: {
        int rc = sqlite3_bind_text(stmt, (*idx)++, f->lo, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(stmt, (*idx)++, f->hi, -1, SQLITE_STATIC);
        return rc;
    }
    case SF_PARTNERS_ARE: {
        if (f->value.nids == 0)
            return SQLITE_OK;
        char *text = store_ids_text(f->value.ids, f->value.nids);
        if (text == NULL)
            return SQLITE_NOMEM;
        int rc = sqlite3_bind_int64(stmt, (*idx)++, f->value.ids[0]);
        if (rc == SQLITE_OK)
            return sqlite3_bind_text(stmt, (*idx)++, text, -1, free);
        free(text);
        return rc;
    }
    default:
        return sdb_bind_value(stmt, (*idx)++, &f->value);
    }
}

static prm_code sqlite_list(prm_db *base, const prm_kind_info *info,
                    const store_filter *filters, size_t nfilters, bool names,
                    prm_record_fn fn, void *ctx, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    add_select_list(&b, info, names);
    for (size_t i = 0; i < nfilters; i++) {
        sql_add(&b, i ? " AND " : " WHERE ");
        add_filter_sql(&b, info, &filters[i]);
    }
    sql_add(&b, " ORDER BY t.id");
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int idx = 1;
    for (size_t i = 0; i < nfilters; i++) {
        int src = bind_filter(stmt, &idx, &filters[i]);
        if (src != SQLITE_OK) {
            sdb_done(stmt);
            return sdb_fail(db, src, err, "binding a filter");
        }
    }
    size_t rows;
    return each_row(db, info, stmt, fn, ctx, &rows, err);
}

static prm_code sqlite_names(prm_db *base, const prm_kind_info *info,
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
        return prm_error_set(err, PRM_EDB, "out of memory");
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

/* Every column, id included: a NULL id lets SQLite choose one, and import
 * gives the ids (and dates) an export had. */
static void build_insert(sqlbuf *b, const prm_kind_info *info)
{
    sql_add(b, "INSERT INTO %s (", store_table(info));
    size_t n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        if (col != NULL)
            sql_add(b, "%s\"%s\"", n++ ? ", " : "", col);
    }
    sql_add(b, ") VALUES (");
    for (size_t i = 0; i < n; i++)
        sql_add(b, "%s?", i ? ", " : "");
    sql_add(b, ")");
}

/* UPDATE t SET col = CASE WHEN ?flag THEN ?value ELSE col END, ...: one
 * statement for any set of changed fields.  Field i's flag is parameter
 * 2i+2 and its value 2i+3; updated_at takes the next one. */
static void build_update(sqlbuf *b, const prm_kind_info *info)
{
    sql_add(b, "UPDATE %s SET ", store_table(info));
    size_t n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        if (col == NULL || (f->flags & PRM_FF_READONLY))
            continue;
        sql_add(b, "%s\"%s\" = CASE WHEN ?%zu THEN ?%zu ELSE \"%s\" END",
                n++ ? ", " : "", col, 2 * i + 2, 2 * i + 3, col);
    }
    if (prm_field_index(info, "updated_at") >= 0)
        sql_add(b, ", updated_at = ?%zu", 2 * info->nfields + 2);
    sql_add(b, " WHERE id = ?1");
}

prm_code sdb_kind_stmt(sqlite_db *db, const prm_kind_info *info,
                       enum kind_stmt which, sqlite3_stmt **out,
                       prm_error *err)
{
    sqlite3_stmt **slot = &db->kind_stmt[info->kind][which];
    if (*slot == NULL) {
        sqlbuf b = {.len = 0};
        if (which == KS_INSERT)
            build_insert(&b, info);
        else if (which == KS_UPDATE)
            build_update(&b, info);
        else if (which == KS_LOG_ADD)
            sdb_audit_added_sql(&b, info);
        else {
            add_select_list(&b, info, true);
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

/* A failed write: a taken name is the user's conflict, the rest is ours. */
static prm_code write_fail(sqlite_db *db, int src, const prm_kind_info *info,
                           const store_row *row, prm_error *err)
{
    int name = prm_field_index(info, "name");
    if (src == SQLITE_CONSTRAINT_UNIQUE && name >= 0 && row->set[name])
        return prm_error_set(err, PRM_ECONFLICT,
                             "a %s named '%s' already exists; names are "
                             "unique, without regard to case",
                             info->name, row->v[name].s);
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
        return prm_error_set(err, PRM_EDB, "out of memory");
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
static prm_code set_partners(sqlite_db *db, int64_t project,
                             const prm_value *list, bool replace,
                             prm_error *err)
{
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

static int partner_list_index(const prm_kind_info *info)
{
    for (size_t i = 0; i < info->nfields; i++)
        if (info->fields[i].type == PRM_F_PARTNER_LIST)
            return (int)i;
    return -1;
}

static const prm_value null_value = {.type = PRM_V_NULL};

/* The audit entry of a record just added, whose values were bound.
 * Should it fail, the record must not stay: a command that began the
 * transaction or holds a savepoint has it rolled back when it ends; a
 * plain add inside a batch has neither, so the batch goes, as SQLite itself
 * would take it on a full disk, and the script runner reports its lines as
 * not kept. */
static prm_code log_added(sqlite_db *db, const prm_kind_info *info, int64_t id,
                          const prm_value *const values[], prm_error *err)
{
    const char *image = sdb_audit_image(db, info, values);
    prm_code rc = image == NULL ? prm_error_set(err, PRM_EDB, "out of memory")
                                : sdb_audit_added(db, info, id, image, err);
    if (rc != PRM_OK && !db->cmd_owns_tx && !db->cmd_savepoint &&
        !sqlite3_get_autocommit(db->sql))
        sdb_run_fixed(db, FX_ROLLBACK, NULL);
    return rc;
}

static prm_code sqlite_insert(prm_db *base, const prm_kind_info *info,
                      const store_row *row, int64_t *id, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    prm_code rc = sdb_kind_stmt(db, info, KS_INSERT, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    const char *now = store_now(&db->base);
    prm_value stamp = {.type = PRM_V_TEXT, .s = now, .len = strlen(now)};
    const prm_value *values[PRM_MAX_FIELDS];
    int idx = 1, src = SQLITE_OK;
    for (size_t i = 0; i < info->nfields && src == SQLITE_OK; i++) {
        const prm_field *f = &info->fields[i];
        if (store_column(f) == NULL)
            continue;
        const prm_value *v = &row->v[i];
        if (!row->set[i] && f->type == PRM_F_ID)
            v = &null_value;
        else if (!row->set[i] && (f->flags & PRM_FF_READONLY))
            v = &stamp;
        values[i] = v;
        src = sdb_bind_value(stmt, idx++, v);
    }
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    if (src != SQLITE_DONE) {
        rc = write_fail(db, src, info, row, err);
        sdb_done(stmt);
        return rc;
    }
    /* Every parameter is bound again on each use: the bindings need no
     * clearing, which costs as much as binding them. */
    sqlite3_reset(stmt);
    *id = sqlite3_last_insert_rowid(db->sql);
    rc = log_added(db, info, *id, values, err);
    int list = partner_list_index(info);
    if (rc == PRM_OK && list >= 0)
        rc = set_partners(db, *id, &row->v[list], false, err);
    return rc;
}

static prm_code sqlite_update(prm_db *base, const prm_kind_info *info, int64_t id,
                      const store_row *row, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    prm_code rc = sdb_kind_stmt(db, info, KS_UPDATE, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_bind_int64(stmt, 1, id);
    for (size_t i = 0; i < info->nfields && src == SQLITE_OK; i++) {
        const prm_field *f = &info->fields[i];
        if (store_column(f) == NULL || (f->flags & PRM_FF_READONLY))
            continue;
        src = sqlite3_bind_int(stmt, (int)(2 * i + 2), row->set[i]);
        if (src == SQLITE_OK && row->set[i])
            src = sdb_bind_value(stmt, (int)(2 * i + 3), &row->v[i]);
    }
    if (src == SQLITE_OK && prm_field_index(info, "updated_at") >= 0)
        src = sqlite3_bind_text(stmt, (int)(2 * info->nfields + 2),
                                store_now(&db->base), -1, SQLITE_TRANSIENT);
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    if (src != SQLITE_DONE) {
        rc = write_fail(db, src, info, row, err);
        sdb_done(stmt);
        return rc;
    }
    sdb_done(stmt);
    int list = partner_list_index(info);
    if (list >= 0 && row->set[list])
        rc = set_partners(db, id, &row->v[list], true, err);
    return rc;
}

/* Field i of row set to its value: the value bound as ?(i+2), a project's
 * partners as the text of their ids, which differs_sql compares. */
static int bind_new_value(sqlite3_stmt *stmt, size_t i, const prm_value *v)
{
    if (v->type != PRM_V_IDS)
        return sdb_bind_value(stmt, (int)i + 2, v);
    char *text = store_ids_text(v->ids, v->nids);
    if (text == NULL)
        return SQLITE_NOMEM;
    return sqlite3_bind_text(stmt, (int)i + 2, text, -1, free);
}

/* Whether differs_sql compares field i: one row sets that the user may. */
static bool compared(const prm_kind_info *info, const store_row *row,
                     size_t i)
{
    const prm_field *f = &info->fields[i];
    return row->set[i] && !(f->flags & PRM_FF_READONLY) &&
           (store_column(f) != NULL || f->type == PRM_F_PARTNER_LIST);
}

/* SELECT whether any field row sets differs from what record ?1 holds.
 * Text compares byte for byte (a name's case is a change, though names
 * are unique without regard to it). */
static void differs_sql(sqlbuf *b, const prm_kind_info *info,
                        const store_row *row)
{
    sql_add(b, "SELECT 0");
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        if (!compared(info, row, i))
            continue;
        if (col != NULL)
            sql_add(b, " OR t.\"%s\" IS NOT ?%zu COLLATE BINARY", col, i + 2);
        else
            sql_add(b, " OR " PARTNER_IDS_SQL " IS NOT ?%zu", i + 2);
    }
    sql_add(b, " FROM %s AS t WHERE t.id = ?1", store_table(info));
}

static prm_code sqlite_differs(prm_db *base, const prm_kind_info *info,
                               int64_t id, const store_row *row,
                               bool *differs, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    differs_sql(&b, info, row);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_bind_int64(stmt, 1, id);
    for (size_t i = 0; i < info->nfields && src == SQLITE_OK; i++)
        if (compared(info, row, i))
            src = bind_new_value(stmt, i, &row->v[i]);
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    /* No row: the update will say so. */
    *differs = src != SQLITE_ROW || sqlite3_column_int(stmt, 0) != 0;
    sdb_done(stmt);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return sdb_fail(db, src, err, "comparing");
    return PRM_OK;
}

static void sqlite_unchanged(prm_db *base)
{
    sqlite_db *db = (sqlite_db *)base;
    db->change = db->cmd_change_from;
    db->change_known = db->cmd_change_known;
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

static prm_code sqlite_exists(prm_db *base, const prm_kind_info *info, int64_t id,
                      bool *found, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT EXISTS (SELECT 1 FROM %s WHERE id = ?1)",
            store_table(info));
    sqlite3_stmt *stmt;
    int64_t n = 0;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, id, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, &n, 1, err);
    *found = n != 0;
    return rc;
}

static prm_code sqlite_find_name(prm_db *base, const prm_kind_info *info,
                         const char *name, int64_t *id, bool *found,
                         prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    *found = false;
    if (prm_field_find(info, "name") == NULL)
        return PRM_OK;
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT id FROM %s WHERE name = ?1", store_table(info));
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    if (src == SQLITE_ROW) {
        *id = sqlite3_column_int64(stmt, 0);
        *found = true;
    }
    sdb_done(stmt);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return sdb_fail(db, src, err, "looking up a name");
    return PRM_OK;
}

static prm_code sqlite_deps_of(prm_db *base, const prm_kind_info *info, int64_t id,
                       store_deps *deps, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    *deps = (store_deps){0};
    const char *sql = store_deps_sql(info);
    if (sql == NULL)
        return PRM_OK;
    sqlite3_stmt *stmt;
    int64_t n[4];
    prm_code rc = sdb_cached(db, sql, &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, id, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, n, 4, err);
    if (rc == PRM_OK)
        *deps = (store_deps){n[0], n[1], n[2], n[3]};
    return rc;
}

/* Projects whose only partner is ?1: they cannot outlive it. */
static prm_code sqlite_remove(prm_db *base, const prm_kind_info *info, int64_t id,
                      bool cascade, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    prm_code rc = PRM_OK;
    const char *const *steps = cascade ? store_cascade_sql(info) : NULL;
    for (size_t i = 0; steps != NULL && steps[i] != NULL && rc == PRM_OK; i++)
        rc = sdb_run_with_id(db, steps[i], id, err);
    if (rc != PRM_OK)
        return rc;
    sqlbuf b = {.len = 0};
    sql_add(&b, "DELETE FROM %s WHERE id = ?1", store_table(info));
    if (b.overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return sdb_run_with_id(db, b.text, id, err);
}

static prm_code sqlite_is_empty(prm_db *base, bool *empty, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    int64_t n = 1;
    prm_code rc = sdb_cached(db,
                         "SELECT EXISTS (SELECT 1 FROM partners) OR EXISTS "
                         "(SELECT 1 FROM projects) OR EXISTS (SELECT 1 FROM "
                         "communications) OR EXISTS (SELECT 1 FROM resources) "
                         "OR EXISTS (SELECT 1 FROM outcomes)",
                         &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, &n, 1, err);
    *empty = n == 0;
    return rc;
}

/* The ids an import read and the ids they were stored under live in a
 * temporary table, so memory stays flat however large the import. */
static prm_code sqlite_map_reset(prm_db *base, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    prm_code rc = sdb_exec(db,
                       "CREATE TEMP TABLE IF NOT EXISTS prm_import_map (kind "
                       "INTEGER, old INTEGER, new INTEGER, PRIMARY KEY (kind, "
                       "old)) WITHOUT ROWID",
                       err);
    if (rc == PRM_OK)
        rc = sdb_exec(db, "DELETE FROM temp.prm_import_map", err);
    return rc;
}

static prm_code sqlite_map_put(prm_db *base, prm_kind kind, int64_t old, int64_t new_id,
                       prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                         "INSERT INTO temp.prm_import_map (kind, old, new) "
                         "VALUES (?1, ?2, ?3)",
                         &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, kind, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 2, old, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 3, new_id, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_step(stmt);
    sdb_done(stmt);
    if (src == SQLITE_CONSTRAINT_PRIMARYKEY)
        return prm_error_set(err, PRM_ECONFLICT, "id %lld appears twice",
                             (long long)old);
    if (src != SQLITE_DONE)
        return sdb_fail(db, src, err, "importing");
    return PRM_OK;
}

static prm_code sqlite_map_get(prm_db *base, prm_kind kind, int64_t old,
                       int64_t *new_id, bool *found, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    sqlite3_stmt *stmt;
    *found = false;
    prm_code rc = sdb_cached(db,
                         "SELECT new FROM temp.prm_import_map WHERE kind = ?1 "
                         "AND old = ?2",
                         &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, kind, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 2, old, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_step(stmt);
    if (src == SQLITE_ROW) {
        *new_id = sqlite3_column_int64(stmt, 0);
        *found = true;
    }
    sdb_done(stmt);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return sdb_fail(db, src, err, "importing");
    return PRM_OK;
}

const store_engine store_sqlite_engine = {
    .name = "sqlite",
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
    .exists = sqlite_exists,
    .find_name = sqlite_find_name,
    .fetch = sqlite_fetch,
    .list = sqlite_list,
    .names = sqlite_names,
    .deps_of = sqlite_deps_of,
    .remove = sqlite_remove,
    .metrics = sqlite_metrics,
    .is_empty = sqlite_is_empty,
    .map_reset = sqlite_map_reset,
    .map_put = sqlite_map_put,
    .map_get = sqlite_map_get,
    .report = sqlite_report,
    .trend = sqlite_trend,
    .insights = sqlite_insights,
    .audit_list = sqlite_audit_list,
    .undo_last = sqlite_undo_last,
    .backup = sqlite_backup,
    .check = sqlite_check,
};
