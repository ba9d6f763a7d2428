/*
 * engine.h - what an engine implements, and the handle every engine's
 * handle begins with.
 *
 * Only the dispatcher (store.c) and the engines (sqlite/, pg/) include
 * this file; the rest of the core calls the store_* functions of store.h
 * and never sees an engine.
 */
#ifndef PRM_STORE_ENGINE_H
#define PRM_STORE_ENGINE_H

#include "store/migrations.h"
#include "store/sql_metrics.h"
#include "store/store.h"

/* --- engines ---------------------------------------------------------------
 *
 * Each engine (sqlite/db.c, pg/db.c) fills one store_engine; every
 * store_* function of store.h and the engine-specific prm_* functions call
 * through db->engine (store.c).  An engine's own handle begins with a
 * struct prm_db, so the engine gets it back from the pointer it is given.
 */

typedef struct store_engine {
    const char *name; /* "sqlite", "postgresql" */
    /* What differs in the SQL both engines otherwise share. */
    const sql_dialect *dialect;
    /* One statement of SQL written for both engines ($1, $2... numbered in
     * the order they first appear), prepared once and kept, with params
     * bound.  out (may be NULL) gets the first row's first nout columns as
     * integers (0 for NULL, and when there is no row); *got (may be NULL)
     * whether there was a row.  A broken constraint is PRM_ECONFLICT; what
     * names the work in an error's message.  store.c builds what is the
     * same on both engines (exists, names, dependants, the import map) on
     * it. */
    prm_code (*exec)(prm_db *db, const char *sql, const prm_value *params,
                     size_t nparams, int64_t *out, size_t nout, bool *got,
                     const char *what, prm_error *err);
    /* As exec, a read whose rows stream to fn, each as its columns'
     * text (NULL for NULL), valid during the call, until fn returns
     * false. */
    prm_code (*rows)(prm_db *db, const char *sql, const prm_value *params,
                     size_t nparams, store_text_row_fn fn, void *ctx,
                     const char *what, prm_error *err);
    void (*close)(prm_db *db);
    prm_code (*begin)(prm_db *db, prm_error *err);
    prm_code (*commit)(prm_db *db, prm_error *err);
    prm_code (*rollback)(prm_db *db, prm_error *err);
    bool (*in_transaction)(const prm_db *db);
    prm_code (*cmd_begin)(prm_db *db, store_access access, prm_error *err);
    prm_code (*cmd_end)(prm_db *db, prm_code rc, prm_error *err);
    /* May be NULL.  Whether encryption is still on (or off) as db->encrypted
     * says, checked in the transaction just begun: an error, at the latest
     * with the transaction's first query, when not.  Without it store.c
     * reads the keyring at once. */
    prm_code (*keyring_expect)(prm_db *db, prm_error *err);
    /* May be NULL.  prm is about to wait for input: end what a read left
     * open, without waiting for the server (prm_idle). */
    void (*idle)(prm_db *db);
    /* Add a record: the values of store_insert_sql's columns
     * (store_insert_value); a broken constraint is PRM_ECONFLICT with the
     * engine's message.  SQLite writes the audit entry here, PostgreSQL's
     * triggers do.  plain: with encryption on, the row as given before
     * its values were sealed (SQLite's entry of an add leaves out a
     * command its image gives back, as typed), else NULL. */
    prm_code (*insert)(prm_db *db, const prm_kind_info *info,
                       const store_row *row, const store_row *plain,
                       int64_t *id, prm_error *err);
    /* A project's partners become list: a change (replace) keeps the
     * links that stay, so that the audit log shows only the partners
     * that left or joined. */
    prm_code (*set_partners)(prm_db *db, int64_t project,
                             const prm_value *list, bool replace,
                             prm_error *err);
    /* A write touched no row of record id, which exists: row security
     * hid it (the error to give); NULL where there is none. */
    prm_code (*hidden)(prm_db *db, const prm_kind_info *info, int64_t id,
                       prm_error *err);
    prm_code (*fetch)(prm_db *db, const prm_kind_info *info, int64_t id,
                      prm_record_fn fn, void *ctx, prm_error *err);
    prm_code (*list)(prm_db *db, const prm_kind_info *info,
                     const store_filter *filters, size_t nfilters,
                     bool names, prm_record_fn fn, void *ctx,
                     prm_error *err);
    prm_code (*names)(prm_db *db, const prm_kind_info *info,
                      const char *prefix,
                      bool (*fn)(void *ctx, const char *name), void *ctx,
                      prm_error *err);
    prm_code (*metrics)(prm_db *db, const store_scope *scope,
                        prm_metrics *out, prm_error *err);
    prm_code (*report)(prm_db *db, const store_scope *scope,
                       const char *sort, int64_t limit, prm_report_fn fn,
                       void *ctx, prm_error *err);
    prm_code (*trend)(prm_db *db, const store_scope *scope, store_period by,
                      prm_trend_fn fn, void *ctx, prm_error *err);
    prm_code (*insights)(prm_db *db, store_rule rule, const store_scope *s,
                         const store_thresholds *t, int64_t limit,
                         bool (*fn)(void *ctx, const store_insight_row *row),
                         void *ctx, prm_error *err);
    prm_code (*audit_list)(prm_db *db, const store_audit_filter *f,
                           prm_audit_fn fn, void *ctx, prm_error *err);
    prm_code (*undo_last)(prm_db *db, int64_t *undone, char *command,
                          size_t size, prm_error *err);
    /* Copy the database into the new file path, which opens as a prm
     * database; NULL when the engine cannot (a team database is copied by
     * the core, through an export). */
    prm_code (*copy_to)(prm_db *db, const char *path, prm_error *err);
    prm_code (*check)(prm_db *db, prm_check_report *r, prm_error *err);
    /* The statement that empties prm_tallies, the counts kept for
     * metrics (and on a team database each partner's figures), for
     * prm_check_repair to count them again; and the one that empties
     * prm_day_tallies, where tally_clear leaves them (NULL where it
     * does not). */
    const char *tally_clear;
    const char *day_tally_clear;
    /* Team databases only (NULL on a file): owners and users.  set_owner
     * leaves a partner that has that owner already as it is (*changed
     * false), like an update that changes nothing. */
    prm_code (*set_owner)(prm_db *db, const prm_kind_info *info, int64_t id,
                          const char *user,
                          bool *changed, prm_error *err);
    prm_code (*user_add)(prm_db *db, const char *name, const char *role,
                         const char *password, prm_error *err);
    prm_code (*user_role)(prm_db *db, const char *name, const char *role,
                          prm_error *err);
    prm_code (*user_list)(prm_db *db, prm_user_fn fn, void *ctx,
                          prm_error *err);
    /* Encryption at rest (keyring.c).  next_id: the id the next record
     * of a kind added will have (its sealed values are bound to it), read
     * under the writers' lock.  reseal_begin/end bracket, inside the
     * transaction, the rewrite of every sensitive value and audit entry
     * that encrypt on and off make: those writes are not changes to log,
     * and the log itself is rewritten.  audit_reseal: the statement that
     * sets entry $4's command, before and after to $1, $2, $3.  compact (may be NULL): after
     * the rewrite is kept, leave no page that holds the text it had. */
    prm_code (*next_id)(prm_db *db, const prm_kind_info *info, int64_t *id,
                        prm_error *err);
    prm_code (*reseal_begin)(prm_db *db, prm_error *err);
    prm_code (*reseal_end)(prm_db *db, prm_error *err);
    const char *audit_reseal;
    prm_code (*compact)(prm_db *db, prm_error *err);
    /* A bulk load (store_bulk_begin), NULL where the engine has none: a
     * file adds a row in microseconds, a server in a round trip. */
    void (*bulk_begin)(prm_db *db);
    prm_code (*bulk_flush)(prm_db *db, prm_error *err);
    void (*bulk_end)(prm_db *db);
} store_engine;

