/*
 * test_migrate.c - opening databases of other schema versions, and the
 * audit log's guarantees.
 *
 *   test_migrate FIXTURES_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "prm/prm.h"
#include "store/migrations.h" /* the newest schema version */

static const char *fixtures;
static char path[4096];

static char *slurp(const char *file)
{
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", fixtures, file);
    FILE *f = fopen(full, "rb");
    assert_non_null(f);
    char *s = calloc(1, 1 << 20);
    assert_non_null(s);
    assert_true(fread(s, 1, (1 << 20) - 1, f) > 0);
    fclose(f);
    return s;
}

/* A database file made by running sql with the sqlite3 library alone. */
static void make_db(const char *sql)
{
    unlink(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("fixture: %s", msg);
    sqlite3_close(db);
}

static int64_t query_int(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* The database's schema as text: every object's CREATE statement, by name. */
static char *schema_text(const char *file)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(file, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT group_concat(type || ' ' || name || ': ' "
                           "|| coalesce(sql, ''), char(10)) FROM (SELECT * "
                           "FROM sqlite_schema ORDER BY name)",
                           -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *text = strdup((const char *)sqlite3_column_text(st, 0));
    assert_non_null(text);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return text;
}

/* The schema prm gives a new database. */
static char *fresh_schema_text(void)
{
    char fresh[4200];
    snprintf(fresh, sizeof fresh, "%s.fresh", path);
    unlink(fresh);
    prm_db *db;
    prm_error err;
    assert_int_equal(prm_open(fresh, &db, &err), PRM_OK);
    prm_close(db);
    char *text = schema_text(fresh);
    unlink(fresh);
    return text;
}

/* SQL text with its layout taken out: a run of spaces and line breaks is
 * one space, and none stands before a comma or a closing parenthesis.
 * ALTER TABLE ... ADD COLUMN writes ", col TYPE" right before the ")" of
 * the CREATE TABLE it changes, where schema.sql has a line of its own. */
static void squeeze(char *s)
{
    char *out = s;
    for (const char *p = s; *p; p++) {
        if (isspace((unsigned char)*p)) {
            if (out > s && out[-1] != ' ')
                *out++ = ' ';
            continue;
        }
        if ((*p == ',' || *p == ')') && out > s && out[-1] == ' ')
            out--;
        *out++ = *p;
    }
    *out = '\0';
}

static void assert_schema_is_current(void)
{
    char *fresh = fresh_schema_text();
    char *migrated = schema_text(path);
    squeeze(fresh);
    squeeze(migrated);
    assert_string_equal(migrated, fresh);
    /* value lists as checks (see schema.sql) */
    assert_null(strstr(migrated, " IN ('"));
    free(fresh);
    free(migrated);
}

static bool count_rows(void *ctx, const prm_record *rec)
{
    (void)rec;
    (*(int *)ctx)++;
    return true;
}

static int records(prm_db *db, prm_kind kind)
{
    int n = 0;
    prm_error err;
    assert_int_equal(prm_list(db, kind, NULL, 0, false, count_rows, &n, &err), 0);
    return n;
}

/* prm opening a database made from the fixture file (an older version's). */
static prm_db *open_fixture(const char *file)
{
    char *sql = slurp(file);
    make_db(sql);
    free(sql);
    prm_db *db;
    prm_error err;
    assert_int_equal(prm_open(path, &db, &err), PRM_OK);
    return db;
}

static void test_version_1_database_is_upgraded_with_nothing_lost(void **s)
{
    (void)s;
    prm_db *db = open_fixture("v1.sql");
    prm_error err;
    assert_int_equal(records(db, PRM_PARTNER), 2);
    assert_int_equal(records(db, PRM_PROJECT), 1);
    assert_int_equal(records(db, PRM_COMMUNICATION), 1);
    assert_int_equal(records(db, PRM_RESOURCE), 1);
    assert_int_equal(records(db, PRM_OUTCOME), 1);
    prm_metrics m;
    assert_int_equal(prm_metrics_compute(db, NULL, 0, &m, &err), PRM_OK);
    assert_int_equal(m.projects, 1);
    /* the upgraded database keeps an audit log */
    int64_t id;
    prm_arg a[] = {{"name", "New"}};
    assert_int_equal(prm_add(db, PRM_PARTNER, a, 1, &id, &err), PRM_OK);
    assert_int_equal(id, 3);
    prm_close(db);
    assert_int_equal(query_int("PRAGMA user_version"), store_schema_version);
    assert_int_equal(query_int("SELECT count(*) FROM audit"), 1);
    assert_schema_is_current();
    assert_int_equal(
        query_int("SELECT count(*) FROM partners WHERE notes = "
                  "'it''s \"quoted\"' AND updated_at = '2026-01-02T00:00:00Z'"),
        1);
}

/* The after image of the oldest entry of db's audit log, as prm gives it. */
static char first_image[1024];

static bool keep_first_after(void *ctx, const prm_audit_entry *e)
{
    (void)ctx;
    snprintf(first_image, sizeof first_image, "%s", e->after ? e->after : "");
    return false;
}

static const char *first_after(prm_db *db)
{
    prm_error err;
    prm_arg all[] = {{"limit", "0"}};
    first_image[0] = '\0';
    assert_int_equal(prm_audit(db, all, 1, keep_first_after, NULL, &err),
                     PRM_OK);
    return first_image;
}

/* Version 2 checked allowed values with IN lists; version 3 rewrites those
 * checks in place.  Records and the audit log stay, the checks still hold
 * for other programs, and the schema is exactly a new database's.  Its
 * whole images (version 4 keeps those of adds compact) read as they are. */
static void test_version_2_database_gets_the_new_checks(void **s)
{
    (void)s;
    prm_db *db = open_fixture("v2.sql");
    prm_error err;
    assert_int_equal(records(db, PRM_PARTNER), 2);
    assert_int_equal(records(db, PRM_PROJECT), 1);
    int64_t id;
    prm_arg a[] = {{"name", "New"}, {"status", "inactive"}};
    assert_int_equal(prm_add(db, PRM_PARTNER, a, 2, &id, &err), PRM_OK);
    assert_int_equal(id, 3);
    assert_string_equal(
        first_after(db),
        "{\"id\":2,\"name\":\"Globex\",\"type\":\"distributor\",\"region\":"
        "\"APAC\",\"status\":\"prospect\",\"tier\":null,\"email\":null,"
        "\"phone\":null,\"notes\":null,\"created_at\":\"2026-01-01T00:00:00Z\","
        "\"updated_at\":\"2026-01-01T00:00:00Z\"}");
    prm_close(db);
    assert_int_equal(query_int("PRAGMA user_version"), store_schema_version);
    assert_int_equal(query_int("SELECT count(*) FROM audit"), 2);
    assert_int_equal(query_int("SELECT quick_check = 'ok' FROM pragma_quick_check"), 1);
    assert_schema_is_current();
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "INSERT INTO partners (name, status, "
                                  "created_at, updated_at) VALUES ('X', "
                                  "'bogus', 'a', 'b')",
                                  0, 0, 0),
                     SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(raw,
                                  "INSERT INTO communications (partner_id, "
                                  "method, at, content) VALUES (1, 'fax', "
                                  "'a', 'b')",
                                  0, 0, 0),
                     SQLITE_CONSTRAINT);
    sqlite3_close(raw);
}

static void test_newer_schema_is_refused(void **s)
{
    (void)s;
    make_db("PRAGMA application_id = 1347571761; PRAGMA user_version = 99; "
            "CREATE TABLE partners (id INTEGER PRIMARY KEY);");
    prm_db *db;
    prm_error err;
    assert_int_equal(prm_open(path, &db, &err), PRM_EDB);
    assert_non_null(strstr(err.message, "newer"));
    assert_int_equal(query_int("PRAGMA user_version"), 99);
}

/* A prm file whose version was lost (set to 0 by hand, say) is refused,
 * not migrated from a version that does not exist. */
static void test_missing_schema_version_is_refused(void **s)
{
    (void)s;
    make_db("PRAGMA application_id = 1347571761; PRAGMA user_version = 0; "
            "CREATE TABLE partners (id INTEGER PRIMARY KEY);");
    prm_db *db;
    prm_error err;
    assert_int_equal(prm_open(path, &db, &err), PRM_EDB);
    assert_non_null(strstr(err.message, "no schema version"));
    assert_int_equal(query_int("SELECT count(*) FROM sqlite_master"), 1);
}

/* New files get 16 KiB pages in WAL mode (fewer, larger writes on bulk
 * loads); an older file keeps the page size it was made with. */
static void test_page_size_of_new_and_old_files(void **s)
{
    (void)s;
    unlink(path);
    prm_db *db;
    prm_error err;
    assert_int_equal(prm_open(path, &db, &err), PRM_OK);
    prm_close(db);
    assert_int_equal(query_int("PRAGMA page_size"), 16384);
    assert_int_equal(query_int("SELECT journal_mode = 'wal' FROM "
                               "pragma_journal_mode"),
                     1);

    db = open_fixture("v2.sql");
    assert_int_equal(records(db, PRM_PARTNER), 2);
    prm_close(db);
    assert_int_equal(query_int("PRAGMA page_size"), 4096);
}

static void test_other_programs_database_is_refused(void **s)
{
    (void)s;
    make_db("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    prm_db *db;
    prm_error err;
    assert_int_equal(prm_open(path, &db, &err), PRM_EDB);
    assert_int_equal(query_int("SELECT count(*) FROM t"), 1);
}

static void test_audit_log_is_append_only(void **s)
{
    (void)s;
    unlink(path);
    prm_db *db;
    prm_error err;
    int64_t id;
    assert_int_equal(prm_open(path, &db, &err), PRM_OK);
    prm_set_command(db, "partner add name='A'", 20);
    prm_arg a[] = {{"name", "A"}};
    assert_int_equal(prm_add(db, PRM_PARTNER, a, 1, &id, &err), PRM_OK);
    prm_close(db);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(raw, "UPDATE audit SET user = 'mallory'", 0, 0, 0),
        SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(raw, "DELETE FROM audit", 0, 0, 0),
                         SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(
        query_int("SELECT count(*) FROM audit WHERE command = "
                  "'partner add name=''A''' AND action = 'add'"),
        1);
}

/* The commands of db's audit log as prm gives them, one per line. */
static char commands[200000];

static bool keep_command(void *ctx, const prm_audit_entry *e)
{
    (void)ctx;
    size_t len = strlen(commands);
    snprintf(commands + len, sizeof commands - len, "%s\n", e->command);
    return true;
}

static const char *logged_commands(prm_db *db)
{
    prm_error err;
    prm_arg all[] = {{"limit", "0"}};
    commands[0] = '\0';
    assert_int_equal(prm_audit(db, all, 1, keep_command, NULL, &err),
                     PRM_OK);
    return commands;
}

/* An add typed as prm writes it from its image is stored without its
 * command and read back as typed; any other spelling is stored as typed. */
static void test_add_command_left_out_only_when_image_gives_it(void **s)
{
    (void)s;
    static const struct {
        const char *command;
        prm_kind kind;
        prm_arg args[3];
        size_t nargs;
        bool left_out;
    } adds[] = {
        {"partner add name=\"Acme Ltd\" type=reseller region=EMEA",
         PRM_PARTNER,
         {{"name", "Acme Ltd"}, {"type", "reseller"}, {"region", "EMEA"}},
         3, true},
        {"partner add name=B email=b@x.example", PRM_PARTNER,
         {{"name", "B"}, {"email", "b@x.example"}}, 2, true},
        {"partner add name=\"Q \\\"x\\\" \\\\ y\"", PRM_PARTNER,
         {{"name", "Q \"x\" \\ y"}}, 1, true},
        /* the default is left out of the form, so naming it is another
         * spelling; so are another order, quotes, spaces, escapes */
        {"partner add name=C status=active", PRM_PARTNER,
         {{"name", "C"}, {"status", "active"}}, 2, false},
        {"partner add region=EMEA name=D", PRM_PARTNER,
         {{"region", "EMEA"}, {"name", "D"}}, 2, false},
        {"partner add name=\"E\"", PRM_PARTNER, {{"name", "E"}}, 1, false},
        {"partner add  name=F", PRM_PARTNER, {{"name", "F"}}, 1, false},
        {"partner add name=G notes=\"a\\nb\"", PRM_PARTNER,
         {{"name", "G"}, {"notes", "a\nb"}}, 2, false},
        /* a reference is stored as a number, which the form has not */
        {"communication add partner=B method=email content=hi",
         PRM_COMMUNICATION,
         {{"partner", "B"}, {"method", "email"}, {"content", "hi"}}, 3, false},
    };
    const size_t n = sizeof adds / sizeof adds[0];
    unlink(path);
    prm_db *db;
    prm_error err;
    int64_t id;
    char want[2048] = "";
    assert_int_equal(prm_open(path, &db, &err), PRM_OK);
    for (size_t i = 0; i < n; i++) {
        prm_set_command(db, adds[i].command, strlen(adds[i].command));
        prm_code rc = prm_add(db, adds[i].kind, adds[i].args, adds[i].nargs,
                              &id, &err);
        if (rc != PRM_OK)
            fail_msg("%s: %s", adds[i].command, err.message);
        size_t len = strlen(want);
        snprintf(want + len, sizeof want - len, "%s\n", adds[i].command);
    }
    assert_string_equal(logged_commands(db), want);
    prm_close(db);
    for (size_t i = 0; i < n; i++) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "SELECT command = '' FROM audit WHERE id = %zu", i + 1);
        assert_int_equal(query_int(sql), adds[i].left_out);
    }
    /* the status at its default is left out of the stored image too */
    assert_int_equal(
        query_int("SELECT after = '{\"name\":\"Acme Ltd\",\"type\":"
                  "\"reseller\",\"region\":\"EMEA\"}' FROM audit WHERE id = 1"),
        1);
    assert_int_equal(
        query_int("SELECT after = '{\"name\":\"C\"}' FROM audit WHERE id = 4"),
        1);
}

