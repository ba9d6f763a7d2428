/*
 * audit.c - the audit log and undo on SQLite.
 *
 * Every insert, update and delete of a record (and of a project's partner
 * links) is recorded in the same transaction as the change itself, so a
 * command is logged exactly when it is kept.  Updates, deletes and links
 * are recorded by triggers, in the same statement as the change.  The
 * triggers are TEMP triggers, made from the field tables each time prm
 * opens a database, and read what to record (change number, time, user,
 * command) from functions that prm registers; tools other than prm do not
 * fire them.  A new record is logged by prm itself, by the statement that
 * follows its INSERT (sdb_audit_added): a trigger on INSERT makes SQLite
 * run a sub-program and keep a statement journal for every record added,
 * which made bulk loads 1.7 times slower (its image and command are made
 * in audit_image.c).  The audit table itself refuses updates and deletes
 * (schema.sql).
 *
 * One command's entries share a change number.  Undo reverts the newest
 * change not yet undone, entry by entry from the last, using the images
 * the log keeps; its own writes are logged as a change that `undoes` it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_db.h"

/* --- functions the triggers call ----------------------------------------- */

static void fn_change(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite_db *db = sqlite3_user_data(c);
    sqlite3_result_int64(c, db->base.changes.number);
}

static void fn_undoes(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite_db *db = sqlite3_user_data(c);
    if (db->undoes > 0)
        sqlite3_result_int64(c, db->undoes);
    else
        sqlite3_result_null(c);
}

static void fn_now(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    /* SQLITE_STATIC: these strings outlive the statement that reads them,
     * and copying them for every audit entry is measurable in bulk loads. */
    sqlite3_result_text(c, store_now(&((sqlite_db *)sqlite3_user_data(c))->base), -1,
                        SQLITE_STATIC);
}

static void fn_user(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite_db *db = sqlite3_user_data(c);
    sqlite3_result_text(c, db->base.user, -1, SQLITE_STATIC);
}

static void fn_command(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite_db *db = sqlite3_user_data(c);
    sqlite3_result_text(c, store_command(&db->base), -1, SQLITE_STATIC);
}

/* prm_number(x): a real number as the images hold it, NULL for NULL: as
 * prm writes numbers everywhere else (prm_format_number: 2, 0.1,
 * 0.30000000000000004, 1.5e+20), which is also how a team database writes
 * them.  SQLite's own JSON writer keeps fifteen digits (0.3), and an undo,
 * which puts back what an image says, lost the rest.  The triggers wrap it
 * in json() so that json_object() takes it as a number. */
static void fn_number(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    char text[64];
    prm_format_number(sqlite3_value_double(argv[0]), text, sizeof text);
    sqlite3_result_text(c, text, -1, SQLITE_TRANSIENT);
}

/* prm_money(cents): an amount as the images hold it (12.5), NULL for
 * NULL; prm_cents(text): the cents of such an amount as an image's JSON
 * writes it, exactly (undo puts it back). */
static void fn_money(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    char text[PRM_MONEY_TEXT];
    prm_format_money(sqlite3_value_int64(argv[0]), text, sizeof text);
    sqlite3_result_text(c, text, -1, SQLITE_TRANSIENT);
}

static void fn_cents(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    int64_t cents;
    if (text == NULL || !prm_parse_money(text, &cents))
        sqlite3_result_null(c);
    else
        sqlite3_result_int64(c, cents);
}

/* prm_customer_key(name), prm_domain_root(domain): the keys a deal is
 * found by when looking for conflicts (store_derived), NULL for NULL. */
static void fn_customer_key(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *name = (const char *)sqlite3_value_text(argv[0]);
    char key[4096];
    if (name == NULL)
        sqlite3_result_null(c);
    else if (!prm_customer_key(name, key, sizeof key))
        sqlite3_result_text(c, "", 0, SQLITE_STATIC); /* too long to match */
    else
        sqlite3_result_text(c, key, -1, SQLITE_TRANSIENT);
}

