/*
 * pg_db.h - the inside of the PostgreSQL engine (team databases), shared
 * by its files: db.c (statements, transactions), open.c (connecting,
 * creating and upgrading the schema), records.c,
 * users.c (owners, users and roles), audit.c (the audit log, undo, check)
 * and metrics.c (metrics, report, trend, insights).  Nothing outside
 * src/core/store/pg/ includes it.
 */
#ifndef PRM_PG_DB_H
#define PRM_PG_DB_H

#include "store/pg/pq_load.h"

#include "store/engine.h"

/* An advisory lock ("PRM1") held while a database's schema is made or
 * upgraded, and while change numbers and ids are counted. */
#define PG_INIT_LOCK "1347571761"
#define PG_CACHE_SIZE 64
#define PG_MAX_PARAMS 40

/* A statement prepared on the server, named prm_N, found by its text. */
struct pg_stmt {
    char *sql;
    char name[24];
    unsigned long last_use;
    bool named; /* prepared on the server as name (from its second use) */
};

/* The parameters of one statement, as text (NULL for no value). */
typedef struct pg_params {
    int n;
    bool failed; /* too many, or out of memory */
    const char *values[PG_MAX_PARAMS];
    char *owned[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][32];
} pg_params;

/* A statement whose result only has to be success (or pass its check),
 * held back to go to the server in one round trip with the next query
 * (libpq's pipeline mode): a command's SAVEPOINT, audit settings and
 * encryption check, the previous one's RELEASE.  (A read's COMMIT and a
 * failed command's ROLLBACK TO are held as flags: they must never be
 * dropped with these.) */
#define PG_MAX_DEFERRED 4
/* name points into the statement cache: the held-back statements must
 * outlive any eviction until they are sent.  Each was the newest in the
 * cache when held back, and only the other held-back ones and the query
 * that sends them are prepared after it, so least-recently-used eviction
 * cannot reach it while the cache is larger than that. */
_Static_assert(PG_MAX_DEFERRED + 1 < PG_CACHE_SIZE,
               "held-back statements must stay in the cache until sent");
typedef struct pg_db pg_db;
/* What a deferred statement's result must say, looked at when it comes
 * back with the query that took it: an error fails the query. */
typedef prm_code (*pg_check_fn)(pg_db *db, const PGresult *res,
                                prm_error *err);
struct pg_deferred {
    const char *sql;  /* static text */
    const char *name; /* its prepared statement (in the cache), or NULL:
                       * sent as its text */
    pg_params params;
    pg_check_fn check; /* may be NULL */
};

/* COPY text held for a bulk load (bulk.c). */
struct pg_buffer {
    char *text;
    size_t len, cap;
};
struct pg_bulk {
    bool on, flushing;
    bool marked; /* the transaction counts partners' figures at commit */
    int64_t seq; /* the rows' order, across kinds */
    struct pg_buffer rows[PRM_KIND_COUNT];
    struct pg_buffer links; /* new projects' partners */
};

struct pg_db {
    prm_db base;
    PGconn *conn;
    struct pg_stmt cache[PG_CACHE_SIZE];
    size_t ncache;
    unsigned long tick, names;
    bool cmd_owns_tx;   /* the command began the transaction */
    bool cmd_savepoint; /* the command runs inside a savepoint */
    char role[16];      /* admin, manager or viewer */
    /* The id the next record of each kind gets; prm counts them while its
     * transaction holds the writers' lock, as it counts change numbers. */
    int64_t next_id[PRM_KIND_COUNT];
    int64_t cmd_next_id[PRM_KIND_COUNT]; /* as the command began */
    int64_t *ids;       /* a fetched project's partners */
    size_t ids_cap;
    struct pg_deferred deferred[PG_MAX_DEFERRED];
    int ndeferred;
    bool savepoint_sent; /* the command's SAVEPOINT has reached the server */
    bool begin_deferred; /* the command's BEGIN waits in deferred */
    bool commit_held;   /* a read's COMMIT waits to go with the next query */
    /* a failed command's ROLLBACK TO and RELEASE of its savepoint wait to
     * go with the next query (never dropped, unlike deferred) */
    bool undo_held;
    bool commit_unread; /* a read's COMMIT went; its answer is still to come */
    bool tx_writes;     /* the transaction has run a writing command */
    struct pg_bulk bulk;
};

