/*
 * open.c - opening a file database: its folders (0700) and file (0600)
 * made when new, the connection set up, prm's schema created in an empty
 * file or an older one migrated (migrations/, in one transaction), and
 * closing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/sqlite/sqlite_db.h"

extern const char prm_schema_sql[]; /* schema.sql, embedded by the build */


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
    /* The newest version, whether or not its migration was the SQLite
     * engine's (one of the team schema's alone moves the number on too),
     * and whether or not the file set it itself. */
    if (rc == PRM_OK)
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
     * (use_cache makes it smaller while a batch writes or a command
     * scans, db.c).  Set after the
     * page size: SQLite (3.40) turns the size in KiB into a count of pages
     * when it is set and keeps the count when the page size changes,
     * which made 64 MiB of 4 KiB pages 256 MiB of 16 KiB ones on a new
     * database. */
    if (rc == PRM_OK)
        rc = sdb_run_fixed(db, FX_CACHE_READ, err);
    db->cache_in_use = FX_CACHE_READ;
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

void sqlite_close(prm_db *base)
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
    free(db->audit_guard);
    store_base_free(&db->base);
    free(db);
}