/* The change number a command's audit entries share, counted the same way
 * on every engine: read from the log by the first command of a
 * transaction, then one more a command while the transaction (which holds
 * the writers' lock) lasts.  A command that fails or changes nothing gives
 * its number back, so a script's changes are numbered alike however it is
 * batched. */
typedef struct store_changes {
    int64_t number;     /* the command being run's */
    bool known;         /* number holds for this transaction */
    int64_t cmd_number; /* number and known as the command began */
    bool cmd_known;
    bool undo_done;     /* the command has undone a change already */
} store_changes;

/* A transaction began or ended: the next command reads the log again. */
void store_changes_forget(prm_db *db);
/* A command that writes begins: remember where the count stood. */
void store_changes_command(prm_db *db);
/* The next number without reading the log (one more than the last), when
 * this transaction has read it already; false when the engine must read
 * the newest from the log and call store_changes_read. */
bool store_changes_count_on(prm_db *db, bool owns_tx);
/* The number read from the log (the newest change + 1); counted on from
 * unless the command's own transaction ends with it. */
void store_changes_read(prm_db *db, int64_t number, bool owns_tx);
/* Each undo of an "undo N" is a change of its own: the second and later
 * take the next number. */
void store_changes_next_undo(prm_db *db);

/* SELECT the fields of a kind, in order, from its table as t; with names,
 * then the names of what its references refer to (store_add_ref_names)
 * (sql.c). */
