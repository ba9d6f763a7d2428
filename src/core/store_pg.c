/*
 * store_pg.c - team databases: the storage layer on PostgreSQL (libpq).
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

#include "pg_db.h"

extern const char prm_schema_pg_sql[]; /* schema_pg.sql, embedded */

#define PG_SCHEMA_VERSION 2
#define PG_INIT_LOCK "1347571761" /* an advisory lock: "PRM1" */

/* A project's partner ids as text, ascending ("1,2,3"): what a record
 * reads, and what store_ids_text makes of a list to compare with it. */
#define PARTNER_IDS_SQL                                                      \
    "(SELECT string_agg(partner_id::text, ',' ORDER BY partner_id) FROM "   \
    "project_partners WHERE project_id = t.id)"

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

static const char *role_limit(const pg_db *db)
{
    if (strcmp(db->role, "viewer") == 0)
        return "viewers read and report only";
    if (strcmp(db->role, "manager") == 0)
        return "managers change only the partners they own and their "
               "projects, communications, resources and outcomes";
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
                             db->base.user, db->role, role_limit(db), msg);
    if (code == PRM_EDB && PQstatus(db->conn) != CONNECTION_OK)
        return prm_error_set(err, code, "%s: lost the connection to the team "
                             "database: %s", what, PQerrorMessage(db->conn));
    return prm_error_set(err, code, "%s: %s", what, msg);
}

/* --- statements ------------------------------------------------------------ */

/* The prepared statement for sql, preparing it (and forgetting the least
 * recently used one) when it is new on this connection. */
static prm_code prepared(pg_db *db, const char *sql, const char **name,
                         prm_error *err)
{
    db->tick++;
    for (size_t i = 0; i < db->ncache; i++)
        if (strcmp(db->cache[i].sql, sql) == 0) {
            db->cache[i].last_use = db->tick;
            *name = db->cache[i].name;
            return PRM_OK;
        }
    size_t slot = db->ncache;
    if (slot == PG_CACHE_SIZE) {
        slot = 0;
        for (size_t i = 1; i < PG_CACHE_SIZE; i++)
            if (db->cache[i].last_use < db->cache[slot].last_use)
                slot = i;
        char dealloc[48];
        snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", db->cache[slot].name);
        PQclear(PQexec(db->conn, dealloc));
        free(db->cache[slot].sql);
        db->cache[slot].sql = NULL;
    } else {
        db->ncache++;
    }
    struct pg_stmt *s = &db->cache[slot];
    snprintf(s->name, sizeof s->name, "prm_%lu", ++db->names);
    s->sql = strdup(sql);
    PGresult *res = s->sql ? PQprepare(db->conn, s->name, sql, 0, NULL) : NULL;
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        prm_code rc = s->sql ? pg_fail(db, res, err, "preparing a statement")
                             : prm_error_set(err, PRM_EDB, "out of memory");
        PQclear(res);
        free(s->sql);
        /* the slot is free again: move the last one into it */
        db->cache[slot] = db->cache[--db->ncache];
        return rc;
    }
    PQclear(res);
    s->last_use = db->tick;
    *name = s->name;
    return PRM_OK;
}

prm_code pg_defer(pg_db *db, const char *sql, pg_params *p, prm_error *err)
{
    if (db->ndeferred == PG_MAX_DEFERRED)
        return prm_error_set(err, PRM_EDB, "internal error: too many "
                                           "deferred statements");
    /* Statements with parameters are prepared once, as any query;
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

static void drop_deferred(pg_db *db)
{
    for (int i = 0; i < db->ndeferred; i++)
        pgp_free(&db->deferred[i].params);
    db->ndeferred = 0;
}

/* Send the deferred statements, then (when name is not NULL) the prepared
 * statement name, as one pipeline; read every result.  The query's result
 * goes to *out; the first failure is the error. */
static prm_code pipeline(pg_db *db, const char *name, const pg_params *p,
                         PGresult **out, prm_error *err)
{
    bool sent = PQenterPipelineMode(db->conn) == 1;
    int queries = 0;
    for (int i = 0; sent && i < db->ndeferred; i++, queries++) {
        const pg_params *dp = &db->deferred[i].params;
        const char *name_i = db->deferred[i].name;
        sent = !dp->failed &&
               (name_i != NULL
                    ? PQsendQueryPrepared(db->conn, name_i, dp->n, dp->values,
                                          NULL, NULL, 0)
                    : PQsendQueryParams(db->conn, db->deferred[i].sql, 0,
                                        NULL, NULL, NULL, NULL, 0)) == 1;
    }
    if (sent && name != NULL) {
        sent = PQsendQueryPrepared(db->conn, name, p ? p->n : 0,
                                   p ? p->values : NULL, NULL, NULL, 0) == 1;
        queries++;
    }
    if (sent)
        sent = PQpipelineSync(db->conn) == 1;
    drop_deferred(db);
    prm_code rc = sent ? PRM_OK
                       : pg_fail(db, NULL, err, "sending to the team database");
    /* Each query's results end with a NULL; the sync's with SYNC. */
    for (int q = 0; sent && q <= queries; q++) {
        PGresult *res;
        while ((res = PQgetResult(db->conn)) != NULL) {
            ExecStatusType st = PQresultStatus(res);
            if (st == PGRES_PIPELINE_SYNC) {
                PQclear(res);
                q = queries; /* done */
                break;
            }
            if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK &&
                rc == PRM_OK)
                rc = pg_fail(db, st == PGRES_PIPELINE_ABORTED ? NULL : res,
                             err, "the team database");
            if (rc == PRM_OK && q == queries - 1 && name != NULL && out) {
                PQclear(*out);
                *out = res;
            } else {
                PQclear(res);
            }
        }
    }
    PQexitPipelineMode(db->conn);
    if (rc != PRM_OK && out != NULL) {
        PQclear(*out);
        *out = NULL;
    }
    return rc;
}

static prm_code flush_deferred(pg_db *db, prm_error *err)
{
    if (db->ndeferred == 0)
        return PRM_OK;
    return pipeline(db, NULL, NULL, NULL, err);
}

