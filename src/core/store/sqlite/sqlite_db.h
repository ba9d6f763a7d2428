/*
 * sqlite_db.h - the inside of the SQLite engine, shared by its files (db.c:
 * statements, transactions; open.c: opening, creating, migrating;
 * records.c; metrics.c and insights.c;
 * audit.c: the audit log and undo; admin.c: copy and check).  Nothing
 * outside src/core/store/sqlite/ includes it.
 */
#ifndef PRM_SQLITE_DB_H
#define PRM_SQLITE_DB_H

#include <time.h>

#include <sqlite3.h>

#include "store/engine.h"

#define PRM_APPLICATION_ID 1347571761 /* "PRM1" */
/* The longest command an add may have to be logged without it
 * (audit.c); a longer one is logged as typed. */
#define PRM_ADD_COMMAND_MAX 512
#define STMT_CACHE_SIZE 64
#define BUSY_TIMEOUT_MS 30000

enum fixed_stmt {
    FX_BEGIN,
    FX_BEGIN_IMMEDIATE,
    FX_COMMIT,
    FX_ROLLBACK,
    FX_SAVEPOINT,
    FX_RELEASE,
    FX_ROLLBACK_TO,
    FX_CACHE_READ,
    FX_CACHE_WRITE,
    FX_CACHE_SCAN,
    FX_COUNT
};

/* Per kind: add, read one record, log one added (audit), count one added
 * into prm_tallies, into its partners' figures (prm_partner_tallies) and
 * into its day's counts (prm_day_tallies; none for a kind no count
 * covers). */
enum kind_stmt {
    KS_INSERT,
    KS_FETCH,
    KS_LOG_ADD,
    KS_TALLY,
    KS_PARTNER_TALLY,
    KS_DAY_TALLY,
    KS_DAY_RAISE,
    KS_AGENDA_CLEAR,
    KS_AGENDA,
    KS_COUNT
};

struct cached_stmt {
    char *sql;
    sqlite3_stmt *stmt;
    unsigned long last_use;
};

typedef struct sqlite_db {
    prm_db base;
    sqlite3 *sql;
    char *path;         /* the file, for backup and check; NULL in memory */
    sqlite3_stmt *fixed[FX_COUNT];
    sqlite3_stmt *kind_stmt[PRM_KIND_COUNT][KS_COUNT];
    struct cached_stmt cache[STMT_CACHE_SIZE];
    size_t ncache;
    unsigned long tick;
    bool cmd_owns_tx;   /* the command began the transaction */
    bool cmd_savepoint; /* the command opened a savepoint */
    enum fixed_stmt cache_in_use; /* the page cache's size (FX_CACHE_*) */
    int64_t *ids; /* a fetched project's partners */
    size_t ids_cap;
    /* what the audit log records of the command being run, besides its
     * change number (base.changes) */
    int64_t undoes;  /* the change an undo reverts, or 0 */
    bool audit_triggers; /* made, outside a transaction */
    char *audit_guard;   /* its SQL, while encryption's rewrite lasts */
    /* With encryption on, the next id of each kind, read once a write
     * transaction (which holds the lock) and counted on from; 0 when it
     * must be read (admin.c: sqlite_next_id). */
    int64_t next_id[PRM_KIND_COUNT];
    char *image;       /* the audit image of a record being added */
    size_t image_len, image_cap;
} sqlite_db;

prm_code sdb_fail(sqlite_db *db, int rc, prm_error *err, const char *what);
prm_code sdb_prepare(sqlite_db *db, const char *sql, sqlite3_stmt **out,
                     prm_error *err);
/* A prepared statement for sql, kept for the next time it is asked for. */
prm_code sdb_cached(sqlite_db *db, const char *sql, sqlite3_stmt **out,
                    prm_error *err);
prm_code sdb_cached_sqlbuf(sqlite_db *db, const sqlbuf *b, sqlite3_stmt **out,
                           prm_error *err);
/* Release a statement's row and bindings so it holds no read lock. */
void sdb_done(sqlite3_stmt *stmt);
prm_code sdb_run(sqlite_db *db, sqlite3_stmt *stmt, prm_error *err,
                 const char *what);
