/*
 * db.c - the PostgreSQL engine (team databases): its prepared statements
 * and errors, and the engine table the dispatcher calls through (opening a
 * database is open.c's, transactions and commands transaction.c's).
 *
 * The same interface as the SQLite engine, with the same results; what
 * differs is who may do what.  prm does not check roles itself: the
 * database does (schema_pg.sql: grants and row-level security), so psql
 * can do no more than prm.  What the database refuses is PRM_EFORBIDDEN.
 *
 * Statements are prepared on the server once per connection and found by
 * their text.  PostgreSQL aborts a whole transaction on any error, so a
 * command inside a batch runs in a savepoint: a failed command takes back
 * only itself, as on SQLite.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_db.h"



/* --- parameters ----------------------------------------------------------- */

static bool pgp_room(pg_params *p)
{
    if (p->n < PG_MAX_PARAMS)
        return true;
    p->failed = true;
    return false;
}

void pgp_str(pg_params *p, const char *s)
{
    if (pgp_room(p))
        p->values[p->n++] = s;
}

void pgp_text(pg_params *p, const char *s, size_t len)
{
    if (!pgp_room(p))
        return;
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        p->failed = true;
        return;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    p->owned[p->n] = copy;
    p->values[p->n++] = copy;
}

void pgp_int(pg_params *p, int64_t i)
{
    if (!pgp_room(p))
        return;
    snprintf(p->num[p->n], sizeof p->num[p->n], "%" PRId64, i);
    p->values[p->n] = p->num[p->n];
    p->n++;
}

static void pgp_real(pg_params *p, double r)
{
    if (!pgp_room(p))
        return;
    snprintf(p->num[p->n], sizeof p->num[p->n], "%.17g", r);
    p->values[p->n] = p->num[p->n];
    p->n++;
}

void pgp_value(pg_params *p, const prm_value *v)
{
    switch (v->type) {
    case PRM_V_INT:
    case PRM_V_MONEY:
        pgp_int(p, v->i);
        break;
    case PRM_V_REAL:
        pgp_real(p, v->r);
        break;
    case PRM_V_TEXT:
        pgp_text(p, v->s, v->len);
        break;
    default:
        pgp_str(p, NULL);
    }
}

void pgp_free(pg_params *p)
{
    for (int i = 0; i < p->n; i++) {
        free(p->owned[i]);
        p->owned[i] = NULL;
    }
    p->n = 0;
}

/* --- errors --------------------------------------------------------------- */

const char *pg_role_limit(const pg_db *db)
{
    if (strcmp(db->role, "viewer") == 0)
        return "viewers read and report only";
    if (strcmp(db->role, "manager") == 0)
        return "managers change only the partners they own and their "
               "projects, communications, resources, outcomes, deals, "
               "tasks, requests and claims; funds, tiers, approvals and "
               "payments are an admin's";
    return "ask an admin of this database";
}

static prm_code sqlstate_code(const char *state)
{
    if (state == NULL)
        return PRM_EDB;
    if (strcmp(state, "42501") == 0)
        return PRM_EFORBIDDEN; /* insufficient privilege, row security */
    if (strncmp(state, "23", 2) == 0)
        return PRM_ECONFLICT; /* integrity: unique, foreign key, check */
    if (strncmp(state, "22", 2) == 0)
        return PRM_EINVALID_VALUE;
    return PRM_EDB;
}

prm_code pg_fail(pg_db *db, const PGresult *res, prm_error *err,
                 const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                          : NULL;
    if (msg == NULL)
        msg = PQerrorMessage(db->conn);
    prm_code code = sqlstate_code(state);
    if (code == PRM_EFORBIDDEN)
        return prm_error_set(err, code, "%s, a %s here, may not do that: %s (%s)",
                             db->base.user, db->role, pg_role_limit(db), msg);
    if (code == PRM_EDB && PQstatus(db->conn) != CONNECTION_OK)
        return prm_error_set(err, code, "%s: lost the connection to the team "
                             "database: %s", what, PQerrorMessage(db->conn));
    return prm_error_set(err, code, "%s: %s", what, msg);
}

/* --- statements ------------------------------------------------------------ */

static prm_code flush_deferred(pg_db *db, prm_error *err);

/* After a failed command the transaction accepts nothing, not even a
 * statement to prepare, before the ROLLBACK TO held for the next query:
 * sent now, before anything else that needs the server first. */