prm_code pg_query(pg_db *db, const char *sql, pg_params *p, PGresult **out,
                  prm_error *err)
{
    *out = NULL;
    if (p != NULL && p->failed)
        return prm_error_set(err, PRM_EDB, "out of memory");
    const char *name = NULL;
    prm_code rc = prepared(db, sql, &name, err);
    if (rc != PRM_OK)
        return rc;
    if (db->ndeferred > 0) {
        db->savepoint_sent = true;
        return pipeline(db, name, p, out, err);
    }
    PGresult *res = PQexecPrepared(db->conn, name, p ? p->n : 0,
                                   p ? p->values : NULL, NULL, NULL, 0);
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
static prm_code pg_query_built(pg_db *db, const sqlbuf *b, pg_params *p,
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
        return prm_error_set(err, PRM_EDB, "out of memory");
    const char *name = NULL;
    prm_code rc = prepared(db, sql, &name, err);
    if (rc == PRM_OK && db->ndeferred > 0) {
        db->savepoint_sent = true;
        rc = flush_deferred(db, err);
    }
    if (rc != PRM_OK)
        return rc;
    if (PQsendQueryPrepared(db->conn, name, p ? p->n : 0,
                            p ? p->values : NULL, NULL, NULL, 0) != 1)
        return pg_fail(db, NULL, err, "sending to the team database");
    PQsetSingleRowMode(db->conn); /* refused: the rows come all at once */
    bool stop = false;
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK) {
            if (rc == PRM_OK)
                rc = pg_fail(db, res, err, "the team database");
        }
        for (int r = 0; rc == PRM_OK && !stop && r < PQntuples(res); r++)
            rc = fn(ctx, res, r, &stop, err);
        PQclear(res);
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
static prm_code pg_simple(pg_db *db, const char *sql, prm_error *err)
{
    prm_code rc = flush_deferred(db, err);
    if (rc != PRM_OK)
        return rc;
    PGresult *res = PQexec(db->conn, sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(db, res, err, "the team database");
    PQclear(res);
    return rc;
}

/* --- transactions -------------------------------------------------------- */

static bool pg_in_transaction(const prm_db *base)
{
    const pg_db *db = (const pg_db *)base;
    return PQtransactionStatus(db->conn) != PQTRANS_IDLE;
}

static prm_code pg_begin(prm_db *base, prm_error *err)
{
    ((pg_db *)base)->change_known = false;
    return pg_simple((pg_db *)base, "BEGIN", err);
}

static prm_code pg_commit(prm_db *base, prm_error *err)
{
    ((pg_db *)base)->change_known = false;
    if (!pg_in_transaction(base))
        return PRM_OK;
    return pg_simple((pg_db *)base, "COMMIT", err); /* sends a RELEASE first */
}

static prm_code pg_rollback(prm_db *base, prm_error *err)
{
    ((pg_db *)base)->change_known = false;
    drop_deferred((pg_db *)base);
    if (!pg_in_transaction(base))
        return PRM_OK;
    return pg_simple((pg_db *)base, "ROLLBACK", err);
}

static const char settings_sql[] =
    "SELECT set_config('prm.command', $1, true), "
    "set_config('prm.now', $2, true), set_config('prm.undoes', $3, true), "
    "set_config('prm.change', $4, true)";

/* The audit settings waiting to go as the last deferred statement, taken
 * out of the queue so that an INSERT can carry them itself: one statement
 * less for every record a bulk load adds.  NULL when there are none. */
static struct pg_deferred *take_settings(pg_db *db)
{
    if (db->ndeferred == 0 ||
        db->deferred[db->ndeferred - 1].sql != settings_sql)
        return NULL;
    return &db->deferred[--db->ndeferred];
}

prm_code pg_audit_settings(pg_db *db, int64_t undoes, prm_error *err)
{
    pg_params p = {.n = 0};
    pgp_str(&p, db->base.command ? db->base.command : "");
    pgp_str(&p, store_now(&db->base));
    if (undoes > 0)
        pgp_int(&p, undoes);
    else
        pgp_str(&p, "");
    pgp_int(&p, db->change);
    prm_code rc = pg_defer(db, settings_sql, &p, err);
    pgp_free(&p);
    return rc;
}

/*
 * The change number of a command that writes, as on a file: one more than
 * the log's last, read under the writers' advisory lock (held to the end
 * of the transaction, so numbers follow commit order); inside a batch,
 * which keeps the lock, counted on from the number read once.  The ids the
 * next records get are read and counted the same way, which spares the id
 * trigger its work for every row prm adds.
 */
static prm_code next_change(pg_db *db, prm_error *err)
{
    if (db->change_known && !db->cmd_owns_tx) {
        db->change++;
        return PRM_OK;
    }
    /* The lock first, in a statement of its own: the counts must be read
     * with a snapshot taken after it is held. */
    prm_code rc = pg_defer(db, "SELECT pg_advisory_xact_lock(1347571761)",
                           NULL, err);
    int64_t n[1 + PRM_KIND_COUNT];
    if (rc == PRM_OK)
        rc = pg_counts(
            db,
            "SELECT (SELECT coalesce(max(change), 0) + 1 FROM audit), "
            "greatest((SELECT max(id) FROM partners), (SELECT last FROM "
            "prm_ids WHERE kind = 'partners')) + 1, greatest((SELECT max(id) "
            "FROM projects), (SELECT last FROM prm_ids WHERE kind = "
            "'projects')) + 1, greatest((SELECT max(id) FROM communications), "
            "(SELECT last FROM prm_ids WHERE kind = 'communications')) + 1, "
            "greatest((SELECT max(id) FROM resources), (SELECT last FROM "
            "prm_ids WHERE kind = 'resources')) + 1, greatest((SELECT max(id) "
            "FROM outcomes), (SELECT last FROM prm_ids WHERE kind = "
            "'outcomes')) + 1",
            NULL, n, 1 + PRM_KIND_COUNT, err);
    if (rc == PRM_OK) {
        db->change = n[0];
        for (int k = 0; k < PRM_KIND_COUNT; k++)
            db->next_id[prm_kind_get((prm_kind)k)->kind] = n[1 + k];
    }
    db->change_known = rc == PRM_OK && !db->cmd_owns_tx;
    return rc;
}

/*
 * A command alone is a transaction of its own: a read sees one snapshot
 * (REPEATABLE READ), so metrics add up even while others write.  Inside a
 * batch it is a savepoint.  Writes run READ COMMITTED, so that two writers
 * wait for each other rather than fail.
 */
static prm_code pg_cmd_begin(prm_db *base, store_access access, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    db->cmd_owns_tx = !pg_in_transaction(base);
    db->cmd_savepoint = !db->cmd_owns_tx;
    db->undo_done = false;
    db->savepoint_sent = false;
    prm_code rc;
    /* Inside a batch, the savepoint and the settings travel with the
     * command's first query. */
    if (db->cmd_owns_tx)
        rc = pg_simple(db,
                       access == STORE_READ
                           ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                           : "BEGIN",
                       err);
    else
        rc = pg_defer(db, "SAVEPOINT prm_cmd", NULL, err);
    db->cmd_change_from = db->change;
    db->cmd_change_known = db->change_known;
    if (rc == PRM_OK && access != STORE_READ)
        rc = next_change(db, err);
    memcpy(db->cmd_next_id, db->next_id, sizeof db->next_id);
    if (rc == PRM_OK && access != STORE_READ)
        rc = pg_audit_settings(db, 0, err);
    if (rc != PRM_OK) {
        drop_deferred(db);
        if (db->cmd_owns_tx)
            pg_simple(db, "ROLLBACK", NULL);
    }
    return rc;
}

static prm_code pg_cmd_end(prm_db *base, prm_code rc, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    prm_error end_err;
    if (db->cmd_owns_tx) {
        drop_deferred(db); /* settings no query needed */
        if (rc == PRM_OK && pg_simple(db, "COMMIT", &end_err) != PRM_OK) {
            pg_simple(db, "ROLLBACK", NULL);
            *err = end_err;
            return err->code;
        }
        if (rc != PRM_OK)
            pg_simple(db, "ROLLBACK", NULL);
        return rc;
    }
    /* A failed command is no change: the next takes its number, so that
     * a script's changes are numbered alike however it is batched. */
    if (rc != PRM_OK) {
        db->change = db->cmd_change_from;
        db->change_known = db->cmd_change_known;
    }
    if (!db->cmd_savepoint)
        return rc;
    if (!db->savepoint_sent) {
        drop_deferred(db); /* the command sent nothing: nothing to undo */
        return rc;
    }
    if (rc == PRM_OK) /* goes with the next command's first query */
        return pg_defer(db, "RELEASE prm_cmd", NULL, err);
    /* the ids the failed command took are given back with its rows */
    memcpy(db->next_id, db->cmd_next_id, sizeof db->next_id);
    drop_deferred(db);
    pg_simple(db, "ROLLBACK TO prm_cmd", NULL);
    pg_simple(db, "RELEASE prm_cmd", NULL);
    return rc;
}

/* --- reading records ------------------------------------------------------- */


/* The fields of a kind, in order, then with names the names of what its
 * references refer to (store_add_ref_names). */
static void add_select_list(sqlbuf *b, const prm_kind_info *info, bool names)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        sql_add(b, i ? ", " : "SELECT ");
        if (col != NULL)
            sql_add(b, "t.\"%s\"", col);
        else
            sql_add(b, PARTNER_IDS_SQL);
    }
    if (names)
        store_add_ref_names(
            b, info,
            "(SELECT string_agg(p.name, ', ' ORDER BY p.id) FROM "
            "project_partners AS pp JOIN partners AS p ON p.id = "
            "pp.partner_id WHERE pp.project_id = t.id)");
    sql_add(b, " FROM %s AS t", store_table(info));
}

