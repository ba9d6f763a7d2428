/*
 * transaction.c - the PostgreSQL engine's transactions and the bounds of a
 * command: a command alone is a transaction of its own, inside a batch a
 * savepoint (PostgreSQL aborts a whole transaction on any error, so a
 * failed command takes back only itself, as on SQLite); a command that
 * writes takes its change number and its records' ids under the writers'
 * lock, and its audit settings travel with its first query.
 */
#include <string.h>

#include "store/pg/pg_db.h"
#include "store/seal.h"

bool pg_in_transaction(const prm_db *base)
{
    const pg_db *db = (const pg_db *)base;
    /* a read's COMMIT, held or not yet answered, ended its transaction */
    return db->begin_deferred ||
           (!db->commit_held && !db->commit_unread &&
            PQtransactionStatus(db->conn) != PQTRANS_IDLE);
}

prm_code pg_begin(prm_db *base, prm_error *err)
{
    pg_settle((pg_db *)base);
    store_changes_forget(base);
    ((pg_db *)base)->tx_writes = false;
    return pg_simple((pg_db *)base, "BEGIN", err);
}

/* COMMIT, after a transaction that wrote with the changes of the counts
 * kept for metrics and of each partner's figures folded in (migrations
 * 010 and 014), in the same round trip. */
static prm_code commit_tx(pg_db *db, prm_error *err)
{
    bool fold = db->tx_writes;
    db->tx_writes = false;
    const char *sql = fold ? "SELECT prm_tally_fold(), "
                             "prm_partner_tally_fold(); COMMIT"
                           : "COMMIT";
    return pg_simple(db, sql, err);
}

prm_code pg_commit(prm_db *base, prm_error *err)
{
    store_changes_forget(base);
    if (!pg_in_transaction(base))
        return PRM_OK;
    return commit_tx((pg_db *)base, err); /* sends a RELEASE first */
}

prm_code pg_rollback(prm_db *base, prm_error *err)
{
    store_changes_forget(base);
    pg_drop_deferred((pg_db *)base);
    ((pg_db *)base)->undo_held = false; /* the ROLLBACK undoes it all */
    ((pg_db *)base)->tx_writes = false;
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
struct pg_deferred *pg_take_settings(pg_db *db)
{
    if (db->ndeferred == 0 ||
        db->deferred[db->ndeferred - 1].sql != settings_sql)
        return NULL;
    return &db->deferred[--db->ndeferred];
}

prm_code pg_audit_settings(pg_db *db, int64_t undoes, prm_error *err)
{
    pg_params p = {.n = 0};
    pgp_str(&p, store_command(&db->base));
    pgp_str(&p, store_now(&db->base));
    if (undoes > 0)
        pgp_int(&p, undoes);
    else
        pgp_str(&p, "");
    pgp_int(&p, db->base.changes.number);
    prm_code rc = pg_defer(db, settings_sql, &p, err);
    pgp_free(&p);
    return rc;
}

/* The next change number, then each kind's next id: one more than the
 * largest id it has or had (prm_ids keeps the largest deleted). */
static void next_numbers_sql(sqlbuf *b)
{
    sql_add(b, "SELECT (SELECT coalesce(max(change), 0) + 1 FROM audit)");
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const char *t = store_table(prm_kind_get((prm_kind)k));
        /* row security may hide tasks: counted by a function that sees all */
        sql_add(b, ", greatest(%s%s%s, (SELECT last FROM prm_ids WHERE kind "
                   "= '%s')) + 1",
                k == PRM_TASK ? "prm_max_task_id()" : "(SELECT max(id) FROM ",
                k == PRM_TASK ? "" : t, k == PRM_TASK ? "" : ")", t);
    }
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
    if (store_changes_count_on(&db->base, db->cmd_owns_tx))
        return PRM_OK;
    /* The lock first, in a statement of its own: the counts must be read
     * with a snapshot taken after it is held. */
    prm_code rc = pg_defer(db, "SELECT pg_advisory_xact_lock(" PG_INIT_LOCK ")",
                           NULL, err);
    int64_t n[1 + PRM_KIND_COUNT];
    sqlbuf b = {.len = 0};
    next_numbers_sql(&b);
    if (rc == PRM_OK)
        rc = pg_counts(db, b.text, NULL, n, 1 + PRM_KIND_COUNT, err);
    if (rc == PRM_OK) {
        store_changes_read(&db->base, n[0], db->cmd_owns_tx);
        for (int k = 0; k < PRM_KIND_COUNT; k++)
            db->next_id[prm_kind_get((prm_kind)k)->kind] = n[1 + k];
    } else {
        store_changes_forget(&db->base);
    }
    return rc;
}

/*
 * A command alone is a transaction of its own: a read sees one snapshot
 * (REPEATABLE READ), so metrics add up even while others write.  Inside a
 * batch it is a savepoint.  Writes run READ COMMITTED, so that two writers
 * wait for each other rather than fail.
 */
