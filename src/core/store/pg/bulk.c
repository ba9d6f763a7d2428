/*
 * bulk.c - a bulk load on a team database: the rows of an import into an
 * empty database, held and written in batches instead of a round trip
 * each.
 *
 * While a load is on, pg_insert and pg_set_partners only append their
 * rows, as COPY text, to a buffer per kind (and one of project links);
 * pg_bulk_flush sends each buffer with COPY into a temporary table shaped
 * like the kind's and moves it into the real one with one INSERT ...
 * SELECT, in the kinds' order (partners before the projects that name
 * them).  The INSERT is the user's own: row-level security judges every
 * row as it judges an add, and the server's statement triggers write the
 * audit entries and counts of all of them at once (schema_pg.sql), and
 * the partners' figures are counted once, as the load commits.  The
 * whole flush runs inside a savepoint: when any row fails, the database
 * is as it was before the flush, and the caller adds the same records
 * again one at a time to learn which one failed and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_db.h"

/* Text being built, grown as needed. */
static bool buf_put(struct pg_buffer *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + n)
            cap *= 2;
        char *grown = realloc(b->text, cap);
        if (grown == NULL)
            return false;
        b->text = grown;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, n);
    b->len += n;
    return true;
}

/* A value as COPY's text format writes it: \N for NULL, and the
 * backslash, tab, newline and carriage return escaped. */
static bool put_field(struct pg_buffer *b, const char *v, bool first)
{
    if (!first && !buf_put(b, "\t", 1))
        return false;
    if (v == NULL)
        return buf_put(b, "\\N", 2);
    const char *run = v;
    for (const char *p = v;; p++) {
        const char *esc = *p == '\\'   ? "\\\\"
                          : *p == '\t' ? "\\t"
                          : *p == '\n' ? "\\n"
                          : *p == '\r' ? "\\r"
                                       : NULL;
        if (esc == NULL && *p != '\0')
            continue;
        if (!buf_put(b, run, (size_t)(p - run)))
            return false;
        if (*p == '\0')
            return true;
        if (!buf_put(b, esc, 2))
            return false;
        run = p + 1;
    }
}

static bool put_int(struct pg_buffer *b, int64_t i, bool first)
{
    char num[PRM_INT_TEXT];
    return put_field(b, prm_int_text(num, i), first);
}

void pg_bulk_begin(pg_db *db)
{
    pg_bulk_end(db);
    db->bulk.on = true;
}

bool pg_bulk_held(const pg_db *db)
{
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        if (db->bulk.rows[k].len > 0)
            return true;
    return db->bulk.links.len > 0;
}

static void buffer_free(struct pg_buffer *b)
{
    free(b->text);
    *b = (struct pg_buffer){.text = NULL};
}

void pg_bulk_end(pg_db *db)
{
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        buffer_free(&db->bulk.rows[k]);
    buffer_free(&db->bulk.links);
    db->bulk = (struct pg_bulk){.on = false};
}

/* pg_insert while a load is on: the row's COPY line (its number first,
 * then the values of store_insert_sql's columns). */
prm_code pg_bulk_insert(pg_db *db, const prm_kind_info *info,
                        const store_row *row, int64_t *id, prm_error *err)
{
    const char *now = store_now(&db->base);
    prm_value stamp = {.type = PRM_V_TEXT, .s = now, .len = strlen(now)};
    prm_value next = {.type = PRM_V_INT, .i = db->next_id[info->kind]};
    struct pg_buffer *b = &db->bulk.rows[info->kind];
    bool ok = put_int(b, ++db->bulk.seq, true);
    for (size_t i = 0; ok && i < info->nfields; i++) {
        if (store_column(&info->fields[i]) == NULL)
            continue;
        const prm_value *v = store_insert_value(info, row, i, &next, &stamp);
        if (info->fields[i].type == PRM_F_ID)
            *id = v->i;
        /* the text pg_insert would bind */
        pg_params p = {.n = 0};
        pgp_value(&p, v);
        ok = !p.failed && put_field(b, p.values[0], false);
        pgp_free(&p);
    }
    if (!ok || !buf_put(b, "\n", 1))
        return prm_error_nomem(err);
    if (*id >= db->next_id[info->kind])
        db->next_id[info->kind] = *id + 1;
    return PRM_OK;
}

/* pg_set_partners of a new project while a load is on. */
prm_code pg_bulk_links(pg_db *db, int64_t project, const prm_value *list,
                       prm_error *err)
{
    struct pg_buffer *b = &db->bulk.links;
    for (size_t i = 0; i < list->nids; i++)
        if (!put_int(b, ++db->bulk.seq, true) ||
            !put_int(b, project, false) ||
            !put_int(b, list->ids[i], false) || !buf_put(b, "\n", 1))
            return prm_error_nomem(err);
    return PRM_OK;
}

/* The buffer into table, through COPY. */
static prm_code copy_in(pg_db *db, const char *table, struct pg_buffer *b,
                        prm_error *err)
{
    char sql[128];
    snprintf(sql, sizeof sql, "COPY %s FROM STDIN", table);
    PGresult *res = PQexec(db->conn, sql);
    bool ok = res != NULL && PQresultStatus(res) == PGRES_COPY_IN;
    PQclear(res);
    /* libpq takes the data in pieces that fit an int */
    for (size_t at = 0; ok && at < b->len; at += 1 << 20) {
        size_t n = b->len - at < (1u << 20) ? b->len - at : 1u << 20;
        ok = PQputCopyData(db->conn, b->text + at, (int)n) == 1;
    }
    if (PQputCopyEnd(db->conn, ok ? NULL : "prm could not send the rows") != 1)
        ok = false;
    prm_code rc = PRM_OK;
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == PRM_OK)
            rc = pg_fail(db, res, err, "loading the rows");
        PQclear(res);
    }
    if (rc == PRM_OK && !ok)
        rc = pg_fail(db, NULL, err, "loading the rows");
    b->len = 0;
    return rc;
}