/* The names after the fields, when the result has them. */
static void row_ref_names(const PGresult *res, int row,
                          const prm_kind_info *info, prm_record *rec)
{
    int col = (int)info->nfields;
    bool named = PQnfields(res) > col;
    for (size_t i = 0; i < info->nfields; i++) {
        rec->ref_name[i] = NULL;
        if (named && store_is_ref(&info->fields[i])) {
            if (!PQgetisnull(res, row, col))
                rec->ref_name[i] = PQgetvalue(res, row, col);
            col++;
        }
    }
}

static prm_code row_to_record(pg_db *db, const prm_kind_info *info,
                              const PGresult *res, int row, prm_record *rec,
                              prm_error *err)
{
    rec->info = info;
    for (size_t i = 0; i < info->nfields; i++) {
        prm_value *v = &rec->v[i];
        *v = (prm_value){.type = PRM_V_NULL};
        if (PQgetisnull(res, row, (int)i))
            continue;
        const char *text = PQgetvalue(res, row, (int)i);
        switch (info->fields[i].type) {
        case PRM_F_PARTNER_LIST: {
            prm_code rc = store_parse_ids(text, &db->ids, &db->ids_cap,
                                          &v->nids, err);
            if (rc != PRM_OK)
                return rc;
            v->type = PRM_V_IDS;
            v->ids = db->ids;
            break;
        }
        case PRM_F_ID:
        case PRM_F_PERCENT:
        case PRM_F_PARTNER_REF:
        case PRM_F_PROJECT_REF:
            v->type = PRM_V_INT;
            v->i = strtoll(text, NULL, 10);
            break;
        case PRM_F_NUMBER:
            v->type = PRM_V_REAL;
            v->r = strtod(text, NULL);
            break;
        default:
            v->type = PRM_V_TEXT;
            v->s = text;
            v->len = (size_t)PQgetlength(res, row, (int)i);
        }
    }
    row_ref_names(res, row, info, rec);
    return PRM_OK;
}

static prm_code each_row(pg_db *db, const prm_kind_info *info,
                         const PGresult *res, prm_record_fn fn, void *ctx,
                         prm_error *err)
{
    for (int r = 0; r < PQntuples(res); r++) {
        prm_record rec;
        prm_code rc = row_to_record(db, info, res, r, &rec, err);
        if (rc != PRM_OK)
            return rc;
        if (!fn(ctx, &rec))
            break;
    }
    return PRM_OK;
}

static prm_code pg_fetch(prm_db *base, const prm_kind_info *info, int64_t id,
                         prm_record_fn fn, void *ctx, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    sqlbuf b = {.len = 0};
    add_select_list(&b, info, true);
    sql_add(&b, " WHERE t.id = $1");
    pg_params p = {.n = 0};
    pgp_int(&p, id);
    PGresult *res;
    prm_code rc = pg_query(db, b.text, &p, &res, err);
    if (rc != PRM_OK)
        return rc;
    if (PQntuples(res) == 0)
        rc = prm_error_set(err, PRM_ENOT_FOUND, "no %s with id %lld",
                           info->name, (long long)id);
    else
        rc = each_row(db, info, res, fn, ctx, err);
    PQclear(res);
    return rc;
}

/* A project's partners, exactly these: the first one's projects
 * (indexed), then the whole list, as text in ascending order. */
static void add_partners_are(sqlbuf *b, pg_params *p, const prm_value *v)
{
    if (v->nids == 0) {
        sql_add(b, "FALSE");
        return;
    }
    char *text = store_ids_text(v->ids, v->nids);
    if (text == NULL) {
        p->failed = true;
        return;
    }
    pgp_int(p, v->ids[0]);
    pgp_text(p, text, strlen(text));
    free(text);
    sql_add(b, "t.id IN (SELECT project_id FROM project_partners WHERE "
               "partner_id = $%d) AND " PARTNER_IDS_SQL " = $%d", p->n - 1,
            p->n);
}