prm_code sdb_run_fixed(sqlite_db *db, enum fixed_stmt which, prm_error *err);
int sdb_bind_value(sqlite3_stmt *stmt, int idx, const prm_value *v);
/* Bind text to the named parameter when the statement has it. */
int sdb_bind_named_text(sqlite3_stmt *stmt, const char *name,
                        const char *value);
/* Bind a scope's values (:partner, :type, :region, :status, :since,
 * :until) to those of the named parameters a statement has. */
int sdb_bind_scope(sqlite3_stmt *stmt, const store_scope *s);
prm_code sdb_bind_id(sqlite_db *db, sqlite3_stmt *stmt, int idx, int64_t id,
                     prm_error *err);

/* open.c: close the connection and free the handle. */
void sqlite_close(prm_db *db);
/* The engine's exec (engine.h): one statement, values bound, a row of
 * integers back. */
prm_code sqlite_exec(prm_db *db, const char *sql, const prm_value *params,
                     size_t nparams, int64_t *out, size_t nout, bool *got,
                     const char *what, prm_error *err);
prm_code sqlite_rows(prm_db *db, const char *sql, const prm_value *params,
                     size_t nparams, store_text_row_fn fn, void *ctx,
                     const char *what, prm_error *err);
prm_code sdb_pragma_int(sqlite_db *db, const char *sql, int64_t *out,
                        prm_error *err);
prm_code sdb_exec(sqlite_db *db, const char *sql, prm_error *err);
/* Run a query whose one row holds n counts. */
prm_code sdb_counts(sqlite_db *db, sqlite3_stmt *stmt, int64_t *out, int n,
                    prm_error *err);

/* audit.c: the audit log's functions on a connection (at open); its
 * triggers (before the first write transaction: see sdb_audit_triggers);
 * the next change number for a command that writes. */
prm_code sdb_audit_functions(sqlite_db *db, prm_error *err);
/* An entry's command, made again for an add logged without it. */
#define SDB_AUDIT_COMMAND                                                    \
    "CASE WHEN command = '' AND action = 'add' THEN prm_add_command(kind, "  \
    "after) ELSE command END"
prm_code sdb_audit_triggers(sqlite_db *db, prm_error *err);
prm_code sdb_next_change(sqlite_db *db, prm_error *err);
/* The statement that logs a record of this kind as added (KS_LOG_ADD). */
void sdb_audit_added_sql(sqlbuf *b, const prm_kind_info *info);
/* The command an add's entry keeps: none ("") when it is the one the
 * add's image (of the values as given) gives back, else the command as
 * the log keeps it (store_command). */
const char *sdb_entry_command(sqlite_db *db, const prm_kind_info *info,
                              const char *image);
/* Log record id of kind info as added by the command being run, with
 * image, the record's JSON image, and command (sdb_entry_command): right
 * after its INSERT, before anything else the command writes, so that undo
 * reverts it last. */
prm_code sdb_audit_added(sqlite_db *db, const prm_kind_info *info, int64_t id,
                         const char *image, const char *command,
                         prm_error *err);
/* The JSON image of a record just added with these values (by field
 * index; those of fields without a column are not read), as the audit log
 * keeps it: compact, without what the entry holds already (the id, null
 * fields, time stamps equal to the entry's time), made whole again when
 * the log is read.  In db's buffer, valid until the next call; NULL when
 * out of memory.  sealed: the sensitive values are sealed ones (store/
 * seal.h), copied as they are. */
const char *sdb_audit_image(sqlite_db *db, const prm_kind_info *info,
                            const prm_value *const values[], bool sealed);
/* audit_image.c: prm_add_command(kind, image), the command an add logged
 * without one had (a SQL function); and the SQL of an entry's image made
 * whole (an expression over the audit table's columns). */
void sdb_fn_add_command(sqlite3_context *c, int argc, sqlite3_value **argv);
void sdb_audit_full_image(sqlbuf *b);
/* Count the record id just added (with the values bound; NULL: none at
 * hand) into prm_tallies and its partners' figures, and keep the
 * agenda's items it makes (every insert of a record makes this call):
 * statements of
 * their own, since a trigger on insert would make SQLite keep a statement
 * journal (a copy of each page the add changes) for every add
 * (records.c). */
