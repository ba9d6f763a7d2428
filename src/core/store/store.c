/*
 * store.c - the storage interface, dispatched to the database's engine.
 *
 * The rest of the core calls store_* and the engine-specific prm_*
 * functions without knowing whether a file (SQLite) or a team database
 * (PostgreSQL) is behind them; each call goes through the engine table the
 * handle was opened with.  What is the same on every engine (the clock, the
 * command text, progress) lives here.
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/engine.h"
#include "store/seal.h"

void store_base_init(prm_db *db, const store_engine *engine)
{
    db->engine = engine;
    /* Who the audit log says made a change on a file: the login name. */
    struct passwd *pw = getpwuid(geteuid());
    const char *env = getenv("USER");
    if (pw != NULL && pw->pw_name != NULL)
        snprintf(db->user, sizeof db->user, "%s", pw->pw_name);
    else if (env != NULL && *env != '\0')
        snprintf(db->user, sizeof db->user, "%s", env);
    else
        snprintf(db->user, sizeof db->user, "uid %ld", (long)geteuid());
}

void store_base_free(prm_db *db)
{
    free(db->command);
    db->command = NULL;
    free(db->command_sealed);
    db->command_sealed = NULL;
    store_keys_free(db);
    store_refs_free(db);
}

static bool is_team_uri(const char *path)
{
    return strncmp(path, "postgresql://", 13) == 0 ||
           strncmp(path, "postgres://", 11) == 0;
}

bool prm_is_team_uri(const char *path)
{
    return is_team_uri(path);
}

prm_code prm_open(const char *path, prm_db **out, prm_error *err)
{
    *out = NULL;
    prm_code rc = is_team_uri(path) ? store_pg_open(path, out, err)
                                    : store_sqlite_open(path, out, err);
    if (rc == PRM_OK)
        rc = store_keyring_load(*out, err);
    if (rc != PRM_OK && *out != NULL) {
        prm_close(*out);
        *out = NULL;
    }
    return rc;
}

void prm_close(prm_db *db)
{
    if (db != NULL)
        db->engine->close(db);
}

void prm_idle(prm_db *db)
{
    if (db != NULL && db->engine->idle != NULL)
        db->engine->idle(db);
}

bool prm_is_team(const prm_db *db)
{
    return db->engine->user_add != NULL;
}

const char *prm_user(const prm_db *db)
{
    return db->user;
}

/* What a file about to be written holds now. */
typedef enum target_kind {
    TARGET_NEW,      /* nothing yet, or an empty file */
    TARGET_FOLDER,
    TARGET_LIVE,     /* the open database, its WAL or its shared memory */
    TARGET_DATABASE, /* some other database: a backup, say */
    TARGET_OTHER     /* anything else */
} target_kind;

static bool same_file(const struct stat *a, const char *path,
                      const char *suffix)
{
    char name[4096];
    struct stat b;
    return snprintf(name, sizeof name, "%s%s", path, suffix) <
               (int)sizeof name &&
           stat(name, &b) == 0 && a->st_dev == b.st_dev &&
           a->st_ino == b.st_ino;
}

static target_kind target_of(prm_db *db, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return TARGET_NEW; /* new, or unreachable: writing it will tell */
    if (S_ISDIR(st.st_mode))
        return TARGET_FOLDER;
    if (db->file != NULL && (same_file(&st, db->file, "") ||
                             same_file(&st, db->file, "-wal") ||
                             same_file(&st, db->file, "-shm")))
        return TARGET_LIVE;
    if (st.st_size == 0)
        return TARGET_NEW;
    static const char header[16] = "SQLite format 3";
    char head[sizeof header];
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL ? fread(head, 1, sizeof head, f) : 0;
    if (f != NULL)
        fclose(f);
    return n == sizeof head && memcmp(head, header, sizeof header) == 0
               ? TARGET_DATABASE
               : TARGET_OTHER;
}

static prm_code refuse_live(const char *what, const char *path,
                            prm_error *err)
{
    return prm_error_set(err, PRM_ECONFLICT,
                         "%s is the database itself (or its journal): %s to "
                         "another file",
                         path, what);
}