/* The prm role of a database user, or "" when they have none. */
#define ROLE_OF(who)                                                         \
    "CASE WHEN pg_has_role(" who ", 'prm_admin', 'MEMBER') THEN 'admin' "    \
    "WHEN pg_has_role(" who ", 'prm_manager', 'MEMBER') THEN 'manager' "     \
    "WHEN pg_has_role(" who ", 'prm_viewer', 'MEMBER') THEN 'viewer' ELSE "  \
    "'' END"

void pgp_str(pg_params *p, const char *s);   /* s outlives the statement */
void pgp_text(pg_params *p, const char *s, size_t len); /* copied */
void pgp_int(pg_params *p, int64_t i);
void pgp_value(pg_params *p, const prm_value *v);
void pgp_free(pg_params *p);

/* Run sql (prepared once, by its text) with params p (may be NULL), after
 * the deferred statements, in one round trip; on success *out holds the
 * result for the caller to PQclear. */
prm_code pg_query(pg_db *db, const char *sql, pg_params *p, PGresult **out,
                  prm_error *err);
/* A row of a streamed read: row r of res, valid during the call; *stop
 * set skips the rest. */
typedef prm_code (*pg_row_fn)(void *ctx, const PGresult *res, int r,
                              bool *stop, prm_error *err);
/* Run a read (prepared once), handing its rows to fn one at a time as
 * they arrive, so that memory holds a row, not the whole result. */
prm_code pg_query_rows(pg_db *db, const char *sql, pg_params *p,
                       pg_row_fn fn, void *ctx, prm_error *err);
/* pg_query for a statement whose result is not needed. */
prm_code pg_run(pg_db *db, const char *sql, pg_params *p, prm_error *err);
/* Hold sql (static text) back until the next query; p's values are moved
 * into the queue (p may be NULL). */
prm_code pg_defer(pg_db *db, const char *sql, pg_params *p, prm_error *err);
/* The engine's exec (engine.h): one statement, values bound, a row of
 * integers back. */
prm_code pg_exec(prm_db *db, const char *sql, const prm_value *params,
                 size_t nparams, int64_t *out, size_t nout, bool *got,
                 const char *what, prm_error *err);
/* Run a query whose one row holds n counts. */
prm_code pg_counts(pg_db *db, const char *sql, pg_params *p, int64_t *out,
                   int n, prm_error *err);
/* Turn a failed result into prm's error; what says what was being done. */
prm_code pg_fail(pg_db *db, const PGresult *res, prm_error *err,
                 const char *what);
int64_t pg_int(const PGresult *res, int row, int col);
/* pg_query of SQL built in b; refuses SQL that did not fit. */
prm_code pg_query_built(pg_db *db, const sqlbuf *b, pg_params *p,
                        PGresult **out, prm_error *err);
/* Run a statement without parameters (transaction control). */
prm_code pg_simple(pg_db *db, const char *sql, prm_error *err);
/* Read the answer of a read's COMMIT sent without waiting for it
 * (pg_idle), before the connection is used again. */
void pg_settle(pg_db *db);
void pg_idle(prm_db *base);

/* A bulk load (bulk.c): while it is on, pg_insert and pg_set_partners of
 * a new project hold their rows; pg_bulk_flush writes them, all or none
 * (a failure leaves the database as before it); any other query flushes
 * first.  pg_bulk_end drops what is held. */
void pg_bulk_begin(pg_db *db);
bool pg_bulk_held(const pg_db *db);
prm_code pg_bulk_insert(pg_db *db, const prm_kind_info *info,
                        const store_row *row, int64_t *id, prm_error *err);
prm_code pg_bulk_links(pg_db *db, int64_t project, const prm_value *list,
                       prm_error *err);
prm_code pg_bulk_flush(pg_db *db, prm_error *err);
void pg_bulk_end(pg_db *db);
/* Zero rows written to a record that exists: row security hid it
 * (forbidden). */