/* The form written out by the test itself, for random values: an add
 * typed in it is stored without its command, any other spelling with it,
 * and every one reads back as typed. */
static void spell_value(char *out, size_t size, const char *field,
                        const char *v, bool force_quotes)
{
    bool bare = *v != '\0' && !force_quotes;
    for (const char *c = v; *c && bare; c++)
        bare = isalnum((unsigned char)*c) || strchr("-_.:@/+", *c);
    size_t len = strlen(out);
    len += (size_t)snprintf(out + len, size - len, " %s=%s", field,
                            bare ? "" : "\"");
    for (const char *c = v; *c && len + 3 < size; c++) {
        if (!bare && (*c == '"' || *c == '\\'))
            out[len++] = '\\';
        out[len++] = *c;
    }
    snprintf(out + len, size - len, "%s", bare ? "" : "\"");
}

static void test_add_command_round_trips_random_values(void **s)
{
    (void)s;
    static const char *const pieces[] = {
        "a", "Z", "0", "9", "-", "_", ".", ":", "@", "/", "+",
        " ", "\"", "\\", "=", ",", "#", "\t", "\xc3\xa9"};
    static const char *const fields[] = {"type", "region", "tier", "notes"};
    unsigned seed = 12345;
    unlink(path);
    prm_db *db;
    prm_error err;
    int64_t id;
    assert_int_equal(prm_open(path, &db, &err), PRM_OK);
    static char want[200000];
    want[0] = '\0';
    int expect_left_out = 0;
    for (int i = 0; i < 300; i++) {
        char values[5][16], name[32];
        prm_arg args[6];
        size_t n = 0;
        snprintf(name, sizeof name, "P%d", i);
        args[n++] = (prm_arg){"name", name};
        for (size_t f = 0; f < 4; f++) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 3 == 0)
                continue;
            size_t count = 1 + (seed >> 20) % 6;
            values[f][0] = '\0';
            for (size_t k = 0; k < count; k++) {
                seed = seed * 1103515245u + 12345u;
                strcat(values[f],
                       pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)]);
            }
            args[n++] = (prm_arg){fields[f], values[f]};
        }
        seed = seed * 1103515245u + 12345u;
        unsigned variant = (seed >> 16) % 4; /* 0, 1: the form */
        char typed[512] = "partner add";
        spell_value(typed, sizeof typed, "name", name, variant == 2);
        for (size_t a = 1; a < n; a++)
            spell_value(typed, sizeof typed, args[a].key, args[a].value, false);
        if (variant == 3) {
            args[n++] = (prm_arg){"status", "active"};
            spell_value(typed, sizeof typed, "status", "active", false);
        }
        bool has_form = strchr(typed, '\t') == NULL;
        expect_left_out += has_form && variant < 2;
        prm_set_command(db, typed, strlen(typed));
        if (prm_add(db, PRM_PARTNER, args, n, &id, &err) != PRM_OK)
            fail_msg("%s: %s", typed, err.message);
        size_t len = strlen(want);
        snprintf(want + len, sizeof want - len, "%s\n", typed);
    }
    assert_string_equal(logged_commands(db), want);
    prm_close(db);
    assert_true(expect_left_out > 50 && expect_left_out < 250);
    assert_int_equal(query_int("SELECT count(*) FROM audit WHERE command = ''"),
                     expect_left_out);
}