static void fn_domain_root(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *domain = (const char *)sqlite3_value_text(argv[0]);
    char root[PRM_DOMAIN_SIZE];
    if (domain == NULL) {
        sqlite3_result_null(c);
        return;
    }
    prm_domain_root(domain, root);
    sqlite3_result_text(c, root, -1, SQLITE_TRANSIENT);
}

prm_code sdb_audit_functions(sqlite_db *db, prm_error *err)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {{"prm_change", 0, fn_change}, {"prm_undoes", 0, fn_undoes},
               {"prm_now", 0, fn_now},       {"prm_user", 0, fn_user},
               {"prm_command", 0, fn_command}, {"prm_number", 1, fn_number},
               {"prm_money", 1, fn_money},     {"prm_cents", 1, fn_cents},
               {"prm_customer_key", 1, fn_customer_key},
               {"prm_domain_root", 1, fn_domain_root},
               {"prm_add_command", 2, sdb_fn_add_command}};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        int rc = sqlite3_create_function_v2(db->sql, fns[i].name, fns[i].nargs,
                                            SQLITE_UTF8, db, fns[i].fn, NULL,
                                            NULL, NULL);
        if (rc != SQLITE_OK)
            return sdb_fail(db, rc, err, "registering functions");
    }
    return PRM_OK;
}

/* --- the triggers --------------------------------------------------------- */

/* json_object('id', ROW."id", 'name', ROW."name", ...): a record's image,
 * keyed by its field names. */
static void add_image(sqlbuf *b, const prm_kind_info *info, const char *row)
{
    sql_add(b, "json_object(");
    size_t n = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const prm_field *f = &info->fields[i];
        const char *col = store_column(f);
        if (col == NULL)
            continue;
        sql_add(b, "%s'%s', ", n++ ? ", " : "", f->name);
        if (f->type == PRM_F_NUMBER || f->type == PRM_F_RATIO) /* every digit */
            sql_add(b, "json(prm_number(%s.\"%s\"))", row, col);
        else if (f->type == PRM_F_MONEY) /* 12.5, not 1250 cents */
            sql_add(b, "json(prm_money(%s.\"%s\"))", row, col);
        else
            sql_add(b, "%s.\"%s\"", row, col);
    }
    sql_add(b, ")");
}

static const char *const actions[3][3] = {
    /* trigger event, action logged, the row the record id comes from */
    {"INSERT", "add", "NEW"},
    {"UPDATE", "update", "NEW"},
    {"DELETE", "delete", "OLD"},
};

static void add_trigger(sqlbuf *b, const char *table, const char *kind,
                        int a, const char *record, const char *before,
                        const char *after)
{
    sql_add(b,
            "CREATE TEMP TRIGGER IF NOT EXISTS prm_audit_%s_%s AFTER %s ON "
            "main.%s BEGIN INSERT INTO audit (change, at, user, command, "
            "action, kind, record, before, after, undoes) VALUES "
            "(prm_change(), prm_now(), prm_user(), prm_command(), '%s', '%s', "
            "%s, %s, %s, prm_undoes()); END;",
            table, actions[a][1], actions[a][0], table, actions[a][1], kind,
            record, before, after);
}

static prm_code kind_triggers(sqlite_db *db, const prm_kind_info *info,
                              prm_error *err)
{
    /* Not a = 0, INSERT: sdb_audit_added logs new records. */
    for (int a = 1; a < 3; a++) {
        sqlbuf old_image = {.len = 0}, new_image = {.len = 0};
        add_image(&old_image, info, "OLD");
        add_image(&new_image, info, "NEW");
        sqlbuf b = {.len = 0};
        char record[16];
        snprintf(record, sizeof record, "%s.id", actions[a][2]);
        add_trigger(&b, store_table(info), info->name, a, record,
                    old_image.text,
                    a == 2 ? "NULL" : new_image.text);
        if (b.overflow || old_image.overflow || new_image.overflow)
            return prm_error_set(err, PRM_EDB, "internal error: SQL too long");
        prm_code rc = sdb_exec(db, b.text, err);
        if (rc != PRM_OK)
            return rc;
    }
    return PRM_OK;
}