prm_code sdb_tally_added(sqlite_db *db, const prm_kind_info *info,
                         int64_t id, const prm_value *const values[],
                         prm_error *err);

/* The kind's statement `which`, prepared on first use and kept. */
prm_code sdb_kind_stmt(sqlite_db *db, const prm_kind_info *info,
                       enum kind_stmt which, sqlite3_stmt **out,
                       prm_error *err);

/* The SQL that keeps the agenda of a file as a record of the kind is
 * added ($1 its id): KS_AGENDA_CLEAR first, then KS_AGENDA; NULL where
 * there is nothing to do (agenda.c). */
const char *sdb_agenda_added(const prm_kind_info *info, enum kind_stmt which);
/* The communication id just added, with the values bound (NULL: read
 * from it): its partner's date in the agenda kept, if it is the
 * partner's last contact and the partner is there. */
prm_code sdb_agenda_contact(sqlite_db *db, const prm_kind_info *info,
                            int64_t id, const prm_value *const values[],
                            prm_error *err);

/* The statement for the SQL of sql_metrics.c in b, with the scope and the
 * report's dates (:asof, :recent_since) bound (metrics.c). */
prm_code sdb_prepare_scoped(sqlite_db *db, const sqlbuf *b,
                            const store_scope *s, sqlite3_stmt **stmt,
                            prm_error *err);

/* Entry points of the engine defined in other files of it (the table is
 * store_sqlite_engine in db.c): records.c, then metrics.c, insights.c,
 * audit.c and admin.c. */
prm_code sqlite_fetch(prm_db *base, const prm_kind_info *info, int64_t id,
                      prm_record_fn fn, void *ctx, prm_error *err);
prm_code sqlite_list(prm_db *base, const prm_kind_info *info,
                     const store_filter *filters, size_t nfilters, bool names,
                     prm_record_fn fn, void *ctx, prm_error *err);
prm_code sqlite_names(prm_db *base, const prm_kind_info *info,
                      const char *prefix,
                      bool (*fn)(void *ctx, const char *name), void *ctx,
                      prm_error *err);
prm_code sqlite_insert(prm_db *base, const prm_kind_info *info,
                       const store_row *row, const store_row *plain,
                       int64_t *id, prm_error *err);
prm_code sqlite_set_partners(prm_db *base, int64_t project,
                             const prm_value *list, bool replace,
                             prm_error *err);
prm_code sqlite_metrics(prm_db *db, const store_scope *scope, prm_metrics *out,
                        prm_error *err);
prm_code sqlite_report(prm_db *db, const store_scope *scope, const char *sort,
                       int64_t limit, prm_report_fn fn, void *ctx,
                       prm_error *err);
prm_code sqlite_trend(prm_db *db, const store_scope *scope, store_period by,
                      prm_trend_fn fn, void *ctx, prm_error *err);
prm_code sqlite_insights(prm_db *db, store_rule rule, const store_scope *s,
                         const store_thresholds *t, int64_t limit,
                         bool (*fn)(void *ctx, const store_insight_row *row),
                         void *ctx, prm_error *err);
prm_code sqlite_audit_list(prm_db *db, const store_audit_filter *f,
                           prm_audit_fn fn, void *ctx, prm_error *err);
prm_code sqlite_undo_last(prm_db *db, int64_t *undone, char *command,
                          size_t size, prm_error *err);
prm_code sqlite_copy_to(prm_db *db, const char *path, prm_error *err);
prm_code sqlite_check(prm_db *db, prm_check_report *r, prm_error *err);
prm_code sqlite_next_id(prm_db *db, const prm_kind_info *info, int64_t *id,
                        prm_error *err);
/* The next ids counted on are read again: a transaction ended, or a
 * command failed (its savepoint took its records back). */
void sdb_next_ids_forget(sqlite_db *db);
prm_code sqlite_reseal_begin(prm_db *db, prm_error *err);
prm_code sqlite_reseal_end(prm_db *db, prm_error *err);
prm_code sqlite_compact(prm_db *db, prm_error *err);

#endif