static void add_filter(sqlbuf *b, pg_params *p, const prm_kind_info *info,
                       const store_filter *f)
{
    const char *col =
        f->op <= SF_RANGE ? store_column(&info->fields[f->field]) : NULL;
    switch (f->op) {
    case SF_EQ:
        pgp_value(p, &f->value);
        if (strcmp(col, "name") == 0) /* unique without regard to case */
            sql_add(b, "lower(t.name COLLATE \"C\") = lower($%d COLLATE "
                       "\"C\")", p->n);
        else
            sql_add(b, "t.\"%s\" = $%d", col, p->n);
        break;
    case SF_NULL:
        sql_add(b, "t.\"%s\" IS NULL", col);
        break;
    case SF_RANGE:
        pgp_str(p, f->lo);
        pgp_str(p, f->hi);
        sql_add(b, "t.\"%s\" BETWEEN $%d AND $%d", col, p->n - 1, p->n);
        break;
    case SF_WINDOW:
        pgp_str(p, f->lo);
        pgp_str(p, f->hi);
        sql_add(b, "%s BETWEEN $%d AND $%d", store_date_sql(info), p->n - 1,
                p->n);
        break;
    case SF_HAS_PARTNER:
        pgp_value(p, &f->value);
        sql_add(b, "t.id IN (SELECT project_id FROM project_partners WHERE "
                   "partner_id = $%d)", p->n);
        break;
    case SF_HAS_PROJECT:
        pgp_value(p, &f->value);
        sql_add(b, "t.id IN (SELECT partner_id FROM project_partners WHERE "
                   "project_id = $%d)", p->n);
        break;
    case SF_PARTNER_WORK:
        pgp_value(p, &f->value);
        sql_add(b, "t.project_id IN (SELECT project_id FROM project_partners "
                   "WHERE partner_id = $%d)", p->n);
        break;
    case SF_PARTNERS_ARE:
        add_partners_are(b, p, &f->value);
        break;
    case SF_OWNER:
        pgp_value(p, &f->value);
        sql_add(b, "t.owner = $%d", p->n);
        break;
    }
}

typedef struct list_rows {
    pg_db *db;
    const prm_kind_info *info;
    prm_record_fn fn;
    void *ctx;
} list_rows;

static prm_code list_row(void *ctx, const PGresult *res, int r, bool *stop,
                         prm_error *err)
{
    list_rows *l = ctx;
    prm_record rec;
    prm_code rc = row_to_record(l->db, l->info, res, r, &rec, err);
    if (rc == PRM_OK && !l->fn(l->ctx, &rec))
        *stop = true;
    return rc;
}

static prm_code pg_list(prm_db *base, const prm_kind_info *info,
                        const store_filter *filters, size_t nfilters,
                        bool names, prm_record_fn fn, void *ctx,
                        prm_error *err)
{
    pg_db *db = (pg_db *)base;
    sqlbuf b = {.len = 0};
    pg_params p = {.n = 0};
    add_select_list(&b, info, names);
    for (size_t i = 0; i < nfilters; i++) {
        sql_add(&b, i ? " AND " : " WHERE ");
        add_filter(&b, &p, info, &filters[i]);
    }
    sql_add(&b, " ORDER BY t.id");
    list_rows rows = {.db = db, .info = info, .fn = fn, .ctx = ctx};
    prm_code rc = b.overflow ? prm_error_set(err, PRM_EDB,
                                             "internal error: SQL too long")
                             : pg_query_rows(db, b.text, &p, list_row, &rows,
                                             err);
    pgp_free(&p);
    return rc;
}

/* Names of a kind that start with prefix, for tab completion. */
static prm_code pg_names(prm_db *base, const prm_kind_info *info,
                         const char *prefix,
                         bool (*fn)(void *ctx, const char *name), void *ctx,
                         prm_error *err)
{
    pg_db *db = (pg_db *)base;
    if (prm_field_find(info, "name") == NULL)
        return PRM_OK;
    char *pattern = store_like_prefix(prefix);
    if (pattern == NULL)
        return prm_error_set(err, PRM_EDB, "out of memory");
    sqlbuf b = {.len = 0};
    sql_add(&b,
            "SELECT name FROM %s WHERE lower(name COLLATE \"C\") LIKE "
            "lower($1 COLLATE \"C\") ESCAPE '\\' ORDER BY lower(name COLLATE "
            "\"C\"), name LIMIT 1000",
            store_table(info));
    pg_params p = {.n = 0};
    pgp_str(&p, pattern);
    PGresult *res;
    prm_code rc = pg_query(db, b.text, &p, &res, err);
    free(pattern);
    if (rc != PRM_OK)
        return rc;
    for (int r = 0; r < PQntuples(res); r++)
        if (!fn(ctx, PQgetvalue(res, r, 0)))
            break;
    PQclear(res);
    return PRM_OK;
}

/* --- writing records ------------------------------------------------------- */

static int partner_list_index(const prm_kind_info *info)
{
    for (size_t i = 0; i < info->nfields; i++)
        if (info->fields[i].type == PRM_F_PARTNER_LIST)
            return (int)i;
    return -1;
}

/* A failed write: a taken name is the user's conflict. */
static prm_code write_fail(pg_db *db, prm_code rc, const prm_kind_info *info,
                           const store_row *row, prm_error *err)
{
    int name = prm_field_index(info, "name");
    if (rc == PRM_ECONFLICT && name >= 0 && row->set[name] &&
        strstr(err->message, "duplicate key") != NULL)
        return prm_error_set(err, PRM_ECONFLICT,
                             "a %s named '%.*s' already exists; names are "
                             "unique, without regard to case",
                             info->name, (int)row->v[name].len,
                             row->v[name].s);
    (void)db;
    return rc;
}

/* Links of a new or changed project: first to the partners the user owns,
 * so that row security sees the project as theirs for the others.  A
 * change keeps the links that stay, so that the audit log shows only the
 * partners that left or joined. */
static prm_code set_partners(pg_db *db, int64_t project,
                             const prm_value *list, bool replace,
                             prm_error *err)
{
    char *array = store_id_array(list, '{', '}');
    if (array == NULL)
        return prm_error_set(err, PRM_EDB, "out of memory");
    pg_params p = {.n = 0};
    pgp_int(&p, project);
    pgp_str(&p, array);
    prm_code rc = PRM_OK;
    if (replace)
        rc = pg_run(db,
                    "DELETE FROM project_partners WHERE project_id = $1 AND "
                    "NOT (partner_id = ANY ($2::bigint[]))",
                    &p, err);
    for (int mine = 1; mine >= 0 && rc == PRM_OK; mine--)
        rc = pg_run(db,
                    mine ? "INSERT INTO project_partners (project_id, "
                           "partner_id) SELECT $1, id FROM partners WHERE id "
                           "= ANY ($2::bigint[]) AND owner = current_user "
                           "AND id NOT IN (SELECT partner_id FROM "
                           "project_partners WHERE project_id = $1) "
                           "ORDER BY id"
                         : "INSERT INTO project_partners (project_id, "
                           "partner_id) SELECT $1, id FROM partners WHERE id "
                           "= ANY ($2::bigint[]) AND owner <> current_user "
                           "AND id NOT IN (SELECT partner_id FROM "
                           "project_partners WHERE project_id = $1) "
                           "ORDER BY id",
                    &p, err);
    pgp_free(&p);
    free(array);
    return rc;
}