#define LINK_IMAGE(row)                                                      \
    "json_object('project', " row ".project_id, 'partner', " row             \
    ".partner_id)"

/* The triggers are made before the first write transaction, not at open:
 * parsing them is 60% of the instructions of a one-shot read (a show, a
 * dashboard's metrics), which needs none.  Made outside a transaction, no
 * rollback can take them back; every write transaction begins in
 * sqlite_begin or sqlite_cmd_begin, which call this first.  Should one
 * ever be made inside a transaction, they are made again next time (IF NOT
 * EXISTS), never missed. */
prm_code sdb_audit_triggers(sqlite_db *db, prm_error *err)
{
    if (db->audit_triggers)
        return PRM_OK;
    prm_code rc = PRM_OK;
    for (int k = 0; k < PRM_KIND_COUNT && rc == PRM_OK; k++)
        rc = kind_triggers(db, prm_kind_get((prm_kind)k), err);
    /* A project's partner links: added and removed, never updated. */
    sqlbuf b = {.len = 0};
    add_trigger(&b, "project_partners", "project_partner", 0,
                "NEW.project_id", "NULL", LINK_IMAGE("NEW"));
    add_trigger(&b, "project_partners", "project_partner", 2,
                "OLD.project_id", LINK_IMAGE("OLD"), "NULL");
    if (rc == PRM_OK)
        rc = sdb_exec(db, b.text, err);
    db->audit_triggers = rc == PRM_OK && sqlite3_get_autocommit(db->sql);
    return rc;
}