static prm_code undo_first(pg_db *db, prm_error *err)
{
    return db->undo_held ? flush_deferred(db, err) : PRM_OK;
}

/* Prepare the cached statement s on the server under its name. */
static prm_code prepare_named(pg_db *db, struct pg_stmt *s, prm_error *err)
{
    PGresult *res = PQprepare(db->conn, s->name, s->sql, 0, NULL);
    prm_code rc = PRM_OK;
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(db, res, err, "preparing a statement");
    PQclear(res);
    s->named = rc == PRM_OK;
    return rc;
}

/* The prepared statement for sql in *name, or NULL the first time sql is
 * seen on this connection: the caller then sends its text, parsed with
 * its execution in one round trip, as a one-shot command runs most of
 * its statements once.  On its second use it is prepared by name (a
 * round trip, as the first use saved one), the least recently used
 * statement forgotten when the cache is full. */
static prm_code prepared(pg_db *db, const char *sql, const char **name,
                         prm_error *err)
{
    *name = NULL;
    /* A query during a bulk load reads what the load holds, written. */
    if (db->bulk.on && !db->bulk.flushing && pg_bulk_held(db)) {
        prm_code rc = undo_first(db, err);
        if (rc == PRM_OK)
            rc = pg_bulk_flush(db, err);
        if (rc != PRM_OK)
            return rc;
    }
    db->tick++;
    for (size_t i = 0; i < db->ncache; i++) {
        struct pg_stmt *s = &db->cache[i];
        if (strcmp(s->sql, sql) != 0)
            continue;
        s->last_use = db->tick;
        prm_code rc = s->named ? PRM_OK : undo_first(db, err);
        if (rc == PRM_OK && !s->named)
            rc = prepare_named(db, s, err);
        if (rc == PRM_OK)
            *name = s->name;
        return rc;
    }
    size_t slot = db->ncache;
    if (slot == PG_CACHE_SIZE) {
        slot = 0;
        for (size_t i = 1; i < PG_CACHE_SIZE; i++)
            if (db->cache[i].last_use < db->cache[slot].last_use)
                slot = i;
        if (db->cache[slot].named && undo_first(db, err) != PRM_OK)
            return err->code;
        if (db->cache[slot].named) {
            char dealloc[48];
            snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s",
                     db->cache[slot].name);
            PQclear(PQexec(db->conn, dealloc));
        }
        free(db->cache[slot].sql);
        db->cache[slot].sql = NULL;
    } else {
        db->ncache++;
    }
    struct pg_stmt *s = &db->cache[slot];
    s->sql = strdup(sql);
    if (s->sql == NULL) {
        /* the slot is free again: move the last one into it */
        db->cache[slot] = db->cache[--db->ncache];
        return prm_error_nomem(err);
    }
    snprintf(s->name, sizeof s->name, "prm_%lu", ++db->names);
    s->named = false;
    s->last_use = db->tick;
    return PRM_OK;
}

/* Send the query: the prepared statement name, else the text sql. */
static int send_query(pg_db *db, const char *name, const char *sql,
                      const pg_params *p)
{
    int n = p ? p->n : 0;
    const char *const *values = p ? p->values : NULL;
    if (name != NULL)
        return PQsendQueryPrepared(db->conn, name, n, values, NULL, NULL, 0);
    return PQsendQueryParams(db->conn, sql, n, NULL, values, NULL, NULL, 0);
}

prm_code pg_defer(pg_db *db, const char *sql, pg_params *p, prm_error *err)
{
    if (db->ndeferred == PG_MAX_DEFERRED)
        return prm_error_set(err, PRM_EDB, "internal error: too many "
                                           "deferred statements");
    /* Statements with parameters are prepared from their second use, as
     * any query (sent as text until then: sql is static text);
     * SAVEPOINT and RELEASE cannot be and are cheap to parse. */
    const char *name = NULL;
    if (p != NULL) {
        prm_code rc = prepared(db, sql, &name, err);
        if (rc != PRM_OK)
            return rc;
    }
    struct pg_deferred *d = &db->deferred[db->ndeferred++];
    d->sql = sql;
    d->name = name;
    d->params = (pg_params){.n = 0};
    d->check = NULL;
    if (p != NULL) {
        /* A deferred statement is sent after its caller has returned, often
         * with the next command's first query: it owns its values.  (It
         * borrowed the command text once, which the next command's text
         * then moved, and sent freed memory as the first undo's audit
         * settings, which made the next command fail and roll the undo
         * back with it.) */
        for (int i = 0; i < p->n; i++) {
            if (p->owned[i] != NULL) {
                d->params.owned[i] = p->owned[i];
                d->params.values[d->params.n++] = p->owned[i];
                p->owned[i] = NULL;
            } else if (p->values[i] != NULL)
                pgp_text(&d->params, p->values[i], strlen(p->values[i]));
            else
                pgp_str(&d->params, NULL);
        }
        d->params.failed |= p->failed;
    }
    return PRM_OK;
}