static prm_code pg_insert(prm_db *base, const prm_kind_info *info,
                          const store_row *row, int64_t *id, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    const char *now = store_now(base);
    sqlbuf cols = {.len = 0}, vals = {.len = 0};
    pg_params p = {.n = 0};
    int64_t *next = &db->next_id[info->kind];
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        if (col == NULL)
            continue;
        if (f->type == PRM_F_ID && !row->set[i])
            pgp_int(&p, *next); /* counted under the writers' lock */
        else if (!row->set[i] && (f->flags & PRM_FF_READONLY))
            pgp_str(&p, now);
        else
            pgp_value(&p, &row->v[i]);
        sql_add(&cols, "%s\"%s\"", p.n > 1 ? ", " : "", col);
        sql_add(&vals, "%s$%d", p.n > 1 ? ", " : "", p.n);
    }
    sqlbuf b = {.len = 0};
    struct pg_deferred *settings = take_settings(db);
    if (settings == NULL) {
        sql_add(&b, "INSERT INTO %s (%s) VALUES (%s) RETURNING id",
                store_table(info), cols.text, vals.text);
    } else {
        /* The row is made only once the settings are set, before any
         * trigger of the INSERT fires. */
        int k = p.n;
        for (int i = 0; i < settings->params.n; i++)
            pgp_str(&p, settings->params.values[i]);
        sql_add(&b,
                "INSERT INTO %s (%s) SELECT %s FROM (SELECT "
                "set_config('prm.command', $%d, true), set_config('prm.now', "
                "$%d, true), set_config('prm.undoes', $%d, true), "
                "set_config('prm.change', $%d, true)) AS prm_settings "
                "RETURNING id",
                store_table(info), cols.text, vals.text, k + 1, k + 2, k + 3,
                k + 4);
    }
    PGresult *res;
    prm_code rc = pg_query_built(db, &b, &p, &res, err);
    pgp_free(&p);
    if (settings != NULL)
        pgp_free(&settings->params);
    if (rc != PRM_OK)
        return write_fail(db, rc, info, row, err);
    *id = pg_int(res, 0, 0);
    PQclear(res);
    if (*id >= *next)
        *next = *id + 1;
    int list = partner_list_index(info);
    if (list >= 0)
        rc = set_partners(db, *id, &row->v[list], false, err);
    return rc;
}

/* Zero rows written to a record that exists: row security hid it. */
static prm_code hidden_row(pg_db *db, const prm_kind_info *info, int64_t id,
                           prm_error *err)
{
    return prm_error_set(err, PRM_EFORBIDDEN,
                         "%s, a %s here, may not change %s %lld: %s",
                         db->base.user, db->role, info->name, (long long)id,
                         role_limit(db));
}

static prm_code pg_update(prm_db *base, const prm_kind_info *info, int64_t id,
                          const store_row *row, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    sqlbuf b = {.len = 0};
    pg_params p = {.n = 0};
    pgp_int(&p, id);
    sql_add(&b, "UPDATE %s SET ", store_table(info));
    int n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        if (col == NULL || (f->flags & PRM_FF_READONLY) || !row->set[i])
            continue;
        pgp_value(&p, &row->v[i]);
        sql_add(&b, "%s\"%s\" = $%d", n++ ? ", " : "", col, p.n);
    }
    if (prm_field_index(info, "updated_at") >= 0) {
        pgp_str(&p, store_now(base));
        sql_add(&b, "%supdated_at = $%d", n++ ? ", " : "", p.n);
    }
    sql_add(&b, " WHERE id = $1");
    prm_code rc = PRM_OK;
    if (n > 0) {
        PGresult *res;
        rc = pg_query_built(db, &b, &p, &res, err);
        if (rc == PRM_OK) {
            bool none = strcmp(PQcmdTuples(res), "0") == 0;
            PQclear(res);
            if (none)
                rc = hidden_row(db, info, id, err);
        } else {
            rc = write_fail(db, rc, info, row, err);
        }
    }
    pgp_free(&p);
    int list = partner_list_index(info);
    if (rc == PRM_OK && list >= 0 && row->set[list])
        rc = set_partners(db, id, &row->v[list], true, err);
    return rc;
}

/* Whether any field row sets differs from what record $1 holds, locking
 * the row FOR UPDATE: row security hides a row the user may not change,
 * and a viewer may lock none, so a change that would change nothing is
 * refused where the change would be. */
static prm_code pg_differs(prm_db *base, const prm_kind_info *info,
                           int64_t id, const store_row *row, bool *differs,
                           prm_error *err)
{
    pg_db *db = (pg_db *)base;
    sqlbuf b = {.len = 0};
    pg_params p = {.n = 0};
    pgp_int(&p, id);
    sql_add(&b, "SELECT false");
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        if (!row->set[i] || (f->flags & PRM_FF_READONLY))
            continue;
        if (col != NULL) {
            pgp_value(&p, &row->v[i]);
            sql_add(&b, " OR t.\"%s\" IS DISTINCT FROM $%d", col, p.n);
        } else if (f->type == PRM_F_PARTNER_LIST) {
            char *text = store_ids_text(row->v[i].ids, row->v[i].nids);
            if (text == NULL)
                p.failed = true;
            else
                pgp_text(&p, text, strlen(text));
            free(text);
            sql_add(&b, " OR " PARTNER_IDS_SQL " IS DISTINCT FROM $%d", p.n);
        }
    }
    sql_add(&b, " FROM %s AS t WHERE t.id = $1 FOR UPDATE", store_table(info));
    PGresult *res;
    prm_code rc = pg_query_built(db, &b, &p, &res, err);
    pgp_free(&p);
    if (rc != PRM_OK)
        return rc;
    bool hidden = PQntuples(res) == 0;
    *differs = hidden || strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return hidden ? hidden_row(db, info, id, err) : PRM_OK;
}

static void pg_unchanged(prm_db *base)
{
    pg_db *db = (pg_db *)base;
    db->change = db->cmd_change_from;
    db->change_known = db->cmd_change_known;
}