prm_code store_backup_target(prm_db *db, const char *path, prm_error *err)
{
    switch (target_of(db, path)) {
    case TARGET_FOLDER:
        return prm_error_set(err, PRM_EIO,
                             "%s is a folder: give the backup a file name",
                             path);
    case TARGET_LIVE:
        return refuse_live("back up", path, err);
    case TARGET_OTHER:
        return prm_error_set(err, PRM_ECONFLICT,
                             "%s exists and is not a database: a backup "
                             "would overwrite it; choose another name or "
                             "remove it first",
                             path);
    default:
        return PRM_OK;
    }
}

prm_code store_restore_source(prm_db *db, const char *path, prm_error *err)
{
    switch (target_of(db, path)) {
    case TARGET_LIVE:
        return prm_error_set(err, PRM_ECONFLICT,
                             "%s is this database: restore takes a backup of "
                             "it",
                             path);
    case TARGET_DATABASE:
        return PRM_OK;
    case TARGET_FOLDER:
        return prm_error_set(err, PRM_EIO, "cannot read %s: it is a folder",
                             path);
    default:
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "%s is not a prm backup (a database file made "
                             "by backup)",
                             path);
    }
}

prm_code prm_export_target(prm_db *db, const char *path, prm_error *err)
{
    switch (target_of(db, path)) {
    case TARGET_LIVE:
        return refuse_live("export", path, err);
    case TARGET_DATABASE:
        return prm_error_set(err, PRM_ECONFLICT,
                             "%s is a database: an export would overwrite "
                             "it; choose another name",
                             path);
    default:
        return PRM_OK; /* an export replaces a file, as > in a shell */
    }
}

/* --- the clock and the command text ----------------------------------- */

prm_code prm_set_now(prm_db *db, const char *when, prm_error *err)
{
    if (when == NULL) {
        db->clock_fixed = false;
        db->now_second = 0;
        return PRM_OK;
    }
    if (!prm_parse_date(when, db->now, NULL))
        return prm_error_set(err, PRM_EINVALID_VALUE,
                             "invalid time '%s': use YYYY-MM-DD or "
                             "YYYY-MM-DDTHH:MM[:SS][Z]",
                             when);
    db->clock_fixed = true;
    return PRM_OK;
}

const char *store_now(prm_db *db)
{
    if (db->clock_fixed)
        return db->now;
    time_t t = time(NULL);
    if (t != db->now_second) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(db->now, sizeof db->now, "%Y-%m-%dT%H:%M:%SZ", &tm);
        db->now_second = t;
    }
    return db->now;
}

const char *prm_now(prm_db *db)
{
    return store_now(db);
}

void prm_set_command(prm_db *db, const char *command, size_t len)
{
    db->command_sealed_for = NULL; /* sealed again when first asked for */
    if (len + 1 > db->command_cap) {
        char *grown = realloc(db->command, len + 1);
        if (grown == NULL) {
            len = db->command_cap ? db->command_cap - 1 : 0; /* keep a cut */
        } else {
            db->command = grown;
            db->command_cap = len + 1;
        }
    }
    if (db->command != NULL) {
        memcpy(db->command, command, len);
        db->command[len] = '\0';
    }
}

/* With encryption on the audit log keeps a command sealed: it holds the
 * values of sensitive fields as typed.  Sealed once a command, when an
 * entry first needs it (most adds' entries leave their command out). */
const char *store_command(prm_db *db)
{
    const char *plain = db->command != NULL ? db->command : "";
    if (!store_sealing(db) || plain[0] == '\0')
        return plain;
    if (db->command_sealed_for != db->command) {
        free(db->command_sealed);
        db->command_sealed = store_seal_command(db, plain, strlen(plain));
        db->command_sealed_for = db->command;
    }
    /* never the text in the clear: out of memory leaves it out */
    return db->command_sealed != NULL ? db->command_sealed : "";
}

void prm_set_progress(prm_db *db, void (*fn)(void *ctx, int64_t done),
                      void *ctx)
{
    db->progress = fn;
    db->progress_ctx = ctx;
}