void pg_drop_deferred(pg_db *db)
{
    for (int i = 0; i < db->ndeferred; i++)
        pgp_free(&db->deferred[i].params);
    db->ndeferred = 0;
    db->begin_deferred = false; /* sent, or never to be */
}

/* Whether statements wait to go with the next query. */
static bool pending(const pg_db *db)
{
    return db->ndeferred > 0 || db->commit_held || db->undo_held;
}

/* Where a pipelined query's result goes: whole into *out, or a row at a
 * time to fn (libpq's single-row mode, chosen as its results come up). */
typedef struct pipe_sink {
    PGresult **out;
    pg_row_fn fn;
    void *ctx;
    bool stop; /* fn wants no more rows */
} pipe_sink;

/* The query's result res, as sink wants it; what is not kept is cleared. */
static prm_code sink_result(pipe_sink *sink, PGresult *res, prm_code rc,
                            prm_error *err)
{
    if (sink->fn != NULL) {
        for (int r = 0; rc == PRM_OK && !sink->stop && r < PQntuples(res);
             r++)
            rc = sink->fn(sink->ctx, res, r, &sink->stop, err);
        PQclear(res);
    } else if (rc == PRM_OK && sink->out != NULL) {
        PQclear(*sink->out);
        *sink->out = res;
    } else {
        PQclear(res);
    }
    return rc;
}

/* Send the deferred statements, then (when sql is not NULL) the query
 * sql (prepared as name, unless NULL), as one pipeline; read every
 * result.  The query's result goes to sink; the first failure is the
 * error. */
static prm_code pipeline(pg_db *db, const char *name, const char *sql,
                         const pg_params *p, pipe_sink *sink, prm_error *err)
{
    pg_settle(db);
    db->savepoint_sent |= db->ndeferred > 0; /* if held, it goes now */
    bool sent = PQenterPipelineMode(db->conn) == 1;
    int queries = 0;
    /* a check for each query: a held COMMIT or undo, the deferred, sql,
     * the sync */
    pg_check_fn check[PG_MAX_DEFERRED + 5] = {NULL};
    if (sent && db->commit_held) {
        sent = send_query(db, NULL, "COMMIT", NULL) == 1;
        queries++;
    }
    if (sent && db->undo_held) {
        sent = send_query(db, NULL, "ROLLBACK TO prm_cmd", NULL) == 1 &&
               send_query(db, NULL, "RELEASE prm_cmd", NULL) == 1;
        queries += 2;
    }
    db->commit_held = db->undo_held = false;
    for (int i = 0; sent && i < db->ndeferred; i++, queries++) {
        const struct pg_deferred *d = &db->deferred[i];
        check[queries] = d->check;
        sent = !d->params.failed &&
               send_query(db, d->name, d->sql, &d->params) == 1;
    }
    if (sent && sql != NULL) {
        sent = send_query(db, name, sql, p) == 1;
        queries++;
    }
    if (sent)
        sent = PQpipelineSync(db->conn) == 1;
    pg_drop_deferred(db);
    prm_code rc = sent ? PRM_OK
                       : pg_fail(db, NULL, err, "sending to the team database");
    /* Each query's results end with a NULL; the sync's with SYNC. */
    for (int q = 0; sent && q <= queries; q++) {
        bool mine = sql != NULL && q == queries - 1 && sink != NULL;
        if (mine && sink->fn != NULL)
            PQsetSingleRowMode(db->conn); /* refused: all rows at once */
        PGresult *res;
        while ((res = PQgetResult(db->conn)) != NULL) {
            ExecStatusType st = PQresultStatus(res);
            if (st == PGRES_PIPELINE_SYNC) {
                PQclear(res);
                q = queries; /* done */
                break;
            }
            bool rows = st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE;
            if (!rows && st != PGRES_COMMAND_OK && rc == PRM_OK)
                rc = pg_fail(db, st == PGRES_PIPELINE_ABORTED ? NULL : res,
                             err, "the team database");
            else if (rows && check[q] != NULL && rc == PRM_OK)
                rc = check[q](db, res, err);
            if (mine)
                rc = sink_result(sink, res, rc, err);
            else
                PQclear(res);
        }
    }
    PQexitPipelineMode(db->conn);
    if (rc != PRM_OK && sink != NULL && sink->out != NULL) {
        PQclear(*sink->out);
        *sink->out = NULL;
    }
    return rc;
}