static void test_failed_command_leaves_no_audit_entry(void **s)
{
    (void)s;
    prm_db *db;
    prm_error err;
    int64_t id;
    assert_int_equal(prm_open(":memory:", &db, &err), PRM_OK);
    prm_arg a[] = {{"name", "A"}};
    assert_int_equal(prm_add(db, PRM_PARTNER, a, 1, &id, &err), PRM_OK);
    assert_int_equal(prm_add(db, PRM_PARTNER, a, 1, &id, &err),
                     PRM_ECONFLICT);
    prm_arg p[] = {{"name", "P"}, {"partners", "A,Ghost"}};
    assert_int_equal(prm_add(db, PRM_PROJECT, p, 2, &id, &err),
                     PRM_ENOT_FOUND);
    int n = 0;
    assert_int_equal(prm_audit(db, NULL, 0, (prm_audit_fn)count_rows, &n,
                               &err),
                     PRM_OK);
    assert_int_equal(n, 1);
    prm_close(db);
}

static int64_t add(prm_db *db, prm_kind kind, const prm_arg *args, size_t n)
{
    int64_t id;
    prm_error err;
    if (prm_add(db, kind, args, n, &id, &err) != PRM_OK)
        fail_msg("add: %s", err.message);
    return id;
}

/* Each add's image as the log gives it and each delete's, by record. */
typedef struct images {
    char kind[32];
    int64_t record;
    char *added, *deleted;
} images;