prm_code sdb_next_change(sqlite_db *db, prm_error *err)
{
    db->undoes = 0;
    /* Inside a transaction that prm_begin took (BEGIN IMMEDIATE), no one
     * else can write, so the number read once is counted on from. */
    if (store_changes_count_on(&db->base, db->cmd_owns_tx))
        return PRM_OK;
    sqlite3_stmt *stmt;
    int64_t number;
    prm_code rc = sdb_cached(db,
                             "SELECT coalesce((SELECT change FROM audit ORDER "
                             "BY id DESC LIMIT 1), 0) + 1",
                             &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_counts(db, stmt, &number, 1, err);
    if (rc == PRM_OK)
        store_changes_read(&db->base, number, db->cmd_owns_tx);
    else
        store_changes_forget(&db->base);
    return rc;
}

/* --- reading the log ------------------------------------------------------ */


static const char *column_text(sqlite3_stmt *stmt, int i)
{
    return (const char *)sqlite3_column_text(stmt, i);
}

prm_code sqlite_audit_list(prm_db *base, const store_audit_filter *f,
                          prm_audit_fn fn, void *ctx, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    /* The newest entries (limit), shown oldest first, as a log reads. */
    sqlbuf inner = {.len = 0}, b = {.len = 0};
    prm_value params[STORE_AUDIT_PARAMS];
    size_t n = store_audit_select(&inner, f, params);
    sql_add(&b, "SELECT id, change, at, user, " SDB_AUDIT_COMMAND
                ", action, kind, record, before, ");
    sdb_audit_full_image(&b);
    sql_add(&b, ", undoes FROM (%s) ORDER BY id", inner.text);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    int src = SQLITE_OK;
    for (size_t i = 0; i < n && src == SQLITE_OK; i++)
        src = sdb_bind_value(stmt, (int)i + 1, &params[i]);
    while (src == SQLITE_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        prm_audit_entry e = {
            .id = sqlite3_column_int64(stmt, 0),
            .change = sqlite3_column_int64(stmt, 1),
            .at = column_text(stmt, 2),
            .user = column_text(stmt, 3),
            .command = column_text(stmt, 4),
            .action = column_text(stmt, 5),
            .kind = column_text(stmt, 6),
            .record = sqlite3_column_int64(stmt, 7),
            .before = column_text(stmt, 8),
            .after = column_text(stmt, 9),
            .undoes = sqlite3_column_int64(stmt, 10),
        };
        if (!fn(ctx, &e)) {
            src = SQLITE_DONE;
            break;
        }
        src = SQLITE_OK;
    }
    sdb_done(stmt);
    if (src != SQLITE_DONE && src != SQLITE_OK)
        return sdb_fail(db, src, err, "reading the audit log");
    return PRM_OK;
}

/* --- undo ----------------------------------------------------------------- */

/* The newest change that is not an undo and has not been undone. */
/* The ids of a change's entries, newest first: read backwards from the
 * end of the log, where recent changes are, until an older change shows. */
/* The first and last entry of change: a command's entries are written in
 * one transaction, one after another, so they lie between two ids.  The
 * log is read from its end, where the changes undo wants are. */
static prm_code change_span(sqlite_db *db, int64_t change, int64_t *lo,
                            int64_t *hi, prm_error *err)
{
    sqlite3_stmt *stmt;
    *lo = *hi = 0;
    prm_code rc = sdb_cached(
        db, "SELECT id, change FROM audit ORDER BY id DESC", &stmt, err);
    int src = SQLITE_OK;
    while (rc == PRM_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t c = sqlite3_column_int64(stmt, 1);
        if (c < change) {
            src = SQLITE_DONE;
            break;
        }
        if (c > change)
            continue; /* a later change, an undo's say */
        *lo = sqlite3_column_int64(stmt, 0);
        if (*hi == 0)
            *hi = *lo;
    }
    if (rc == PRM_OK) {
        sdb_done(stmt);
        if (src != SQLITE_DONE)
            rc = sdb_fail(db, src, err, "reading the audit log");
    }
    return rc;
}

/* The entries of change in the order undo reverts them (store_undo_order,
 * the same on both engines). */
static prm_code change_entries(sqlite_db *db, int64_t change, int64_t **ids,
                               size_t *n, prm_error *err)
{
    int64_t lo, hi;
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    prm_code rc = change_span(db, change, &lo, &hi, err);
    if (rc != PRM_OK || hi == 0)
        return rc;
    sqlbuf b = {.len = 0};
    sql_add(&b, "SELECT id FROM audit WHERE id BETWEEN ?1 AND ?2 AND change "
                "= ?3 ORDER BY %s", store_undo_order);
    sqlite3_stmt *stmt;
    rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, lo, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 2, hi, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 3, change, err);
    int src = SQLITE_OK;
    while (rc == PRM_OK && (src = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *more = realloc(*ids, cap * sizeof *more);
            if (more == NULL) {
                rc = prm_error_nomem(err);
                break;
            }
            *ids = more;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(stmt, 0);
    }
    if (rc == PRM_OK) {
        sdb_done(stmt);
        if (src != SQLITE_DONE)
            rc = sdb_fail(db, src, err, "reading the audit log");
    }
    return rc;
}


/* Revert one entry: delete what was added, put back what was deleted or
 * changed.  Each must touch exactly one row, or the record has moved on. */
static prm_code revert_entry(sqlite_db *db, const char *action, const char *kind,
                             int64_t record, const char *before,
                             const char *after, prm_error *err)
{
    const prm_kind_info *info = prm_kind_find(kind);
    bool added = strcmp(action, "add") == 0;
    sqlbuf b = {.len = 0};
    if (added && info != NULL)
        sql_add(&b, "DELETE FROM %s WHERE id = ?2", store_table(info));
    else
        store_revert_sql(&b, info, strcmp(action, "delete") == 0,
                         &sqlm_sqlite_dialect);
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached_sqlbuf(db, &b, &stmt, err);
    if (rc != PRM_OK)
        return rc;
    bool reinsert = info != NULL && strcmp(action, "delete") == 0;
    const char *image = added ? after : before;
    int src = sqlite3_bind_text(stmt, 1, image, -1, SQLITE_STATIC);
    if (src == SQLITE_OK && sqlite3_bind_parameter_count(stmt) >= 2)
        src = sqlite3_bind_int64(stmt, 2, record);
    if (src == SQLITE_OK)
        src = sqlite3_step(stmt);
    sdb_done(stmt);
    bool reverted = src == SQLITE_DONE && sqlite3_changes(db->sql) == 1;
    /* A record put back is added as its image was; undo runs inside its
     * own savepoint, so should logging it fail, the whole undo is undone. */
    if (reverted && reinsert) {
        rc = sdb_audit_added(db, info, record, before,
                             sdb_entry_command(db, info, before), err);
        return rc == PRM_OK ? sdb_tally_added(db, info, record, NULL, err)
                            : rc;
    }
    if (reverted)
        return PRM_OK;
    if (src == SQLITE_DONE)
        return prm_error_set(err, PRM_ECONFLICT,
                             "%s %lld has changed since (it no longer exists)",
                             kind, (long long)record);
    return prm_error_set(err, PRM_ECONFLICT, "%s %lld: %s", kind,
                         (long long)record, sqlite3_errmsg(db->sql));
}

static prm_code revert_by_id(sqlite_db *db, int64_t id, prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                             "SELECT action, kind, record, before, after FROM "
                             "audit WHERE id = ?1",
                             &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, id, err);
    if (rc != PRM_OK)
        return rc;
    int src = sqlite3_step(stmt);
    if (src != SQLITE_ROW) {
        sdb_done(stmt);
        return sdb_fail(db, src, err, "reading the audit log");
    }
    /* Copies: the statement is reset before the revert runs. */
    char *action = strdup(column_text(stmt, 0));
    char *kind = strdup(column_text(stmt, 1));
    int64_t record = sqlite3_column_int64(stmt, 2);
    char *before = column_text(stmt, 3) ? strdup(column_text(stmt, 3)) : NULL;
    char *after = column_text(stmt, 4) ? strdup(column_text(stmt, 4)) : NULL;
    sdb_done(stmt);
    if (action == NULL || kind == NULL)
        rc = prm_error_nomem(err);
    else
        rc = revert_entry(db, action, kind, record, before, after, err);
    free(action);
    free(kind);
    free(before);
    free(after);
    return rc;
}