static prm_code flush_deferred(pg_db *db, prm_error *err)
{
    if (!pending(db))
        return PRM_OK;
    return pipeline(db, NULL, NULL, NULL, NULL, err);
}

prm_code pg_query(pg_db *db, const char *sql, pg_params *p, PGresult **out,
                  prm_error *err)
{
    *out = NULL;
    pg_settle(db);
    if (p != NULL && p->failed)
        return prm_error_nomem(err);
    const char *name = NULL;
    prm_code rc = prepared(db, sql, &name, err);
    if (rc != PRM_OK)
        return rc;
    if (pending(db))
        return pipeline(db, name, sql, p, &(pipe_sink){.out = out}, err);
    int n = p ? p->n : 0;
    const char *const *values = p ? p->values : NULL;
    PGresult *res =
        name != NULL
            ? PQexecPrepared(db->conn, name, n, values, NULL, NULL, 0)
            : PQexecParams(db->conn, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        rc = pg_fail(db, res, err, "the team database");
        PQclear(res);
        return rc;
    }
    *out = res;
    return PRM_OK;
}

/* pg_query of SQL built in b, which may not have fitted. */
prm_code pg_query_built(pg_db *db, const sqlbuf *b, pg_params *p,
                               PGresult **out, prm_error *err)
{
    if (b->overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return pg_query(db, b->text, p, out, err);
}

/* libpq's single-row mode: a list or an export of a million records
 * would otherwise arrive, and be held, as one result.  Rows after fn
 * stops are read and dropped, which leaves the connection ready. */
prm_code pg_query_rows(pg_db *db, const char *sql, pg_params *p,
                       pg_row_fn fn, void *ctx, prm_error *err)
{
    if (p != NULL && p->failed)
        return prm_error_nomem(err);
    pg_settle(db);
    const char *name = NULL;
    prm_code rc = prepared(db, sql, &name, err);
    if (rc != PRM_OK)
        return rc;
    pipe_sink sink = {.fn = fn, .ctx = ctx};
    /* the BEGIN and whatever else waits go in the same round trip */
    if (pending(db))
        return pipeline(db, name, sql, p, &sink, err);
    if (send_query(db, name, sql, p) != 1)
        return pg_fail(db, NULL, err, "sending to the team database");
    PQsetSingleRowMode(db->conn); /* refused: the rows come all at once */
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && rc == PRM_OK)
            rc = pg_fail(db, res, err, "the team database");
        rc = sink_result(&sink, res, rc, err);
    }
    return rc;
}

prm_code pg_run(pg_db *db, const char *sql, pg_params *p, prm_error *err)
{
    PGresult *res;
    prm_code rc = pg_query(db, sql, p, &res, err);
    PQclear(res);
    return rc;
}