typedef struct image_list {
    images item[64];
    size_t n;
} image_list;

static images *images_of(image_list *l, const char *kind, int64_t record)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->item[i].record == record && strcmp(l->item[i].kind, kind) == 0)
            return &l->item[i];
    assert_true(l->n < sizeof l->item / sizeof l->item[0]);
    images *it = &l->item[l->n++];
    snprintf(it->kind, sizeof it->kind, "%s", kind);
    it->record = record;
    return it;
}

static bool collect_images(void *ctx, const prm_audit_entry *e)
{
    if (strcmp(e->kind, "project_partner") == 0)
        return true;
    images *it = images_of(ctx, e->kind, e->record);
    if (strcmp(e->action, "add") == 0)
        it->added = strdup(e->after);
    else if (strcmp(e->action, "delete") == 0)
        it->deleted = strdup(e->before);
    return true;
}

/* prm writes the image of an added record itself, not SQLite's
 * json_object(), and keeps it compact: read from the log, it must be the
 * same text, byte for byte, as the image the triggers make of the same
 * row, whatever the values.  Deleting every record makes the triggers
 * write each one's image as `before`. */
static void test_added_image_is_the_image_sqlite_writes(void **s)
{
    (void)s;
    unlink(path);
    prm_db *db;
    prm_error err;
    assert_int_equal(prm_open(path, &db, &err), PRM_OK);
    /* A clock that cannot tick between a record's stamps and its entry's. */
    assert_int_equal(prm_set_now(db, "2026-03-01T00:00:00Z", &err), PRM_OK);
    const char *odd = "ctl \x01\b\t\n\f\r\x1f\x7f \"q\" \\ / é 😀 '";
    prm_arg partner[] = {{"name", "Odd \"P\""}, {"notes", odd},
                         {"status", "prospect"}, {"email", "a@b.example"}};
    add(db, PRM_PARTNER, partner, 4);
    prm_arg plain[] = {{"name", "Plain"}};
    add(db, PRM_PARTNER, plain, 1);
    prm_arg project[] = {{"name", "Proj"}, {"partners", "1,2"},
                         {"progress", "50"}, {"start", "2026-01-02"},
                         {"goal", odd}};
    add(db, PRM_PROJECT, project, 5);
    const char *amounts[] = {"5", "25000.5", "0.1", "0.0000001", "1e20",
                             "123456789.125", "0", "100000000000000000000000"};
    for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        prm_arg r[] = {{"partner", "1"}, {"kind", "funding"},
                       {"amount", amounts[i]}, {"project", "Proj"}};
        add(db, PRM_RESOURCE, r, 4);
        prm_arg o[] = {{"project", "Proj"}, {"description", odd},
                       {"value", amounts[i]}};
        add(db, PRM_OUTCOME, o, 3);
    }
    prm_arg no_value[] = {{"project", "Proj"}, {"description", "none"}};
    add(db, PRM_OUTCOME, no_value, 2);
    prm_arg c[] = {{"partner", "2"}, {"method", "chat"}, {"content", odd},
                   {"project", "1"}, {"at", "2026-02-03T04:05:06Z"}};
    add(db, PRM_COMMUNICATION, c, 5);
    int64_t id;
    assert_int_equal(prm_delete(db, PRM_PARTNER, "1", true, &id, &err), PRM_OK);
    assert_int_equal(prm_delete(db, PRM_PARTNER, "2", true, &id, &err), PRM_OK);
    image_list *l = calloc(1, sizeof *l);
    assert_non_null(l);
    prm_arg all[] = {{"limit", "0"}};
    assert_int_equal(prm_audit(db, all, 1, collect_images, l, &err), PRM_OK);
    prm_close(db);
    assert_int_equal(l->n, 21);
    for (size_t i = 0; i < l->n; i++) {
        assert_non_null(l->item[i].added);
        assert_non_null(l->item[i].deleted);
        assert_string_equal(l->item[i].added, l->item[i].deleted);
        free(l->item[i].added);
        free(l->item[i].deleted);
    }
    free(l);
    /* What is stored is compact: no id, no null field, no time stamp that
     * is the entry's time; "Odd" keeps the fields it was given. */
    assert_int_equal(
        query_int("SELECT count(*) FROM audit WHERE action = 'add' AND kind "
                  "<> 'project_partner' AND (after LIKE '%\"id\":%' OR after "
                  "LIKE '%null%' OR after LIKE '%\"created_at\"%')"),
        0);
    assert_int_equal(
        query_int("SELECT after = '{\"name\":\"Odd \\\"P\\\"\",\"status\":"
                  "\"prospect\",\"email\":\"a@b.example\",\"notes\":\"ctl "
                  "\\u0001\\b\\t\\n\\f\\r\\u001f\x7f \\\"q\\\" \\\\ / é 😀 ''\"}' "
                  "FROM audit WHERE action = 'add' AND kind = 'partner' AND "
                  "record = 1"),
        1);
}

int main(int argc, char **argv)
{
    fixtures = argc > 1 ? argv[1] : "tests/fixtures";
    snprintf(path, sizeof path, "/tmp/prm-test-migrate-%ld.db",
             (long)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_1_database_is_upgraded_with_nothing_lost),
        cmocka_unit_test(test_version_2_database_gets_the_new_checks),
        cmocka_unit_test(test_newer_schema_is_refused),
        cmocka_unit_test(test_missing_schema_version_is_refused),
        cmocka_unit_test(test_other_programs_database_is_refused),
        cmocka_unit_test(test_page_size_of_new_and_old_files),
        cmocka_unit_test(test_audit_log_is_append_only),
        cmocka_unit_test(test_add_command_left_out_only_when_image_gives_it),
        cmocka_unit_test(test_add_command_round_trips_random_values),
        cmocka_unit_test(test_failed_command_leaves_no_audit_entry),
        cmocka_unit_test(test_added_image_is_the_image_sqlite_writes),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return rc;
}