void store_progress(prm_db *db, int64_t done)
{
    if (db->progress != NULL && done % 1000 == 0)
        db->progress(db->progress_ctx, done);
}

/* --- transactions and records ------------------------------------------ */

prm_code store_keyring_changed(prm_error *err, bool now_on)
{
    return prm_error_set(err, PRM_ECONFLICT,
                         "encryption was turned %s since prm opened this "
                         "database: open it again%s",
                         now_on ? "on" : "off",
                         now_on ? ", with its passphrase" : "");
}

/* Encryption turned on or off by another prm since this one opened the
 * database: records would be read, or written, as they no longer are.
 * Looked at as each transaction begins (one row of a tiny table). */
static prm_code keyring_unchanged(prm_db *db, prm_error *err)
{
    if (db->engine->keyring_expect != NULL)
        return db->engine->keyring_expect(db, err);
    int64_t rows = 0;
    prm_code rc = db->engine->exec(db, "SELECT count(*) FROM keyring", NULL,
                                   0, &rows, 1, NULL, "reading the keyring",
                                   err);
    if (rc != PRM_OK || (rows > 0) == db->encrypted)
        return rc;
    return store_keyring_changed(err, rows > 0);
}

prm_code prm_begin(prm_db *db, prm_error *err)
{
    prm_code rc = db->engine->begin(db, err);
    if (rc == PRM_OK && (rc = keyring_unchanged(db, err)) != PRM_OK) {
        prm_error ignored;
        db->engine->rollback(db, &ignored);
    }
    return rc;
}

prm_code prm_commit(prm_db *db, prm_error *err)
{
    return db->engine->commit(db, err);
}

prm_code prm_rollback(prm_db *db, prm_error *err)
{
    return db->engine->rollback(db, err);
}

bool prm_in_transaction(const prm_db *db)
{
    return db->engine->in_transaction(db);
}

void store_cmd_adds(prm_db *db)
{
    db->cmd_adds_only = true;
}

prm_code store_cmd_begin(prm_db *db, store_access access, prm_error *err)
{
    bool fresh = !db->engine->in_transaction(db);
    store_refs_cmd_begin(db, fresh, store_writes(access));
    prm_code rc = db->engine->cmd_begin(db, access, err);
    if (rc == PRM_OK && fresh && (rc = keyring_unchanged(db, err)) != PRM_OK) {
        prm_error ignored;
        db->engine->cmd_end(db, rc, &ignored);
    }
    store_refs_cmd_started(db, rc == PRM_OK, store_writes(access));
    return rc;
}

prm_code store_cmd_end(prm_db *db, prm_code rc, prm_error *err)
{
    rc = db->engine->cmd_end(db, rc, err);
    store_refs_cmd_end(db, rc);
    return rc;
}

void store_unchanged(prm_db *db)
{
    db->changes.number = db->changes.cmd_number;
    db->changes.known = db->changes.cmd_known;
}

void store_changes_forget(prm_db *db)
{
    db->changes.known = false;
}

void store_changes_command(prm_db *db)
{
    db->changes.cmd_number = db->changes.number;
    db->changes.cmd_known = db->changes.known;
    db->changes.undo_done = false;
}

bool store_changes_count_on(prm_db *db, bool owns_tx)
{
    if (!db->changes.known || owns_tx)
        return false;
    db->changes.number++;
    return true;
}

void store_changes_read(prm_db *db, int64_t number, bool owns_tx)
{
    db->changes.number = number;
    db->changes.known = !owns_tx;
}

void store_changes_next_undo(prm_db *db)
{
    if (db->changes.undo_done)
        db->changes.number++;
    db->changes.undo_done = true;
}

prm_code store_names(prm_db *db, const prm_kind_info *info,
                     const char *prefix,
                     bool (*fn)(void *ctx, const char *name), void *ctx,
                     prm_error *err)
{
    return db->engine->names(db, info, prefix, fn, ctx, err);
}

prm_code store_metrics(prm_db *db, const store_scope *scope, prm_metrics *out,
                       prm_error *err)
{
    return db->engine->metrics(db, scope, out, err);
}