void store_select_list(sqlbuf *b, const prm_kind_info *info, bool names,
                       const sql_dialect *d);

/* The command being run as the audit log keeps it: sealed with
 * encryption on (store.c). */
const char *store_command(prm_db *db);

/* The engine's exec of the SQL in b (an error if it overflowed)
 * (shared.c). */
prm_code store_exec_built(prm_db *db, const sqlbuf *b, const prm_value *p,
                          size_t np, int64_t *out, size_t nout, bool *got,
                          const char *what, prm_error *err);

/* SELECT the first deal (lowest id) that conflicts with deal $1 (own:
 * that its own partner holds for the same customer and product;
 * protected_only: approved and unexpired), NULL for none (sql.c). */
void store_deal_conflict_sql(sqlbuf *b, bool own, bool protected_only);

/* INSERT INTO the kind's table (every column, id included: import gives
 * the ids and dates an export had) in b, and its values $1, $2... in
 * values, to follow " VALUES (" or " SELECT " (write.c). */
void store_insert_sql(sqlbuf *b, const prm_kind_info *info, sqlbuf *values);
/* The value to store in column field i of a new record: what row sets,
 * else id for the id (the engine's choice; NULL lets the database
 * choose), now for a time stamp, else what row holds (its default, or
 * NULL). */
const prm_value *store_insert_value(const prm_kind_info *info,
                                    const store_row *row, size_t i,
                                    const prm_value *id, const prm_value *now);
/* The same INSERT of every row of table from, a table of store_insert_sql's
 * columns after a prm_seq column that orders them (a bulk load's). */
void store_insert_select_sql(sqlbuf *b, const prm_kind_info *info,
                             const char *from);

/* The values a list's WHERE binds, as $1, $2...: params[0..n), and the
 * texts made for them, which it owns. */
typedef struct store_where {
    prm_value *params;
    size_t n;
    char **owned;
    size_t nowned;
    bool failed;
} store_where;

/* A list of a kind's records that match every filter, in ascending id:
 * the SQL in b, its values in w (free it with store_where_free)
 * (sql_list.c). */
prm_code store_list_sql(sqlbuf *b, const prm_kind_info *info,
                        const store_filter *filters, size_t nfilters,
                        bool names, const sql_dialect *d, store_where *w,
                        prm_error *err);
void store_where_free(store_where *w);

/* SQL that puts a record back from its JSON image $1: reinsert a deleted
 * one, or set an updated one (id $2) to its image; info NULL: a project's
 * link, put back or taken away (sql.c). */
void store_revert_sql(sqlbuf *b, const prm_kind_info *info, bool reinsert,
                      const sql_dialect *d);

/* The newest change not yet undone, and not itself an undo; 0 when there
 * is none (shared.c). */
prm_code store_last_change(prm_db *db, int64_t *change, prm_error *err);

