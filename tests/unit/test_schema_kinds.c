/*
 * test_schema_kinds.c - every kind's fields (src/core/kinds.c) against
 * the two schemas: the columns of the kind's table in schema.sql (read by
 * SQLite itself) and in schema_pg.sql, in any order (a migration's ADD
 * COLUMN puts a new one last).  (The audit images on both engines are
 * made from the kind tables.)  A field added to one place but not another
 * fails here, before any e2e case does.
 *
 *   test_schema_kinds SCHEMA_SQL SCHEMA_PG_SQL
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "prm/prm.h"
#include "text_file.h"
#include "store/store.h"

static char *schema_sqlite, *schema_pg;

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The words of s in ascending order, in place. */
static void sort_words(char *s)
{
    char *words[256], copy[1024];
    size_t n = 0;
    snprintf(copy, sizeof copy, "%s", s);
    for (char *w = strtok(copy, " "); w != NULL && n < 256;
         w = strtok(NULL, " "))
        words[n++] = w;
    qsort(words, n, sizeof *words, by_text);
    size_t at = 0;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(s + at, 1024 - at, "%s%s", i ? " " : "",
                               words[i]);
}

/* The columns a kind's fields have, in order, then those the store
 * keeps beside them, as "a b c". */
static void field_columns(const prm_kind_info *info, char *out, size_t size)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < info->nfields; i++) {
        const char *col = store_column(&info->fields[i]);
        if (col != NULL)
            at += (size_t)snprintf(out + at, size - at, "%s%s",
                                   at ? " " : "", col);
    }
    const store_derived *d;
    size_t nd = store_derived_of(info, &d);
    for (size_t i = 0; i < nd; i++)
        at += (size_t)snprintf(out + at, size - at, " %s", d[i].column);
}

static void test_sqlite_tables_have_the_fields(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, schema_sqlite, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("schema.sql: %s", msg);
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        char want[1024], got[1024] = "", sql[128];
        field_columns(info, want, sizeof want);
        snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')",
                 store_table(info));
        sqlite3_stmt *stmt;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
                         SQLITE_OK);
        size_t at = 0;
        while (sqlite3_step(stmt) == SQLITE_ROW)
            at += (size_t)snprintf(got + at, sizeof got - at, "%s%s",
                                   at ? " " : "",
                                   sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        sort_words(want);
        sort_words(got);
        if (strcmp(want, got) != 0)
            fail_msg("schema.sql, table %s: columns '%s', fields '%s'",
                     store_table(info), got, want);
    }
    sqlite3_close(db);
}

/* The text of s from the line that starts with start to the next line
 * that starts with end; malloc'd, NULL when start is missing. */
static char *block(const char *s, const char *start, const char *end)
{
    const char *b = strstr(s, start);
    if (b == NULL)
        return NULL;
    const char *e = strstr(b + strlen(start), end);
    size_t n = e ? (size_t)(e - b) : strlen(b);
    char *out = malloc(n + 1);
    assert_non_null(out);
    memcpy(out, b, n);
    out[n] = '\0';
    return out;
}

static void test_pg_tables_have_the_fields(void **state)
{
    (void)state;
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        char want[1024], got[1024] = "", start[96];
        field_columns(info, want, sizeof want);
        snprintf(start, sizeof start, "\nCREATE TABLE %s (\n",
                 store_table(info));
        char *table = block(schema_pg, start, "\n);");
        if (table == NULL)
            fail_msg("schema_pg.sql has no table %s", store_table(info));
        /* Column lines are indented four spaces and start with a name. */
        size_t at = 0;
        for (char *line = strchr(table + 1, '\n'); line != NULL;
             line = strchr(line + 1, '\n')) {
            char name[64];
            /* a keyword as a name is quoted: "end" */
            int quoted = strncmp(line + 1, "    \"", 5) == 0;
            if (sscanf(line + 5 + quoted, "%63[a-z_]", name) != 1 ||
                strncmp(line + 1, "    ", 4) != 0 || line[5] == ' ' ||
                strcmp(name, "owner") == 0 || strcmp(name, "PRIMARY") == 0)
                continue;
            at += (size_t)snprintf(got + at, sizeof got - at, "%s%s",
                                   at ? " " : "", name);
        }
        free(table);
        sort_words(want);
        sort_words(got);
        if (strcmp(want, got) != 0)
            fail_msg("schema_pg.sql, table %s: columns '%s', fields '%s'",
                     store_table(info), got, want);
    }
}

/* Which fields are sensitive is part of the contract (encryption at rest
 * covers exactly these): a field marked, or unmarked, by mistake fails
 * here.  Sensitive fields are text; computed ones are prm's to set. */
static void test_sensitive_and_computed_fields(void **state)
{
    (void)state;
    static const char *const sensitive[] = {
        "partner.email", "partner.phone", "partner.notes",
        "communication.subject", "communication.content", "deal.contact",
        "deal.notes", "task.notes", "fund.notes", NULL};
    char marked[512] = "", want[512] = "";
    for (int k = 0; k < PRM_KIND_COUNT; k++) {
        const prm_kind_info *info = prm_kind_get((prm_kind)k);
        for (size_t i = 0; i < info->nfields; i++) {
            const prm_field *f = &info->fields[i];
            if (f->flags & PRM_FF_SENSITIVE) {
                assert_int_equal(f->type, PRM_F_TEXT);
                snprintf(marked + strlen(marked), sizeof marked - strlen(marked),
                         "%s.%s ", info->name, f->name);
            }
            if (f->flags & PRM_FF_COMPUTED)
                assert_true(f->flags & PRM_FF_READONLY);
        }
    }
    for (size_t i = 0; sensitive[i] != NULL; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s ",
                 sensitive[i]);
    assert_string_equal(marked, want);
}

int main(int argc, char **argv)
{
    if (argc < 3 || (schema_sqlite = read_text_file(argv[1])) == NULL ||
        (schema_pg = read_text_file(argv[2])) == NULL) {
        fprintf(stderr, "usage: test_schema_kinds SCHEMA_SQL SCHEMA_PG_SQL\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_tables_have_the_fields),
        cmocka_unit_test(test_pg_tables_have_the_fields),
        cmocka_unit_test(test_sensitive_and_computed_fields),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(schema_sqlite);
    free(schema_pg);
    return failed;
}