/* A command that only reads still has a clock, for what reads from it
 * (prm_now(): whether a deal has expired); a writing one sets it with its
 * audit settings. */
static prm_code read_clock(pg_db *db, prm_error *err)
{
    pg_params p = {.n = 0};
    pgp_str(&p, store_now(&db->base));
    prm_code rc = pg_defer(db, "SELECT set_config('prm.now', $1, true)", &p,
                           err);
    pgp_free(&p);
    return rc;
}

/* Whether encryption is on, read in the transaction: as this prm opened
 * the database, or the query that took the read back fails. */
static prm_code keyring_as_opened(pg_db *db, const PGresult *res,
                                  prm_error *err)
{
    bool on = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    return on == db->base.encrypted ? PRM_OK : store_keyring_changed(err, on);
}

/* The read is deferred: it travels with the transaction's first query
 * instead of being a round trip of its own before it (a read-only command
 * fails before it prints, a writing one before it commits).  It goes
 * before the audit settings, which pg_take_settings finds last. */
prm_code pg_keyring_expect(prm_db *base, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    pg_params none = {.n = 0}; /* prepared, as a query, once used again */
    prm_code rc = pg_defer(db, "SELECT EXISTS (SELECT 1 FROM keyring)", &none,
                           err);
    if (rc != PRM_OK)
        return rc;
    struct pg_deferred *d = &db->deferred[db->ndeferred - 1];
    d->check = keyring_as_opened;
    if (db->ndeferred > 1 && d[-1].sql == settings_sql) {
        struct pg_deferred settings = d[-1];
        d[-1] = *d;
        *d = settings;
    }
    return PRM_OK;
}

prm_code pg_cmd_begin(prm_db *base, store_access access, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    pg_settle(db);
    db->cmd_owns_tx = !pg_in_transaction(base);
    db->cmd_savepoint = !db->cmd_owns_tx;
    db->savepoint_sent = false;
    /* The BEGIN, or inside a batch the savepoint, and the settings
     * travel with the command's first query: a round trip less. */
    prm_code rc = pg_defer(
        db,
        !db->cmd_owns_tx ? "SAVEPOINT prm_cmd"
        : !store_writes(access)
            ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            : "BEGIN",
        NULL, err);
    db->begin_deferred = rc == PRM_OK && db->cmd_owns_tx;
    store_changes_command(base);
    if (db->cmd_owns_tx)
        db->tx_writes = false;
    if (store_writes(access))
        db->tx_writes = true;
    if (rc == PRM_OK && store_writes(access))
        rc = next_change(db, err);
    memcpy(db->cmd_next_id, db->next_id, sizeof db->next_id);
    if (rc == PRM_OK && store_writes(access))
        rc = pg_audit_settings(db, 0, err);
    else if (rc == PRM_OK)
        rc = read_clock(db, err);
    if (rc != PRM_OK) {
        pg_drop_deferred(db);
        if (db->cmd_owns_tx && pg_in_transaction(base))
            pg_simple(db, "ROLLBACK", NULL);
    }
    return rc;
}

/*
 * A read's transaction is ended by a COMMIT that goes with the next query
 * (pipeline), or, when prm is about to wait for input, on its own without
 * waiting for the answer (pg_idle; pg_settle reads it before the
 * connection is used again): committing a read-only transaction cannot
 * fail, and prm, or the person at its prompt, need not wait a round trip
 * for it.  When prm leaves, pg_close sends it and waits for the answer,
 * so that a pooler may give the connection to the next client.
 */
void pg_idle(prm_db *base)
{
    pg_db *db = (pg_db *)base;
    if (!db->commit_held)
        return;
    db->commit_held = false;
    /* not sent: the connection is lost, which the next statement reports */
    db->commit_unread = PQsendQuery(db->conn, "COMMIT") == 1;
}

prm_code pg_cmd_end(prm_db *base, prm_code rc, prm_error *err)
{
    pg_db *db = (pg_db *)base;
    prm_error end_err;
    if (db->cmd_owns_tx) {
        pg_drop_deferred(db); /* settings no query needed */
        if (!pg_in_transaction(base))
            return rc; /* its BEGIN never went: nothing to end */
        if (rc == PRM_OK && !db->tx_writes) {
            db->commit_held = true;
            return rc;
        }
        if (rc == PRM_OK && commit_tx(db, &end_err) != PRM_OK) {
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
    if (rc != PRM_OK)
        store_unchanged(base);
    if (!db->cmd_savepoint)
        return rc;
    if (!db->savepoint_sent) {
        pg_drop_deferred(db); /* the command sent nothing: nothing to undo */
        return rc;
    }
    if (rc == PRM_OK) /* goes with the next command's first query */
        return pg_defer(db, "RELEASE prm_cmd", NULL, err);
    /* the ids the failed command took are given back with its rows,
     * which go with the next command's first query (or the batch's
     * COMMIT): a failed line in a script was two round trips more */
    memcpy(db->next_id, db->cmd_next_id, sizeof db->next_id);
    pg_drop_deferred(db);
    db->undo_held = true;
    return rc;
}