/* The audit log's entries that f asks for, newest first (at most
 * f->limit): a SELECT of the columns prm_audit_entry has, with $1... for
 * the values it puts in params (at most STORE_AUDIT_PARAMS); returns how
 * many (sql.c). */
enum { STORE_AUDIT_PARAMS = 6 };
size_t store_audit_select(sqlbuf *b, const store_audit_filter *f,
                          prm_value params[STORE_AUDIT_PARAMS]);

/* What every engine's handle starts with: the engine, and the state that
 * is the same on every engine. */
struct prm_db {
    store_changes changes;
    const store_engine *engine;
    void (*progress)(void *ctx, int64_t done);
    void *progress_ctx;
    bool clock_fixed;
    char now[PRM_TIME_SIZE];
    time_t now_second;
    char *command; /* the text of the command being run, for the audit log */
    size_t command_cap;
    char *command_sealed; /* store_command's, and the text it is of */
    const char *command_sealed_for;
    char user[64]; /* who the audit log says runs prm */
    const char *file; /* the database file; NULL for a server or memory */
    /* Encryption at rest (seal.c, keyring.c): whether the database has a
     * keyring, and the keys once unlocked (NULL before, or when off). */
    bool encrypted;
    bool encrypted_known; /* the engine read it while opening */
    struct store_keys *keys;
    struct store_ahead *ahead; /* values sealed ahead (seal_ahead.c) */
    prm_passphrase_fn passphrase_fn;
    void *passphrase_ctx;
    /* References already looked up in this batch (refs.c). */
    struct store_refs *refs;
    bool refs_use;       /* the command running may use and keep them */
    bool cmd_adds_only;  /* the next command only adds (store_cmd_adds) */
};

extern const store_engine store_sqlite_engine;
extern const store_engine store_pg_engine;

/* Open an engine's database (sqlite/db.c, pg/db.c). */
prm_code store_sqlite_open(const char *path, prm_db **out, prm_error *err);
prm_code store_pg_open(const char *uri, prm_db **out, prm_error *err);

/* References a transaction has looked up (refs.c): whether one is known
 * to exist (by id) or to be a record's name, and remembering one found;
 * store.c calls the rest as commands and transactions begin and end. */
bool store_refs_known_id(const prm_db *db, const prm_kind_info *info,
                         int64_t id);
bool store_refs_known_name(const prm_db *db, const prm_kind_info *info,
                           const char *name, int64_t *id);
void store_refs_keep_id(prm_db *db, const prm_kind_info *info, int64_t id);
void store_refs_keep_name(prm_db *db, const prm_kind_info *info,
                          const char *name, int64_t id);
void store_refs_forget(prm_db *db);
void store_refs_cmd_begin(prm_db *db, bool fresh, bool writes);
void store_refs_cmd_started(prm_db *db, bool ok, bool writes);
void store_refs_cmd_end(prm_db *db, prm_code rc);
void store_refs_free(prm_db *db);

/* Fill the common part of a new handle; free it on close. */
void store_base_init(prm_db *db, const store_engine *engine);
void store_base_free(prm_db *db);

/* check: every count kept for metrics against a recount, the first that
 * differs a problem of r (tallies.c). */
prm_code store_check_tallies(prm_db *db, prm_check_report *r, prm_error *err);
/* Each partner's figures kept (partner_tallies.c; files only): check
 * names the first partner whose figures differ from a recount; refill
 * counts them all again. */
prm_code store_check_partner_tallies(prm_db *db, prm_check_report *r,
                                     prm_error *err);
prm_code store_refill_partner_tallies(prm_db *db, prm_error *err);
/* The agenda's items kept (agenda.c; files only, nothing elsewhere):
 * check names the first item that differs from what the records say;
 * refill makes them all again. */
prm_code store_check_agenda(prm_db *db, prm_check_report *r,
                            prm_error *err);
prm_code store_refill_agenda(prm_db *db, prm_error *err);

/* Add a problem to a check's report: one clause of its summary, made from
 * fmt and its one argument (fmt may have no conversion). */
void store_check_problem(prm_check_report *r, const char *fmt,
                         const char *arg);


#endif /* PRM_STORE_ENGINE_H */