static prm_code change_command(sqlite_db *db, int64_t change, char *buf,
                               size_t size, prm_error *err)
{
    sqlite3_stmt *stmt;
    prm_code rc = sdb_cached(db,
                             "SELECT " SDB_AUDIT_COMMAND " FROM audit WHERE "
                             "change = ?1 ORDER BY id DESC LIMIT 1",
                             &stmt, err);
    if (rc == PRM_OK)
        rc = sdb_bind_id(db, stmt, 1, change, err);
    if (rc != PRM_OK)
        return rc;
    buf[0] = '\0';
    if (sqlite3_step(stmt) == SQLITE_ROW)
        snprintf(buf, size, "%s", column_text(stmt, 0));
    sdb_done(stmt);
    return PRM_OK;
}

prm_code sqlite_undo_last(prm_db *base, int64_t *undone, char *command,
                         size_t size, prm_error *err)
{
    sqlite_db *db = (sqlite_db *)base;
    int64_t change;
    prm_code rc = store_last_change(base, &change, err);
    if (rc != PRM_OK)
        return rc;
    if (change == 0)
        return prm_error_set(err, PRM_ENOT_FOUND, "nothing left to undo");
    rc = change_command(db, change, command, size, err);
    int64_t *ids = NULL;
    size_t n = 0;
    if (rc == PRM_OK)
        rc = change_entries(db, change, &ids, &n, err);
    /* Each undo is a change of its own: the second of an "undo N" takes
     * the next number. */
    store_changes_next_undo(&db->base);
    db->undoes = change;
    for (size_t i = 0; i < n && rc == PRM_OK; i++)
        rc = revert_by_id(db, ids[i], err);
    db->undoes = 0;
    free(ids);
    if (rc != PRM_OK) {
        return prm_error_set(err, err->code,
                             "cannot undo change %lld (%s): %s",
                             (long long)change, command, err->message);
    }
    *undone = change;
    return PRM_OK;
}