/* The columns store_insert_sql writes values of. */
static void columns(sqlbuf *b, const prm_kind_info *info)
{
    bool first = true;
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        if (col == NULL)
            continue;
        sql_add(b, "%s\"%s\"", first ? "" : ", ", col);
        first = false;
    }
}

/* pg_simple of SQL built in b, which may not have fitted. */
static prm_code run_built(pg_db *db, const sqlbuf *b, prm_error *err)
{
    if (b->overflow)
        return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
    return pg_simple(db, b->text, err);
}

/* A kind's held rows: into a temporary table of its columns (made by the
 * first flush of the transaction), then into the kind's table, in the
 * order they were added. */
static prm_code flush_kind(pg_db *db, const prm_kind_info *info,
                           prm_error *err)
{
    const char *table = store_table(info);
    char staging[64];
    snprintf(staging, sizeof staging, "prm_bulk_%s", table);
    sqlbuf b = {.len = 0};
    sql_add(&b, "CREATE TEMP TABLE IF NOT EXISTS %s ON COMMIT DROP AS SELECT "
                "0::bigint AS prm_seq, ", staging);
    columns(&b, info);
    sql_add(&b, " FROM %s WITH NO DATA", table);
    prm_code rc = run_built(db, &b, err);
    if (rc == PRM_OK)
        rc = copy_in(db, staging, &db->bulk.rows[info->kind], err);
    if (rc != PRM_OK)
        return rc;
    b.len = 0;
    store_insert_select_sql(&b, info, staging);
    rc = run_built(db, &b, err);
    char truncate[96];
    snprintf(truncate, sizeof truncate, "TRUNCATE %s", staging);
    return rc == PRM_OK ? pg_simple(db, truncate, err) : rc;
}

/* The held links, first those to partners the user owns, so that row
 * security sees each project as theirs for the others (as
 * pg_set_partners adds a project's). */
static prm_code flush_links(pg_db *db, prm_error *err)
{
    prm_code rc = pg_simple(db,
                            "CREATE TEMP TABLE IF NOT EXISTS prm_bulk_links "
                            "(prm_seq bigint, project_id bigint, partner_id "
                            "bigint) ON COMMIT DROP",
                            err);
    if (rc == PRM_OK)
        rc = copy_in(db, "prm_bulk_links", &db->bulk.links, err);
    for (int mine = 1; mine >= 0 && rc == PRM_OK; mine--)
        rc = pg_simple(
            db,
            mine ? "INSERT INTO project_partners (project_id, partner_id) "
                   "SELECT s.project_id, p.id FROM prm_bulk_links AS s JOIN "
                   "partners AS p ON p.id = s.partner_id WHERE p.owner = "
                   "current_user ORDER BY s.prm_seq"
                 : "INSERT INTO project_partners (project_id, partner_id) "
                   "SELECT s.project_id, p.id FROM prm_bulk_links AS s JOIN "
                   "partners AS p ON p.id = s.partner_id WHERE p.owner <> "
                   "current_user ORDER BY s.prm_seq",
            err);
    return rc == PRM_OK ? pg_simple(db, "TRUNCATE prm_bulk_links", err) : rc;
}

/* The flush's savepoint, sent with the transaction's mark as a bulk load
 * the first time (schema_pg.sql): a marked transaction's inserts add no
 * changes to the partners' figures, which are all counted once as it
 * commits, instead of folding a change a partner, a kind and a batch.
 * Not for a viewer, whose load the first INSERT refuses as it refuses an
 * add. */
static prm_code savepoint(pg_db *db, prm_error *err)
{
    if (db->bulk.marked || strcmp(db->role, "viewer") == 0)
        return pg_simple(db, "SAVEPOINT prm_bulk", err);
    prm_code rc = pg_simple(db, "SELECT prm_partner_tally_bulk(); "
                                "SAVEPOINT prm_bulk", err);
    db->bulk.marked = rc == PRM_OK;
    return rc;
}

prm_code pg_bulk_flush(pg_db *db, prm_error *err)
{
    if (!pg_bulk_held(db))
        return PRM_OK;
    db->bulk.flushing = true;
    prm_code rc = savepoint(db, err);
    bool saved = rc == PRM_OK;
    for (int k = 0; k < PRM_KIND_COUNT && rc == PRM_OK; k++) {
        if (db->bulk.rows[k].len > 0)
            rc = flush_kind(db, prm_kind_get((prm_kind)k), err);
        if (k == PRM_PROJECT && rc == PRM_OK && db->bulk.links.len > 0)
            rc = flush_links(db, err);
    }
    if (rc == PRM_OK && saved) {
        rc = pg_simple(db, "RELEASE SAVEPOINT prm_bulk", err);
    } else if (saved) {
        /* as before the flush: the caller adds the rows one by one */
        prm_error keep = *err;
        PQclear(PQexec(db->conn, "ROLLBACK TO SAVEPOINT prm_bulk"));
        PQclear(PQexec(db->conn, "RELEASE SAVEPOINT prm_bulk"));
        *err = keep;
    }
    for (int k = 0; k < PRM_KIND_COUNT; k++)
        db->bulk.rows[k].len = 0;
    db->bulk.links.len = 0;
    db->bulk.flushing = false;
    return rc;
}