static prm_code pg_exists(prm_db *base, const prm_kind_info *info, int64_t id,
                          bool *found, prm_error *err)
{
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT count(*) FROM %s WHERE id = $1", store_table(info));
    pg_params p = {.n = 0};
    pgp_int(&p, id);
    int64_t n = 0;
    prm_code rc = pg_counts((pg_db *)base, b.text, &p, &n, 1, err);
    *found = n != 0;
    return rc;
}

static prm_code pg_find_name(prm_db *base, const prm_kind_info *info,
                             const char *name, int64_t *id, bool *found,
                             prm_error *err)
{
    *found = false;
    if (prm_field_find(info, "name") == NULL)
        return PRM_OK;
    sqlbuf b = {.len = 0};
    sql_add(&b,
            "SELECT id FROM %s WHERE lower(name COLLATE \"C\") = lower($1 "
            "COLLATE \"C\")",
            store_table(info));
    pg_params p = {.n = 0};
    pgp_str(&p, name);
    PGresult *res;
    prm_code rc = pg_query((pg_db *)base, b.text, &p, &res, err);
    if (rc != PRM_OK)
        return rc;
    if (PQntuples(res) > 0) {
        *id = pg_int(res, 0, 0);
        *found = true;
    }
    PQclear(res);
    return PRM_OK;
}

static prm_code pg_deps_of(prm_db *base, const prm_kind_info *info, int64_t id,
                           store_deps *deps, prm_error *err)
{
    *deps = (store_deps){0};
    const char *sql = store_deps_sql(info);
    if (sql == NULL)
        return PRM_OK;
    pg_params p = {.n = 0};
    pgp_int(&p, id);
    int64_t n[4];
    prm_code rc = pg_counts((pg_db *)base, sql, &p, n, 4, err);
    if (rc == PRM_OK)
        *deps = (store_deps){n[0], n[1], n[2], n[3]};
    return rc;
}

static prm_code pg_remove(prm_db *base, const prm_kind_info *info, int64_t id,
                          bool cascade, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    const char *const *steps = cascade ? store_cascade_sql(info) : NULL;
    pg_params p = {.n = 0};
    pgp_int(&p, id);
    prm_code rc = PRM_OK;
    for (size_t i = 0; steps != NULL && steps[i] != NULL && rc == PRM_OK; i++)
        rc = pg_run(db, steps[i], &p, err);
    sqlbuf b = {.len = 0};
    sql_add(&b, "DELETE FROM %s WHERE id = $1", store_table(info));
    PGresult *res = NULL;
    if (rc == PRM_OK)
        rc = pg_query(db, b.text, &p, &res, err);
    if (rc == PRM_OK && strcmp(PQcmdTuples(res), "0") == 0)
        rc = hidden_row(db, info, id, err);
    PQclear(res);
    return rc;
}

/* --- import -------------------------------------------------------------- */

static prm_code pg_is_empty(prm_db *base, bool *empty, prm_error *err)
{
    int64_t n = 1;
    prm_code rc = pg_counts((pg_db *)base,
                            "SELECT (EXISTS (SELECT 1 FROM partners) OR EXISTS "
                            "(SELECT 1 FROM projects) OR EXISTS (SELECT 1 FROM "
                            "communications) OR EXISTS (SELECT 1 FROM "
                            "resources) OR EXISTS (SELECT 1 FROM outcomes))::int",
                            NULL, &n, 1, err);
    *empty = n == 0;
    return rc;
}

static prm_code pg_map_reset(prm_db *base, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    prm_code rc = pg_simple(db,
                            "CREATE TEMP TABLE IF NOT EXISTS prm_import_map "
                            "(kind integer, old bigint, new bigint, PRIMARY KEY "
                            "(kind, old))",
                            err);
    if (rc == PRM_OK)
        rc = pg_simple(db, "DELETE FROM prm_import_map", err);
    return rc;
}

static prm_code pg_map_put(prm_db *base, prm_kind kind, int64_t old,
                           int64_t new_id, prm_error *err)
{
    pg_params p = {.n = 0};
    pgp_int(&p, kind);
    pgp_int(&p, old);
    pgp_int(&p, new_id);
    prm_code rc = pg_run((pg_db *)base,
                         "INSERT INTO prm_import_map (kind, old, new) VALUES "
                         "($1, $2, $3)",
                         &p, err);
    if (rc == PRM_ECONFLICT)
        return prm_error_set(err, PRM_ECONFLICT, "id %lld appears twice",
                             (long long)old);
    return rc;
}

static prm_code pg_map_get(prm_db *base, prm_kind kind, int64_t old,
                           int64_t *new_id, bool *found, prm_error *err)
{
    pg_params p = {.n = 0};
    pgp_int(&p, kind);
    pgp_int(&p, old);
    PGresult *res;
    prm_code rc = pg_query((pg_db *)base,
                           "SELECT new FROM prm_import_map WHERE kind = $1 AND "
                           "old = $2",
                           &p, &res, err);
    if (rc != PRM_OK)
        return rc;
    *found = PQntuples(res) > 0;
    if (*found)
        *new_id = pg_int(res, 0, 0);
    PQclear(res);
    return PRM_OK;
}

/* --- owners and users ------------------------------------------------------ */

static const char *const roles[] = {"admin", "manager", "viewer", NULL};

static bool known_role(const char *role)
{
    for (size_t i = 0; roles[i] != NULL; i++)
        if (strcmp(roles[i], role) == 0)
            return true;
    return false;
}

/* The prm role of a database user, or "" when they have none. */
#define ROLE_OF(who)                                                         \
    "CASE WHEN pg_has_role(" who ", 'prm_admin', 'MEMBER') THEN 'admin' "    \
    "WHEN pg_has_role(" who ", 'prm_manager', 'MEMBER') THEN 'manager' "     \
    "WHEN pg_has_role(" who ", 'prm_viewer', 'MEMBER') THEN 'viewer' ELSE "  \
    "'' END"