prm_code store_report(prm_db *db, const store_scope *scope, const char *sort,
                      int64_t limit, prm_report_fn fn, void *ctx,
                      prm_error *err)
{
    return db->engine->report(db, scope, sort, limit, fn, ctx, err);
}

prm_code store_trend(prm_db *db, const store_scope *scope, store_period by,
                     prm_trend_fn fn, void *ctx, prm_error *err)
{
    if (store_trend_ranged(db, scope)) {
        bool done = false;
        prm_code rc = store_trend_by_ranges(db, by, fn, ctx, &done, err);
        if (rc != PRM_OK || done)
            return rc;
    }
    return db->engine->trend(db, scope, by, fn, ctx, err);
}

prm_code store_insights(prm_db *db, store_rule rule, const store_scope *s,
                        const store_thresholds *t, int64_t limit,
                        bool (*fn)(void *ctx, const store_insight_row *row),
                        void *ctx, prm_error *err)
{
    return db->engine->insights(db, rule, s, t, limit, fn, ctx, err);
}

prm_code store_set_owner(prm_db *db, const prm_kind_info *info, int64_t id,
                         const char *user,
                         bool *changed, prm_error *err)
{
    return db->engine->set_owner(db, info, id, user, changed, err);
}

prm_code store_copy_to(prm_db *db, const char *path, bool *copied,
                       prm_error *err)
{
    *copied = db->engine->copy_to != NULL;
    return *copied ? db->engine->copy_to(db, path, err) : PRM_OK;
}

prm_code prm_check(prm_db *db, prm_check_report *r, prm_error *err)
{
    prm_code rc = db->engine->check(db, r, err);
    if (rc == PRM_OK)
        rc = store_check_sealed(db, r, err);
    store_money_problems problems;
    if (rc == PRM_OK)
        rc = store_cmd_begin(db, STORE_READ, err);
    if (rc != PRM_OK)
        return rc;
    rc = store_money_check(db, &problems, err);
    rc = store_cmd_end(db, rc, err);
    for (int i = 0; rc == PRM_OK && i < STORE_MONEY_RULES; i++)
        if (problems.count[i] > 0) {
            char what[200];
            snprintf(what, sizeof what, problems.what[i],
                     (long long)problems.first[i],
                     (long long)problems.count[i]);
            store_check_problem(r, "%s", what);
        }
    return rc;
}

/* --- users of a team database --------------------------------------------- */

static prm_code team_only(prm_db *db, const char *what, prm_error *err)
{
    (void)db;
    return prm_error_set(err, PRM_EUNKNOWN_COMMAND,
                         "%s: a file has no users; users and roles are for "
                         "team databases (--db postgresql://...)",
                         what);
}

prm_code prm_user_add(prm_db *db, const char *name, const char *role,
                      const char *password, prm_error *err)
{
    if (db->engine->user_add == NULL)
        return team_only(db, "user add", err);
    prm_code rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc == PRM_OK)
        rc = db->engine->user_add(db, name, role, password, err);
    return store_cmd_end(db, rc, err);
}

prm_code prm_user_role(prm_db *db, const char *name, const char *role,
                       prm_error *err)
{
    if (db->engine->user_role == NULL)
        return team_only(db, "user role", err);
    prm_code rc = store_cmd_begin(db, STORE_WRITE_MANY, err);
    if (rc == PRM_OK)
        rc = db->engine->user_role(db, name, role, err);
    return store_cmd_end(db, rc, err);
}

prm_code prm_user_list(prm_db *db, prm_user_fn fn, void *ctx, prm_error *err)
{
    if (db->engine->user_list == NULL)
        return team_only(db, "user list", err);
    prm_code rc = store_cmd_begin(db, STORE_READ, err);
    if (rc == PRM_OK)
        rc = db->engine->user_list(db, fn, ctx, err);
    return store_cmd_end(db, rc, err);
}

void store_check_problem(prm_check_report *r, const char *fmt,
                         const char *arg)
{
    size_t len = strlen(r->summary);
    snprintf(r->summary + len, sizeof r->summary - len, "%s", len ? "; " : "");
    len = strlen(r->summary);
    snprintf(r->summary + len, sizeof r->summary - len, fmt, arg);
    r->problems++;
}