int64_t pg_int(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return 0;
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

prm_code pg_exec(prm_db *base, const char *sql, const prm_value *params,
                 size_t nparams, int64_t *out, size_t nout, bool *got,
                 const char *what, prm_error *err)
{
    (void)what; /* pg_fail says what the server refused */
    pg_params p = {.n = 0};
    for (size_t i = 0; i < nparams; i++)
        pgp_value(&p, &params[i]);
    PGresult *res;
    prm_code rc = pg_query((pg_db *)base, sql, &p, &res, err);
    pgp_free(&p);
    if (rc != PRM_OK)
        return rc;
    bool row = PQntuples(res) > 0;
    for (size_t i = 0; i < nout; i++)
        out[i] = row ? pg_int(res, 0, (int)i) : 0;
    if (got != NULL)
        *got = row;
    PQclear(res);
    return PRM_OK;
}

typedef struct text_rows {
    store_text_row_fn fn;
    void *ctx;
} text_rows;

static prm_code text_row(void *c, const PGresult *res, int r, bool *stop,
                         prm_error *err)
{
    (void)err;
    text_rows *t = c;
    const char *cols[STORE_MAX_ROW_COLUMNS];
    size_t ncols = (size_t)PQnfields(res);
    if (ncols > STORE_MAX_ROW_COLUMNS)
        ncols = STORE_MAX_ROW_COLUMNS;
    for (size_t i = 0; i < ncols; i++)
        cols[i] = PQgetisnull(res, r, (int)i) ? NULL
                                               : PQgetvalue(res, r, (int)i);
    *stop = !t->fn(t->ctx, cols, ncols);
    return PRM_OK;
}

static prm_code pg_rows(prm_db *base, const char *sql,
                        const prm_value *params, size_t nparams,
                        store_text_row_fn fn, void *ctx, const char *what,
                        prm_error *err)
{
    (void)what; /* pg_fail says what the server refused */
    pg_params p = {.n = 0};
    for (size_t i = 0; i < nparams; i++)
        pgp_value(&p, &params[i]);
    text_rows t = {fn, ctx};
    prm_code rc = pg_query_rows((pg_db *)base, sql, &p, text_row, &t, err);
    pgp_free(&p);
    return rc;
}

prm_code pg_counts(pg_db *db, const char *sql, pg_params *p, int64_t *out,
                   int n, prm_error *err)
{
    PGresult *res;
    prm_code rc = pg_query(db, sql, p, &res, err);
    if (rc != PRM_OK)
        return rc;
    for (int i = 0; i < n; i++)
        out[i] = PQntuples(res) > 0 ? pg_int(res, 0, i) : 0;
    PQclear(res);
    return PRM_OK;
}

/* Statements without parameters or results: transactions, roles. */
/* A COMMIT's answer is "COMMIT", or, with the connection lost, an error
 * that the next statement meets again and reports. */
void pg_settle(pg_db *db)
{
    if (!db->commit_unread)
        return;
    db->commit_unread = false;
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL)
        PQclear(res);
}

prm_code pg_simple(pg_db *db, const char *sql, prm_error *err)
{
    pg_settle(db);
    prm_code rc = flush_deferred(db, err);
    if (rc != PRM_OK)
        return rc;
    PGresult *res = PQexec(db->conn, sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(db, res, err, "the team database");
    PQclear(res);
    return rc;
}

static void bulk_begin(prm_db *base)
{
    pg_bulk_begin((pg_db *)base);
}

static prm_code bulk_flush(prm_db *base, prm_error *err)
{
    return pg_bulk_flush((pg_db *)base, err);
}

static void bulk_end(prm_db *base)
{
    pg_bulk_end((pg_db *)base);
}

const store_engine store_pg_engine = {
    .name = "postgresql",
    .dialect = &sqlm_pg_dialect,
    .exec = pg_exec,
    .rows = pg_rows,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .cmd_begin = pg_cmd_begin,
    .keyring_expect = pg_keyring_expect,
    .idle = pg_idle,
    .cmd_end = pg_cmd_end,
    .insert = pg_insert,
    .set_partners = pg_set_partners,
    .hidden = pg_hidden_row,
    .fetch = pg_fetch,
    .list = pg_list,
    .names = pg_names,
    .metrics = pg_metrics,
    .report = pg_report,
    .trend = pg_trend,
    .insights = pg_insights,
    .audit_list = pg_audit_list,
    .undo_last = pg_undo_last,
    .check = pg_check,
    .tally_clear = "SELECT prm_tally_clear(), prm_partner_tally_clear()",
    .set_owner = pg_set_owner,
    .user_add = pg_user_add,
    .user_role = pg_user_role,
    .user_list = pg_user_list,
    .next_id = pg_next_id,
    .reseal_begin = pg_reseal_begin,
    .reseal_end = pg_reseal_end,
    .audit_reseal = "SELECT prm_reseal_audit($4, $1, $2, $3)",
    .compact = NULL,
    .bulk_begin = bulk_begin,
    .bulk_flush = bulk_flush,
    .bulk_end = bulk_end,
};