static prm_code user_role_of(pg_db *db, const char *name, char *role,
                             size_t size, prm_error *err)
{
    pg_params p = {.n = 0};
    pgp_str(&p, name);
    PGresult *res;
    prm_code rc = pg_query(db,
                           "SELECT " ROLE_OF("r.oid") " FROM pg_roles AS r "
                           "WHERE r.rolname = $1",
                           &p, &res, err);
    if (rc != PRM_OK)
        return rc;
    snprintf(role, size, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return PRM_OK;
}

static prm_code pg_set_owner(prm_db *base, int64_t partner, const char *user,
                             bool *changed, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    char role[16];
    *changed = false;
    prm_code rc = user_role_of(db, user, role, sizeof role, err);
    if (rc != PRM_OK)
        return rc;
    if (strcmp(role, "admin") != 0 && strcmp(role, "manager") != 0)
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid owner '%s': an owner is a manager or "
                             "admin of this database (see user list)",
                             user);
    pg_params p = {.n = 0};
    pgp_int(&p, partner);
    pgp_str(&p, user);
    PGresult *res;
    pgp_str(&p, store_now(base));
    rc = pg_query(db,
                  "UPDATE partners SET owner = $2, updated_at = $3 WHERE id = "
                  "$1 AND owner IS DISTINCT FROM $2",
                  &p, &res, err);
    if (rc != PRM_OK)
        return rc;
    *changed = strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    if (*changed)
        return PRM_OK;
    /* Nothing written: the partner has that owner, or this user may not
     * change it (then the lock finds no row, as pg_differs's does). */
    pg_params q = {.n = 0};
    pgp_int(&q, partner);
    rc = pg_query(db, "SELECT 1 FROM partners WHERE id = $1 FOR UPDATE", &q,
                  &res, err);
    if (rc != PRM_OK)
        return rc;
    bool hidden = PQntuples(res) == 0;
    PQclear(res);
    return hidden ? hidden_row(db, prm_kind_get(PRM_PARTNER), partner, err)
                  : PRM_OK;
}

/* Run a statement about roles: their names cannot be parameters, so they
 * are quoted by libpq. */
static prm_code role_statement(pg_db *db, const char *fmt, const char *name,
                               const char *role, prm_error *err)
{
    char *ident = PQescapeIdentifier(db->conn, name, strlen(name));
    if (ident == NULL)
        return prm_error_set(err, PRM_EINVALID_VALUE, "invalid user name '%s'",
                             name);
    char sql[512];
    snprintf(sql, sizeof sql, fmt, ident, role);
    PQfreemem(ident);
    return pg_simple(db, sql, err);
}

static prm_code grant_role(pg_db *db, const char *name, const char *role,
                           prm_error *err)
{
    /* The prm roles they are a direct member of, to take back. */
    pg_params p = {.n = 0};
    pgp_str(&p, name);
    PGresult *res;
    prm_code rc = pg_query(db,
                           "SELECT substr(r.rolname, 5) FROM pg_auth_members "
                           "AS m JOIN pg_roles AS r ON r.oid = m.roleid JOIN "
                           "pg_roles AS u ON u.oid = m.member WHERE u.rolname "
                           "= $1 AND r.rolname IN ('prm_admin', "
                           "'prm_manager', 'prm_viewer')",
                           &p, &res, err);
    for (int r = 0; rc == PRM_OK && r < PQntuples(res); r++)
        rc = role_statement(db, "REVOKE prm_%2$s FROM %1$s", name,
                            PQgetvalue(res, r, 0), err);
    if (res != NULL)
        PQclear(res);
    if (rc == PRM_OK)
        rc = role_statement(db, "GRANT prm_%2$s TO %1$s", name, role, err);
    /* Admins manage users: that takes CREATEROLE, which is not inherited. */
    if (rc == PRM_OK)
        rc = role_statement(db,
                            strcmp(role, "admin") == 0
                                ? "ALTER ROLE %1$s CREATEROLE"
                                : "ALTER ROLE %1$s NOCREATEROLE",
                            name, role, err);
    return rc;
}

static prm_code check_role(const char *role, prm_error *err)
{
    if (known_role(role))
        return PRM_OK;
    return prm_error_set(err, PRM_EINVALID_VALUE,
                         "invalid role '%s': use admin, manager or viewer",
                         role);
}

static prm_code pg_user_add(prm_db *base, const char *name, const char *role,
                            const char *password, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    prm_code rc = check_role(role, err);
    if (rc != PRM_OK)
        return rc;
    if (password == NULL) {
        rc = role_statement(db, "CREATE ROLE %1$s LOGIN", name, role, err);
    } else {
        char *lit = PQescapeLiteral(db->conn, password, strlen(password));
        if (lit == NULL)
            return prm_error_set(err, PRM_EINVALID_VALUE, "invalid password");
        char fmt[600];
        snprintf(fmt, sizeof fmt, "CREATE ROLE %%1$s LOGIN PASSWORD %s", lit);
        PQfreemem(lit);
        rc = role_statement(db, fmt, name, role, err);
    }
    if (rc != PRM_OK && strstr(err->message, "already exists") != NULL)
        return prm_error_set(err, PRM_ECONFLICT,
                             "a user named '%s' already exists; change their "
                             "role with: user role %s role=%s",
                             name, name, role);
    if (rc == PRM_OK)
        rc = grant_role(db, name, role, err);
    return rc;
}

static prm_code pg_user_role(prm_db *base, const char *name, const char *role,
                             prm_error *err)
{
    pg_db *db = (pg_db *)base;
    prm_code rc = check_role(role, err);
    char now[16];
    if (rc == PRM_OK)
        rc = user_role_of(db, name, now, sizeof now, err);
    if (rc == PRM_OK && now[0] == '\0')
        return prm_error_set(err, PRM_ENOT_FOUND,
                             "no user named '%s' (see user list)", name);
    if (rc == PRM_OK)
        rc = grant_role(db, name, role, err);
    return rc;
}

static prm_code pg_user_list(prm_db *base, prm_user_fn fn, void *ctx,
                             prm_error *err)
{
    PGresult *res;
    prm_code rc = pg_query(
        (pg_db *)base,
        "SELECT r.rolname, " ROLE_OF("r.oid") ", (SELECT count(*) FROM "
        "partners WHERE owner = r.rolname) FROM pg_roles AS r WHERE "
        "r.rolcanlogin AND pg_has_role(r.oid, 'prm_viewer', 'MEMBER') ORDER "
        "BY r.rolname",
        NULL, &res, err);
    if (rc != PRM_OK)
        return rc;
    for (int r = 0; r < PQntuples(res); r++) {
        prm_user_info u = {PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
                        pg_int(res, r, 2)};
        if (!fn(ctx, &u))
            break;
    }
    PQclear(res);
    return PRM_OK;
}

/* --- backup --------------------------------------------------------------- */

/* A team database backs up into a prm file: its records, from one
 * snapshot, exported and imported with their ids (JSON Lines, through a
 * temporary file, so memory stays flat).  The copy opens with prm --db
 * FILE and moves back with export/import. */