prm_code pg_next_id(prm_db *base, const prm_kind_info *info, int64_t *id,
                    prm_error *err);
prm_code pg_reseal_begin(prm_db *base, prm_error *err);
prm_code pg_reseal_end(prm_db *base, prm_error *err);
prm_code pg_hidden_row(prm_db *base, const prm_kind_info *info, int64_t id,
                       prm_error *err);
/* open.c: close a connection and free its handle. */
void pg_close(prm_db *db);
/* Forget the statements held back for the next query. */
void pg_drop_deferred(pg_db *db);
/* What the user's role allows, for a forbidden command's message. */
const char *pg_role_limit(const pg_db *db);
/* The audit settings waiting to go as the last deferred statement, taken
 * out of the queue so that an INSERT can carry them itself; NULL when
 * there are none. */
struct pg_deferred *pg_take_settings(pg_db *db);

/* Entry points of the engine defined in other files of it (the table is
 * store_pg_engine in db.c): records.c, users.c, audit.c, metrics.c. */
prm_code pg_fetch(prm_db *base, const prm_kind_info *info, int64_t id,
                  prm_record_fn fn, void *ctx, prm_error *err);
prm_code pg_list(prm_db *base, const prm_kind_info *info,
                 const store_filter *filters, size_t nfilters,
                 bool names, prm_record_fn fn, void *ctx,
                 prm_error *err);
prm_code pg_names(prm_db *base, const prm_kind_info *info,
                  const char *prefix,
                  bool (*fn)(void *ctx, const char *name), void *ctx,
                  prm_error *err);
prm_code pg_insert(prm_db *base, const prm_kind_info *info,
                   const store_row *row, const store_row *plain, int64_t *id,
                   prm_error *err);
prm_code pg_set_partners(prm_db *base, int64_t project,
                         const prm_value *list, bool replace, prm_error *err);
prm_code pg_set_owner(prm_db *base, const prm_kind_info *info, int64_t id,
                      const char *user,
                      bool *changed, prm_error *err);
prm_code pg_user_add(prm_db *base, const char *name, const char *role,
                     const char *password, prm_error *err);
prm_code pg_user_role(prm_db *base, const char *name, const char *role,
                      prm_error *err);
prm_code pg_user_list(prm_db *base, prm_user_fn fn, void *ctx,
                      prm_error *err);
prm_code pg_audit_list(prm_db *db, const store_audit_filter *f,
                       prm_audit_fn fn, void *ctx, prm_error *err);
prm_code pg_undo_last(prm_db *db, int64_t *undone, char *command,
                      size_t size, prm_error *err);
prm_code pg_check(prm_db *db, prm_check_report *r, prm_error *err);
prm_code pg_metrics(prm_db *db, const store_scope *scope, prm_metrics *out,
                    prm_error *err);
prm_code pg_report(prm_db *db, const store_scope *scope, const char *sort,
                   int64_t limit, prm_report_fn fn, void *ctx,
                   prm_error *err);
prm_code pg_trend(prm_db *db, const store_scope *scope, store_period by,
                  prm_trend_fn fn, void *ctx, prm_error *err);
prm_code pg_insights(prm_db *db, store_rule rule, const store_scope *s,
                     const store_thresholds *t, int64_t limit,
                     bool (*fn)(void *ctx, const store_insight_row *row),
                     void *ctx, prm_error *err);
/* Set what the audit trigger records of the command about to write (its
 * change number is db->base.changes.number); they go with its first
 * query. */
prm_code pg_audit_settings(pg_db *db, int64_t undoes, prm_error *err);

/* transaction.c: the engine's transactions and a command's bounds. */
bool pg_in_transaction(const prm_db *base);
prm_code pg_begin(prm_db *base, prm_error *err);
prm_code pg_commit(prm_db *base, prm_error *err);
prm_code pg_rollback(prm_db *base, prm_error *err);
prm_code pg_cmd_begin(prm_db *base, store_access access, prm_error *err);
prm_code pg_keyring_expect(prm_db *base, prm_error *err);
prm_code pg_cmd_end(prm_db *base, prm_code rc, prm_error *err);

#endif