static prm_code fill_file_copy(void *ctx, const char *tmp, prm_error *err)
{
    prm_db *team = ctx;
    FILE *lines = tmpfile();
    if (lines == NULL)
        return prm_error_set(err, PRM_EIO, "cannot make a temporary file: %s",
                             strerror(errno));
    prm_counts counts;
    prm_code rc = prm_export(team, PRM_FORMAT_JSONL, lines, &counts, err);
    prm_db *copy = NULL;
    if (rc == PRM_OK && fflush(lines) == 0 && fseek(lines, 0, SEEK_SET) == 0)
        rc = store_sqlite_open(tmp, &copy, err);
    else if (rc == PRM_OK)
        rc = prm_error_set(err, PRM_EIO, "cannot write a temporary file: %s",
                           strerror(errno));
    if (rc == PRM_OK) {
        static const char command[] = "backup of a team database";
        prm_set_command(copy, command, sizeof command - 1);
        rc = prm_import(copy, PRM_FORMAT_JSONL, lines, &counts, err);
    }
    prm_close(copy);
    fclose(lines);
    return rc;
}

static prm_code pg_backup(prm_db *base, const char *path, prm_error *err)
{
    prm_code rc = store_backup_target(base, path, err);
    return rc != PRM_OK ? rc
                        : store_write_beside(path, fill_file_copy, base, err);
}

/* --- opening ---------------------------------------------------------------- */

static void pg_close(prm_db *base)
{
    pg_db *db = (pg_db *)base;
    drop_deferred(db);
    for (size_t i = 0; i < db->ncache; i++)
        free(db->cache[i].sql);
    PQfinish(db->conn);
    free(db->ids);
    store_base_free(base);
    free(db);
}

static prm_code create_schema(pg_db *db, prm_error *err)
{
    prm_code rc = pg_simple(db, "BEGIN", err);
    if (rc != PRM_OK)
        return rc;
    /* Two first connections at once: one creates, the other waits and
     * finds it done. */
    PGresult *res = PQexec(db->conn,
                           "SELECT pg_advisory_xact_lock(" PG_INIT_LOCK "), "
                           "to_regclass('prm_meta') IS NULL");
    bool missing = res && PQresultStatus(res) == PGRES_TUPLES_OK &&
                   strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(db, res, err, "creating the schema");
    PQclear(res);
    if (rc == PRM_OK && missing) {
        res = PQexec(db->conn, prm_schema_pg_sql);
        if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_fail(db, res, err, "creating the schema");
        PQclear(res);
        /* The creator is the database's first admin. */
        if (rc == PRM_OK)
            rc = pg_simple(db, "GRANT prm_admin TO CURRENT_USER", err);
    }
    if (rc != PRM_OK) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        PQclear(PQexec(db->conn, "ROLLBACK"));
        return prm_error_set(err, PRM_EDB,
                             "this team database has no prm schema yet, and "
                             "%s cannot create it (%s); an admin, a user who "
                             "may create tables and roles, must open it first",
                             db->base.user, msg);
    }
    return pg_simple(db, "COMMIT", err);
}

static prm_code check_schema(pg_db *db, prm_error *err)
{
    PGresult *res = PQexec(db->conn, "SELECT to_regclass('prm_meta') IS NULL");
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        prm_code rc = pg_fail(db, res, err, "opening the team database");
        PQclear(res);
        return rc;
    }
    bool missing = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    prm_code rc = missing ? create_schema(db, err) : PRM_OK;
    int64_t version = 0;
    if (rc == PRM_OK)
        rc = pg_counts(db, "SELECT max(version) FROM prm_meta", NULL, &version,
                       1, err);
    if (rc == PRM_OK && version != PG_SCHEMA_VERSION)
        rc = prm_error_set(err, PRM_EDB,
                           "the team database has schema version %lld; this "
                           "prm knows %d",
                           (long long)version, PG_SCHEMA_VERSION);
    return rc;
}

static prm_code who_am_i(pg_db *db, prm_error *err)
{
    PGresult *res;
    prm_code rc = pg_query(db, "SELECT session_user, " ROLE_OF("session_user"),
                           NULL, &res, err);
    if (rc != PRM_OK)
        return rc;
    snprintf(db->base.user, sizeof db->base.user, "%s", PQgetvalue(res, 0, 0));
    snprintf(db->role, sizeof db->role, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    if (db->role[0] == '\0')
        return prm_error_set(err, PRM_EFORBIDDEN,
                             "%s has no role on this team database; an admin "
                             "gives one with: user add %s role=viewer (or "
                             "manager, admin)",
                             db->base.user, db->base.user);
    return PRM_OK;
}

prm_code store_pg_open(const char *uri, prm_db **out, prm_error *err)
{
    *out = NULL;
    prm_code loaded = pq_load(err);
    if (loaded != PRM_OK)
        return loaded;
    pg_db *db = calloc(1, sizeof *db);
    if (db == NULL)
        return prm_error_set(err, PRM_EIO, "out of memory");
    store_base_init(&db->base, &store_pg_engine);
    db->conn = PQconnectdb(uri);
    prm_code rc = PRM_OK;
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        const char *msg = db->conn ? PQerrorMessage(db->conn) : "out of memory";
        size_t n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            n--;
        rc = prm_error_set(err, PRM_EDB, "cannot connect to the team database: "
                           "%.*s", (int)n, msg);
    }
    /* Quiet NOTICEs (CREATE ... IF NOT EXISTS) stay off the terminal. */
    if (rc == PRM_OK)
        rc = pg_simple(db, "SET client_min_messages = warning", err);
    if (rc == PRM_OK)
        rc = check_schema(db, err);
    if (rc == PRM_OK)
        rc = who_am_i(db, err);
    if (rc != PRM_OK) {
        pg_close(&db->base);
        return rc;
    }
    *out = &db->base;
    return PRM_OK;
}

const store_engine store_pg_engine = {
    .name = "postgresql",
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .cmd_begin = pg_cmd_begin,
    .cmd_end = pg_cmd_end,
    .insert = pg_insert,
    .update = pg_update,
    .differs = pg_differs,
    .unchanged = pg_unchanged,
    .exists = pg_exists,
    .find_name = pg_find_name,
    .fetch = pg_fetch,
    .list = pg_list,
    .names = pg_names,
    .deps_of = pg_deps_of,
    .remove = pg_remove,
    .metrics = pg_metrics,
    .is_empty = pg_is_empty,
    .map_reset = pg_map_reset,
    .map_put = pg_map_put,
    .map_get = pg_map_get,
    .report = pg_report,
    .trend = pg_trend,
    .insights = pg_insights,
    .audit_list = pg_audit_list,
    .undo_last = pg_undo_last,
    .backup = pg_backup,
    .check = pg_check,
    .set_owner = pg_set_owner,
    .user_add = pg_user_add,
    .user_role = pg_user_role,
    .user_list = pg_user_list,
};
